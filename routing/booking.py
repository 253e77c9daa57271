"""A meeting segment's booking (SPEC 5a): pure validation, no Django, no I/O.

`clean(value)` returns the stored form with every default filled in, or raises
BookingError whose `errors` are per key ({"duration": ["..."]}), so the API can
answer {"booking": {"duration": ["..."]}}. Whether the reps and the pool exist
in the workspace is checked by routing.actions.rules (it needs the database).
"""

from __future__ import annotations

from .ids import is_db_id

LOGICS = ("single_rep", "any_calendar", "round_robin", "all_calendars", "disqualified")

# key -> (default, min, max); minutes unless the name says otherwise.
NUMBERS: dict[str, tuple[int | None, int, int]] = {
    "duration": (30, 5, 8 * 60),
    "slot_interval": (None, 5, 8 * 60),  # None: the duration
    "min_notice": (120, 0, 60 * 24 * 60),  # up to 60 days
    "buffer_before": (0, 0, 4 * 60),
    "buffer_after": (0, 0, 4 * 60),
    "horizon_days": (14, 1, 365),
    "max_per_day": (None, 1, 100),  # None: no daily cap
}
KEYS = ("logic", "reps", "pool", "default_rep", "reason", *NUMBERS)
MAX_REPS = 200


class BookingError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(str(errors))


def default_booking(**overrides) -> dict:
    """The stored form of a booking with every default (what `clean` fills in)."""
    data = {"logic": "single_rep", "reps": [], "pool": None, "default_rep": False, "reason": ""}
    data.update({k: d for k, (d, _, _) in NUMBERS.items()})
    data.update(overrides)
    if data["slot_interval"] is None:
        data["slot_interval"] = data["duration"]
    return data


def clean(value) -> dict:
    """Validate a booking object and fill in its defaults.

    `default_rep: true` (single_rep only) books the workspace's default rep,
    resolved when availability is asked: the default rep, else the first
    active rep; with no active rep the lead is disqualified, and says why.
    """
    if not isinstance(value, dict):
        raise BookingError(
            {"non_field_errors": ['Expected an object like {"logic": "round_robin", "pool": 2}.']}
        )
    errors: dict[str, list[str]] = {}
    for key in sorted(set(value) - set(KEYS)):
        errors[key] = ["Unknown field."]
    logic = value.get("logic")
    if logic not in LOGICS:
        errors["logic"] = [f"Use one of {', '.join(LOGICS)}."]

    reps = value.get("reps", [])
    if reps is None:
        reps = []
    if not isinstance(reps, list) or not all(is_db_id(r) for r in reps):
        errors["reps"] = ["Expected a list of rep ids."]
        reps = []
    elif len(set(reps)) != len(reps):
        errors["reps"] = ["A rep appears more than once."]
    elif len(reps) > MAX_REPS:
        errors["reps"] = [f"At most {MAX_REPS} reps."]
    pool = value.get("pool")
    if pool is not None and not is_db_id(pool):
        errors["pool"] = ["Expected a pool id."]
    default_rep = value.get("default_rep", False)
    if not isinstance(default_rep, bool):
        errors["default_rep"] = ["Must be true or false."]
        default_rep = False
    reason = value.get("reason", "")
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > 200:
        errors["reason"] = ["Expected a text of at most 200 characters."]

    if logic in LOGICS and "reps" not in errors and "pool" not in errors:
        _check_people(logic, reps, pool, default_rep, errors)
    if logic != "disqualified" and reason:
        errors.setdefault("reason", ["Only a disqualified booking has a reason."])

    numbers = {}
    for key, (default, low, high) in NUMBERS.items():
        raw = value.get(key, default)
        if raw is None and default is None:
            numbers[key] = None
            continue
        if not isinstance(raw, int) or isinstance(raw, bool):
            errors[key] = ["A whole number is required."]
        elif not low <= raw <= high:
            errors[key] = [f"Must be between {low} and {high}."]
        else:
            numbers[key] = raw
    if errors:
        raise BookingError(errors)
    if numbers["slot_interval"] is None:
        numbers["slot_interval"] = numbers["duration"]
    return {
        "logic": logic,
        "reps": list(reps),
        "pool": pool,
        "default_rep": default_rep,
        "reason": reason,
        **numbers,
    }


def _check_people(logic, reps, pool, default_rep, errors) -> None:
    if default_rep and logic != "single_rep":
        errors["default_rep"] = ["Only a single_rep booking can book the default rep."]
    if logic == "disqualified":
        if reps or pool is not None:
            errors["reps" if reps else "pool"] = ["A disqualified booking has no reps and no pool."]
        return
    if logic == "single_rep":
        if pool is not None:
            errors["pool"] = ["A single_rep booking takes one rep, not a pool."]
        elif default_rep and reps:
            errors["reps"] = ["Give either one rep or default_rep, not both."]
        elif not default_rep and len(reps) != 1:
            errors["reps"] = ["A single_rep booking takes exactly one rep."]
        return
    if reps and pool is not None:
        errors["pool"] = ["Give either reps or a pool, not both."]
    elif not reps and pool is None:
        errors["reps"] = ["Give a list of reps or a pool."]


def is_qualified(booking: dict | None) -> bool:
    return bool(booking) and booking.get("logic") != "disqualified"


__all__ = ["LOGICS", "BookingError", "clean", "default_booking", "is_qualified"]
