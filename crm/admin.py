"""The CRM models in the admin: every save goes through crm.actions."""

from django.contrib import admin

from knock.admin_actions import ActionAdmin

from . import actions
from .forms import CrmSettingsForm
from .models import CrmSettings, CrmUserMapping, LocalAccount, LocalContact, LocalOpportunity


@admin.register(CrmSettings)
class CrmSettingsAdmin(ActionAdmin):
    form = CrmSettingsForm
    save_action = staticmethod(actions.save_settings)
    delete_action = staticmethod(actions.delete_record)
    list_display = [
        "workspace",
        "backend",
        "credentials_source",
        "has_stored_credentials",
        "lookup_timeout",
        "updated_at",
    ]
    list_filter = ["backend", "credentials_source"]
    search_fields = ["workspace__name", "workspace__slug"]
    readonly_fields = ["stored_credential_keys", "updated_at"]
    fieldsets = [
        (None, {"fields": ["workspace", "backend", "lookup_timeout"]}),
        (
            "Credentials",
            {
                "fields": [
                    "credentials_source",
                    "stored_credential_keys",
                    "salesforce_username",
                    "salesforce_password",
                    "salesforce_security_token",
                    "salesforce_domain",
                    "salesforce_instance_url",
                    "salesforce_session_id",
                    "hubspot_access_token",
                    "clear_credentials",
                ]
            },
        ),
        (
            "Field names (blank: the backend's default)",
            {
                "fields": [
                    "rep_owner_field",
                    "responding_rep_field",
                    "response_time_field",
                    "meeting_owner_field",
                    "meeting_status_field",
                    "write_to_accounts",
                ]
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    @admin.display(boolean=True, description="stored credentials")
    def has_stored_credentials(self, obj):
        return obj.has_stored_credentials

    @admin.display(description="stored credentials")
    def stored_credential_keys(self, obj):
        if not obj.has_stored_credentials:
            return "none"
        try:
            return ", ".join(sorted(obj.credentials)) + " (values hidden)"
        except Exception as exc:  # undecryptable: say so instead of failing the page
            return str(exc)


@admin.register(CrmUserMapping)
class CrmUserMappingAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_user_mapping)
    delete_action = staticmethod(actions.delete_record)
    list_display = ["email", "crm_user_id", "rep", "workspace", "updated_at"]
    list_filter = ["workspace", ("rep", admin.EmptyFieldListFilter)]
    search_fields = ["email", "crm_user_id", "rep__name", "rep__email"]
    autocomplete_fields = ["rep"]
    list_select_related = ["rep", "workspace"]


class LocalOpportunityInline(admin.TabularInline):
    model = LocalOpportunity
    extra = 0
    fields = ["name", "stage", "is_closed", "is_won", "owner_email", "amount"]


@admin.register(LocalAccount)
class LocalAccountAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_local_record)
    delete_action = staticmethod(actions.delete_record)
    list_display = ["name", "domain", "owner_email", "lifecycle_stage", "status", "workspace"]
    list_filter = ["workspace", "lifecycle_stage", "status"]
    search_fields = ["name", "domain", "owner_email"]
    inlines = [LocalOpportunityInline]
    list_select_related = ["workspace"]

    def save_formset(self, request, form, formset, change):
        # Opportunities added inline belong to the account's workspace.
        for obj in formset.save(commit=False):
            obj.workspace_id = form.instance.workspace_id
            actions.save_local_record(obj)
        for obj in formset.deleted_objects:
            actions.delete_record(obj)


@admin.register(LocalContact)
class LocalContactAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_local_record)
    delete_action = staticmethod(actions.delete_record)
    list_display = [
        "email",
        "name",
        "account",
        "owner_email",
        "lifecycle_stage",
        "status",
        "workspace",
    ]
    list_filter = ["workspace", "lifecycle_stage", "status"]
    search_fields = ["email", "first_name", "last_name", "company", "owner_email"]
    autocomplete_fields = ["account"]
    list_select_related = ["account", "workspace"]


@admin.register(LocalOpportunity)
class LocalOpportunityAdmin(ActionAdmin):
    save_action = staticmethod(actions.save_local_record)
    delete_action = staticmethod(actions.delete_record)
    list_display = ["name", "account", "stage", "is_closed", "is_won", "amount", "owner_email"]
    list_filter = ["workspace", "is_closed", "is_won", "stage"]
    search_fields = ["name", "account__name", "account__domain", "owner_email"]
    autocomplete_fields = ["account"]
    list_select_related = ["account"]
