"""Fair rotation under concurrent routing (needs real row locks: PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from routing import actions
from routing.models import Chat, Decision, PoolMember

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
PER_THREAD = 50


def test_eight_threads_400_chats_5_equal_reps_get_exactly_80_each():
    workspace, _ = actions.create_workspace("Concurrent Co")
    reps = [actions.create_rep(workspace, name=f"Rep {i}", email=f"r{i}@c.test") for i in range(5)]
    pool = actions.create_pool(
        workspace, name="Everyone", members=[{"rep": r.id, "weight": 1} for r in reps]
    )
    rule = actions.create_rule(workspace, kind="chat", name="All to pool")
    actions.add_segment(
        rule, name="Everyone", conditions={"all": []}, assignee={"type": "pool", "id": pool.id}
    )
    actions.create_link(workspace, slug="web", name="Web", channel="Web", chat_rule=rule)

    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(thread_no: int):
        try:
            barrier.wait()
            for n in range(PER_THREAD):
                actions.route_chat(
                    workspace,
                    {"link": "web", "lead": {"email": f"lead-{thread_no}-{n}@example.com"}},
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors, errors
    total = THREADS * PER_THREAD
    assert Chat.objects.filter(workspace=workspace).count() == total
    assert Decision.objects.filter(workspace=workspace).count() == total
    assert Decision.objects.filter(workspace=workspace, segment__name="Everyone").count() == total
    per_rep = Counter(Decision.objects.filter(workspace=workspace).values_list("rep_id", flat=True))
    assert per_rep == {r.id: total // 5 for r in reps}
    assert (
        sorted(PoolMember.objects.filter(pool=pool).values_list("assigned_count", flat=True))
        == [total // 5] * 5
    )
    # A strict rotation in the order of the picks: the decisions' created_at is stamped
    # after the pick, under the pool lock (their ids are taken before it, with the lead).
    order = list(
        Decision.objects.filter(workspace=workspace)
        .order_by("created_at", "id")
        .values_list("rep_id", flat=True)
    )
    assert all(len(set(order[i : i + 5])) == 5 for i in range(total - 4))
