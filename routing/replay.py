"""Replay: what a rule version (or a draft) would have done to past decisions.

Pure: no Django, no I/O. `replay(rule, people, pools, decisions)` takes one
compiled snapshot (`engine.compile_rule`), the workspace's people as plain
data, every pool's rotation state at the start of the window, and the stored
decisions of the window (their context and what they chose), evaluates each
context in time order and counts what would change. Pools rotate in memory
only: the `PoolState` objects given are copied first, and nothing here can
reach the database.

Assumptions (the console's replay page says them too):

* **Availability at the time**: a rep is available for a past lead unless the
  stored trace of that lead's decision names them as unavailable then (a
  skipped pool member, a skipped rep or CRM owner: inactive, paused, out of
  office, outside hours, at capacity), or, for a pool that respects working
  hours, the lead came outside the rep's working hours as they are set today.
  Today's active / paused / out-of-office flags are not applied to the past.
* **Capacity and load**: a load-balanced pool starts from each member's open
  chats at the window's start (`PoolState`, worked out by the caller) and adds
  the leads the replay gives them; chats closing during the window are not
  subtracted.
* **Pools** start from their rotation state at the start of the window (the
  caller derives it). The replayed leads rotate them as the replayed version
  decides; leads other rules gave to the same pools in the window (`outside`)
  rotate them as they did then, at their time.
* People are today's: pool members, rep names, AI agents and the default rep.

Speed: `engine.decide` builds the full trace (every segment explained), about
1 ms on a 50-segment rule; `choose` below walks the same steps with the
compiled predicates only and builds no trace, so 10,000 decisions take well
under a second. The full trace is built with `engine.decide` only for the
changes that are kept (the first 100), from the same in-memory state, so it
shows exactly what the fast walk decided (a test checks they agree).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import engine
from .availability import within_working_hours
from .engine import Assigned, CompiledRule, Outcome, Resolution
from .picks import Candidate, pick_member

MAX_CHANGES = 100  # the changed leads listed (and traced) in a result
REPLAYED = "a replay of this rule's past leads (no side effects)"
# directory.SPECIALTY_FOR_INTENT (that module reads the database; a test keeps them equal).
SPECIALTY_FOR_INTENT = {
    "buying": "buying",
    "support": "support",
    "job_seeker": "hiring",
    "partnership": "partnership",
}


# -- inputs ---------------------------------------------------------------------
@dataclass(frozen=True)
class RepInfo:
    id: int
    name: str
    is_active: bool = True
    working_hours: dict = field(default_factory=dict)
    timezone: str = "UTC"


@dataclass(frozen=True)
class AgentInfo:
    id: int
    name: str
    specialty: str
    is_active: bool = True


@dataclass(frozen=True)
class People:
    reps: dict[int, RepInfo]
    agents: tuple[AgentInfo, ...] = ()
    default_rep_id: int | None = None
    default_agent_id: int | None = None


@dataclass
class MemberState:
    member_id: int
    rep_id: int
    weight: int = 1
    current_weight: int = 0
    last_assigned_at: datetime | None = None
    open_chats: int = 0  # load-balanced pools: open chats at the window's start


@dataclass
class PoolState:
    id: int
    name: str
    strategy: str = "round_robin"
    respect_working_hours: bool = True
    members: list[MemberState] = field(default_factory=list)


@dataclass(frozen=True)
class StoredDecision:
    """One past decision: its context, when it was made and what it chose."""

    id: int
    at: datetime
    context: dict
    trace: dict
    segment: dict | None  # {"id", "name"}, None for CRM owner first / last resort
    assignee: dict  # {"type", "id", "name"}
    lead: dict = field(default_factory=dict)  # {"id", "email"}
    gaps: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OutsidePick:
    """A lead another rule gave to a member of one of the replayed pools, in the window:
    it rotated that pool then, and rotates the in-memory pool the same way."""

    at: datetime
    pool_id: int
    rep_id: int


# -- availability from the stored trace -------------------------------------------
_SKIPPED = re.compile(r"; skipped (.+)$")
_NONE_AVAILABLE = re.compile(r"has no available member \((.+)\)$")
_REP_UNAVAILABLE = re.compile(
    r"^(?:rep|CRM owner) (.+?) is "
    r"(?:inactive|paused|out of office|outside working hours|at capacity)"
)
_DEFAULT_UNAVAILABLE = re.compile(r"\(default rep (.+?) is ")


def _last_resort_lines(trace: dict) -> list[str]:
    """The trace's lines about the last resort (they can name an unavailable default rep)."""
    return [line for line in trace.get("lines") or [] if "last resort" in line]


