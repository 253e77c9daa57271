"""routing.actions.drafts: one draft per rule, its snapshot, edits, publish (issue 17 item 1)."""

import pytest

from routing import actions, engine
from routing.actions import drafts
from routing.actions.rules import current_version
from routing.models import Decision, RuleDraft, RuleVersion, Segment

BIG = {"field": "company.employees", "op": "gt", "value": 200}
HUGE = {"field": "company.employees", "op": "gt", "value": 1000}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}


@pytest.fixture
def setup(db):
    workspace, _ = actions.create_workspace("Acme")
    dana = actions.create_rep(workspace, name="Dana", email="dana@acme.test")
    marcus = actions.create_rep(workspace, name="Marcus", email="marcus@acme.test")
    rule = actions.create_rule(workspace, kind="chat", name="Inbound")
    big = actions.add_segment(
        rule, name="Big", conditions=BIG, assignee={"type": "rep", "id": dana.id}
    )
    support = actions.add_segment(
        rule, name="Support", conditions=SUPPORT, assignee={"type": "rep", "id": dana.id}
    )
    rule.refresh_from_db()
    return {"ws": workspace, "rule": rule, "dana": dana, "marcus": marcus, "big": big,
            "support": support}  # fmt: skip


def live_rows(rule):
    return list(Segment.objects.filter(rule=rule).order_by("order").values_list("name", "id"))


def test_no_draft_is_none(setup):
    assert drafts.draft_snapshot(setup["rule"]) is None


def test_start_copies_live_in_snapshot_shape(setup):
    rule = setup["rule"]
    drafts.start_draft(rule, author="console: ops")
    snap = drafts.draft_snapshot(rule)
    live = current_version(rule.id).snapshot
    assert snap["version"] == "draft" and snap["base_version"] == rule.version == 3
    assert snap["rule"] == live["rule"]
    assert snap["segments"] == live["segments"]  # the same shape, key for key
    # ... so it compiles and evaluates like a version.
    compiled = engine.compile_rule(snap)
    assert [s.name for s in compiled.segments] == ["Big", "Support", "Fallback"]
    assert drafts.draft_changes(rule)["count"] == 0
    with pytest.raises(actions.ActionError, match="already has a draft"):
        drafts.start_draft(rule)


def test_segment_edits_stay_in_the_draft(setup):
    rule, dana, marcus = setup["rule"], setup["dana"], setup["marcus"]
    before = live_rows(rule)
    drafts.start_draft(rule)
    added = drafts.add_draft_segment(
        rule, name="Huge", conditions=HUGE, assignee={"type": "rep", "id": marcus.id}
    )
    assert added["id"] < 0
    drafts.update_draft_segment(
        rule, setup["support"].id, assignee={"type": "rep", "id": marcus.id}
    )
    drafts.move_draft_segment(rule, added["id"], 0)
    drafts.delete_draft_segment(rule, setup["big"].id)
    copy = drafts.duplicate_draft_segment(rule, setup["support"].id)
    snap = drafts.draft_snapshot(rule)
    assert [s["name"] for s in snap["segments"]] == [
        "Huge",
        "Support",
        "Support (copy)",
        "Fallback",
    ]
    assert snap["segments"][0]["assignee"] == {"type": "rep", "id": marcus.id, "name": "Marcus"}
    assert copy["id"] == added["id"] - 1
    changes = drafts.draft_changes(rule)
    status = {r["name"]: r["status"] for r in changes["segments"]}
    assert status == {"Huge": "added", "Big": "removed", "Support": "changed",
                      "Support (copy)": "added", "Fallback": "unchanged"}  # fmt: skip
    assert changes["count"] == 4
    # Nothing live moved: the same rows, the same version.
    assert live_rows(rule) == before
    rule.refresh_from_db()
    assert rule.version == 3
    assert dana  # the live segments still route to Dana
    assert current_version(rule.id).snapshot["segments"][1]["assignee"]["name"] == "Dana"


