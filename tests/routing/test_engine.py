"""Pure tests of the routing engine (SPEC 5): no database, a dict-backed Directory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import conditions
from routing.engine import (
    Assigned,
    Resolution,
    Rotation,
    compile_rule,
    decide,
    describe_leaf,
    select_rule,
)

# --------------------------------------------------------------------------- helpers


@dataclass
class FakeRep:
    id: int
    name: str
    active: bool = True
    ooo: bool = False


class FakeDirectory:
    """The Directory protocol over plain dicts, recording every call in order.

    - reps: id -> FakeRep (inactive / out-of-office reps cannot take a lead)
    - pools: id -> (name, scripted Assigned or None when every member is skipped);
      a pick that chose someone returns a Rotation delta, as PoolPicker does
    - agents: id -> name
    - the CRM owner is read from context["crm"]["owner_rep"]
    - last resort: the default rep
    """

    def __init__(self, reps=(), pools=None, agents=None, default=None):
        self.reps = {r.id: r for r in reps}
        self.pools = dict(pools or {})
        self.agents = dict(agents or {})
        self.default = default or FakeRep(999, "Default Dora")
        self.events: list[tuple] = []

    # -- what the tests inspect ------------------------------------------------
    @property
    def prepared(self) -> list[list[int]]:
        return [e[1] for e in self.events if e[0] == "prepare"]

    @property
    def resolved(self) -> list[tuple]:
        return [e[1:] for e in self.events if e[0] == "resolve"]

    # -- Directory protocol -------------------------------------------------------
    def prepare(self, pool_ids):
        self.events.append(("prepare", list(pool_ids)))

    def resolve(self, assignee, context):
        kind = assignee["type"]
        self.events.append(("resolve", kind, assignee.get("id")))
        if kind == "rep":
            return self._rep(assignee["id"], "rep")
        if kind == "pool":
            # A pool may only be asked after it was locked.
            assert any(assignee["id"] in ids for ids in self.prepared), "pool asked before lock"
            name, chosen = self.pools[assignee["id"]]
            if chosen is None:
                return Resolution(None, f"pool {name} has no available member (all paused)")
            rotation = Rotation(assignee["id"], chosen.id, PICKED_AT, {chosen.id: -1})
            return Resolution(chosen, f"pool {name} (round robin) chose {chosen.name}", rotation)
        if kind == "ai_agent":
            name = self.agents[assignee["id"]]
            return Resolution(Assigned("ai_agent", assignee["id"], name), f"AI agent {name}")
        if kind == "crm_owner":
            owner = (context.get("crm") or {}).get("owner_rep")
            if owner is None:
                return Resolution(None, "the lead has no CRM owner")
            return self._rep(owner, "CRM owner")
        if kind == "workspace_default":
            return self.last_resort()
        return Resolution(None, f"unknown assignee type {kind!r}")

    def last_resort(self):
        self.events.append(("last_resort",))
        d = self.default
        return Resolution(Assigned("rep", d.id, d.name), "the workspace default rep")

    def _rep(self, rep_id, role):
        rep = self.reps.get(rep_id)
        if rep is None:
            return Resolution(None, f"{role} #{rep_id} is not a rep of this workspace")
        if not rep.active:
            return Resolution(None, f"{role} {rep.name} is inactive")
        if rep.ooo:
            return Resolution(None, f"{role} {rep.name} is out of office")
        return Resolution(Assigned("rep", rep.id, rep.name), f"{role} {rep.name}")


PICKED_AT = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
DANA = FakeRep(1, "Dana")
ELI = FakeRep(2, "Eli")
FAY = FakeRep(3, "Fay")
OWEN = FakeRep(4, "Owen")  # the CRM owner in most tests


def rep(r: FakeRep) -> dict:
    return {"type": "rep", "id": r.id, "name": r.name}


def pool(pool_id: int, name: str) -> dict:
    return {"type": "pool", "id": pool_id, "name": name}


def leaf(field, op, value=None) -> dict:
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def snapshot(segments, *, fallback=None, crm_owner_first=False, name="Inbound chat", version=3):
    """A RuleVersion snapshot shaped exactly like routing.actions.rules.publish_version's."""
    segs = [
        {
            "id": 100 + i,
            "name": seg_name,
            "conditions": tree,
            "assignee": assignee,
            "is_fallback": False,
            "monitoring_channel": "",
        }
        for i, (seg_name, tree, assignee) in enumerate(segments)
    ]
    segs.append(
        {
            "id": 199,
            "name": "Fallback",
            "conditions": {"all": []},
            "assignee": fallback or rep(FAY),
            "is_fallback": True,
            "monitoring_channel": "",
        }
    )
    return {
        "version": version,
        "rule": {
            "id": 7,
            "name": name,
            "kind": "chat",
            "monitoring_channel": "#inbound",
            "crm_owner_first": crm_owner_first,
            "notify_crm_owner": False,
        },
        "segments": segs,
    }


