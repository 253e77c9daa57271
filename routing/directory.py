"""The engine's view of a workspace's people, backed by the database.

Queries are batched so that routing costs the same number of queries with 3
segments or 300, and with 5 pool members or 500 (tests pin this). It only
reads: a pool pick's rotation comes back as a delta for the caller to apply.
`for_update=True` locks the pools it reads (route_chat, which applies the delta).
"""

from __future__ import annotations

from datetime import datetime

from . import cache
from .availability import unavailable_reason
from .engine import Assigned, CompiledRule, Resolution, get_path
from .ids import is_db_id
from .models import AIAgent, Pool, Rep, Workspace
from .pools import PoolPicker

# Which specialist an "auto" agent hands a lead to, by detected intent type.
SPECIALTY_FOR_INTENT = {
    "buying": "buying",
    "support": "support",
    "job_seeker": "hiring",
    "partnership": "partnership",
}


class WorkspaceDirectory:
    def __init__(
        self,
        workspace: Workspace,
        rule: CompiledRule,
        context: dict,
        *,
        now: datetime,
        for_update: bool = False,
    ):
        self.workspace = workspace
        self.now = now
        self.pools = PoolPicker(
            workspace.id,
            now,
            for_update=for_update,
            known=lambda: (self._everyone(), self._pools()),
        )
        rep_ids = {s.assignee["id"] for s in rule.segments if s.assignee["type"] == "rep"}
        owner = get_path(context, "crm.owner_rep")
        if is_db_id(owner):
            rep_ids.add(owner)
        if workspace.default_rep_id:
            rep_ids.add(workspace.default_rep_id)
        self._rep_ids = rep_ids
        self._reps: dict[int, Rep] | None = None
        self._seen: dict[int, Rep] = {}
        self._agents: list[AIAgent] | None = None

    # -- lazy loaders (one query each, whatever the size of the rule) --------
    # Reps and agents are part of what the workspace's routing stamp covers (every
    # write to them replaces it: routing/cache.py), so they are read once per stamp
    # and process, not once per chat. Shared between threads: read, never mutated.
    @property
    def reps(self) -> dict[int, Rep]:
        if self._reps is None:
            everyone = self._everyone()
            self._reps = {i: everyone[i] for i in self._rep_ids if i in everyone}
        return self._reps

    def _everyone(self) -> dict[int, Rep]:
        """Every rep of the workspace, in the database's (name, id) order."""
        return cache.get(
            self.workspace,
            "reps",
            None,
            lambda: {
                r.id: r for r in Rep.objects.filter(workspace=self.workspace).order_by("name", "id")
            },
        )

    def _pools(self) -> dict[int, Pool]:
        """Every pool of the workspace (the pool lock then reads the members alone)."""
        return cache.get(
            self.workspace,
            "pools",
            None,
            lambda: {p.id: p for p in Pool.objects.filter(workspace=self.workspace)},
        )

    @property
    def agents(self) -> list[AIAgent]:
        if self._agents is None:
            self._agents = cache.get(
                self.workspace,
                "agents",
                None,
                lambda: list(AIAgent.objects.filter(workspace=self.workspace)),
            )
        return self._agents

    def loaded(self) -> dict:
        """The reps, agents and pools already read (route_chat hands them on, so that
        the 201, the feed row and the planners do not read them again)."""
        reps = {**self.pools.loaded_reps(), **(self._reps or {}), **self._seen}
        return {
            "reps": reps,
            "agents": {a.id: a for a in self._agents or ()},
            "pools": dict(self.pools._pools),
        }

    # -- Directory protocol ---------------------------------------------------
    def prepare(self, pool_ids: list[int]) -> None:
        self.pools.lock(pool_ids)

    def resolve(self, assignee: dict, context: dict) -> Resolution:
        kind = assignee["type"]
        if kind == "rep":
            return self._rep(assignee["id"], role="rep")
        if kind == "pool":
            return self.pools.pick(assignee["id"])
        if kind == "ai_agent":
            return self._agent(assignee["id"], context)
        if kind == "crm_owner":
            return self._crm_owner(context)
        if kind == "workspace_default":
            return self.last_resort()
        return Resolution(None, f"unknown assignee type {kind!r}")

    def last_resort(self) -> Resolution:
        default = self.reps.get(self.workspace.default_rep_id)
        if default is not None and self._rep_skip(default) is None:
            return Resolution(
                Assigned("rep", default.id, default.name), "the workspace default rep"
            )
        first = next(
            (
                r
                for r in self._everyone().values()
                if r.is_active and not (r.out_of_office_until and r.out_of_office_until > self.now)
            ),
            None,
        )
        if first is not None:
            self._seen[first.id] = first  # route_chat hands it on (loaded())
            why = "the first active rep"
            if default is not None:
                why += f" (default rep {default.name} is {self._rep_skip(default)})"
            return Resolution(Assigned("rep", first.id, first.name), why)
        agent = self._default_agent()
        if agent is not None:
            return Resolution(
                Assigned("ai_agent", agent.id, agent.name),
                "the default AI agent (no rep is available)",
            )
        return Resolution(None, "the workspace has no active rep and no AI agent")

    # -- helpers ----------------------------------------------------------------
    def _rep_skip(self, rep: Rep) -> str | None:
        return unavailable_reason(
            is_active=rep.is_active,
            out_of_office_until=rep.out_of_office_until,
            working_hours={},
            timezone=rep.timezone,
            max_open_chats=None,
            open_chats=0,
            now=self.now,
            check_hours=False,
        )

    def _rep(self, rep_id: int, role: str) -> Resolution:
        rep = self.reps.get(rep_id)
        if rep is None:
            return Resolution(None, f"{role} #{rep_id} is not a rep of this workspace")
        skip = self._rep_skip(rep)
        if skip:
            return Resolution(None, f"{role} {rep.name} is {skip}")
        return Resolution(Assigned("rep", rep.id, rep.name), f"{role} {rep.name}")

    def _agent(self, agent_id: int, context: dict) -> Resolution:
        agent = next((a for a in self.agents if a.id == agent_id), None)
        if agent is None or not agent.is_active:
            name = agent.name if agent else f"#{agent_id}"
            return Resolution(None, f"AI agent {name} is not active")
        if agent.specialty != "auto":
            return Resolution(Assigned("ai_agent", agent.id, agent.name), f"AI agent {agent.name}")
        intent = get_path(context, "intent.type")
        specialty = SPECIALTY_FOR_INTENT.get(intent) if isinstance(intent, str) else None
        specialist = next(
            (a for a in self.agents if a.is_active and specialty and a.specialty == specialty),
            None,
        )
        if specialist is not None:
            return Resolution(
                Assigned("ai_agent", specialist.id, specialist.name),
                f"AI agent {agent.name} (auto) handed intent '{intent}' to {specialist.name}",
            )
        why = f"no {specialty} specialist" if specialty else f"intent is {intent or 'unknown'}"
        return Resolution(
            Assigned("ai_agent", agent.id, agent.name), f"AI agent {agent.name} (auto; {why})"
        )

    def _crm_owner(self, context: dict) -> Resolution:
        owner = get_path(context, "crm.owner_rep")
        if owner is None:
            email = get_path(context, "crm.owner_email")
            if email:
                return Resolution(None, f"CRM owner {email} is not mapped to a rep")
            return Resolution(None, "the lead has no CRM owner")
        if not is_db_id(owner):
            return Resolution(None, f"CRM owner {owner!r} is not a rep id")
        return self._rep(owner, role="CRM owner")

    def _default_agent(self) -> AIAgent | None:
        active = [a for a in self.agents if a.is_active]
        preferred = [a for a in active if a.id == self.workspace.default_ai_agent_id]
        return (preferred or active or [None])[0]