def test_bad_edit_names_the_node_and_writes_nothing(setup):
    rule = setup["rule"]
    drafts.start_draft(rule)
    stored = RuleDraft.objects.get(rule=rule).segments
    bad = {"all": [BIG, {"field": "company.employees", "op": "gt", "value": "many"}]}
    with pytest.raises(actions.ActionError) as caught:
        drafts.update_draft_segment(rule, setup["big"].id, conditions=bad)
    assert caught.value.node_path == "all[1]"
    assert "all[1]" in caught.value.errors["conditions"][0]
    with pytest.raises(actions.ActionError, match="No rep with id 999"):
        drafts.add_draft_segment(rule, name="X", assignee={"type": "rep", "id": 999})
    with pytest.raises(actions.ActionError, match="fallback"):
        fallback = stored[-1]["id"]
        drafts.update_draft_segment(rule, fallback, conditions=BIG)
    with pytest.raises(actions.ActionError, match="stays last"):
        drafts.reorder_draft(rule, [stored[-1]["id"], stored[0]["id"], stored[1]["id"]])
    assert RuleDraft.objects.get(rule=rule).segments == stored


def test_whole_draft_validation_names_the_segment_and_node(setup):
    rule = setup["rule"]
    body = [
        {"name": "Big", "conditions": BIG, "assignee": {"type": "rep", "id": setup["dana"].id}},
        {"name": "Bad", "conditions": {"any": [{"field": "lead.email", "op": "nope"}]},
         "assignee": {"type": "workspace_default"}},
        {"name": "Fallback", "assignee": {"type": "workspace_default"}},
    ]  # fmt: skip
    with pytest.raises(actions.ActionError) as caught:
        drafts.update_draft(rule, body)
    errors = caught.value.errors["segments"]["1"]["conditions"]
    assert "any[0]" in errors[0]
    assert caught.value.node_path == "segments[1].conditions.any[0]"
    body[1]["conditions"] = SUPPORT
    body[2]["conditions"] = BIG
    with pytest.raises(actions.ActionError) as caught:
        drafts.update_draft(rule, body)
    assert "no conditions" in caught.value.errors["segments"]["2"]["conditions"][0]
    assert not RuleDraft.objects.filter(rule=rule).exists()  # nothing was written


def test_whole_draft_keeps_ids_by_name_and_by_id(setup):
    rule = setup["rule"]
    dana = {"type": "rep", "id": setup["dana"].id}
    draft = drafts.update_draft(
        rule,
        [
            {"name": "Support", "conditions": SUPPORT, "assignee": dana},
            {"id": setup["big"].id, "name": "Big firms", "conditions": BIG, "assignee": dana},
            {"name": "New", "conditions": HUGE, "assignee": dana},
            {"name": "Fallback", "assignee": {"type": "workspace_default"}},
        ],
    )
    ids = [i["id"] for i in draft.segments]
    assert ids[:2] == [setup["support"].id, setup["big"].id] and ids[2] < 0
    changes = drafts.draft_changes(rule)
    status = {r["name"]: r["status"] for r in changes["segments"]}
    assert status["Big firms"] == "changed" and status["New"] == "added"
    # A swap of two is one move (routing.versions marks one of the pair).
    moved = [r["name"] for r in changes["segments"] if "moved" in r["what"]]
    assert len(moved) == 1 and moved[0] in ("Support", "Big firms")


def test_publish_makes_the_draft_live_as_one_version(setup):
    rule, marcus = setup["rule"], setup["marcus"]
    drafts.start_draft(rule)
    added = drafts.add_draft_segment(
        rule, name="Huge", conditions=HUGE, assignee={"type": "rep", "id": marcus.id}
    )
    drafts.move_draft_segment(rule, added["id"], 0)
    drafts.delete_draft_segment(rule, setup["support"].id)
    version = drafts.publish_draft(rule, author="console: ops")
    rule.refresh_from_db()
    assert version.version == rule.version == 4
    assert version.author == "console: ops"
    assert version.summary == "Published draft: Added “Huge”; removed “Support”"
    assert [n for n, _ in live_rows(rule)] == ["Huge", "Big", "Fallback"]
    assert not RuleDraft.objects.filter(rule=rule).exists()
    # Rolling back is the usual rollback: v3 returns, Support under its old id.
    actions.rollback(rule, 3)
    assert live_rows(rule)[1] == ("Support", setup["support"].id)