BIG = leaf("company.employees", "gt", 200)
MID = leaf("company.employees", "gt", 100)


def size_rule(**kw):
    return compile_rule(
        snapshot([("Enterprise", BIG, rep(DANA)), ("Mid-market", MID, rep(ELI))], **kw)
    )


def ctx(employees=None, **extra) -> dict:
    context = {"company": {} if employees is None else {"employees": employees}}
    context.update(extra)
    return context


def show(outcome) -> str:
    return "\n".join(outcome.trace["lines"])


def directory(*reps, **kw) -> FakeDirectory:
    return FakeDirectory(reps or (DANA, ELI, FAY, OWEN), **kw)


# ------------------------------------------------------------------- compile_rule


def test_compile_rule_reads_the_published_snapshot():
    rule = compile_rule(snapshot([("Enterprise", BIG, rep(DANA))], crm_owner_first=True))
    assert (rule.id, rule.name, rule.kind, rule.version) == (7, "Inbound chat", "chat", 3)
    assert rule.crm_owner_first is True
    assert rule.notify_crm_owner is False
    assert rule.monitoring_channel == "#inbound"
    assert [s.name for s in rule.segments] == ["Enterprise", "Fallback"]
    assert [s.position for s in rule.segments] == [0, 1]
    assert [s.is_fallback for s in rule.segments] == [False, True]
    enterprise, fallback = rule.segments
    assert enterprise.assignee == {"type": "rep", "id": 1, "name": "Dana"}
    assert enterprise.summary == "Company employees > 200"
    assert fallback.summary == "Everyone"
    assert enterprise.predicate({"company": {"employees": 201}}) is True
    assert enterprise.predicate({"company": {"employees": 200}}) is False
    assert fallback.predicate({}) is True


def test_compile_rule_refuses_an_invalid_tree():
    bad = snapshot(
        [("Broken", {"field": "company.employees", "op": "bigger", "value": 1}, rep(DANA))]
    )
    with pytest.raises(conditions.ConditionError, match="bigger"):
        compile_rule(bad)


# ------------------------------------------------------------- first match wins


def test_first_matching_segment_wins_and_later_ones_are_not_tried():
    d = directory()
    outcome = decide(size_rule(), ctx(500), d)
    assert outcome.assignee == Assigned("rep", 1, "Dana"), show(outcome)
    assert outcome.via == "segment"
    assert outcome.segment.name == "Enterprise"
    # Mid-market also matched 500 employees, but was never asked for an assignee.
    assert d.resolved == [("rep", 1)]
    assert [s["name"] for s in outcome.trace["segments"]] == ["Enterprise"]
    assert outcome.trace["segments"][0]["outcome"] == "assigned"
    assert outcome.trace["not_reached"] == 2
    assert outcome.trace["result"] == {
        "via": "segment",
        "segment": 100,
        "assignee": {"type": "rep", "id": 1, "name": "Dana"},
        "summary": 'Assigned to Dana (rep) via segment "Enterprise".',
    }


def test_segments_run_top_to_bottom():
    d = directory()
    outcome = decide(size_rule(), ctx(150), d)
    assert outcome.assignee.name == "Eli", show(outcome)
    assert outcome.segment.id == 101
    first, second = outcome.trace["segments"]
    assert (first["name"], first["matched"], first["outcome"]) == ("Enterprise", False, "no_match")
    assert (second["name"], second["matched"], second["outcome"]) == (
        "Mid-market",
        True,
        "assigned",
    )
    assert first["reason"] == "conditions not met: Company employees > 200 (saw 150)"
    assert outcome.trace["not_reached"] == 1
    assert d.resolved == [("rep", 2)]


def test_order_matters_swapping_segments_changes_the_winner():
    swapped = compile_rule(
        snapshot([("Mid-market", MID, rep(ELI)), ("Enterprise", BIG, rep(DANA))])
    )
    assert decide(swapped, ctx(500), directory()).assignee.name == "Eli"


@pytest.mark.parametrize("context", [{}, ctx(), ctx(5), {"company": "not a dict"}])
def test_fallback_always_matches(context):
    outcome = decide(size_rule(), context, directory())
    assert outcome.assignee.name == "Fay", show(outcome)
    assert outcome.segment.is_fallback
    assert outcome.via == "segment"
    fallback = outcome.trace["segments"][-1]
    assert fallback["fallback"] is True
    assert fallback["matched"] is True
    assert fallback["summary"] == "Everyone"
    assert outcome.trace["not_reached"] == 0
    assert [s["outcome"] for s in outcome.trace["segments"]] == ["no_match", "no_match", "assigned"]


