"""The four booking logics, disqualified, CRM owner first, rotation, reasons in the
trace, and query counts that do not grow with the number of reps."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calendars import actions as cal
from calendars.backends import BACKENDS
from calendars.models import BusyBlock, Meeting
from crm.models import LocalContact
from routing import actions

from .conftest import ask, book, tomorrow

pytestmark = pytest.mark.django_db


def reasons(offer) -> dict:
    return {e["name"]: e["reason"] for e in offer["trace"]["booking"]["reps"]}


def test_any_calendar_is_the_union_and_books_the_least_loaded_free_rep(
    api, rep_factory, with_booking
):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    BusyBlock.objects.create(rep=ann, start=tomorrow(9), end=tomorrow(10))
    with_booking(logic="any_calendar", reps=[ann.id, bob.id])
    offer = ask(api).json()
    by_start = {s["start"]: s["reps"] for s in offer["slots"]}
    assert by_start[tomorrow(9).isoformat()] == [bob.id]
    assert by_start[tomorrow(10).isoformat()] == [ann.id, bob.id]
    # Bob books 09:00 (only he is free); at 10:00 Ann has fewer upcoming meetings.
    assert book(api, offer["id"], tomorrow(9).isoformat()).json()["owner"]["id"] == bob.id
    second = ask(api, email="two@bigco.com").json()
    assert book(api, second["id"], tomorrow(10).isoformat()).json()["owner"]["id"] == ann.id


def test_all_calendars_intersects_and_everyone_attends(api, rep_factory, with_booking):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    BusyBlock.objects.create(rep=bob, start=tomorrow(9), end=tomorrow(11))
    with_booking(logic="all_calendars", reps=[bob.id, ann.id])
    offer = ask(api).json()
    assert [s["start"] for s in offer["slots"]] == [
        tomorrow(11).isoformat(),
        tomorrow(11, 30).isoformat(),
    ]
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    assert meeting["owner"]["id"] == bob.id  # the first listed rep owns a group meeting
    assert sorted(r["id"] for r in meeting["reps"]) == sorted([ann.id, bob.id])


def test_round_robin_rotates_and_cancelled_meetings_do_not_count(api, rep_factory, with_booking):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    with_booking(logic="round_robin", reps=[ann.id, bob.id])
    owners = []
    for n in range(4):
        offer = ask(api, email=f"l{n}@bigco.com").json()
        owners.append(book(api, offer["id"], offer["slots"][0]["start"]).json()["owner"]["id"])
    assert owners == [ann.id, bob.id, ann.id, bob.id]
    # Ann's two meetings are cancelled: she has fewer upcoming, so she is next.
    for m in Meeting.objects.filter(owner=ann):
        cal.cancel(m)
    assert ask(api, email="l9@bigco.com").json()["slots"][0]["reps"] == [ann.id]


def test_round_robin_a_stale_offer_never_books_a_rep_out_of_turn(api, rep_factory, with_booking):
    """Two leads ask before either books: both are shown Ann. Once the first has her,
    Bob has fewer meetings; he is busy at the second lead's time, and Ann must not get a
    second meeting out of turn: a 409 whose fresh slots are Bob's, then Bob books."""
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    BusyBlock.objects.create(rep=bob, start=tomorrow(9), end=tomorrow(10))
    with_booking(logic="round_robin", reps=[ann.id, bob.id])
    first = ask(api, email="a@bigco.com").json()
    second = ask(api, email="b@bigco.com", start=tomorrow(9, 30).isoformat()).json()
    assert first["slots"][0]["reps"] == second["slots"][0]["reps"] == [ann.id]
    assert book(api, first["id"], first["slots"][0]["start"]).json()["owner"]["id"] == ann.id
    taken = book(api, second["id"], second["slots"][0]["start"])  # 09:30: Bob is busy
    assert taken.status_code == 409
    fresh = taken.json()["slots"]
    assert [s["reps"] for s in fresh] == [[bob.id]] * 4  # 10:00 to 11:30, Ann's were offered
    again = book(api, second["id"], fresh[0]["start"])
    assert again.status_code == 201 and again.json()["owner"]["id"] == bob.id
    assert Meeting.objects.filter(owner=ann).count() == Meeting.objects.filter(owner=bob).count()


def test_round_robin_goes_to_the_next_rep_when_the_first_has_no_slot(
    api, rep_factory, with_booking
):
    ann, bob = rep_factory("Ann"), rep_factory("Bob")
    BusyBlock.objects.create(rep=ann, start=tomorrow(8), end=tomorrow(13))
    with_booking(logic="round_robin", reps=[ann.id, bob.id])
    offer = ask(api).json()
    assert {s["reps"][0] for s in offer["slots"]} == {bob.id}
    assert reasons(offer)["Ann"] == "no free time in the window"
    # Then Ann has fewer meetings, but no time in the window: she never blocks a booking.
    for n in range(2):
        offer = ask(api, email=f"l{n}@bigco.com").json()
        booked = book(api, offer["id"], offer["slots"][0]["start"])
        assert booked.status_code == 201 and booked.json()["owner"]["id"] == bob.id


