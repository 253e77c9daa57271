"""Django admin: read-mostly views of every model. Writes that must keep the
rule versioned (segments, rules) are made in the console or the API, which go
through routing.actions; here they are read-only to avoid a second write path."""

from django.contrib import admin

from . import models


@admin.register(models.Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_rep", "default_ai_agent", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace"]
    list_filter = ["workspace"]


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "workspace", "created_at", "revoked_at"]
    list_filter = ["workspace"]
    readonly_fields = ["key_hash", "prefix"]


@admin.register(models.Rep)
class RepAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "workspace", "timezone", "is_active", "out_of_office_until"]
    list_filter = ["workspace", "is_active", "timezone"]
    search_fields = ["name", "email", "slack_user_id"]


@admin.register(models.AIAgent)
class AIAgentAdmin(admin.ModelAdmin):
    list_display = ["name", "specialty", "workspace", "is_active"]
    list_filter = ["workspace", "specialty"]


class PoolMemberInline(admin.TabularInline):
    model = models.PoolMember
    extra = 0
    readonly_fields = ["current_weight", "assigned_count", "last_assigned_at"]


@admin.register(models.Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["name", "strategy", "workspace"]
    list_filter = ["workspace", "strategy"]
    inlines = [PoolMemberInline]


@admin.register(models.KnockLink)
class KnockLinkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "channel", "chat_rule", "meeting_rule", "is_active"]
    list_filter = ["workspace", "is_active"]
    search_fields = ["name", "slug", "channel"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SegmentInline(admin.TabularInline):
    model = models.Segment
    fields = ["order", "name", "assignee_type", "is_fallback", "conditions"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "workspace", "is_default", "version", "updated_at"]
    list_filter = ["workspace", "kind"]
    search_fields = ["name"]
    inlines = [SegmentInline]


@admin.register(models.Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "workspace", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["email", "name"]


@admin.register(models.Chat)
class ChatAdmin(ReadOnlyAdmin):
    list_display = ["id", "lead", "link", "rep_owner", "ai_owner", "status", "created_at"]
    list_filter = ["workspace", "status"]
    search_fields = ["lead__email"]


@admin.register(models.Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "lead", "rule_name", "segment_name", "assignee_name", "created_at"]
    list_filter = ["workspace", "kind", "via"]
    search_fields = ["lead__email", "assignee_name"]