def digest(trace: dict) -> dict:
    """What the replay reads of a stored trace, kept beside it (Decision.trace_digest):
    the trace without its per-segment entries and lines, plus the reasons of the
    segments that were not a plain no-match (the skipped and the chosen ones) and the
    last-resort lines, where `unavailable_names` finds who was away. A few hundred
    bytes instead of the whole trace (~30 KB on a 50-segment rule)."""
    out = {k: v for k, v in trace.items() if k not in ("segments", "lines")}
    out["reasons"] = [
        seg.get("reason") or ""
        for seg in trace.get("segments") or []
        if seg.get("outcome") != "no_match"
    ]
    out["lines"] = _last_resort_lines(trace)
    return out


def from_digest(digest: dict) -> dict:
    """The trace as `unavailable_names` and the replay read it, from `digest(trace)`."""
    trace = {k: v for k, v in digest.items() if k != "reasons"}
    trace["segments"] = [{"reason": r} for r in digest.get("reasons") or []]
    return trace


def unavailable_names(trace: dict) -> frozenset[str]:
    """The reps a stored trace names as unable to take the lead at that moment."""
    names: set[str] = set()
    reasons = [seg.get("reason") or "" for seg in trace.get("segments") or []]
    reasons.append((trace.get("crm_owner_first") or {}).get("reason") or "")
    reasons.extend(_last_resort_lines(trace))
    for reason in reasons:
        for pattern in (_SKIPPED, _NONE_AVAILABLE):
            found = pattern.search(reason)
            if found:
                for part in found.group(1).split("; "):
                    name, sep, _ = part.partition(": ")
                    if sep:
                        names.add(name)
        found = _REP_UNAVAILABLE.match(reason) or _DEFAULT_UNAVAILABLE.search(reason)
        if found:
            names.add(found.group(1))
    return frozenset(names)


