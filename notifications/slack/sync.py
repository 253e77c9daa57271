"""Reps come from Slack (SPEC 2): users.list, skipping bots, deleted users and guests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from routing.availability import valid_timezone
from routing.models import Rep

from .client import classify, client_for

PAGE_SIZE = 200  # Slack's recommended page size for users.list


@dataclass
class SyncResult:
    seen: int = 0
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    skipped: dict = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def skip_reason(user: dict) -> str | None:
    if user.get("id") == "USLACKBOT" or user.get("is_bot") or user.get("is_app_user"):
        return "bots"
    if user.get("deleted"):
        return "deleted"
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return "guests"
    if not (user.get("profile") or {}).get("email"):
        return "no email"
    return None


def rep_fields(user: dict) -> dict:
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or profile.get("display_name")
    tz = user.get("tz") or "UTC"
    return {
        "name": (name or user.get("name") or user["id"])[:200],
        "email": profile["email"].strip().lower(),
        "timezone": tz if valid_timezone(tz) else "UTC",
    }


def sync_users(
    workspace, *, client=None, progress: Callable[[SyncResult], None] | None = None
) -> SyncResult:
    """Create, update and deactivate reps by Slack user id. Safe to run again."""
    client = client or client_for(
        workspace, timeout=30, rate_limit_retries=20, max_rate_limit_wait=None
    )
    result = SyncResult()
    seen_ids: set[str] = set()
    cursor = None
    while True:
        try:
            page = client.users_list(limit=PAGE_SIZE, cursor=cursor)
        except Exception as exc:
            raise classify(exc) from exc
        _apply_page(workspace, page.get("members") or [], result, seen_ids)
        if progress:
            progress(result)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    # Compared in Python: a NOT IN over every Slack id would pass SQLite's parameter limit.
    active = Rep.objects.filter(workspace=workspace, is_active=True).exclude(slack_user_id="")
    gone = [pk for pk, sid in active.values_list("id", "slack_user_id") if sid not in seen_ids]
    for start in range(0, len(gone), 500):
        result.deactivated += Rep.objects.filter(id__in=gone[start : start + 500]).update(
            is_active=False
        )
    if progress:
        progress(result)
    return result


@transaction.atomic
def _apply_page(workspace, members: list[dict], result: SyncResult, seen_ids: set[str]) -> None:
    wanted = {}
    for user in members:
        result.seen += 1
        why = skip_reason(user)
        if why:
            result.skip(why)
            continue
        wanted[user["id"]] = rep_fields(user)
    seen_ids.update(wanted)
    by_slack = {
        r.slack_user_id: r
        for r in Rep.objects.filter(workspace=workspace, slack_user_id__in=list(wanted))
    }
    emails = [f["email"] for sid, f in wanted.items() if sid not in by_slack]
    by_email = {r.email: r for r in Rep.objects.filter(workspace=workspace, email__in=emails)}
    to_create, to_update = [], []
    for slack_id, fields in wanted.items():
        rep = by_slack.get(slack_id) or by_email.get(fields["email"])
        if rep is None:
            to_create.append(Rep(workspace=workspace, slack_user_id=slack_id, **fields))
            continue
        new = {**fields, "slack_user_id": slack_id, "is_active": True}
        if any(getattr(rep, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(rep, k, v)
            to_update.append(rep)
    Rep.objects.bulk_create(to_create)
    Rep.objects.bulk_update(
        to_update, ["name", "email", "timezone", "slack_user_id", "is_active"], batch_size=500
    )
    result.created += len(to_create)
    result.updated += len(to_update)
