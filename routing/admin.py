"""Django admin: read-mostly views of every model. Writes that must keep the
rule versioned (segments, rules) go through routing.actions here too: rule
settings and segment order are editable, nothing changes over GET."""

from django import forms
from django.contrib import admin

from . import actions, conditions, models


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


class SegmentPositionForm(forms.ModelForm):
    position = forms.IntegerField(min_value=0, help_text="Lower goes first.")

    class Meta:
        model = models.Segment
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["position"].initial = self.instance.order
        if self.instance.is_fallback:
            self.fields["position"].disabled = True


class SegmentInline(admin.TabularInline):
    """Segments in order; only the position is editable, and saving reorders
    through routing.actions (one new rule version, the fallback kept last)."""

    model = models.Segment
    form = SegmentPositionForm
    fields = ["position", "name", "summary", "assignee_type", "is_fallback"]
    readonly_fields = ["name", "summary", "assignee_type", "is_fallback"]
    extra = 0
    can_delete = False
    ordering = ["order"]

    @admin.display(description="Conditions")
    def summary(self, obj):
        return conditions.describe(obj.conditions)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "workspace", "is_default", "version", "updated_at"]
    list_filter = ["workspace", "kind", "is_default"]
    search_fields = ["name", "monitoring_channel"]
    fields = [
        "workspace", "name", "kind", "is_default", "monitoring_channel", "crm_owner_first",
        "notify_crm_owner", "version",
    ]  # fmt: skip
    readonly_fields = ["workspace", "kind", "is_default", "version"]
    inlines = [SegmentInline]

    def has_add_permission(self, request):
        return False  # rules are created in the console or the API (with their fallback)

    def has_delete_permission(self, request, obj=None):
        return False  # deleting checks links and defaults: use the console or the API

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            actions.update_rule(obj, **changes)

    def save_formset(self, request, form, formset, change):
        if formset.model is not models.Segment:
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these; we save through the action instead.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        rows = [f for f in formset.forms if f.instance.pk and not f.instance.is_fallback]
        if not any("position" in f.changed_data for f in rows):
            return None
        ids = [
            f.instance.pk
            for f in sorted(rows, key=lambda f: (f.cleaned_data["position"], f.instance.order))
        ]
        actions.reorder_segments(form.instance, ids)
        return None


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


@admin.register(models.Segment)
class SegmentAdmin(ReadOnlyAdmin):
    """Read-only: edit segments in the console (or reorder them on their rule here)."""

    list_display = ["name", "rule", "order", "assignee_type", "is_fallback", "updated_at"]
    list_filter = ["rule__workspace", "assignee_type", "is_fallback"]
    search_fields = ["name", "rule__name"]


@admin.register(models.PoolMember)
class PoolMemberAdmin(admin.ModelAdmin):
    list_display = ["rep", "pool", "weight", "is_paused", "assigned_count", "last_assigned_at"]
    list_filter = ["pool__workspace", "pool", "is_paused"]
    search_fields = ["rep__name", "pool__name"]
    readonly_fields = ["current_weight", "assigned_count", "last_assigned_at"]


@admin.register(models.RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ["rule", "version", "created_at"]
    list_filter = ["rule__workspace"]
    search_fields = ["rule__name"]


@admin.register(models.IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "workspace", "status_code", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["key"]
