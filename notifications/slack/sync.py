"""Reps come from Slack (SPEC 2): users.list, skipping bots, deleted users and guests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from routing import actions
from routing.availability import valid_timezone

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
    result.deactivated += actions.deactivate_unsynced_reps(workspace, seen_ids)
    if progress:
        progress(result)
    return result


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
    created, updated = actions.upsert_synced_reps(workspace, wanted)
    result.created += created
    result.updated += updated
