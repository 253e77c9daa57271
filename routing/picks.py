"""The two pool strategies' picks, pure (no Django): used by pools.py (live) and replay.py.

`smooth_weighted_pick` is nginx's smooth weighted round robin (see pools.py);
`least_loaded_pick` takes the fewest open chats, ties to the least recently assigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .engine import Assigned, Resolution, Rotation

STRATEGY_WORDS = {"round_robin": "round robin", "load_balanced": "load balanced"}


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


def pick_member(
    pool_id: int, name: str, strategy: str, candidates: list[Candidate], now: datetime | None
) -> Resolution:
    """The member who gets the lead among `candidates` (those with a `skip` reason are
    out), the rotation that changes, and the reason in words. Writes nothing: live
    routing (pools.py) applies the rotation, replay keeps it in memory."""
    available = [c for c in candidates if c.skip is None]
    skipped = [f"{c.name}: {c.skip}" for c in candidates if c.skip]
    if not available:
        why = "; ".join(skipped) if skipped else "it has no members"
        return Resolution(None, f"pool {name} has no available member ({why})")
    if strategy == "load_balanced":
        chosen = least_loaded_pick(available)
        how = f"fewest open chats ({chosen.open_chats})"
        weights: dict[int, int] = {}
    else:
        chosen, _ = smooth_weighted_pick(available)  # updates every current_weight
        how = "next in rotation"
        weights = {c.member_id: c.current_weight for c in available}
    rotation = Rotation(pool_id, chosen.member_id, now, weights)
    reason = f"pool {name} ({STRATEGY_WORDS.get(strategy, strategy)}) chose {chosen.name}"
    reason += f", {how}, {len(available)} of {len(candidates)} available"
    if skipped:
        reason += "; skipped " + "; ".join(skipped)
    info = {"id": pool_id, "name": name, "strategy": strategy}
    return Resolution(Assigned("rep", chosen.rep_id, chosen.name, info), reason, rotation)