def test_a_rule_with_only_the_fallback_assigns_its_assignee():
    rule = compile_rule(snapshot([], fallback=rep(DANA)))
    outcome = decide(rule, {}, directory())
    assert outcome.assignee.name == "Dana"
    assert outcome.trace["not_reached"] == 0


# --------------------------------------------------------- skipped assignees


@pytest.mark.parametrize(
    ("dana", "why"),
    [
        (FakeRep(1, "Dana", active=False), "rep Dana is inactive"),
        (FakeRep(1, "Dana", ooo=True), "rep Dana is out of office"),
    ],
)
def test_a_matching_segment_whose_rep_cannot_take_the_lead_is_skipped(dana, why):
    d = directory(dana, ELI, FAY)
    outcome = decide(size_rule(), ctx(500), d)
    assert outcome.assignee.name == "Eli", show(outcome)
    enterprise, mid = outcome.trace["segments"]
    assert enterprise["matched"] is True
    assert enterprise["outcome"] == "skipped"
    assert enterprise["reason"] == why
    assert mid["outcome"] == "assigned"
    assert outcome.trace["not_reached"] == 1
    assert f'1. "Enterprise": matched, but skipped: {why}.' in outcome.trace["lines"], show(outcome)
    assert d.resolved == [("rep", 1), ("rep", 2)]


def test_an_exhausted_pool_is_skipped_and_the_next_segment_is_tried():
    pools = {5: ("EMEA AEs", None)}
    rule = compile_rule(snapshot([("EMEA", MID, pool(5, "EMEA AEs"))], fallback=rep(FAY)))
    outcome = decide(rule, ctx(300), directory(pools=pools))
    assert outcome.assignee.name == "Fay", show(outcome)
    emea = outcome.trace["segments"][0]
    assert emea["outcome"] == "skipped"
    assert "EMEA AEs has no available member" in emea["reason"]


def test_a_crm_owner_segment_without_a_rep_owner_is_skipped_with_the_reason():
    rule = compile_rule(
        snapshot([("Known accounts", leaf("crm.exists", "is_true"), {"type": "crm_owner"})])
    )
    context = {"crm": {"exists": True, "owner_rep": 42}}
    outcome = decide(rule, context, directory())
    assert outcome.assignee.name == "Fay", show(outcome)
    seg = outcome.trace["segments"][0]
    assert seg["outcome"] == "skipped"
    assert seg["reason"] == "CRM owner #42 is not a rep of this workspace"


def test_a_crm_owner_segment_assigns_the_owner_when_they_are_a_rep():
    rule = compile_rule(
        snapshot([("Known accounts", leaf("crm.exists", "is_true"), {"type": "crm_owner"})])
    )
    outcome = decide(rule, {"crm": {"exists": True, "owner_rep": OWEN.id}}, directory())
    assert outcome.assignee == Assigned("rep", OWEN.id, "Owen")
    assert outcome.via == "segment"


def test_last_resort_when_even_the_fallback_assignee_is_unavailable():
    d = directory(DANA, ELI, FakeRep(3, "Fay", active=False))
    outcome = decide(size_rule(), ctx(10), d)
    assert outcome.via == "last_resort", show(outcome)
    assert outcome.segment is None
    assert outcome.assignee == Assigned("rep", 999, "Default Dora")
    assert [s["outcome"] for s in outcome.trace["segments"]] == ["no_match", "no_match", "skipped"]
    assert outcome.trace["segments"][-1]["reason"] == "rep Fay is inactive"
    assert outcome.trace["result"]["via"] == "last_resort"
    assert outcome.trace["result"]["segment"] is None
    assert outcome.trace["not_reached"] == 0
    lines = outcome.trace["lines"]
    assert lines[-2] == (
        "No segment could assign the lead; last resort: the workspace default rep."
    ), show(outcome)
    assert lines[-1] == (
        "Assigned to Default Dora (rep) via the workspace default (last resort)."
    ), show(outcome)
    assert d.events[-1] == ("last_resort",)


def test_workspace_default_assignee_resolves_through_the_directory():
    rule = compile_rule(snapshot([], fallback={"type": "workspace_default"}))
    outcome = decide(rule, {}, directory())
    assert outcome.via == "segment"
    assert outcome.segment.is_fallback
    assert outcome.assignee.name == "Default Dora"


# ------------------------------------------------------------- CRM owner first

CRM_KNOWN = {"crm": {"exists": True, "owner_rep": OWEN.id, "owner_email": "owen@acme.test"}}


