"""Chats: the open and closed list, one chat's page, close / reopen / reassign."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing import actions
from routing.actions.lifecycle import last_activity
from routing.models import Chat, Decision

from ..access import console_view
from ..forms import ReassignForm, run_action
from ..vanished import deleted_meanwhile

STATUSES = {"open": "Open", "closed": "Closed", "all": "All"}


def who(request) -> str:
    """How a trace and the chat name a console user."""
    return f"{request.user.get_username()} (console)"


def _chat_or_chats(request, chat_id, **_) -> str:
    """Where a POST whose object vanished goes: the chat's page, else the chat list."""
    ws = request.workspace.id
    if Chat.objects.filter(id=chat_id, workspace_id=ws).exists():
        return reverse("console:chat", kwargs={"ws": ws, "chat_id": chat_id})
    return reverse("console:chats", kwargs={"ws": ws})


def _chats(workspace):
    return Chat.objects.filter(workspace=workspace).select_related(
        "lead", "link", "rep_owner", "ai_owner", "responding_rep", "decision"
    )


@console_view
def chat_list(request):
    status = request.GET.get("status", "open")
    if status not in STATUSES:
        status = "open"
    qs = _chats(request.workspace).annotate(activity=last_activity())
    if status != "all":
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "console/chats.html",
        {"page": page, "status": status, "statuses": STATUSES},
    )


def _render_detail(request, chat, form=None, status=200):
    chat = (
        _chats(request.workspace)
        .annotate(activity=last_activity())
        .prefetch_related(
            Prefetch(
                "reassignments",
                queryset=Decision.objects.select_related("rep").order_by("created_at", "id"),
            )
        )
        .get(pk=chat.pk)
    )
    decision = getattr(chat, "decision", None)
    context = {
        "chat": chat,
        "decision": decision,
        "reassignments": list(chat.reassignments.all()),
        "form": form or ReassignForm(chat=chat),
        "auto_close_hours": request.workspace.auto_close_hours,
    }
    return render(request, "console/chat_detail.html", context, status=status)


@console_view
def chat_detail(request, chat_id):
    chat = get_object_or_404(Chat, id=chat_id, workspace=request.workspace)
    return _render_detail(request, chat)


@console_view
@deleted_meanwhile(_chat_or_chats)
@require_POST
def chat_close(request, chat_id):
    chat = get_object_or_404(Chat, id=chat_id, workspace=request.workspace)
    _, changed = actions.close_chat(chat, by=who(request))
    messages.success(request, "Chat closed." if changed else "The chat was already closed.")
    return redirect("console:chat", ws=request.workspace.id, chat_id=chat.id)


@console_view
@deleted_meanwhile(_chat_or_chats)
@require_POST
def chat_reopen(request, chat_id):
    chat = get_object_or_404(Chat, id=chat_id, workspace=request.workspace)
    _, changed = actions.reopen_chat(chat, by=who(request))
    messages.success(request, "Chat reopened." if changed else "The chat was already open.")
    return redirect("console:chat", ws=request.workspace.id, chat_id=chat.id)


@console_view
@deleted_meanwhile(_chat_or_chats)
@require_POST
def chat_reassign(request, chat_id):
    chat = get_object_or_404(Chat, id=chat_id, workspace=request.workspace)
    form = ReassignForm(request.POST, chat=chat)
    if form.is_valid():
        done = run_action(
            form,
            actions.reassign_chat,
            chat,
            form.cleaned_data["rep"],
            by=who(request),
            reason=form.cleaned_data.get("reason", ""),
        )
        if done is not None:
            messages.success(request, f"Reassigned to {form.cleaned_data['rep'].name}.")
            return redirect("console:chat", ws=request.workspace.id, chat_id=chat.id)
    return _render_detail(request, chat, form=form, status=400)
