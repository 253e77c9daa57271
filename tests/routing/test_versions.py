"""routing.versions: the diff between two rule snapshots, in words (pure, no database)."""

from routing import versions

BIG = {"field": "company.employees", "op": "gt", "value": 200}
HUGE = {"field": "company.employees", "op": "gt", "value": 1000}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}
DANA = {"type": "rep", "id": 1, "name": "Dana"}
EMEA = {"type": "pool", "id": 4, "name": "EMEA"}


def seg(seg_id, name, cond=None, assignee=None, **extra):
    return {
        "id": seg_id,
        "name": name,
        "conditions": cond or {"all": []},
        "assignee": assignee or DANA,
        "is_fallback": False,
        "monitoring_channel": "",
        **extra,
    }


FALLBACK = {
    "id": 99,
    "name": "Fallback",
    "conditions": {"all": []},
    "assignee": {"type": "workspace_default"},
    "is_fallback": True,
    "monitoring_channel": "",
}


def snap(version, *segments, **rule):
    settings = {"name": "Inbound", "monitoring_channel": "", "crm_owner_first": False}
    return {"version": version, "rule": {**settings, **rule}, "segments": [*segments, FALLBACK]}


def by_name(result):
    return {row["name"]: row for row in result["segments"]}


def test_same_snapshot_is_empty():
    a = snap(1, seg(1, "Big", BIG), seg(2, "Support", SUPPORT))
    result = versions.diff(a, a)
    assert versions.is_empty(result)
    assert result["summary"] == "No change"
    assert [r["status"] for r in result["segments"]] == ["unchanged"] * 3


def test_added_segment_on_top_moves_nothing():
    old = snap(1, seg(1, "Big", BIG))
    new = snap(2, seg(3, "Support", SUPPORT), seg(1, "Big", BIG))
    result = versions.diff(old, new)
    rows = by_name(result)
    assert rows["Support"]["status"] == "added"
    assert rows["Support"]["before"] is None
    assert rows["Support"]["after"]["conditions"] == "Intent type is support"
    # Big's position went from 1 to 2, but relative to the others it did not move.
    assert rows["Big"]["status"] == "unchanged"
    assert result["summary"] == "Added “Support”"
    assert (result["from"], result["to"]) == (1, 2)


def test_removed_segment_stays_where_it_was():
    old = snap(1, seg(1, "Big", BIG), seg(2, "Support", SUPPORT), seg(3, "Rest", HUGE))
    new = snap(2, seg(1, "Big", BIG), seg(3, "Rest", HUGE))
    result = versions.diff(old, new)
    assert [(r["name"], r["status"]) for r in result["segments"]] == [
        ("Big", "unchanged"),
        ("Support", "removed"),
        ("Rest", "unchanged"),
        ("Fallback", "unchanged"),
    ]
    removed = by_name(result)["Support"]
    assert removed["after"] is None and removed["before"]["position"] == 2


def test_swap_is_one_move():
    old = snap(1, seg(1, "Big", BIG), seg(2, "Support", SUPPORT))
    new = snap(2, seg(2, "Support", SUPPORT), seg(1, "Big", BIG))
    result = versions.diff(old, new)
    moved = [r for r in result["segments"] if r["status"] == "moved"]
    assert len(moved) == 1
    assert moved[0]["changes"][0].startswith("Moved from position")
    assert result["summary"].startswith("Moved “")


def test_changed_conditions_and_assignee_in_words():
    old = snap(1, seg(1, "Big", BIG, DANA))
    new = snap(2, seg(1, "Big", HUGE, EMEA))
    row = by_name(versions.diff(old, new))["Big"]
    assert row["status"] == "changed"
    assert row["what"] == ["conditions", "assignee"]
    assert row["changes"] == [
        "Conditions: Company employees > 200 → Company employees > 1000",
        "Assignee: Rep Dana → Pool EMEA",
    ]
    assert row["before"]["assignee"] == "Rep Dana" and row["after"]["assignee"] == "Pool EMEA"


def test_rename_moved_and_changed_together():
    old = snap(1, seg(1, "Big", BIG), seg(2, "Support", SUPPORT))
    new = snap(2, seg(2, "Support", SUPPORT), seg(1, "Large", HUGE))
    result = versions.diff(old, new)
    changed = [r for r in result["segments"] if r["status"] != "unchanged"]
    assert [(r["id"], r["status"], r["what"]) for r in changed] == [
        (1, "changed", ["moved", "name", "conditions"])
    ]
    assert result["summary"] == "Changed “Large” (moved, name, conditions)"


def test_booking_change_in_words():
    base = {
        "logic": "round_robin",
        "reps": [{"id": 1, "name": "Dana"}, {"id": 2, "name": "Marcus"}],
        "pool": None,
        "duration": 30,
        "slot_interval": 30,
        "min_notice": 120,
        "buffer_before": 0,
        "buffer_after": 10,
        "horizon_days": 14,
        "max_per_day": None,
    }
    longer = {**base, "duration": 45, "slot_interval": 45}
    old = snap(1, seg(1, "Demo", BIG, {"type": "booking"}, booking=base))
    new = snap(2, seg(1, "Demo", BIG, {"type": "booking"}, booking=longer))
    row = by_name(versions.diff(old, new))["Demo"]
    assert row["what"] == ["booking"]
    assert row["changes"] == [
        "Booking: Books Round robin · Dana, Marcus · 30 min, 120 min notice, 10 min after, "
        "14 days ahead → Books Round robin · Dana, Marcus · 45 min, 120 min notice, "
        "10 min after, 14 days ahead"
    ]


def test_rule_settings_change():
    old = snap(1, seg(1, "Big", BIG))
    new = snap(2, seg(1, "Big", BIG), monitoring_channel="#leads", crm_owner_first=True)
    result = versions.diff(old, new)
    assert result["settings"] == [
        "Monitoring channel: (none) → #leads",
        "CRM owner first: off → on",
    ]
    assert result["summary"] == "Settings: monitoring channel, crm owner first"
    assert not versions.is_empty(result)


def test_condition_that_no_longer_validates_is_shown_raw():
    broken = {"field": "company.employees", "op": "nope", "value": 1}
    old = snap(1, seg(1, "Big", broken))
    new = snap(2, seg(1, "Big", BIG))
    row = by_name(versions.diff(old, new))["Big"]
    assert '"op": "nope"' in row["before"]["conditions"]


def test_assignee_texts():
    assert versions.assignee_text({"assignee": {"type": "crm_owner"}}) == "The lead's CRM owner"
    assert versions.assignee_text(FALLBACK) == "Workspace default rep"
    agent = {"assignee": {"type": "ai_agent", "id": 5, "name": "Bot"}}
    assert versions.assignee_text(agent) == "AI agent Bot"
    disq = {"assignee": {"type": "booking"}, "booking": {"logic": "disqualified"}}
    assert versions.assignee_text(disq) == "Books Disqualified: no slots, no meeting"
