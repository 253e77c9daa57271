"""SLACK_BOT_TOKEN belongs to one workspace: other tenants never post into that Slack."""

import pytest

from notifications.slack.client import token_for
from routing import actions

pytestmark = pytest.mark.django_db


def test_the_environment_token_is_the_oldest_workspaces_only(settings, workspace):
    settings.SLACK_BOT_TOKEN = "xoxb-env"
    other, _ = actions.create_workspace("Globex")
    assert token_for(workspace) == "xoxb-env"
    assert token_for(other) == ""


def test_slack_workspace_names_the_owner_of_the_environment_token(settings, workspace):
    settings.SLACK_BOT_TOKEN = "xoxb-env"
    other, _ = actions.create_workspace("Globex")
    settings.SLACK_WORKSPACE = other.slug
    assert token_for(other) == "xoxb-env"
    assert token_for(workspace) == ""


def test_a_workspace_token_wins(settings, workspace):
    from notifications.models import SlackSettings

    settings.SLACK_BOT_TOKEN = "xoxb-env"
    own = SlackSettings(workspace=workspace)
    own.bot_token = "xoxb-own"
    own.save()
    workspace.refresh_from_db()
    assert token_for(workspace) == "xoxb-own"
    assert "xoxb-own" not in SlackSettings.objects.values_list("bot_token_encrypted", flat=True)[0]


def test_requeue_deliveries_command(workspace):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from outbox.models import Delivery

    stuck = Delivery.objects.create(
        workspace=workspace, kind="slack.alert", key="k1", backend="slack",
        target={"channel": "#x"}, payload={"text": "hi"}, status=Delivery.RUNNING,
    )  # fmt: skip
    Delivery.objects.filter(id=stuck.id).update(updated_at=timezone.now() - timedelta(minutes=6))
    out = io.StringIO()
    call_command("requeue_deliveries", stdout=out)
    assert "1 stuck deliveries re-queued." in out.getvalue()
    assert Delivery.objects.get(id=stuck.id).status == Delivery.PENDING
