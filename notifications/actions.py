"""Every write of the notifications slice (the console and the admin call these)."""

from __future__ import annotations

from django.db import transaction

from routing import cache
from routing.models import Workspace

from .models import SlackSettings, SlackSync
from .slack.tasks import run_sync


@transaction.atomic
def save_slack_settings(
    workspace: Workspace, *, bot_token: str = "", default_channel: str = "", disconnect=False
) -> SlackSettings:
    """A blank token keeps the stored one; `disconnect` clears it (the local outbox)."""
    own, _ = SlackSettings.objects.get_or_create(workspace=workspace)
    if disconnect:
        own.bot_token = ""
    elif bot_token:
        own.bot_token = bot_token
    own.default_channel = default_channel.strip()
    own.save()
    cache.touch(workspace.pk)  # routing caches the settings (routing/cache.py)
    return own


@transaction.atomic
def start_rep_sync(workspace: Workspace) -> SlackSync:
    """Start a rep sync from Slack, unless one is running (then that one)."""
    running = SlackSync.objects.filter(workspace=workspace, status=SlackSync.RUNNING).first()
    if running is not None:
        return running
    sync = SlackSync.objects.create(workspace=workspace)
    run_sync.enqueue(sync.id)
    return sync
