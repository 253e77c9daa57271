"""Admin pages that write only through the actions, and show a refusal on the form.

The admin's own ModelForm save would skip what the actions check (a workspace's
intent_rules or default rep pointing at another workspace's rows, a pool member
from another workspace, a rule edit without a new version). An ActionAdmin
saves in save_model / save_related / delete_model through an action; a model
with no action is registered read-only instead (ReadOnlyAdmin).

An ActionError raised while saving rolls the whole save back (a savepoint), and
the page is rendered again from the same POST with the action's messages as
form errors (a 200 with the errors, as for any invalid form), never a 500.
A row that another request deleted while this one ran (the action's lock finds
it gone: DoesNotExist) rolls the save back the same way and sends the user to the
list with a message saying so.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.shortcuts import redirect

from routing.actions import ActionError


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {t}" if k != "detail" else t for k, v in value.items() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def plain(value):
    """A form's cleaned value as the actions take it: rows by id."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet):
        return [obj.pk for obj in value]
    return value


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers and rows only the application writes: listed and shown, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ActionAdmin(admin.ModelAdmin):
    """Subclasses implement create() and update() with an action, or name an action
    that saves the form's instance in `save_action`, and the delete action in
    `delete_action` (None: the admin cannot delete)."""

    save_action = None
    delete_action = None

    def create(self, request, form):
        raise NotImplementedError

    def update(self, request, obj, changes: dict):
        raise NotImplementedError

    def changes(self, form) -> dict:
        return {name: plain(form.cleaned_data[name]) for name in form.changed_data}

    # -- saving ------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        if self.save_action is not None:
            self.save_action(obj)
            return
        if change:
            changes = self.changes(form)
            if changes:
                self.update(request, obj, changes)
            return
        created = self.create(request, form)
        # The admin goes on with the unsaved instance of its form (inlines, log, redirect).
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.delete_action(obj)

    def has_delete_permission(self, request, obj=None):
        return self.delete_action is not None and super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # The bulk delete would delete around the action, one refusal in a batch unshown.
        found = super().get_actions(request, action_location=action_location)
        found.pop("delete_selected", None)
        return found

    # -- a refused change is a form error ------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_action_refusal", None)
        if refusal is None:
            return form

        class Refused(form):
            def clean(self):
                cleaned = super().clean()
                for field, value in refusal.errors.items():
                    self.add_error(field if field in self.fields else None, _texts(value))
                return cleaned

        return Refused

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            with transaction.atomic():  # a savepoint in changeform_view's transaction
                return super()._changeform_view(request, object_id, form_url, extra_context)
        except ActionError as exc:
            if request.method != "POST":
                raise
            request._action_refusal = exc
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ObjectDoesNotExist:
            if request.method != "POST":
                raise
            return self._vanished(request)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except ActionError as exc:
            self.message_user(request, " ".join(_texts(exc.errors)), messages.ERROR)
            opts = self.opts
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", object_id)
        except ObjectDoesNotExist:
            if request.method != "POST":
                raise
            return self._vanished(request)

    def _vanished(self, request):
        """A row the save needed was deleted meanwhile: nothing was written (the savepoint
        rolled back); say so on the list page."""
        opts = self.opts
        self.message_user(
            request,
            f"This {opts.verbose_name} was deleted meanwhile; nothing was changed.",
            messages.WARNING,
        )
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
