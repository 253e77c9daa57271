"""Links, pools, reps and decisions through the console's forms."""

import pytest

from routing import actions
from routing.models import Chat, KnockLink, PoolMember, RoutingRule

from .conftest import url

pytestmark = pytest.mark.django_db


def test_create_link_with_a_chat_rule(console, workspace, rule):
    response = console.post(
        url(workspace, "links/new/"),
        {"name": "G2 listing", "slug": "g2", "channel": "G2", "chat_rule": rule.id,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    link = KnockLink.objects.get(slug="g2")
    assert link.chat_rule == rule and link.is_active
    page = console.get(url(workspace, "links/")).content.decode()
    assert f"/l/{workspace.slug}/g2/" in page and "Inbound" in page
    assert "G2 listing" in console.get(url(workspace, f"rules/{rule.id}/")).content.decode()


def test_link_errors_show_and_save_nothing(console, workspace, rule):
    actions.create_link(workspace, slug="g2", name="G2")
    meeting = workspace.rules.get(kind="meeting")
    response = console.post(
        url(workspace, "links/new/"),
        {"name": "Dup", "slug": "g2", "chat_rule": meeting.id},
    )
    assert response.status_code == 400
    assert KnockLink.objects.count() == 1
    response = console.post(url(workspace, "links/new/"), {"name": "Dup", "slug": "g2"})
    assert "already exists" in response.content.decode()


def test_deactivate_a_link(console, workspace):
    link = actions.create_link(workspace, slug="ads", name="Ads")
    console.post(url(workspace, f"links/{link.id}/toggle/"))
    link.refresh_from_db()
    assert not link.is_active


def test_pool_members_weights_and_pause(console, workspace, make_rep):
    dana, marcus = make_rep("Dana"), make_rep("Marcus")
    response = console.post(
        url(workspace, "pools/new/"), {"name": "AEs", "strategy": "round_robin"}
    )
    pool_url = response["Location"]
    console.post(pool_url + "members/", {"rep": dana.id, "weight": 2})
    console.post(pool_url + "members/", {"rep": marcus.id, "weight": 1})
    console.post(pool_url + f"members/{marcus.id}/", {"weight": 3, "is_paused": "on"})
    members = {m.rep_id: m for m in PoolMember.objects.all()}
    assert members[dana.id].weight == 2 and not members[dana.id].is_paused
    assert members[marcus.id].weight == 3 and members[marcus.id].is_paused
    page = console.get(pool_url).content.decode()
    assert "100.0%" in page  # Dana's target share: Marcus is paused
    console.post(pool_url + f"members/{marcus.id}/", {"remove": "1"})
    assert list(PoolMember.objects.values_list("rep_id", flat=True)) == [dana.id]


def test_pool_member_bad_weight_is_refused(console, workspace, make_rep):
    dana = make_rep("Dana")
    pool = actions.create_pool(workspace, name="P", members=[{"rep": dana.id}])
    response = console.post(
        url(workspace, f"pools/{pool.id}/members/{dana.id}/"), {"weight": "abc"}
    )
    assert response.status_code == 400
    assert "Dana&#x27;s weight must be a whole number from 1 to 1000." in response.content.decode()
    assert PoolMember.objects.get().weight == 1


def test_rep_edit_hours_and_out_of_office(console, workspace, make_rep):
    rep = make_rep("Dana")
    response = console.post(
        url(workspace, f"reps/{rep.id}/"),
        {"name": "Dana", "email": rep.email, "timezone": "Europe/Paris", "is_active": "on",
         "out_of_office_until": "2099-01-01T09:00", "mon_start": "09:00", "mon_end": "17:00"},
    )  # fmt: skip
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.working_hours == {"mon": [["09:00", "17:00"]]}
    assert rep.timezone == "Europe/Paris" and rep.out_of_office_until.year == 2099
    page = console.get(url(workspace, "reps/")).content.decode()
    assert "Out of office until" in page and "Mon 09:00-17:00" in page


def test_rep_half_a_day_is_an_error(console, workspace, make_rep):
    rep = make_rep("Dana")
    response = console.post(
        url(workspace, f"reps/{rep.id}/"),
        {"name": "Dana", "email": rep.email, "timezone": "UTC", "mon_start": "09:00"},
    )
    assert response.status_code == 400
    assert "Give both a start and an end" in response.content.decode()
    rep.refresh_from_db()
    assert rep.working_hours == {}


def test_decisions_filter_and_detail(console, workspace, rule, make_rep):
    actions.create_link(workspace, slug="g2", name="G2", chat_rule=rule.id)
    for n, employees in enumerate((500, 5)):
        actions.route_chat(
            workspace,
            {"link": "g2", "lead": {"email": f"l{n}@x.com"}, "company": {"employees": employees}},
        )
    page = console.get(url(workspace, "decisions/?rule=" + str(rule.id))).content.decode()
    assert "l0@x.com" in page and "l1@x.com" in page
    decision = Chat.objects.get(lead__email="l0@x.com").decision
    detail = console.get(url(workspace, f"decisions/{decision.id}/")).content.decode()
    assert "Company employees &gt; 200" in detail and "500" in detail
    assert console.get(url(workspace, "decisions/?since=garbage")).status_code == 200


def test_public_link_page_routes_a_chat(client, workspace, rule, make_rep):
    actions.create_link(workspace, slug="g2", name="G2", channel="G2", chat_rule=rule.id)
    page = client.get(f"/l/{workspace.slug}/g2/?utm_source=g2&utm_campaign=spring")
    assert page.status_code == 200
    response = client.post(
        f"/l/{workspace.slug}/g2/?utm_source=g2&utm_campaign=spring",
        {"email": "ana@bigco.com", "message": "pricing for 40 seats please"},
    )
    assert response.status_code == 200 and b"Dana" in response.content
    chat = Chat.objects.get()
    assert chat.decision.context["attribution"]["campaign"] == "spring"
    assert chat.decision.context["intent"]["type"] == "buying"
    bad = client.post(f"/l/{workspace.slug}/g2/", {"email": "nope", "message": "hi"})
    assert bad.status_code == 400 and Chat.objects.count() == 1
    assert client.get(f"/l/{workspace.slug}/missing/").status_code == 404


def test_a_rule_of_an_unknown_kind_is_a_visible_form_error(console, workspace):
    before = RoutingRule.objects.count()
    response = console.post(url(workspace, "rules/new/"), {"name": "Odd", "kind": "email"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert">Kind: Select a valid choice.' in html
    assert RoutingRule.objects.count() == before