def test_crm_owner_first_assigns_the_owner_before_any_segment():
    d = directory(pools={5: ("EMEA AEs", Assigned("rep", 1, "Dana"))})
    rule = compile_rule(
        snapshot([("EMEA", {"all": []}, pool(5, "EMEA AEs"))], crm_owner_first=True)
    )
    outcome = decide(rule, CRM_KNOWN, d)
    assert outcome.via == "crm_owner_first", show(outcome)
    assert outcome.segment is None
    assert outcome.assignee == Assigned("rep", OWEN.id, "Owen")
    assert outcome.trace["crm_owner_first"] == {"assigned": True, "reason": "CRM owner Owen"}
    assert outcome.trace["segments"] == []
    assert outcome.trace["not_reached"] == 2
    # No pool was consulted (so no rotation advanced) when the owner took the lead.
    assert not [r for r in d.resolved if r[0] == "pool"]
    assert "CRM owner first: CRM owner Owen." in outcome.trace["lines"]
    assert outcome.trace["lines"][-1] == "Assigned to Owen (rep) via CRM owner first."


def test_crm_owner_first_off_ignores_the_owner():
    outcome = decide(size_rule(crm_owner_first=False), {**ctx(500), **CRM_KNOWN}, directory())
    assert outcome.via == "segment"
    assert outcome.assignee.name == "Dana"
    assert outcome.trace["crm_owner_first"] is None
    assert "CRM owner first: off." in outcome.trace["lines"], show(outcome)


@pytest.mark.parametrize(
    ("crm", "gaps", "reason"),
    [
        ({"exists": False}, {}, "lead not found in the CRM"),
        ({"exists": True}, {}, "the lead has no CRM owner"),
        ({"exists": True, "owner_rep": 77}, {}, "CRM owner #77 is not a rep of this workspace"),
    ],
    ids=["not-in-crm", "no-owner", "owner-not-a-rep"],
)
def test_crm_owner_first_falls_through_to_the_segments(crm, gaps, reason):
    context = {**ctx(150), "crm": crm}
    outcome = decide(size_rule(crm_owner_first=True), context, directory(), gaps)
    assert outcome.via == "segment", show(outcome)
    assert outcome.assignee.name == "Eli"
    assert outcome.trace["crm_owner_first"] == {"assigned": False, "reason": reason}
    assert f"CRM owner first: {reason}; going on to the segments." in outcome.trace["lines"]
    assert outcome.trace["not_reached"] == 1


@pytest.mark.parametrize("gaps", [{"crm": "CRM timed out after 2s"}, {}])
def test_crm_owner_first_with_crm_data_missing_says_why_and_goes_on(gaps):
    d = directory()
    outcome = decide(size_rule(crm_owner_first=True), ctx(150), d, gaps)
    assert outcome.via == "segment", show(outcome)
    assert outcome.assignee.name == "Eli"
    first = outcome.trace["crm_owner_first"]
    assert first["assigned"] is False
    assert "CRM" in first["reason"]
    assert "not found" not in first["reason"]  # missing is not the same as "not in the CRM"
    if gaps:
        assert "CRM timed out after 2s" in first["reason"]
    line = next(x for x in outcome.trace["lines"] if x.startswith("CRM owner first:"))
    assert first["reason"] in line and "going on to the segments" in line, show(outcome)
    # Nothing to ask the directory about: there is no CRM record.
    assert ("crm_owner", None) not in d.resolved


def test_crm_owner_first_skips_an_inactive_owner():
    d = directory(DANA, ELI, FAY, FakeRep(4, "Owen", active=False))
    outcome = decide(size_rule(crm_owner_first=True), {**ctx(500), **CRM_KNOWN}, d)
    assert outcome.via == "segment"
    assert outcome.assignee.name == "Dana"
    assert outcome.trace["crm_owner_first"] == {
        "assigned": False,
        "reason": "CRM owner Owen is inactive",
    }


def test_gaps_are_in_the_trace_and_in_the_lines():
    gaps = {"crm": "no CRM connected", "company": "enrichment timed out"}
    outcome = decide(size_rule(), ctx(), directory(), gaps)
    assert outcome.trace["gaps"] == gaps
    lines = outcome.trace["lines"]
    # One line per gap, sorted by namespace, right after the rule line.
    assert lines[1].startswith("company") and "enrichment timed out" in lines[1], show(outcome)
    assert lines[2].startswith("crm") and "no CRM connected" in lines[2], show(outcome)
    assert lines[3] == "CRM owner first: off.", show(outcome)


# -------------------------------------------------------------------- pools


