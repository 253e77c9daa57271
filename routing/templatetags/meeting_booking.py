"""A meeting segment's booking as one readable line for the rule editor's cards."""

from django import template

from routing.actions.bookings import booking_snapshots
from routing.versions import booking_text

register = template.Library()


@register.filter
def booking_summary(segment) -> str:
    """ "Round robin · Dana, Marcus · 30 min, 120 min notice, 10 min after" (two queries).

    The wording is routing.versions.booking_text, so a version's diff says it the same way.
    """
    return booking_text(booking_snapshots([segment]).get(segment.id))