def test_trace_says_why_each_rep_was_not_offered(api, rep_factory, with_booking):
    ooo = rep_factory("Olive", out_of_office_until=tomorrow(0) + timedelta(days=3))
    broken = rep_factory("Greg")
    cal.set_calendar(broken, {"backend": "google", "calendar_id": "greg@acme.com"})
    capped = rep_factory("Cara")
    inactive = rep_factory("Ivan")
    ok = rep_factory("Dana")
    with_booking(logic="any_calendar", reps=[ooo.id, broken.id, capped.id, inactive.id, ok.id],
                 max_per_day=1)  # fmt: skip
    actions.update_rep(inactive, is_active=False)
    # Cara already has her one meeting of the day (booked in Knock, at 15:00).
    first = ask(api, email="first@bigco.com", start=tomorrow(15).isoformat(),
                end=tomorrow(16).isoformat()).json()  # fmt: skip
    slot = next(s for s in first["slots"] if capped.id in s["reps"])
    Meeting.objects.all().delete()
    offer_id = first["id"]
    from calendars.models import Availability

    Availability.objects.filter(pk=offer_id).update(
        slots=[{**slot, "reps": [capped.id]}], rep_ids=[capped.id]
    )
    assert book(api, offer_id, slot["start"]).status_code == 201
    why = reasons(ask(api).json())
    assert why["Olive"].startswith("out of office until")
    assert why["Greg"].startswith("calendar unreadable") and "not configured" in why["Greg"]
    assert why["Cara"].startswith("daily cap reached")
    assert why["Ivan"] == "inactive"
    assert why["Dana"] == "free"


class SlowCalendar:
    name = "slow"
    connected = True
    external = True

    def busy(self, calendars, start, end):
        import time

        time.sleep(1)
        return {ref.rep_id: [] for ref in calendars}


def test_a_slow_external_calendar_is_time_boxed(
    api, rep_factory, with_booking, settings, monkeypatch
):
    monkeypatch.setitem(BACKENDS, "google", f"{__name__}.SlowCalendar")
    settings.CALENDAR_LOOKUP_TIMEOUT = 0.1
    slow = rep_factory("Slow")
    cal.set_calendar(slow, {"backend": "google"})
    with_booking(logic="single_rep", reps=[slow.id])
    offer = ask(api).json()
    assert (
        offer["slots"] == []
        and reasons(offer)["Slow"] == "calendar unreadable: timeout after 0.1 s"
    )


def test_crm_owner_first_needs_a_connected_calendar(
    api, workspace, rep_factory, with_booking, meeting_rule
):
    dana, pool_rep = rep_factory("Dana"), rep_factory("Pat")
    LocalContact.objects.create(workspace=workspace, email="ana@bigco.com", owner_email=dana.email)
    actions.update_rule(meeting_rule, crm_owner_first=True, owner_duration=45)
    with_booking(logic="single_rep", reps=[pool_rep.id])
    offer = ask(api, email="ana@bigco.com").json()
    assert offer["via"] == "crm_owner" and offer["segment"] is None and offer["duration"] == 45
    assert offer["slots"][0]["reps"] == [dana.id]
    meeting = book(api, offer["id"], offer["slots"][0]["start"]).json()
    assert (
        meeting["owner"]["id"] == dana.id
        and meeting["duration"] == 45
        and meeting["segment"] is None
    )
    # With no connected calendar, CRM owner first falls through to the segments.
    cal.set_calendar(dana, {"backend": "none"})
    offer = ask(api, email="ana@bigco.com").json()
    assert offer["via"] == "segment" and offer["slots"][0]["reps"] == [pool_rep.id]
    assert "no connected calendar" in offer["trace"]["crm_owner_first"]["reason"]
    # Connected but fully busy: the trace says so and the segments answer.
    cal.set_calendar(dana, {"backend": "local"})
    BusyBlock.objects.create(rep=dana, start=tomorrow(0), end=tomorrow(23))
    offer = ask(api, email="ana@bigco.com").json()
    assert (
        offer["via"] == "segment"
        and "no slot in the window" in offer["trace"]["crm_owner_first"]["reason"]
    )


def test_pool_booking_uses_active_unpaused_members(api, workspace, rep_factory, with_booking):
    ann, bob, cy = rep_factory("Ann"), rep_factory("Bob"), rep_factory("Cy")
    pool = actions.create_pool(workspace, name="AEs", members=[
        {"rep": ann.id}, {"rep": bob.id, "is_paused": True}, {"rep": cy.id}])  # fmt: skip
    with_booking(logic="any_calendar", pool=pool.id)
    offer = ask(api).json()
    assert offer["slots"][0]["reps"] == [ann.id, cy.id]


@pytest.mark.parametrize("kind", ["any_calendar", "round_robin"])
def test_queries_do_not_grow_with_the_number_of_reps(api, rep_factory, with_booking, kind):
    def run(n):
        reps = [rep_factory() for _ in range(n)]
        for r in reps:
            BusyBlock.objects.create(rep=r, start=tomorrow(10), end=tomorrow(11))
        with_booking(logic=kind, reps=[r.id for r in reps])
        with CaptureQueriesContext(connection) as ctx:
            offer = ask(api, email=f"q{n}@bigco.com").json()
        assert offer["slots"], offer
        return len(ctx.captured_queries)

    assert run(5) == run(50)