def test_pools_are_locked_once_up_front_sorted_and_only_for_matching_segments():
    pools = {
        9: ("Enterprise AEs", Assigned("rep", 1, "Dana", {"id": 9, "name": "Enterprise AEs"})),
        3: ("Mid AEs", Assigned("rep", 2, "Eli", {"id": 3, "name": "Mid AEs"})),
        5: ("SMB", Assigned("rep", 3, "Fay", {"id": 5, "name": "SMB"})),
    }
    rule = compile_rule(
        snapshot(
            [
                ("Enterprise", BIG, pool(9, "Enterprise AEs")),
                ("Small", leaf("company.employees", "lt", 20), pool(5, "SMB")),
                ("Mid-market", MID, pool(3, "Mid AEs")),
                ("Mid-market again", MID, pool(9, "Enterprise AEs")),
            ],
            fallback=pool(3, "Mid AEs"),
        )
    )
    d = directory(pools=pools)
    outcome = decide(rule, ctx(500), d)
    assert outcome.assignee.pool == {"id": 9, "name": "Enterprise AEs"}, show(outcome)
    # One call, before anything was resolved; pool 5's segment did not match.
    assert d.prepared == [[3, 9]]
    assert d.events[0] == ("prepare", [3, 9])
    assert outcome.trace["lines"][-1] == (
        'Assigned to Dana (rep from pool Enterprise AEs) via segment "Enterprise".'
    )
    assert outcome.trace["result"]["assignee"]["pool"] == {"id": 9, "name": "Enterprise AEs"}


def test_prepare_is_called_once_even_when_pools_are_exhausted_one_after_another():
    pools = {2: ("A", None), 1: ("B", None)}
    rule = compile_rule(
        snapshot(
            [("First", {"all": []}, pool(2, "A")), ("Second", {"all": []}, pool(1, "B"))],
            fallback=rep(FAY),
        )
    )
    d = directory(pools=pools)
    outcome = decide(rule, {}, d)
    assert outcome.assignee.name == "Fay"
    assert d.prepared == [[1, 2]]
    assert d.resolved == [("pool", 2), ("pool", 1), ("rep", 3)]


def test_prepare_is_not_called_when_no_pool_is_asked():
    """The lock is taken at the first pool pick (#16 item 4): no pool, no lock."""
    d = directory()
    decide(size_rule(), ctx(500), d)
    assert d.prepared == []


def test_prepare_comes_after_the_segments_before_the_first_pool():
    """Segments before the first pool are resolved (and explained) before the lock."""
    rule = compile_rule(
        snapshot(
            [("Rep first", {"all": []}, rep(FAY)), ("Pool", {"all": []}, pool(2, "A"))],
            fallback=rep(FAY),
        )
    )
    d = FakeDirectory(pools={2: ("A", None)})
    decide(rule, ctx(500), d)
    kinds = [e[0] for e in d.events]
    assert kinds.index("prepare") > 0, d.events
    assert d.prepared == [[2]]


# --------------------------------------------------------------- assignee kinds


def test_ai_agent_assignee_is_described_as_an_agent():
    rule = compile_rule(
        snapshot([("Support", leaf("intent.type", "eq", "support"), {"type": "ai_agent", "id": 8})])
    )
    outcome = decide(rule, {"intent": {"type": "support"}}, directory(agents={8: "Sam (AI)"}))
    assert outcome.assignee == Assigned("ai_agent", 8, "Sam (AI)")
    assert outcome.trace["lines"][-1] == 'Assigned to Sam (AI) (AI agent) via segment "Support".'


def test_assigned_as_dict_includes_the_pool_only_when_set():
    assert Assigned("rep", 1, "Dana").as_dict() == {"type": "rep", "id": 1, "name": "Dana"}
    pool_info = {"id": 9, "name": "AEs", "strategy": "round_robin"}
    assert Assigned("rep", 1, "Dana", pool_info).as_dict() == {
        "type": "rep",
        "id": 1,
        "name": "Dana",
        "pool": pool_info,
    }


# ------------------------------------------------------------------------ trace