# -- the in-memory directory ----------------------------------------------------
class ReplayDirectory:
    """`engine.Directory` over plain data; pool picks return deltas like the live one.

    `at(decision)` sets the moment (and who was unavailable then) before each
    decision; `apply(rotations)` moves the in-memory pools after it.
    """

    def __init__(self, people: People, pools: dict[int, PoolState]):
        self.people = people
        self.pools = copy.deepcopy(pools)  # the caller's states are never moved
        self.now: datetime | None = None
        self.unavailable: frozenset[str] = frozenset()
        self._names = {rep.id: rep.name for rep in people.reps.values()}

    def at(self, decision: StoredDecision) -> None:
        self.now = decision.at
        self.unavailable = unavailable_names(decision.trace)

    # -- Directory protocol
    def prepare(self, pool_ids: list[int]) -> None:
        return None

    def resolve(self, assignee: dict, context: dict) -> Resolution:
        kind = assignee.get("type")
        if kind == "rep":
            return self._rep(assignee.get("id"), "rep")
        if kind == "pool":
            return self._pool(assignee.get("id"))
        if kind == "ai_agent":
            return self._agent(assignee.get("id"), context)
        if kind == "crm_owner":
            owner = engine.get_path(context, "crm.owner_rep")
            if owner is None:
                return Resolution(None, "the lead has no CRM owner")
            return self._rep(owner, "CRM owner")
        if kind == "workspace_default":
            return self.last_resort()
        return Resolution(None, f"unknown assignee type {kind!r}")

    def last_resort(self) -> Resolution:
        reps = self.people.reps
        default = reps.get(self.people.default_rep_id)
        if default is not None and self._skip(default) is None:
            who = Assigned("rep", default.id, default.name)
            return Resolution(who, "the workspace default rep")
        ordered = sorted(reps.values(), key=lambda r: (r.name, r.id))
        first = next((r for r in ordered if r.is_active and self._skip(r) is None), None)
        if first is not None:
            return Resolution(Assigned("rep", first.id, first.name), "the first active rep")
        active = [a for a in self.people.agents if a.is_active]
        preferred = [a for a in active if a.id == self.people.default_agent_id]
        agent = (preferred or active or [None])[0]
        if agent is not None:
            return Resolution(
                Assigned("ai_agent", agent.id, agent.name),
                "the default AI agent (no rep is available)",
            )
        return Resolution(None, "the workspace has no active rep and no AI agent")

    # -- in-memory rotation
    def apply(self, rotations) -> None:
        for rotation in rotations:
            pool = self.pools.get(rotation.pool_id)
            if pool is None:
                continue
            for member in pool.members:
                if member.member_id in rotation.current_weights:
                    member.current_weight = rotation.current_weights[member.member_id]
                if member.member_id == rotation.member_id:
                    member.last_assigned_at = rotation.at
                    member.open_chats += 1

    def force(self, pick: OutsidePick) -> None:
        """Rotate a pool as a pick that went to `pick.rep_id` did (every member taking
        part: who was away then is not known without that decision's trace)."""
        pool = self.pools.get(pick.pool_id)
        chosen = next((m for m in pool.members if m.rep_id == pick.rep_id), None) if pool else None
        if chosen is None:
            return  # no longer a member: nothing to rotate
        if pool.strategy != "load_balanced":
            for member in pool.members:
                member.current_weight += member.weight
            chosen.current_weight -= sum(m.weight for m in pool.members)
        chosen.last_assigned_at = pick.at
        chosen.open_chats += 1

    # -- helpers
    def _skip(self, rep: RepInfo) -> str | None:
        if rep.name in self.unavailable:
            return "unavailable then (the stored trace says so)"
        return None

    def _rep(self, rep_id, role: str) -> Resolution:
        rep = self.people.reps.get(rep_id) if isinstance(rep_id, int) else None
        if rep is None:
            return Resolution(None, f"{role} #{rep_id} is not a rep of this workspace")
        skip = self._skip(rep)
        if skip:
            return Resolution(None, f"{role} {rep.name} is {skip}")
        return Resolution(Assigned("rep", rep.id, rep.name), f"{role} {rep.name}")

    def _agent(self, agent_id, context: dict) -> Resolution:
        agents = self.people.agents
        agent = next((a for a in agents if a.id == agent_id), None)
        if agent is None or not agent.is_active:
            return Resolution(None, f"AI agent {agent.name if agent else agent_id} is not active")
        if agent.specialty != "auto":
            return Resolution(Assigned("ai_agent", agent.id, agent.name), f"AI agent {agent.name}")
        intent = engine.get_path(context, "intent.type")
        specialty = SPECIALTY_FOR_INTENT.get(intent) if isinstance(intent, str) else None
        specialist = next(
            (a for a in agents if a.is_active and specialty and a.specialty == specialty), None
        )
        if specialist is not None:
            return Resolution(
                Assigned("ai_agent", specialist.id, specialist.name),
                f"AI agent {agent.name} (auto) handed intent '{intent}' to {specialist.name}",
            )
        who = Assigned("ai_agent", agent.id, agent.name)
        return Resolution(who, f"AI agent {agent.name} (auto)")

    def _pool(self, pool_id) -> Resolution:
        pool = self.pools.get(pool_id)
        if pool is None:
            return Resolution(None, f"pool #{pool_id} no longer exists")
        candidates = []
        for m in pool.members:
            rep = self.people.reps.get(m.rep_id)
            name = rep.name if rep else self._names.get(m.rep_id, f"#{m.rep_id}")
            skip = self._skip(rep) if rep is not None else "not a rep any more"
            hours = skip is None and pool.respect_working_hours and self.now is not None
            if hours and not within_working_hours(rep.working_hours, rep.timezone, self.now):
                skip = f"outside working hours ({rep.timezone})"
            candidates.append(
                Candidate(
                    m.member_id,
                    m.rep_id,
                    name,
                    m.weight,
                    m.current_weight,
                    m.last_assigned_at,
                    m.open_chats,
                    skip,
                )
            )
        return pick_member(pool.id, pool.name, pool.strategy, candidates, self.now)


# -- the fast walk ---------------------------------------------------------------
def choose(rule: CompiledRule, context: dict, directory) -> Outcome:
    """`engine.decide` without the trace: the same steps, the same answer.

    CRM owner first, then the segments top to bottom (a matched segment whose
    assignee cannot take the lead is skipped), then the last resort.
    """
    if rule.crm_owner_first and engine.get_path(context, "crm.exists") is True:
        resolution = directory.resolve({"type": "crm_owner"}, context)
        if resolution.assignee is not None:
            return _outcome(resolution, None, "crm_owner_first")
    for seg in rule.segments:
        if not seg.predicate(context):
            continue
        resolution = directory.resolve(seg.assignee, context)
        if resolution.assignee is not None:
            return _outcome(resolution, seg, "segment")
    return _outcome(directory.last_resort(), None, "last_resort")


