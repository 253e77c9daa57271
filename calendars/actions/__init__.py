"""Every write of the meeting funnel goes through here (API, console, commands, tests)."""

from .availability import offer, simulate
from .booking import AlreadyBooked, Conflict, book
from .calendars import add_busy, delete_busy, set_calendar
from .meetings import cancel, no_show, reschedule
from .planning import Offer

__all__ = [
    "AlreadyBooked",
    "Conflict",
    "Offer",
    "add_busy",
    "book",
    "cancel",
    "delete_busy",
    "no_show",
    "offer",
    "reschedule",
    "set_calendar",
    "simulate",
]
