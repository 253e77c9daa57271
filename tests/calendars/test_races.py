"""Race-free booking under concurrency (needs real row locks: PostgreSQL)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from calendars import actions as cal
from calendars.models import Meeting
from routing import actions

from .conftest import EVERY_DAY, tomorrow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 16


def _world(n_reps: int, logic: str):
    workspace, _ = actions.create_workspace("Race Co")
    reps = [
        actions.create_rep(
            workspace, name=f"Rep {i}", email=f"r{i}@race.test", working_hours=EVERY_DAY
        )  # fmt: skip
        for i in range(n_reps)
    ]
    rule = actions.create_rule(workspace, kind="meeting", name="Race")
    fallback = rule.segments.get(is_fallback=True)
    actions.update_segment(
        fallback, booking={"logic": logic, "reps": [r.id for r in reps], "min_notice": 0}
    )
    actions.create_link(workspace, slug="race", name="Race", meeting_rule=rule)
    return workspace, reps


def _run(worker):
    results, errors = [], []
    barrier = threading.Barrier(THREADS)

    def run(n):
        try:
            barrier.wait()
            results.append(worker(n))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def _offer(workspace, n, start_hour=9, end_hour=17):
    payload = {"link": "race", "lead": {"email": f"lead{n}@race.test"},
               "start": tomorrow(start_hour), "end": tomorrow(end_hour)}  # fmt: skip
    return cal.offer(workspace, payload)


def test_sixteen_threads_one_slot_of_one_rep_exactly_one_books():
    workspace, (rep,) = _world(1, "single_rep")
    offers = [_offer(workspace, n) for n in range(THREADS)]
    slot = tomorrow(10)

    def worker(n):
        try:
            cal.book(workspace, offers[n].availability.id, slot)
            return 201
        except cal.Conflict as exc:
            assert slot.isoformat() not in [s["start"] for s in exc.slots]
            return 409

    results, errors = _run(worker)
    assert not errors, errors
    assert Counter(results) == {201: 1, 409: THREADS - 1}
    assert Meeting.objects.filter(owner=rep, start=slot, status="booked").count() == 1


def test_sixteen_threads_round_robin_over_four_reps_get_four_each():
    workspace, reps = _world(4, "round_robin")

    def worker(n):
        # Each lead asks, then books its own slot; a 409 (the chosen rep was taken
        # at that time by a racing lead, or a rep with fewer meetings is busy then)
        # asks again, as a scheduling page would. An attempt fails only when another
        # lead's booking committed during it, so THREADS attempts always suffice.
        for _ in range(THREADS):
            offer = _offer(workspace, n, start_hour=8 + (n % 8), end_hour=17)
            try:
                return cal.book(workspace, offer.availability.id, offer.slots[0].start).owner_id
            except cal.Conflict:
                continue
        raise AssertionError(f"no booking after {THREADS} tries")

    results, errors = _run(worker)
    assert not errors, errors
    assert Counter(results) == {r.id: 4 for r in reps}
    # Never one rep at overlapping times.
    for rep in reps:
        spans = sorted(Meeting.objects.filter(owner=rep).values_list("start", "end"))
        assert all(
            a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)
        )


def test_sixteen_threads_one_availability_book_one_meeting():
    """One lead's offer books once, even when its slots are booked at once from 16
    threads (a double submit, two tabs): the availability's row lock orders them."""
    workspace, reps = _world(4, "any_calendar")
    offer = _offer(workspace, 0)
    starts = [slot.start for slot in offer.slots][:THREADS]
    assert len(starts) == THREADS

    def worker(n):
        try:
            return cal.book(workspace, offer.availability.id, starts[n]).id
        except cal.AlreadyBooked as exc:
            return ("already", exc.meeting_id)

    results, errors = _run(worker)
    assert not errors, errors
    (meeting,) = Meeting.objects.all()
    assert sorted(results, key=str) == sorted(
        [meeting.id, *[("already", meeting.id)] * (THREADS - 1)], key=str
    )
