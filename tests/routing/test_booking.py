"""routing/booking.py: a meeting segment's booking, validated without Django."""

import pytest

from routing import booking


def test_defaults_are_filled_in_and_slot_interval_follows_duration():
    data = booking.clean({"logic": "round_robin", "reps": [3, 5], "duration": 45})
    assert data == {
        "logic": "round_robin", "reps": [3, 5], "pool": None, "default_rep": False,
        "reason": "", "duration": 45, "slot_interval": 45, "min_notice": 120,
        "buffer_before": 0, "buffer_after": 0, "horizon_days": 14, "max_per_day": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ({"logic": "nope", "reps": [1]}, "logic"),
        ({"logic": "single_rep", "reps": [1, 2]}, "reps"),
        ({"logic": "single_rep", "reps": []}, "reps"),
        ({"logic": "single_rep", "pool": 2}, "pool"),
        ({"logic": "round_robin", "reps": [1], "pool": 2}, "pool"),
        ({"logic": "any_calendar"}, "reps"),
        ({"logic": "disqualified", "reps": [1]}, "reps"),
        ({"logic": "disqualified", "pool": 1}, "pool"),
        ({"logic": "round_robin", "reps": [1, 1]}, "reps"),
        ({"logic": "round_robin", "reps": ["a"]}, "reps"),
        ({"logic": "round_robin", "reps": [True]}, "reps"),
        ({"logic": "round_robin", "reps": [1], "duration": 0}, "duration"),
        ({"logic": "round_robin", "reps": [1], "duration": "30"}, "duration"),
        ({"logic": "round_robin", "reps": [1], "slot_interval": 4}, "slot_interval"),
        ({"logic": "round_robin", "reps": [1], "min_notice": -1}, "min_notice"),
        ({"logic": "round_robin", "reps": [1], "buffer_after": 10_000}, "buffer_after"),
        ({"logic": "round_robin", "reps": [1], "horizon_days": 366}, "horizon_days"),
        ({"logic": "round_robin", "reps": [1], "max_per_day": 0}, "max_per_day"),
        ({"logic": "round_robin", "reps": [1], "colour": "red"}, "colour"),
        ({"logic": "round_robin", "reps": [1], "default_rep": True}, "default_rep"),
        ({"logic": "single_rep", "reps": [1], "default_rep": True}, "reps"),
        ({"logic": "round_robin", "reps": [1], "reason": "no"}, "reason"),
    ],
)
def test_bad_bookings_name_the_key(value, key):
    with pytest.raises(booking.BookingError) as info:
        booking.clean(value)
    assert key in info.value.errors


def test_disqualified_takes_a_reason_and_no_people():
    data = booking.clean({"logic": "disqualified", "reason": "Students"})
    assert data["logic"] == "disqualified" and data["reason"] == "Students"
    assert not booking.is_qualified(data)


def test_single_rep_on_the_default_rep_and_nulls():
    data = booking.clean({"logic": "single_rep", "default_rep": True, "max_per_day": None})
    assert data["default_rep"] is True and data["reps"] == [] and data["max_per_day"] is None
    assert booking.is_qualified(data)


def test_not_an_object():
    with pytest.raises(booking.BookingError):
        booking.clean([1])
