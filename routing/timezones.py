"""The zone the console shows times in (issue 14 item 9).

A viewer's own zone (ConsoleProfile.time_zone) wins; without one, the workspace's
(Workspace.time_zone); a name that is not an IANA zone (a row written before the
check, a zone removed from tzdata) falls back to settings.TIME_ZONE rather than
failing the page.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

ZONES = sorted(zoneinfo.available_timezones() - {"localtime"})


def is_zone(name: str) -> bool:
    return name in _zone_set()


@lru_cache(maxsize=1)
def _zone_set() -> frozenset:
    return frozenset(ZONES)


def viewer_zone_name(profile_zone: str, workspace_zone: str) -> str:
    for name in (profile_zone, workspace_zone):
        if name and is_zone(name):
            return name
    return settings.TIME_ZONE


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_or_utc(value: datetime) -> datetime:
    """`value` in the active zone, or in UTC when that zone cannot show it: within hours of
    year 1 or 9999 its local date may not exist (9999-12-31 23:59 UTC in Asia/Tokyo). For
    rows stored before such values were refused: they must not fail the page."""
    try:
        return timezone.localtime(value)
    except OverflowError:
        return value.astimezone(UTC)


def wall_time(value: datetime | None) -> datetime | None:
    """What a datetime-local input shows for `value`: the viewer's wall time (naive), or
    UTC's for a time their zone cannot show (local_or_utc)."""
    return local_or_utc(value).replace(tzinfo=None) if value is not None else None
