"""Deliveries in the admin: read-only. The ledger is written by the application only."""

from django.contrib import admin

from knock.admin_actions import ReadOnlyAdmin

from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "workspace", "backend", "status", "attempts", "created_at"]
    list_filter = ["workspace", "kind", "status", "backend"]
    search_fields = ["key", "last_error"]