def test_publish_refuses_a_deleted_rep_and_writes_nothing(setup):
    rule, ws = setup["rule"], setup["ws"]
    temp = actions.create_rep(ws, name="Temp", email="temp@acme.test")
    drafts.start_draft(rule)
    drafts.add_draft_segment(rule, name="Temp", assignee={"type": "rep", "id": temp.id})
    temp_id = temp.id
    actions.delete_rep(temp)
    snap = drafts.draft_snapshot(rule)
    assert snap["segments"][2]["assignee"]["name"] == f"#{temp_id} (deleted)"
    before = (live_rows(rule), RuleVersion.objects.count())
    with pytest.raises(actions.ActionError) as caught:
        drafts.publish_draft(rule)
    message = caught.value.errors["draft"][0]
    assert message == (
        f"Segment 3 “Temp” cannot be published: No rep with id {temp_id} in this workspace."
    )
    assert (live_rows(rule), RuleVersion.objects.count()) == before
    assert RuleDraft.objects.filter(rule=rule).exists()


def test_publish_refuses_an_unchanged_draft(setup):
    rule = setup["rule"]
    drafts.start_draft(rule)
    with pytest.raises(actions.ActionError, match="same as the live v3"):
        drafts.publish_draft(rule)


def test_no_draft_edits_are_404(setup):
    rule = setup["rule"]
    for call in (
        lambda: drafts.discard_draft(rule),
        lambda: drafts.publish_draft(rule),
        lambda: drafts.add_draft_segment(rule, name="X", assignee={"type": "workspace_default"}),
    ):
        with pytest.raises(actions.NotFound):
            call()


def test_discard_leaves_live_alone(setup):
    rule = setup["rule"]
    drafts.start_draft(rule)
    drafts.delete_draft_segment(rule, setup["big"].id)
    before = live_rows(rule)
    drafts.discard_draft(rule)
    assert drafts.draft_snapshot(rule) is None
    assert live_rows(rule) == before
    assert Decision.objects.count() == 0


def test_meeting_draft_booking_snapshot_matches_live(db):
    workspace, _ = actions.create_workspace("Acme")
    dana = actions.create_rep(workspace, name="Dana", email="dana@acme.test")
    rule = actions.create_rule(workspace, kind="meeting", name="Demo")
    actions.add_segment(
        rule, name="Big", conditions=BIG, booking={"logic": "round_robin", "reps": [dana.id]}
    )
    rule.refresh_from_db()
    drafts.start_draft(rule)
    snap = drafts.draft_snapshot(rule)
    assert snap["segments"] == current_version(rule.id).snapshot["segments"]
    assert snap["segments"][0]["booking"]["reps"] == [{"id": dana.id, "name": "Dana"}]
    big = snap["segments"][0]["id"]
    drafts.update_draft_segment(rule, big, booking={"logic": "round_robin", "reps": [dana.id],
                                                    "duration": 45})  # fmt: skip
    assert drafts.draft_changes(rule)["segments"][0]["what"] == ["booking"]
    with pytest.raises(actions.ActionError, match="takes a"):
        drafts.update_draft_segment(rule, big, assignee={"type": "rep", "id": dana.id})
    version = drafts.publish_draft(rule)
    assert version.snapshot["segments"][0]["booking"]["duration"] == 45


def test_publish_brings_back_a_segment_deleted_live_meanwhile(setup):
    rule, support = setup["rule"], setup["support"]
    drafts.start_draft(rule)
    actions.delete_segment(support)  # live moves on to v4 while the draft keeps Support
    rule.refresh_from_db()
    draft = RuleDraft.objects.get(rule=rule)
    assert draft.base_version == 3 and rule.version == 4
    version = drafts.publish_draft(rule)
    assert version.summary == "Published draft: Added “Support”"
    assert live_rows(rule) == [("Big", setup["big"].id), ("Support", support.id),
                               live_rows(rule)[2]]  # fmt: skip
