"""CRM-aware routing end to end: the local CRM through the API, write-back, a dead CRM."""

import time

import pytest

from crm.backends import BACKENDS
from crm.backends.base import CrmBackend, CrmRecord
from crm.models import CrmSettings, LocalAccount, LocalContact, LocalOpportunity
from outbox import runner
from outbox.models import Delivery
from routing import actions
from routing.models import Chat

pytestmark = pytest.mark.django_db


@pytest.fixture
def crm_world(workspace, make_rep, api):
    dana, marcus = make_rep("Dana"), make_rep("Marcus")
    account = LocalAccount.objects.create(
        workspace=workspace, name="BigCo", domain="bigco.com", owner_email=dana.email
    )
    LocalContact.objects.create(
        workspace=workspace,
        email="ana@bigco.com",
        first_name="Ana",
        account=account,
        owner_email=dana.email,
        lifecycle_stage="opportunity",
        custom_fields={"Plan": "Enterprise"},
    )
    LocalOpportunity.objects.create(
        workspace=workspace, account=account, name="BigCo renewal", stage="Negotiation",
        is_closed=False, is_won=False, owner_email=dana.email,
    )  # fmt: skip
    rule = actions.create_rule(workspace, kind="chat", name="CRM aware", crm_owner_first=True)
    actions.add_segment(
        rule,
        name="Enterprise plan",
        conditions={"field": "crm.fields.Plan", "op": "eq", "value": "enterprise"},
        assignee={"type": "rep", "id": marcus.id},
    )
    actions.create_link(workspace, slug="web", name="Web", chat_rule=rule.id)
    return {"dana": dana, "marcus": marcus, "rule": rule}


def route(api, email, **extra):
    response = api.post("/api/v1/chats/", {"link": "web", "lead": {"email": email}, **extra},
                        format="json")  # fmt: skip
    assert response.status_code == 201, response.data
    return response.data


def test_a_lead_in_the_crm_goes_to_its_owner_first(api, crm_world):
    data = route(api, "ana@bigco.com")
    assert data["via"] == "crm_owner_first" and data["segment"] is None
    assert data["assignee"]["id"] == crm_world["dana"].id
    crm = data["context"]["crm"]
    assert crm["exists"] is True and crm["system"] == "local"
    assert crm["owner_rep"] == crm_world["dana"].id
    signals = data["context"]["signals"]
    assert (signals["funnel_stage"], signals["crm_status"]) == ("opportunity", "exists")
    assert signals["engagement_score"] == 0  # a first, silent visit
    assert any("CRM owner first" in line and "Dana" in line for line in data["trace"]["lines"])


def test_segments_match_on_crm_fields(api, crm_world):
    rule = crm_world["rule"]
    actions.update_rule(rule, crm_owner_first=False)
    data = route(api, "ana@bigco.com")
    assert data["segment"]["name"] == "Enterprise plan"
    assert data["assignee"]["id"] == crm_world["marcus"].id


def test_a_lead_not_in_the_crm_is_first_seen(api, crm_world):
    data = route(api, "new@elsewhere.io")
    assert data["context"]["crm"]["exists"] is False
    signals = data["context"]["signals"]
    assert (signals["funnel_stage"], signals["crm_status"]) == ("first_seen", "not_found")
    assert data["segment"]["name"] == "Fallback"


def test_rep_owner_and_response_are_written_back_to_the_local_crm(api, crm_world, workspace):
    data = route(api, "ana@bigco.com")
    write = Delivery.objects.get(kind="crm.write", chat_id=data["id"])
    assert write.payload["values"] == {"Knock: Rep Owner": "Dana"}
    runner.run(write.id)
    write.refresh_from_db()
    assert write.status == Delivery.DONE
    contact = LocalContact.objects.get(email="ana@bigco.com")
    assert contact.custom_fields["Knock: Rep Owner"] == "Dana"

    reply = api.post(f"/api/v1/chats/{data['id']}/replies/", {"rep": crm_world["dana"].id},
                     format="json")  # fmt: skip
    assert reply.status_code == 200
    response_write = (
        Delivery.objects.filter(kind="crm.write", chat_id=data["id"]).exclude(id=write.id).get()
    )
    values = response_write.payload["values"]
    assert values["Knock: Responding Rep"] == "Dana"
    assert (
        values["Knock: Rep Response Time"] == Chat.objects.get(id=data["id"]).response_time_minutes
    )
    runner.run(response_write.id)
    contact.refresh_from_db()
    assert contact.custom_fields["Knock: Responding Rep"] == "Dana"


class SlowBackend(CrmBackend):
    """A CRM that answers after the time box has run out."""

    name = "slow"

    def lookup(self, email, domain=None):
        time.sleep(1.0)
        return CrmRecord(exists=True, system="slow", record_type="contact", record_id="1")


def test_a_dead_or_slow_crm_never_blocks_routing(api, crm_world, workspace, monkeypatch):
    monkeypatch.setitem(BACKENDS, "slow", f"{__name__}.SlowBackend")
    CrmSettings.objects.update_or_create(
        workspace=workspace, defaults={"backend": "slow", "lookup_timeout": 0.2}
    )
    started = time.monotonic()
    data = route(api, "ana@bigco.com")
    assert time.monotonic() - started < 0.9  # the time box, not the CRM's second
    assert "crm" not in data["context"]
    assert data["trace"]["gaps"]["crm"] == "unavailable (timeout)"
    assert "crm data: unavailable (timeout)." in data["trace"]["lines"]
    assert data["assignee"]["id"]  # routed anyway: segments, then the fallback
    assert not Delivery.objects.filter(kind="crm.write").exists()


def test_engagement_grows_with_the_leads_history(api, crm_world):
    first = route(api, "new@elsewhere.io", session={"pages_viewed": 4, "time_on_site": 120})
    assert first["context"]["signals"]["engagement_score"] == 12 + 4
    again = route(api, "new@elsewhere.io", session={"pages_viewed": 4, "time_on_site": 120})
    # one prior chat (12), seen today (15), returning (10), plus this session (16)
    assert again["context"]["signals"]["engagement_score"] == 12 + 15 + 10 + 16
    assert again["context"]["signals"]["funnel_stage"] == "existing"
