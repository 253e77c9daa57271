"""The console's Slack page: the connection, the rep sync (with progress) and the
delivery log / local outbox. Every write goes through notifications.actions."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from outbox import display, runner
from outbox.models import Delivery
from routing.console.access import console_view
from routing.console.vanished import deleted_meanwhile

from . import actions
from .forms import SlackSettingsForm
from .models import SlackSettings, SlackSync
from .slack.client import token_for


def _connection(workspace) -> str:
    own = getattr(workspace, "slack_settings", None)
    if own is not None and own.bot_token:
        return "workspace"
    return "environment" if settings.SLACK_BOT_TOKEN else "local"


@console_view
def slack_page(request):
    return _page(request)


def _page(request, *, form=None, http_status=200):
    """The page; `form` is a bound form with its errors shown beside its fields."""
    workspace = request.workspace
    if form is None:
        own = SlackSettings.objects.filter(workspace=workspace).first()
        form = SlackSettingsForm(initial={"default_channel": own.default_channel if own else ""})
    status = request.GET.get("status", "")
    qs = Delivery.objects.filter(workspace=workspace).select_related("decision__lead")
    if status in dict(Delivery.STATUSES):
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), 30).get_page(request.GET.get("page"))
    # d.where for each row: "#leads", "DM U01", "CRM lead 42", "Google Calendar of Dana"
    page.object_list = display.describe(page.object_list)
    return render(
        request,
        "console/slack.html",
        {
            "form": form,
            "connection": _connection(workspace),
            "page": page,
            "status": status,
            "sync": SlackSync.objects.filter(workspace=workspace).first(),
            "failed": Delivery.objects.filter(workspace=workspace, status=Delivery.FAILED).count(),
        },
        status=http_status,
    )


@console_view
@require_POST
def slack_settings(request):
    form = SlackSettingsForm(request.POST)
    if not form.is_valid():
        # Each error beside its field (issue 14 item 10), the page answers 400, nothing saved.
        return _page(request, form=form, http_status=400)
    actions.save_slack_settings(request.workspace, **form.cleaned_data)
    messages.success(request, "Slack settings saved.")
    return redirect("console:slack", ws=request.workspace.id)


@console_view
@require_POST
def slack_sync_start(request):
    if not token_for(request.workspace):
        messages.error(request, "Connect Slack first: reps are read from its users.")
        return redirect("console:slack", ws=request.workspace.id)
    actions.start_rep_sync(request.workspace)
    return redirect("console:slack", ws=request.workspace.id)


@console_view
def slack_sync_progress(request, sync_id):
    sync = get_object_or_404(SlackSync, id=sync_id, workspace=request.workspace)
    return render(request, "console/partials/_slack_sync.html", {"sync": sync})


def _slack(request, **_) -> str:
    return reverse("console:slack", kwargs={"ws": request.workspace.id})


@console_view
@deleted_meanwhile(_slack)
@require_POST
def delivery_retry(request, delivery_id):
    delivery = get_object_or_404(Delivery, id=delivery_id, workspace=request.workspace)
    runner.retry(delivery)
    messages.success(request, "Retrying.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = f"/w/{request.workspace.id}/slack/"
    return redirect(back)