def test_trace_lines_read_like_an_explanation_with_the_values_seen():
    rule = compile_rule(
        snapshot(
            [
                (
                    "Enterprise LinkedIn",
                    {
                        "all": [
                            BIG,
                            leaf("attribution.channel", "in", ["LinkedIn Ads", "G2"]),
                        ]
                    },
                    rep(DANA),
                ),
                ("Buyers", leaf("intent.type", "eq", "buying"), rep(ELI)),
            ]
        )
    )
    context = {
        "company": {"employees": 50},
        "attribution": {"channel": "Google Ads"},
        "intent": {"type": "support"},
    }
    outcome = decide(rule, context, directory(), {"crm": "no CRM connected"})
    lines = outcome.trace["lines"]
    text = show(outcome)
    assert lines[0] == 'Rule "Inbound chat" (version 3).', text
    assert "no CRM connected" in lines[1], text
    assert lines[2:] == [
        "CRM owner first: off.",
        '1. "Enterprise LinkedIn": no match (Company employees > 200 (saw 50); '
        "Attribution channel is one of LinkedIn Ads, G2 (saw 'Google Ads')).",
        "2. \"Buyers\": no match (Intent type is buying (saw 'support')).",
        '3. "Fallback": matched (Everyone) -> rep Fay.',
        'Assigned to Fay (rep) via segment "Fallback".',
    ], text
    assert lines[-1] == outcome.trace["result"]["summary"]


def test_trace_names_only_the_leaves_that_failed_and_says_missing():
    tree = {"all": [leaf("lead.country", "eq", "FR"), leaf("company.employees", "gte", 10)]}
    rule = compile_rule(snapshot([("French", tree, rep(DANA))]))
    outcome = decide(rule, {"lead": {}, "company": {"employees": 12}}, directory())
    seg = outcome.trace["segments"][0]
    assert seg["reason"] == "conditions not met: Lead country is FR (missing)", show(outcome)


def test_trace_explains_a_failed_not_and_an_empty_any():
    tree = {
        "any": [
            {"not": leaf("lead.is_personal_email", "is_true")},
            {"any": []},
        ]
    }
    rule = compile_rule(snapshot([("Work emails", tree, rep(DANA))]))
    outcome = decide(rule, {"lead": {"is_personal_email": True}}, directory())
    seg = outcome.trace["segments"][0]
    assert seg["matched"] is False
    assert seg["reason"] == (
        "conditions not met: NOT Lead personal email is true (saw True); no condition held"
    ), show(outcome)


def test_trace_records_each_condition_with_the_actual_value():
    outcome = decide(size_rule(), ctx(150), directory())
    enterprise = outcome.trace["segments"][0]
    assert enterprise["conditions"] == {
        "field": "company.employees",
        "op": "gt",
        "value": 200,
        "actual": 150,
        "missing": False,
        "result": False,
    }
    assert enterprise["summary"] == "Company employees > 200"
    assert enterprise["assignee"] == {"type": "rep", "id": 1, "name": "Dana"}
    assert enterprise["position"] == 0
    assert outcome.trace["rule"] == {"id": 7, "name": "Inbound chat", "version": 3}


def test_trace_is_json_serialisable():
    tree = {
        "all": [
            leaf("company.employees", "between", [10, 5000]),
            leaf("lead.email", "domain_in", ["acme.com"]),
            leaf("session.page_url", "matches", "^https://acme\\.com/pricing"),
            leaf("company.tech", "contains", "salesforce"),
            {"not": leaf("crm.fields.Account.Tier", "in", ["gold", 1])},
        ]
    }
    rule = compile_rule(
        snapshot(
            [
                ("Complex", tree, rep(DANA)),
                ("Pool", {"all": []}, pool(4, "Night shift")),
            ],
            crm_owner_first=True,
        )
    )
    context = {
        "company": {"employees": float("nan"), "tech": ["hubspot", {"nested": (1, 2)}]},
        "lead": {"email": "ann@sub.acme.com"},
        "session": {"page_url": "https://acme.com/pricing"},
        "crm": {"exists": False, "fields": {"Account.Tier": {1, 2}}},
    }
    pools = {4: ("Night shift", None)}
    outcome = decide(rule, context, directory(pools=pools), {"signals": "no CRM"})
    dumped = json.dumps(outcome.trace, allow_nan=False)
    loaded = json.loads(dumped)
    assert loaded["lines"] == outcome.trace["lines"]
    assert loaded["result"]["via"] == "segment"
    assert loaded["gaps"] == {"signals": "no CRM"}
    assert loaded["crm_owner_first"] == {"assigned": False, "reason": "lead not found in the CRM"}
    # Non-JSON actual values are rendered, not dropped: the NaN is shown as text.
    assert loaded["segments"][0]["conditions"]["children"][0]["actual"] == "nan"
    assert [s["outcome"] for s in loaded["segments"]] == ["no_match", "skipped", "assigned"]


# ------------------------------------------------------------------ select_rule


def test_select_rule_intent_override_wins():
    assert select_rule(
        intent_type="support",
        intent_rules={"support": 30, "buying": 31},
        link_rule_id=20,
        link_name="G2 listing",
        default_rule_id=10,
    ) == (30, "intent override for intent 'support'")


