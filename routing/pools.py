"""Pool rotation: which member of a pool gets the next lead.

`round_robin` is nginx's smooth weighted round robin: each pick adds every
available member's weight to its running `current_weight`, takes the largest,
and subtracts the total from the winner. With equal weights it is strict
rotation; with weights 3:1 it interleaves (A A B A, not A A A B).

`load_balanced` takes the member with the fewest open chats; ties go to the
one assigned least recently.

Concurrency: `PoolPicker.lock` takes `SELECT ... FOR UPDATE` on every pool a
routing may touch, in id order, before reading any member state; concurrent
routings into one pool therefore run their picks one after another and see
each other's committed rotation (READ COMMITTED re-reads after the lock).
SQLite has no row locks; there `transaction_mode=IMMEDIATE` (settings)
serialises writers instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F

from .availability import unavailable_reason
from .engine import Assigned, Resolution
from .models import Chat, Pool, PoolMember

STRATEGY_LABELS = dict(Pool.STRATEGIES)


@dataclass
class Candidate:
    member_id: int
    rep_id: int
    name: str
    weight: int
    current_weight: int
    last_assigned_at: datetime | None
    open_chats: int
    skip: str | None


def smooth_weighted_pick(candidates: list[Candidate]) -> tuple[Candidate, int]:
    """Return the winner and the total weight (pure; the caller persists the state)."""
    total = sum(c.weight for c in candidates)
    best = None
    for c in candidates:
        c.current_weight += c.weight
        if best is None or c.current_weight > best.current_weight:
            best = c
    best.current_weight -= total
    return best, total


def least_loaded_pick(candidates: list[Candidate]) -> Candidate:
    return min(
        candidates,
        key=lambda c: (
            c.open_chats,
            c.last_assigned_at is not None,
            c.last_assigned_at or datetime.min,
            c.member_id,
        ),
    )


class PoolPicker:
    def __init__(self, workspace_id: int, now: datetime, *, simulate: bool = False):
        self.workspace_id = workspace_id
        self.now = now
        self.simulate = simulate
        self._pools: dict[int, Pool] = {}

    def lock(self, pool_ids: list[int]) -> None:
        if not pool_ids:
            return
        qs = Pool.objects.filter(workspace_id=self.workspace_id, id__in=pool_ids).order_by("id")
        if not self.simulate:
            qs = qs.select_for_update()
        self._pools.update({p.id: p for p in qs})

    def pick(self, pool_id: int) -> Resolution:
        pool = self._pools.get(pool_id)
        if pool is None:
            self.lock([pool_id])
            pool = self._pools.get(pool_id)
        if pool is None:
            return Resolution(None, f"pool #{pool_id} no longer exists")
        candidates = self._candidates(pool)
        available = [c for c in candidates if c.skip is None]
        skipped = [f"{c.name}: {c.skip}" for c in candidates if c.skip]
        if not available:
            why = "; ".join(skipped) if skipped else "it has no members"
            return Resolution(None, f"pool {pool.name} has no available member ({why})")
        if pool.strategy == "load_balanced":
            chosen = least_loaded_pick(available)
            how = f"fewest open chats ({chosen.open_chats})"
            if not self.simulate:
                self._record(chosen)
        else:
            chosen, total = smooth_weighted_pick(available)
            how = "next in rotation"
            if not self.simulate:
                PoolMember.objects.filter(id__in=[c.member_id for c in available]).update(
                    current_weight=F("current_weight") + F("weight")
                )
                self._record(chosen, subtract=total)
        reason = f"pool {pool.name} ({STRATEGY_LABELS[pool.strategy].lower()}) chose {chosen.name}"
        reason += f", {how}, {len(available)} of {len(candidates)} available"
        if skipped:
            reason += "; skipped " + "; ".join(skipped)
        pool_info = {"id": pool.id, "name": pool.name, "strategy": pool.strategy}
        return Resolution(Assigned("rep", chosen.rep_id, chosen.name, pool_info), reason)

    def _record(self, chosen: Candidate, subtract: int = 0) -> None:
        PoolMember.objects.filter(id=chosen.member_id).update(
            current_weight=F("current_weight") - subtract,
            assigned_count=F("assigned_count") + 1,
            last_assigned_at=self.now,
        )

    def _candidates(self, pool: Pool) -> list[Candidate]:
        members = list(PoolMember.objects.filter(pool=pool).select_related("rep").order_by("id"))
        needs_load = pool.strategy == "load_balanced" or any(
            m.rep.max_open_chats is not None for m in members
        )
        open_chats: dict[int, int] = {}
        if needs_load and members:
            open_chats = dict(
                Chat.objects.filter(
                    workspace_id=self.workspace_id,
                    status="open",
                    rep_owner_id__in=[m.rep_id for m in members],
                )
                .values("rep_owner_id")
                .annotate(n=Count("id"))
                .values_list("rep_owner_id", "n")
            )
        candidates = []
        for m in members:
            rep = m.rep
            count = open_chats.get(rep.id, 0)
            skip = unavailable_reason(
                is_active=rep.is_active,
                is_paused=m.is_paused,
                out_of_office_until=rep.out_of_office_until,
                working_hours=rep.working_hours,
                timezone=rep.timezone,
                max_open_chats=rep.max_open_chats,
                open_chats=count,
                now=self.now,
                check_hours=pool.respect_working_hours,
            )
            candidates.append(
                Candidate(
                    member_id=m.id,
                    rep_id=rep.id,
                    name=rep.name,
                    weight=m.weight,
                    current_weight=m.current_weight,
                    last_assigned_at=m.last_assigned_at,
                    open_chats=count,
                    skip=skip,
                )
            )
        return candidates
