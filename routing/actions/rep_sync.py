"""Reps from a directory (Slack's users.list today): create, update, deactivate by an
external user id, in bulk. notifications/slack/sync.py pages Slack and calls these;
the Rep rows are routing's, so their writes live here."""

from __future__ import annotations

from django.db import transaction

from routing import cache
from routing.models import Rep, Workspace

SYNCED_FIELDS = ["name", "email", "timezone", "slack_user_id", "is_active"]


@transaction.atomic
def upsert_synced_reps(workspace: Workspace, wanted: dict[str, dict]) -> tuple[int, int]:
    """{slack user id: {"name", "email", "timezone"}} -> (created, updated).

    A rep is found by its Slack id, else by its email (then it gets the id);
    a found rep is reactivated. Unchanged reps are not written. Three queries
    and two bulk writes, whatever the page size.
    """
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
    Rep.objects.bulk_update(to_update, SYNCED_FIELDS, batch_size=500)
    if to_create or to_update:
        cache.touch(workspace)
    return len(to_create), len(to_update)


def deactivate_unsynced_reps(workspace: Workspace, seen_slack_ids: set[str]) -> int:
    """Active reps with a Slack id the directory no longer lists are deactivated."""
    # Compared in Python: a NOT IN over every Slack id would pass SQLite's parameter limit.
    active = Rep.objects.filter(workspace=workspace, is_active=True).exclude(slack_user_id="")
    gone = [
        pk for pk, sid in active.values_list("id", "slack_user_id") if sid not in seen_slack_ids
    ]
    deactivated = 0
    for start in range(0, len(gone), 500):
        deactivated += Rep.objects.filter(id__in=gone[start : start + 500]).update(is_active=False)
    if deactivated:
        cache.touch(workspace)
    return deactivated