def test_select_rule_link_rule_when_the_intent_has_no_override():
    assert select_rule(
        intent_type="partnership",
        intent_rules={"support": 30},
        link_rule_id=20,
        link_name="G2 listing",
        default_rule_id=10,
    ) == (20, "the rule of link 'G2 listing'")


@pytest.mark.parametrize("intent_type", [None, "", "unknown"])
def test_select_rule_without_an_intent_uses_the_link_rule(intent_type):
    rule_id, why = select_rule(
        intent_type=intent_type,
        intent_rules={"support": 30},
        link_rule_id=20,
        link_name="Pricing CTA",
        default_rule_id=10,
    )
    assert (rule_id, why) == (20, "the rule of link 'Pricing CTA'")


def test_select_rule_workspace_default_for_a_link_without_a_rule():
    assert select_rule(
        intent_type="buying",
        intent_rules={},
        link_rule_id=None,
        link_name="Event QR",
        default_rule_id=10,
    ) == (10, "workspace default (link 'Event QR' has no rule of its own)")


def test_select_rule_workspace_default_without_a_link():
    assert select_rule(
        intent_type=None,
        intent_rules={"support": 30},
        link_rule_id=None,
        link_name=None,
        default_rule_id=10,
    ) == (10, "workspace default (no link)")


def test_select_rule_intent_override_wins_even_without_a_link():
    assert select_rule(
        intent_type="job_seeker",
        intent_rules={"job_seeker": 40},
        link_rule_id=None,
        link_name=None,
        default_rule_id=10,
    ) == (40, "intent override for intent 'job_seeker'")


# ------------------------------------------------------------ property: first match

FIELDS = {
    "company.employees": st.integers(min_value=0, max_value=1000),
    "intent.type": st.sampled_from(["buying", "support", "partnership", "job_seeker", "unknown"]),
    "attribution.channel": st.sampled_from(["G2", "LinkedIn Ads", "Direct", "google.com"]),
    "lead.is_personal_email": st.booleans(),
}


def _leaves():
    employees = st.one_of(
        st.builds(
            lambda op, n: leaf("company.employees", op, n),
            st.sampled_from(["gt", "gte", "lt", "lte", "eq", "neq"]),
            st.integers(min_value=0, max_value=1000),
        ),
        st.builds(
            lambda a, b: leaf("company.employees", "between", sorted([a, b])),
            st.integers(0, 1000),
            st.integers(0, 1000),
        ),
    )
    intent = st.builds(
        lambda op, values: leaf("intent.type", op, values if "in" in op else values[0]),
        st.sampled_from(["eq", "neq", "in", "not_in"]),
        st.lists(st.sampled_from(["buying", "support", "partnership"]), min_size=1, max_size=3),
    )
    channel = st.builds(
        lambda op, v: leaf("attribution.channel", op, v),
        st.sampled_from(["eq", "contains", "starts_with", "not_contains"]),
        st.sampled_from(["G2", "linkedin", "Direct", "goo"]),
    )
    flags = st.builds(
        lambda field, op: leaf(field, op),
        st.sampled_from(sorted(FIELDS)),
        st.sampled_from(["exists", "not_exists", "is_true", "is_false"]),
    )
    return st.one_of(employees, intent, channel, flags)


trees = st.recursive(
    _leaves(),
    lambda children: st.one_of(
        st.builds(lambda c: {"all": c}, st.lists(children, max_size=3)),
        st.builds(lambda c: {"any": c}, st.lists(children, max_size=3)),
        st.builds(lambda c: {"not": c}, children),
    ),
    max_leaves=6,
)


@st.composite
def contexts(draw):
    context: dict = {}
    for path, values in FIELDS.items():
        if draw(st.booleans()):
            ns, name = path.split(".")
            context.setdefault(ns, {})[name] = draw(values)
    return context


