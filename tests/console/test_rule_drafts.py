"""The rule editor's "Edit as draft" mode, publish, discard, the draft diff (issue 17)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing import actions
from routing.actions import drafts
from routing.models import RuleDraft, RuleVersion, Segment

from .conftest import url

pytestmark = pytest.mark.django_db

HUGE = {"field": "company.employees", "op": "gt", "value": 1000}


def live(rule):
    return list(Segment.objects.filter(rule=rule).order_by("order").values_list("id", "name"))


def start(console, workspace, rule):
    response = console.post(url(workspace, f"rules/{rule.id}/draft/start/"))
    assert response.status_code == 302
    assert response["Location"] == url(workspace, f"rules/{rule.id}/draft/")


def test_edit_as_draft_changes_only_the_draft(console, workspace, rule, make_rep):
    marcus = make_rep("Marcus")
    before = (live(rule), rule.version)
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert "Edit as draft" in page
    start(console, workspace, rule)
    # Add a segment, edit one, delete one, reorder: all into the draft.
    base = url(workspace, f"rules/{rule.id}/draft/segments/")
    response = console.post(
        base + "new/",
        {"name": "Huge", "conditions": json.dumps(HUGE), "assignee_type": "rep",
         "assignee_rep": marcus.id},
    )  # fmt: skip
    assert response.status_code == 302
    big, support, _ = live(rule)
    response = console.post(
        base + f"{big[0]}/edit/",
        {"name": "Big", "conditions": json.dumps(HUGE), "assignee_type": "rep",
         "assignee_rep": marcus.id},
    )  # fmt: skip
    assert response.status_code == 302
    assert console.post(base + f"{support[0]}/delete/").status_code == 302
    huge_id = RuleDraft.objects.get(rule=rule).segments[1]["id"]
    assert huge_id < 0
    response = console.post(
        url(workspace, f"rules/{rule.id}/draft/reorder/"),
        json.dumps({"order": [huge_id, big[0]]}),
        content_type="application/json",
    )
    assert response.json()["draft_changes"] == 3  # Huge added, Big changed, Support removed
    assert (live(rule), RuleVersion.objects.filter(rule=rule).count()) == (before[0], 3)

    page = console.get(url(workspace, f"rules/{rule.id}/draft/")).content.decode()
    assert "Draft: 3 changes" in page
    assert f"draft/segments/{huge_id}/edit/" in page
    assert "Publish the draft?" in page and "Discard draft" in page
    assert f"diff/?from={rule.version}&amp;to=draft" in page
    assert "style=" not in page.split("<main", 1)[-1]
    # The live page says there is a draft and keeps its live editor.
    page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert "Continue draft (3 changes)" in page and 'data-testid="pending-draft"' in page

    # Publish: one new version, signed, the draft gone.
    response = console.post(url(workspace, f"rules/{rule.id}/draft/publish/"))
    assert response.status_code == 302 and response["Location"] == url(
        workspace, f"rules/{rule.id}/"
    )
    rule.refresh_from_db()
    assert rule.version == 4
    assert [n for _, n in live(rule)] == ["Huge", "Big", "Fallback"]
    version = RuleVersion.objects.get(rule=rule, version=4)
    assert version.author == "console: ops"
    assert version.summary.startswith("Published draft: ")
    assert not RuleDraft.objects.filter(rule=rule).exists()


def test_bad_condition_in_draft_form_is_400_beside_the_field(console, workspace, rule):
    start(console, workspace, rule)
    stored = RuleDraft.objects.get(rule=rule).segments
    big = stored[0]["id"]
    bad = {"all": [HUGE, {"field": "company.employees", "op": "gt", "value": "lots"}]}
    response = console.post(
        url(workspace, f"rules/{rule.id}/draft/segments/{big}/edit/"),
        {"name": "Big", "conditions": json.dumps(bad), "assignee_type": "workspace_default"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="conditions-error"' in page and 'data-error-path="all[1]"' in page
    assert "Save in draft" in page
    assert RuleDraft.objects.get(rule=rule).segments == stored


def test_publish_refusal_is_shown_and_keeps_the_draft(console, workspace, rule, make_rep):
    temp = make_rep("Temp")
    start(console, workspace, rule)
    drafts.add_draft_segment(rule, name="Temp", assignee={"type": "rep", "id": temp.id})
    actions.delete_rep(temp)
    before = live(rule)
    response = console.post(url(workspace, f"rules/{rule.id}/draft/publish/"), follow=True)
    page = response.content.decode()
    assert "“Temp” cannot be published" in page
    assert live(rule) == before and RuleDraft.objects.filter(rule=rule).exists()


def test_discard(console, workspace, rule):
    start(console, workspace, rule)
    before = live(rule)
    response = console.post(url(workspace, f"rules/{rule.id}/draft/discard/"), follow=True)
    assert "Discarded the draft" in response.content.decode()
    assert live(rule) == before and not RuleDraft.objects.exists()
    # With no draft, the draft page sends you back to the live rule.
    response = console.get(url(workspace, f"rules/{rule.id}/draft/"))
    assert response.status_code == 302


def test_draft_diff_page_side_by_side(console, workspace, rule):
    start(console, workspace, rule)
    big = RuleDraft.objects.get(rule=rule).segments[0]["id"]
    drafts.delete_draft_segment(rule, big)
    response = console.get(url(workspace, f"rules/{rule.id}/diff/"), {"from": 3, "to": "draft"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "v3 → Draft" in page and "Removed “Big”" in page
    assert '<option value="draft" selected>Draft</option>' in page
    response = console.get(url(workspace, f"rules/{rule.id}/diff/"), {"from": "draft", "to": 1})
    assert response.status_code == 200 and "Draft → v1" in response.content.decode()
    drafts.discard_draft(rule)
    response = console.get(url(workspace, f"rules/{rule.id}/diff/"), {"from": 3, "to": "draft"})
    assert response.status_code == 400 and "This rule has no draft." in response.content.decode()


def test_other_workspace_cannot_touch_a_draft(console, workspace, rule):
    other, _ = actions.create_workspace("Globex")
    foreign = actions.create_rule(other, kind="chat", name="Theirs")
    drafts.start_draft(foreign)
    for path in ("draft/", "draft/publish/", "draft/discard/", "draft/start/"):
        method = console.get if path == "draft/" else console.post
        assert method(url(workspace, f"rules/{foreign.id}/{path}")).status_code == 404
    assert RuleDraft.objects.filter(rule=foreign).exists()


def _editor_queries(console, workspace, rule) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = console.get(url(workspace, f"rules/{rule.id}/draft/"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_draft_editor_queries_do_not_grow_with_segments(console, workspace, make_rep):
    rule = actions.create_rule(workspace, kind="chat", name="Many")
    pool = actions.create_pool(workspace, name="EMEA", strategy="round_robin", members=[])
    agent = actions.create_ai_agent(workspace, name="Bot", specialty="support")
    drafts.start_draft(rule)

    def add(n):
        for i in range(n):
            rep = make_rep()
            for assignee in ({"type": "rep", "id": rep.id}, {"type": "pool", "id": pool.id},
                             {"type": "ai_agent", "id": agent.id}):  # fmt: skip
                cond = {"field": "company.employees", "op": "gt", "value": i}
                drafts.add_draft_segment(rule, name=f"S{rep.id}{assignee['type']}", conditions=cond,
                                         assignee=assignee)  # fmt: skip

    add(2)
    _editor_queries(console, workspace, rule)  # the first visit also stores the session
    few = _editor_queries(console, workspace, rule)
    add(10)
    many = _editor_queries(console, workspace, rule)
    assert many == few
    # The live page with a draft in progress does not grow either.
    with CaptureQueriesContext(connection) as ctx:
        assert console.get(url(workspace, f"rules/{rule.id}/")).status_code == 200
    with_draft = len(ctx.captured_queries)
    add(5)
    with CaptureQueriesContext(connection) as ctx:
        console.get(url(workspace, f"rules/{rule.id}/"))
    assert len(ctx.captured_queries) == with_draft


def test_meeting_rule_draft_uses_the_booking_form(console, workspace, make_rep):
    ann = make_rep("Ann")
    rule = actions.create_rule(workspace, kind="meeting", name="Demos")
    start(console, workspace, rule)
    data = {
        "name": "Big",
        "conditions": json.dumps(HUGE),
        "outcome": "qualified",
        "logic": "round_robin",
        "reps": [str(ann.id)],
        "duration": "45",
        "min_notice": "0",
        "buffer_before": "0",
        "buffer_after": "10",
        "horizon_days": "14",
    }
    base = url(workspace, f"rules/{rule.id}/draft/segments/")
    response = console.post(base + "new/", data)
    assert response.status_code == 302, response.content.decode()[:600]
    seg_id = RuleDraft.objects.get(rule=rule).segments[0]["id"]
    page = console.get(base + f"{seg_id}/edit/")
    assert page.context["form"].initial["reps"] == [ann.id]
    editor = console.get(url(workspace, f"rules/{rule.id}/draft/")).content.decode()
    assert "Round robin · Ann · 45 min, 0 min notice, 10 min after" in editor
    response = console.post(base + f"{seg_id}/edit/", {**data, "duration": "2"})
    assert response.status_code == 400 and "Must be between 5 and 480" in response.content.decode()
    assert Segment.objects.filter(rule=rule).count() == 1  # live: the fallback only


def _draft_big_to(rule, rep):
    big = Segment.objects.get(rule=rule, name="Big")
    drafts.start_draft(rule)
    drafts.update_draft_segment(
        rule, big.id, name="Big (draft)", assignee={"type": "rep", "id": rep.id}
    )


def test_test_a_lead_on_the_draft_page_runs_the_draft(console, workspace, rule, make_rep):
    marcus = make_rep("Marcus")
    _draft_big_to(rule, marcus)
    page = console.get(url(workspace, f"rules/{rule.id}/draft/")).content.decode()
    assert "Runs the draft" in page and '<input type="hidden" name="version" value="draft">' in page
    live_page = console.get(url(workspace, f"rules/{rule.id}/")).content.decode()
    assert 'name="version" value="draft"' not in live_page and "Runs the draft" not in live_page
    lead = {"email": "ana@bigco.com", "employees": "500"}
    response = console.post(url(workspace, f"rules/{rule.id}/test/"), {**lead, "version": "draft"})
    assert response.status_code == 200
    result = response.content.decode()
    assert 'data-testid="matched-segment">Big (draft)<' in result and "· the draft" in result
    assert "Marcus" in result
    live = console.post(url(workspace, f"rules/{rule.id}/test/"), lead).content.decode()
    assert 'data-testid="matched-segment">Big<' in live and f"rule v{rule.version}" in live


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("draft", "This rule has no draft."),
        ("latest", "A valid integer is required."),
        ("99", "no version 99"),
    ],
)
def test_test_a_lead_with_a_version_it_cannot_run_is_a_form_error(
    console, workspace, rule, version, message
):
    response = console.post(
        url(workspace, f"rules/{rule.id}/test/"), {"email": "ana@bigco.com", "version": version}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_draft_segment_forms_refuse_a_taken_name_and_a_bad_channel(console, workspace, rule):
    start(console, workspace, rule)
    stored = RuleDraft.objects.get(rule=rule).segments
    big = stored[0]["id"]
    base = url(workspace, f"rules/{rule.id}/draft/segments/")
    form = {"name": "support", "conditions": "", "assignee_type": "workspace_default"}
    response = console.post(base + "new/", form)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["A segment with this name already exists in this rule."]
    }
    response = console.post(base + f"{big}/edit/", {**form, "name": "Fallback"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "name": ["A segment with this name already exists in this rule."]
    }
    response = console.post(
        base + f"{big}/edit/", {**form, "name": "Big", "monitoring_channel": "not a channel!!"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "monitoring_channel": [
            "“not a channel!!” is not a Slack channel: give a name like #leads (lowercase "
            "letters, digits, - and _) or a channel id like C0123456789."
        ]
    }
    assert "Save in draft" in response.content.decode()
    assert RuleDraft.objects.get(rule=rule).segments == stored


def test_a_draft_of_a_rule_with_twin_segments_can_be_edited(console, workspace, rule):
    support = Segment.objects.get(rule=rule, name="Support")
    Segment.objects.filter(id=support.id).update(name="BIG")  # a legacy twin of "Big"
    start(console, workspace, rule)
    assert console.get(url(workspace, f"rules/{rule.id}/draft/")).status_code == 200
    edit = url(workspace, f"rules/{rule.id}/draft/segments/{support.id}/edit/")
    form = {"name": "BIG", "conditions": json.dumps(HUGE), "assignee_type": "crm_owner"}
    assert console.post(edit, form).status_code == 302  # kept its name
    assert RuleDraft.objects.get(rule=rule).segments[1]["conditions"] == HUGE