def _outcome(resolution: Resolution, segment, via: str) -> Outcome:
    rotations = (resolution.rotation,) if resolution.rotation is not None else ()
    return Outcome(resolution.assignee, segment, via, rotations=rotations)


# -- the replay -------------------------------------------------------------------
def _key(assignee: dict | None) -> tuple:
    if not assignee:
        return ("", None)
    return (assignee.get("type") or "", assignee.get("id"))


def _who(assignee: dict) -> dict:
    return {"type": assignee.get("type"), "id": assignee.get("id"), "name": assignee.get("name")}


def replay(
    rule: CompiledRule,
    people: People,
    pools: dict[int, PoolState],
    decisions: list[StoredDecision],
    *,
    outside: list[OutsidePick] = (),
    progress: Callable[[int, int], None] | None = None,
    every: int = 500,
) -> dict[str, Any]:
    """Evaluate each stored context with `rule`, in time order.

    `outside`: the window's picks of the same pools by other rules' leads; each
    rotates its pool at its time, between the replayed leads.

    Returns {"decisions", "changed", "segment_changed", "assignee_changed",
    "by_assignee": [{"assignee", "before", "after"}], "moves": [{"from", "to",
    "count"}] (changed assignees only), "changes": [first MAX_CHANGES],
    "traces": {decision id: the replay trace of each listed change}}.
    `progress(done, total)` is called every `every` decisions and at the end.
    """
    directory = ReplayDirectory(people, pools)
    ordered = sorted(decisions, key=lambda d: (d.at, d.id))
    total = len(ordered)
    before_counts: Counter = Counter()
    after_counts: Counter = Counter()
    moves: Counter = Counter()
    names: dict[tuple, dict] = {}
    changes: list[dict] = []
    traces: dict[int, dict] = {}
    changed = segment_changed = assignee_changed = 0
    others = sorted(outside, key=lambda p: p.at)
    next_other = 0

    for done, stored in enumerate(ordered, 1):
        while next_other < len(others) and others[next_other].at < stored.at:
            directory.force(others[next_other])
            next_other += 1
        directory.at(stored)
        outcome = choose(rule, stored.context, directory)
        after = outcome.assignee.as_dict()
        after.pop("pool", None)
        before_key, after_key = _key(stored.assignee), _key(after)
        names.setdefault(before_key, _who(stored.assignee))
        names[after_key] = _who(after)
        before_counts[before_key] += 1
        after_counts[after_key] += 1
        seg_before = (stored.segment or {}).get("id")
        seg_after = outcome.segment.id if outcome.segment else None
        seg_moved = seg_before != seg_after
        who_moved = before_key != after_key
        if seg_moved or who_moved:
            changed += 1
            segment_changed += seg_moved
            assignee_changed += who_moved
            if who_moved:
                moves[(before_key, after_key)] += 1
            if len(changes) < MAX_CHANGES:
                # The full trace, from the very state the fast walk just read.
                traced = engine.decide(
                    rule, stored.context, directory, stored.gaps, selected_because=REPLAYED
                )
                traces[stored.id] = traced.trace
                changes.append(
                    {
                        "decision": stored.id,
                        "lead": stored.lead,
                        "at": stored.at.isoformat(),
                        "before": {"segment": stored.segment, "assignee": _who(stored.assignee)},
                        "after": {
                            "segment": {"id": seg_after, "name": outcome.segment.name}
                            if outcome.segment
                            else None,
                            "assignee": _who(after),
                        },
                    }
                )
        directory.apply(outcome.rotations)
        if progress is not None and (done % every == 0 or done == total):
            progress(done, total)

    keys = sorted(
        set(before_counts) | set(after_counts),
        key=lambda k: (-before_counts[k], -after_counts[k], str(names[k]["name"])),
    )
    return {
        "decisions": total,
        "changed": changed,
        "segment_changed": segment_changed,
        "assignee_changed": assignee_changed,
        "by_assignee": [
            {"assignee": names[k], "before": before_counts[k], "after": after_counts[k]}
            for k in keys
        ],
        "moves": [
            {"from": names[a], "to": names[b], "count": n}
            for (a, b), n in sorted(moves.items(), key=lambda item: (-item[1], str(item[0])))
        ],
        "changes": changes,
        "traces": traces,
    }
