"""Past traffic for the replay tests (unit, API, console, browser): made through routing.actions.

A workspace's default chat rule gets "Big" (employees > 200 -> pool Enterprise:
Dana, Marcus) above its fallback (Priya); `n` chats are routed through it, one
lead each, every third a big company. Then "Big" is widened to employees > 50
(a new version): replaying it moves the mid-sized leads from Priya to the pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from routing import actions
from routing.models import Decision, Pool, RoutingRule, Segment

BIG = {"field": "company.employees", "op": "gt", "value": 200}
WIDER = {"field": "company.employees", "op": "gt", "value": 50}


@dataclass
class Seeded:
    rule: RoutingRule
    pool: Pool
    reps: dict
    old_version: int  # what routed the seeded chats
    new_version: int  # "Big" widened


def employees(i: int) -> int:
    return (500, 100, 10)[i % 3]  # big, mid-sized (moves), small (stays)


def seed(workspace, n: int = 9, reps: dict | None = None, pool: Pool | None = None) -> Seeded:
    if reps is None:
        reps = {
            name: actions.create_rep(workspace, name=name, email=f"{name.lower()}@acme.test")
            for name in ("Dana", "Marcus", "Priya")
        }
    if pool is None:
        pool = actions.create_pool(
            workspace,
            name="Enterprise",
            strategy="round_robin",
            respect_working_hours=False,
            members=[{"rep": reps[name].id, "weight": 1} for name in ("Dana", "Marcus")],
        )
    rule = RoutingRule.objects.get(workspace=workspace, kind="chat", is_default=True)
    fallback = Segment.objects.get(rule=rule, is_fallback=True)
    actions.update_segment(fallback, assignee={"type": "rep", "id": reps["Priya"].id})
    big = actions.add_segment(
        rule, name="Big", conditions=BIG, assignee={"type": "pool", "id": pool.id}
    )
    rule.refresh_from_db()
    old = rule.version
    for i in range(n):
        actions.route_chat(
            workspace,
            {"lead": {"email": f"lead{i}@co{i}.test"}, "company": {"employees": employees(i)}},
        )
    actions.update_segment(big, conditions=WIDER)
    rule.refresh_from_db()
    assert Decision.objects.filter(rule=rule).count() == n
    return Seeded(rule=rule, pool=pool, reps=reps, old_version=old, new_version=rule.version)
