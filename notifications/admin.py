"""Slack settings and events in the admin: read-only. The ledgers are written by the
application only; Slack settings (and the bot token) are edited on the console's
Slack page. Deliveries are outbox/admin.py."""

from django.contrib import admin

from knock.admin_actions import ReadOnlyAdmin

from .models import SlackEvent, SlackInteraction, SlackSettings, SlackSync


@admin.register(SlackSettings)
class SlackSettingsAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "default_channel", "team_id"]
    fields = ["workspace", "default_channel", "team_id"]  # never the token


@admin.register(SlackEvent)
class SlackEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "team_id", "received_at", "processed_at"]
    search_fields = ["event_id"]


@admin.register(SlackInteraction)
class SlackInteractionAdmin(ReadOnlyAdmin):
    list_display = ["key", "action_id", "received_at"]
    search_fields = ["key"]


@admin.register(SlackSync)
class SlackSyncAdmin(ReadOnlyAdmin):
    list_display = ["id", "workspace", "status", "seen", "created", "updated", "deactivated"]
    list_filter = ["workspace", "status"]