ALL_REPS = [FakeRep(i, f"Rep {i}") for i in range(1, 6)]
assignees = st.one_of(
    st.sampled_from([rep(r) for r in ALL_REPS]),
    st.builds(lambda i: pool(i, f"Pool {i}"), st.integers(1, 4)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    segments=st.lists(st.tuples(trees, assignees), max_size=6),
    context=contexts(),
    crm_owner_first=st.booleans(),
)
def test_property_the_winner_is_the_first_segment_whose_predicate_holds(
    segments, context, crm_owner_first
):
    snap = snapshot(
        [(f"S{i}", tree, who) for i, (tree, who) in enumerate(segments)],
        crm_owner_first=crm_owner_first,  # the context has no crm: it must fall through
    )
    rule = compile_rule(snap)
    pools = {
        i: (f"Pool {i}", Assigned("rep", 1, "Rep 1", {"id": i, "name": f"Pool {i}"}))
        for i in range(1, 5)
    }
    d = FakeDirectory(ALL_REPS + [FAY], pools=pools)
    outcome = decide(rule, context, d)

    predicates = [conditions.compile(s["conditions"]) for s in snap["segments"]]
    expected = next(i for i, p in enumerate(predicates) if p(context))
    assert outcome.via == "segment", show(outcome)
    assert outcome.segment.id == snap["segments"][expected]["id"], show(outcome)
    assert outcome.segment.position == expected
    traced = outcome.trace["segments"]
    assert len(traced) == expected + 1
    assert [t["outcome"] for t in traced] == ["no_match"] * expected + ["assigned"]
    assert outcome.trace["not_reached"] == len(snap["segments"]) - expected - 1
    # Every traced condition tree agrees with the compiled predicate.
    assert [t["conditions"]["result"] for t in traced] == [p(context) for p in predicates][
        : expected + 1
    ]
    matching_pools = {
        s["assignee"]["id"]
        for s, p in zip(snap["segments"], predicates, strict=True)
        if s["assignee"]["type"] == "pool" and p(context)
    }
    # The lock is asked for at the first pool the walk resolves (here the winner's), once.
    winner_is_pool = snap["segments"][expected]["assignee"]["type"] == "pool"
    assert d.prepared == ([sorted(matching_pools)] if winner_is_pool else [])
    json.dumps(outcome.trace, allow_nan=False)


# ------------------------------------------------- rotation deltas and the trace


def test_the_pool_pick_that_assigned_returns_its_rotation_and_nothing_else():
    """decide() writes nothing: the delta of the winning pick is in the outcome."""
    pools = {2: ("A", None), 4: ("B", Assigned("rep", 2, "Eli", {"id": 4, "name": "B"}))}
    rule = compile_rule(
        snapshot([("First", {"all": []}, pool(2, "A")), ("Second", {"all": []}, pool(4, "B"))])
    )
    outcome = decide(rule, {}, directory(pools=pools))
    assert outcome.assignee.name == "Eli", show(outcome)
    # Pool A was asked but chose nobody, so it has no delta; B's is passed through.
    assert outcome.rotations == (Rotation(4, 2, PICKED_AT, {2: -1}),)


@pytest.mark.parametrize(
    ("assignee", "context"),
    [(rep(DANA), {}), ({"type": "ai_agent", "id": 8}, {})],
)
def test_a_lead_assigned_without_a_pool_has_no_rotation(assignee, context):
    rule = compile_rule(snapshot([("Only", {"all": []}, assignee)]))
    outcome = decide(rule, context, directory(agents={8: "Sam (AI)"}))
    assert outcome.via == "segment"
    assert outcome.rotations == ()


def test_crm_owner_first_and_last_resort_have_no_rotation():
    d = directory(pools={5: ("EMEA AEs", Assigned("rep", 1, "Dana"))})
    rule = compile_rule(
        snapshot([("EMEA", {"all": []}, pool(5, "EMEA AEs"))], crm_owner_first=True)
    )
    assert decide(rule, CRM_KNOWN, d).rotations == ()
    d = directory(DANA, ELI, FakeRep(3, "Fay", active=False))
    outcome = decide(size_rule(), ctx(10), d)
    assert (outcome.via, outcome.rotations) == ("last_resort", ())


def test_the_engine_writes_why_the_rule_was_selected_into_the_trace():
    outcome = decide(
        size_rule(), ctx(500), directory(), {"crm": "no CRM connected"},
        selected_because="the rule of link 'Inbound'",
    )  # fmt: skip
    assert outcome.trace["rule"] == {
        "id": 7,
        "name": "Inbound chat",
        "version": 3,
        "selected_because": "the rule of link 'Inbound'",
    }
    # Right after the rule line, before the gaps: the caller patches nothing.
    assert outcome.trace["lines"][:3] == [
        'Rule "Inbound chat" (version 3).',
        "Selected because: the rule of link 'Inbound'.",
        "crm data: no CRM connected.",
    ], show(outcome)


def test_describe_leaf_words_the_condition_with_the_value_seen():
    leaf_seen = {**BIG, "actual": 150, "missing": False, "result": False}
    assert describe_leaf(leaf_seen) == "Company employees > 200 (saw 150)"
    assert describe_leaf({**leaf_seen, "missing": True}, negated=True) == (
        "NOT Company employees > 200 (missing)"
    )
    # A stored trace whose leaf no longer validates is still worded, never a crash.
    stale = {"field": "company.employees", "op": "bigger", "actual": 1, "result": False}
    assert describe_leaf(stale) == "company.employees bigger (saw 1)"
