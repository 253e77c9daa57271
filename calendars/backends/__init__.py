"""The calendar backend registry (like crm's): an unknown name is an error,
never a silent default."""

from __future__ import annotations

from django.utils.module_loading import import_string

from .base import CalendarBackend, CalendarError, CalendarRef

# name -> dotted path; imported on first use (a vendor SDK loads only when used).
BACKENDS: dict[str, str] = {
    "none": "calendars.backends.none.NoCalendar",
    "local": "calendars.backends.local.LocalCalendar",
    "google": "calendars.backends.google.GoogleCalendar",
}


class UnknownBackend(CalendarError):
    def __init__(self, name):
        known = ", ".join(sorted(BACKENDS))
        super().__init__(
            f"unknown calendar backend {name!r} (known: {known})",
            permanent=True,
            code="unknown_backend",
        )


def get_backend(name: str) -> CalendarBackend:
    if not isinstance(name, str) or name not in BACKENDS:
        raise UnknownBackend(name)
    return import_string(BACKENDS[name])()


__all__ = [
    "BACKENDS",
    "CalendarBackend",
    "CalendarError",
    "CalendarRef",
    "UnknownBackend",
    "get_backend",
]
