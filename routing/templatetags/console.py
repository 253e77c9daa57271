import json

from django import template
from django.utils import timezone

from routing import conditions
from routing.timezones import local_or_utc

register = template.Library()


@register.filter
def explanation_rows(node, indent=12):
    """Flatten an explain() tree into table rows: groups as headers, leaves with values."""
    rows: list[dict] = []

    def walk(n, depth):
        if not isinstance(n, dict):
            return
        pad = 12 + depth * 18
        if "group" in n:
            children = n.get("children", [])
            if n["group"] == "all" and not children:
                rows.append(
                    {"text": "No conditions (every lead)", "group": True, "result": True,
                     "indent": pad}
                )  # fmt: skip
                return
            label = {"all": "ALL of", "any": "ANY of", "not": "NOT"}[n["group"]]
            if depth or n["group"] != "all":
                rows.append({"text": label, "group": True, "result": n["result"], "indent": pad})
                depth += 1
            for child in children:
                walk(child, depth)
            return
        actual = n.get("actual")
        rows.append(
            {
                "text": conditions.describe_explained_leaf(n),
                "missing": n.get("missing"),
                "actual": actual if isinstance(actual, str) else json.dumps(actual),
                "result": n["result"],
                "indent": pad,
                "group": False,
            }
        )

    walk(node, 0)
    return rows


@register.filter
def when(value):
    """A time in the viewer's zone (the active one: routing.console.access), with the zone,
    and the date when it is not today: '14:03:27 CET', 'Nov 24, 14:03 CET',
    'Nov 24, 2025, 14:03 CET' (issue 14 item 9)."""
    if value is None:
        return ""
    local = local_or_utc(value)  # UTC for an instant the zone cannot show (year 1, 9999)
    today = timezone.localdate()
    zone = local.strftime("%Z")
    if local.date() == today:
        return f"{local:%H:%M:%S} {zone}"
    if local.year == today.year:
        return f"{local:%b} {local.day}, {local:%H:%M} {zone}"
    return f"{local:%b} {local.day}, {local.year}, {local:%H:%M} {zone}"


@register.filter
def when_full(value):
    """The full instant for a title: '2026-12-01 14:03:27 Europe/Berlin (UTC+01:00)'."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    offset = local.strftime("%z")
    return (
        f"{local:%Y-%m-%d %H:%M:%S} {timezone.get_current_timezone_name()}"
        f" (UTC{offset[:3]}:{offset[3:]})"
    )
