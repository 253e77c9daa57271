"""The two pool strategies' picks, pure (no Django): used by pools.py (live) and replay.py.

`smooth_weighted_pick` is nginx's smooth weighted round robin (see pools.py);
`least_loaded_pick` takes the fewest open chats, ties to the least recently assigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
