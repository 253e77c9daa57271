"""Django admin: read-mostly views of every model. Every write goes through
routing.actions (knock/admin_actions.py): the checks the API and the console get
(rows of one workspace, versioned rules) hold here too, and a refusal is shown on
the form. Ledgers and rows only the application writes are read-only."""

from django import forms
from django.contrib import admin

from knock.admin_actions import ActionAdmin, ReadOnlyAdmin, plain

from . import actions, conditions, models
from .actions.versions import admin_author


class ScopedAdmin(ActionAdmin):
    """A workspace's row: created in the workspace chosen on the add form, which then
    stays; `action_fields` are what the create and update actions take."""

    action_fields: tuple = ()
    create_action = update_action = None

    def get_fields(self, request, obj=None):
        return ["workspace", *self.action_fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "workspace"] if obj is not None else readonly

    def create(self, request, form):
        data = {name: plain(form.cleaned_data[name]) for name in self.action_fields}
        return self.create_action(form.cleaned_data["workspace"], **data)

    def update(self, request, obj, changes):
        self.update_action(obj, **changes)


@admin.register(models.Workspace)
class WorkspaceAdmin(ActionAdmin):
    list_display = ["name", "slug", "default_rep", "default_ai_agent", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:  # the defaults (agent, rules, a token) are made by the action
            return ["name"]
        return ["name", "slug", "default_rep", "default_ai_agent", "intent_rules", "created_at"]

    def create(self, request, form):
        workspace, key = actions.create_workspace(form.cleaned_data["name"])
        self.message_user(request, f"API key of {workspace} (shown once): {key}")
        return workspace

    def update(self, request, obj, changes):
        actions.update_workspace(obj, **changes)


@admin.register(models.Membership)
class MembershipAdmin(ActionAdmin):
    list_display = ["user", "workspace"]
    list_filter = ["workspace"]
    fields = ["workspace", "user"]
    delete_action = staticmethod(actions.remove_member)

    def has_change_permission(self, request, obj=None):
        return False  # add another membership and delete this one instead

    def create(self, request, form):
        return actions.add_member(form.cleaned_data["workspace"], form.cleaned_data["user"])


@admin.register(models.ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Issued with their workspace (the key is shown once); only the hash is stored."""

    list_display = ["prefix", "name", "workspace", "created_at", "revoked_at"]
    list_filter = ["workspace"]


@admin.register(models.Rep)
class RepAdmin(ScopedAdmin):
    list_display = ["name", "email", "workspace", "timezone", "is_active", "out_of_office_until"]
    list_filter = ["workspace", "is_active", "timezone"]
    search_fields = ["name", "email", "slack_user_id"]
    action_fields = actions.people.REP_FIELDS
    create_action = staticmethod(actions.create_rep)
    update_action = staticmethod(actions.update_rep)
    delete_action = staticmethod(actions.delete_rep)


@admin.register(models.AIAgent)
class AIAgentAdmin(ScopedAdmin):
    list_display = ["name", "specialty", "workspace", "is_active"]
    list_filter = ["workspace", "specialty"]
    action_fields = actions.people.AGENT_FIELDS
    create_action = staticmethod(actions.create_ai_agent)
    update_action = staticmethod(actions.update_ai_agent)
    delete_action = staticmethod(actions.delete_ai_agent)


class PoolMemberInline(admin.TabularInline):
    """Saved by PoolAdmin.save_related through actions.update_pool(members=...)."""

    model = models.PoolMember
    extra = 0
    fields = ["rep", "weight", "is_paused", "current_weight", "assigned_count", "last_assigned_at"]
    readonly_fields = ["current_weight", "assigned_count", "last_assigned_at"]


@admin.register(models.Pool)
class PoolAdmin(ScopedAdmin):
    list_display = ["name", "strategy", "workspace"]
    list_filter = ["workspace", "strategy"]
    inlines = [PoolMemberInline]
    action_fields = actions.people.POOL_FIELDS
    create_action = staticmethod(actions.create_pool)
    update_action = staticmethod(actions.update_pool)
    delete_action = staticmethod(actions.delete_pool)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            # The change message reads these; the action saves instead of the formset.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is not models.PoolMember or not formset.has_changed():
                continue
            members = [
                {"rep": row.cleaned_data["rep"].pk, "weight": row.cleaned_data["weight"],
                 "is_paused": row.cleaned_data["is_paused"]}
                for row in formset.forms
                if row.cleaned_data and not row.cleaned_data.get("DELETE")
                and row.cleaned_data.get("rep") is not None
            ]  # fmt: skip
            pool = models.Pool.objects.get(pk=form.instance.pk)
            actions.update_pool(pool, members=members)


@admin.register(models.KnockLink)
class KnockLinkAdmin(ScopedAdmin):
    list_display = ["name", "slug", "channel", "chat_rule", "meeting_rule", "is_active"]
    list_filter = ["workspace", "is_active"]
    search_fields = ["name", "slug", "channel"]
    action_fields = actions.links.LINK_FIELDS
    create_action = staticmethod(actions.create_link)
    update_action = staticmethod(actions.update_link)
    delete_action = staticmethod(actions.delete_link)


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
class RoutingRuleAdmin(ActionAdmin):
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
            actions.update_rule(obj, **changes, author=admin_author(request.user))

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
        actions.reorder_segments(form.instance, ids, author=admin_author(request.user))
        return None


@admin.register(models.Lead)
class LeadAdmin(ReadOnlyAdmin):
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
class PoolMemberAdmin(ReadOnlyAdmin):
    """Read-only: members are edited on their pool (actions.update_pool)."""

    list_display = ["rep", "pool", "weight", "is_paused", "assigned_count", "last_assigned_at"]
    list_filter = ["pool__workspace", "pool", "is_paused"]
    search_fields = ["rep__name", "pool__name"]
    readonly_fields = ["current_weight", "assigned_count", "last_assigned_at"]


@admin.register(models.RuleVersion)
class RuleVersionAdmin(ReadOnlyAdmin):
    list_display = ["rule", "version", "created_at", "author", "summary"]
    list_filter = ["rule__workspace"]
    search_fields = ["rule__name"]


@admin.register(models.IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "workspace", "status_code", "created_at"]
    list_filter = ["workspace"]
    search_fields = ["key"]
