"""Workspace settings: defaults, intent overrides, auto-close, members."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions
from routing.models import Membership

from ..access import console_view
from ..forms import AddMemberByNameForm, WorkspaceSettingsForm, run_action
from ..vanished import deleted_meanwhile


def _settings(request, **_) -> str:
    return reverse("console:settings", kwargs={"ws": request.workspace.id})


def _page(request, form=None, member_form=None, status=200):
    workspace = request.workspace
    context = {
        "form": form
        or WorkspaceSettingsForm(
            initial=WorkspaceSettingsForm.initial_for(workspace), workspace=workspace
        ),
        "member_form": member_form or AddMemberByNameForm(),
        "members": Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username"),
    }
    return render(request, "console/workspace_settings.html", context, status=status)


@console_view
def workspace_settings(request):
    if request.method != "POST":
        return _page(request)
    form = WorkspaceSettingsForm(request.POST, workspace=request.workspace)
    if form.is_valid() and run_action(
        form, actions.update_workspace, request.workspace, **form.action_kwargs()
    ):
        messages.success(request, "Workspace settings saved.")
        return redirect("console:settings", ws=request.workspace.id)
    request.workspace.refresh_from_db()
    return _page(request, form=form, status=400)


@console_view
@require_POST
def member_add(request):
    form = AddMemberByNameForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["user"]
        if run_action(form, actions.add_member, request.workspace, user) is not None:
            messages.success(request, f"{user.get_username()} can now use {request.workspace}.")
            return redirect("console:settings", ws=request.workspace.id)
    return _page(request, member_form=form, status=400)


@console_view
@deleted_meanwhile(_settings)
@require_POST
def member_remove(request, membership_id):
    membership = get_object_or_404(Membership, id=membership_id, workspace=request.workspace)
    if membership.user_id == request.user.id:
        messages.error(request, "You cannot remove yourself; ask another member.")
        return redirect("console:settings", ws=request.workspace.id)
    name = membership.user.get_username()
    actions.remove_member(membership)
    messages.success(request, f"{name} no longer has access to {request.workspace}.")
    return redirect("console:settings", ws=request.workspace.id)
