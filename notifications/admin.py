"""Deliveries, Slack settings and events in the admin: read-only where the ledger matters."""

from django.contrib import admin

from .models import Delivery, SlackEvent, SlackSettings, SlackSync


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["id", "kind", "workspace", "backend", "status", "attempts", "created_at"]
    list_filter = ["workspace", "kind", "status", "backend"]
    search_fields = ["key", "last_error"]


@admin.register(SlackSettings)
class SlackSettingsAdmin(admin.ModelAdmin):
    list_display = ["workspace", "default_channel", "team_id"]
    fields = ["workspace", "default_channel", "team_id"]  # the token is set in the console


@admin.register(SlackEvent)
class SlackEventAdmin(ReadOnly):
    list_display = ["event_id", "team_id", "received_at", "processed_at"]
    search_fields = ["event_id"]


@admin.register(SlackSync)
class SlackSyncAdmin(ReadOnly):
    list_display = ["id", "workspace", "status", "seen", "created", "updated", "deactivated"]
    list_filter = ["workspace", "status"]
