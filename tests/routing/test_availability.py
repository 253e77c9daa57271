"""Pure tests of rep availability: working hours (in the rep's timezone), OOO, capacity."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from routing.availability import (
    WorkingHoursError,
    parse_working_hours,
    unavailable_reason,
    valid_timezone,
    within_working_hours,
)

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# 2025-01-15 is a Wednesday (winter: Paris UTC+1, New York UTC-5).
WED_0830_UTC = utc(2025, 1, 15, 8, 30)


# ---------------------------------------------------------------- parse_working_hours


def test_parse_valid_hours():
    parsed = parse_working_hours({"mon": [["09:00", "12:00"], ["13:00", "17:30"]], "sat": []})
    assert parsed == {
        "mon": [(time(9), time(12)), (time(13), time(17, 30))],
        "sat": [],
    }


def test_parse_accepts_an_overnight_interval():
    assert parse_working_hours({"fri": [["22:00", "02:00"]]}) == {"fri": [(time(22), time(2))]}


@pytest.mark.parametrize("value", [None, {}])
def test_parse_empty_means_always_available(value):
    assert parse_working_hours(value) == {}


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"tue": [["09:00", "25:00"]]}, "Tuesday"),
        ({"wed": [["9am", "5pm"]]}, "Wednesday"),
        ({"thu": [["09:00"]]}, "Thursday"),
        ({"fri": [["09:00", "17:00", "18:00"]]}, "Friday"),
        ({"sat": [[9, 17]]}, "Saturday"),
        ({"sun": "09:00-17:00"}, "Sunday"),
        ({"mon": [["10:00", "10:00"]]}, "Monday"),
        ({"mon": [["09:00", "17:00"]], "tue": ["09:00-17:00"]}, "Tuesday"),
        ({"Monday": [["09:00", "17:00"]]}, "Monday"),
    ],
)
def test_parse_invalid_hours_name_the_day(value, named):
    # Errors name the weekday in words (issue 14 item 7), or the unknown key as given.
    with pytest.raises(WorkingHoursError) as caught:
        parse_working_hours(value)
    assert named in str(caught.value)


@pytest.mark.parametrize("value", [[], "9-5", [["09:00", "17:00"]], 42])
def test_parse_refuses_anything_but_an_object(value):
    with pytest.raises(WorkingHoursError):
        parse_working_hours(value)


@pytest.mark.parametrize("text", ["9", "nine", "25:00", "09:00 AM"])
def test_a_time_that_is_not_one_says_how_to_write_it(text):
    # Not Python's own words ("Invalid isoformat string: '9'").
    with pytest.raises(WorkingHoursError) as caught:
        parse_working_hours({"mon": [[text, "17:00"]]})
    assert str(caught.value) == f'Monday: {text!r} is not a time of day; use HH:MM, e.g. "09:00"'


def test_working_hours_error_is_a_value_error():
    assert issubclass(WorkingHoursError, ValueError)


# ---------------------------------------------------------------------- timezones


@pytest.mark.parametrize("name", ["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata"])
def test_valid_timezone(name):
    assert valid_timezone(name) is True


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "Europe/", "GMT+25"])
def test_invalid_timezone(name):
    assert valid_timezone(name) is False


# ------------------------------------------------------------------ within_working_hours


def test_same_instant_in_paris_and_new_york():
    # 08:30 UTC is 09:30 in Paris (working) and 03:30 in New York (asleep).
    assert within_working_hours(WEEKDAYS_9_TO_5, "Europe/Paris", WED_0830_UTC) is True
    assert within_working_hours(WEEKDAYS_9_TO_5, "America/New_York", WED_0830_UTC) is False
    # 16:30 UTC is 17:30 in Paris (gone home) and 11:30 in New York.
    later = utc(2025, 1, 15, 16, 30)
    assert within_working_hours(WEEKDAYS_9_TO_5, "Europe/Paris", later) is False
    assert within_working_hours(WEEKDAYS_9_TO_5, "America/New_York", later) is True


def test_daylight_saving_is_respected():
    # 13:30 UTC is 09:30 in New York in summer (EDT) but 08:30 in winter (EST).
    assert within_working_hours(WEEKDAYS_9_TO_5, "America/New_York", utc(2025, 7, 16, 13, 30))
    assert not within_working_hours(WEEKDAYS_9_TO_5, "America/New_York", utc(2025, 1, 15, 13, 30))


def test_the_day_of_the_week_is_the_reps_local_day():
    # Sunday 23:30 UTC is already Monday 08:30 in Tokyo.
    sunday_night = utc(2025, 1, 19, 23, 30)
    assert sunday_night.strftime("%a") == "Sun"
    hours = {"mon": [["08:00", "17:00"]]}
    assert within_working_hours(hours, "Asia/Tokyo", sunday_night) is True
    assert within_working_hours(hours, "UTC", sunday_night) is False


def test_the_start_is_inclusive_and_the_end_exclusive():
    hours = {"wed": [["09:00", "17:00"]]}
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 9, 0)) is True
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 8, 59, 59)) is False
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 16, 59, 59)) is True
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 17, 0)) is False


def test_split_shift():
    hours = {"wed": [["09:00", "12:00"], ["14:00", "18:00"]]}
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 11, 0))
    assert not within_working_hours(hours, "UTC", utc(2025, 1, 15, 13, 0))
    assert within_working_hours(hours, "UTC", utc(2025, 1, 15, 15, 0))


def test_a_day_off():
    saturday_noon = utc(2025, 1, 18, 12, 0)
    assert saturday_noon.strftime("%a") == "Sat"
    assert within_working_hours(WEEKDAYS_9_TO_5, "UTC", saturday_noon) is False
    # A day listed with no intervals is also a day off.
    assert within_working_hours({"sat": []}, "UTC", saturday_noon) is False


def test_empty_working_hours_mean_always():
    for hour in range(0, 24, 3):
        assert within_working_hours({}, "America/New_York", utc(2025, 1, 18, hour)) is True


# Friday 2025-01-17, 22:00 -> Saturday 02:00 (UTC).
NIGHT_SHIFT = {"fri": [["22:00", "02:00"]]}


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (utc(2025, 1, 17, 21, 59), False),
        (utc(2025, 1, 17, 22, 0), True),
        (utc(2025, 1, 17, 23, 59), True),
        (utc(2025, 1, 18, 0, 0), True),  # Saturday, past midnight
        (utc(2025, 1, 18, 1, 59), True),
        (utc(2025, 1, 18, 2, 0), False),
        (utc(2025, 1, 18, 23, 0), False),  # Saturday night: no shift
    ],
)
def test_an_overnight_interval_runs_past_midnight(moment, working):
    assert within_working_hours(NIGHT_SHIFT, "UTC", moment) is working


def test_an_overnight_interval_in_the_reps_timezone():
    # Friday 22:00 -> Saturday 02:00 in New York is Saturday 03:00 -> 07:00 UTC.
    assert within_working_hours(NIGHT_SHIFT, "America/New_York", utc(2025, 1, 18, 5, 0))
    assert not within_working_hours(NIGHT_SHIFT, "America/New_York", utc(2025, 1, 18, 8, 0))


def test_an_overnight_interval_on_sunday_wraps_to_monday():
    hours = {"sun": [["22:00", "02:00"]]}
    assert within_working_hours(hours, "UTC", utc(2025, 1, 20, 1, 0))  # Monday 01:00


def test_an_overnight_interval_does_not_cover_the_early_hours_of_its_own_day():
    friday_1am = utc(2025, 1, 17, 1, 0)
    assert friday_1am.strftime("%a") == "Fri"
    assert within_working_hours(NIGHT_SHIFT, "UTC", friday_1am) is False


def test_within_working_hours_rejects_invalid_hours():
    with pytest.raises(WorkingHoursError, match="Monday"):
        within_working_hours({"mon": [["nine", "five"]]}, "UTC", WED_0830_UTC)


# ----------------------------------------------------------------- unavailable_reason


def reason(**overrides):
    fields = {
        "is_active": True,
        "out_of_office_until": None,
        "working_hours": WEEKDAYS_9_TO_5,
        "timezone": "Europe/Paris",
        "max_open_chats": None,
        "open_chats": 0,
        "now": WED_0830_UTC,
    }
    fields.update(overrides)
    return unavailable_reason(**fields)


def test_an_available_rep_has_no_reason():
    assert reason() is None


def test_inactive():
    assert reason(is_active=False) == "inactive"


def test_paused_in_the_pool():
    assert reason(is_paused=True) == "paused in this pool"


def test_out_of_office_in_the_future():
    back = WED_0830_UTC + timedelta(days=2)
    why = reason(out_of_office_until=back)
    assert why is not None
    assert why.startswith("out of office until 2025-01-17 08:30")


def test_out_of_office_in_the_past_is_available():
    assert reason(out_of_office_until=WED_0830_UTC - timedelta(minutes=1)) is None


def test_out_of_office_ending_exactly_now_is_available():
    assert reason(out_of_office_until=WED_0830_UTC) is None


def test_outside_working_hours_names_the_timezone():
    assert reason(timezone="America/New_York") == "outside working hours (America/New_York)"


def test_working_hours_can_be_ignored():
    assert reason(timezone="America/New_York", check_hours=False) is None


@pytest.mark.parametrize(
    ("open_chats", "limit", "why"),
    [
        (2, 3, None),
        (3, 3, "at capacity (3/3 open chats)"),
        (4, 3, "at capacity (4/3 open chats)"),
        (0, 0, "at capacity (0/0 open chats)"),
        (500, None, None),
    ],
)
def test_capacity(open_chats, limit, why):
    assert reason(open_chats=open_chats, max_open_chats=limit) == why


def test_the_first_reason_wins():
    everything = {
        "is_active": False,
        "is_paused": True,
        "out_of_office_until": WED_0830_UTC + timedelta(days=1),
        "timezone": "America/New_York",
        "open_chats": 9,
        "max_open_chats": 1,
    }
    assert reason(**everything) == "inactive"
    everything["is_active"] = True
    assert reason(**everything) == "paused in this pool"
    everything["is_paused"] = False
    assert reason(**everything).startswith("out of office")
    everything["out_of_office_until"] = None
    assert reason(**everything) == "outside working hours (America/New_York)"
    everything["timezone"] = "Europe/Paris"
    assert reason(**everything) == "at capacity (9/1 open chats)"
