import json

from django import template
from django.utils import timezone

from routing import conditions

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
    """'14:03:27' for today (local time), 'Nov 24, 14:03' before."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M:%S")
    return f"{local:%b} {local.day}, {local:%H:%M}"
