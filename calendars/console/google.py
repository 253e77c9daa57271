"""The console's Google Calendar page: the service account (pasted, stored encrypted,
never shown back), the free/busy time-out, and "Check connection" (one live
free/busy for a chosen rep, with Google's answer or its error)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from routing.console.access import console_view
from routing.console.forms import run_action
from routing.console.json_fields import refuse_bad_strings
from routing.console.vanished import deleted_meanwhile
from routing.models import Rep

from ..actions.google import MAX_TIMEOUT, MIN_TIMEOUT, save_google_settings
from ..models import CalendarConnection, GoogleSettings


class GoogleSettingsForm(forms.Form):
    service_account = forms.CharField(
        required=False,
        label="Service-account key (JSON)",
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Paste the key file as downloaded. Leave empty to keep the current one; "
        "it is stored encrypted and never shown again.",
    )
    remove_service_account = forms.BooleanField(
        required=False, label="Remove the stored key (use GOOGLE_SERVICE_ACCOUNT_FILE)"
    )
    lookup_timeout = forms.CharField(
        required=False,
        label="Free/busy time-out (seconds)",
        help_text=f"{MIN_TIMEOUT:g} to {MAX_TIMEOUT:g}. A calendar slower than this makes its "
        "rep unavailable for that lead. Empty: CALENDAR_LOOKUP_TIMEOUT.",
    )
    freebusy_subject = forms.CharField(
        required=False,
        max_length=254,
        label="Ask free/busy as",
        help_text="A user of your Google Workspace. Empty: the first rep of each request.",
    )

    def clean_service_account(self):
        text = self.cleaned_data["service_account"]
        try:
            info = json.loads(text) if text.strip() else None
        except ValueError:
            return text  # not JSON: the action says so, beside the field
        refuse_bad_strings(info, "The key file")  # "\u0000" / "\ud800" escapes
        return text


class CheckForm(forms.Form):
    rep = forms.TypedChoiceField(coerce=int, label="Rep")

    def __init__(self, *args, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        google = set(
            CalendarConnection.objects.filter(
                rep__workspace=workspace, backend="google"
            ).values_list("rep_id", flat=True)
        )
        reps = Rep.objects.filter(workspace=workspace, is_active=True).order_by("name", "id")
        self.fields["rep"].choices = [
            (r.id, f"{r.name} ({r.email})" + ("" if r.id in google else " · not on Google"))
            for r in sorted(reps, key=lambda r: r.id not in google)
        ]


def _status(workspace, own: GoogleSettings | None) -> dict:
    if own is not None and own.service_account_encrypted:
        source, email = "workspace", own.client_email
    elif settings.GOOGLE_SERVICE_ACCOUNT_FILE:
        source, email = "environment", ""
    else:
        source, email = "none", ""
    on_google = CalendarConnection.objects.filter(rep__workspace=workspace, backend="google")
    return {
        "source": source,
        "client_email": email,
        "key_file": settings.GOOGLE_SERVICE_ACCOUNT_FILE,
        "endpoint": settings.GOOGLE_CALENDAR_API_ENDPOINT,
        "google_reps": on_google.count(),
        "failing": on_google.exclude(last_error="").select_related("rep").order_by("rep__name"),
    }


def _page(request, *, form=None, check_form=None, result=None, status=200):
    workspace = request.workspace
    own = GoogleSettings.objects.filter(workspace=workspace).first()
    if form is None:
        form = GoogleSettingsForm(
            initial={
                "lookup_timeout": "" if own is None or own.lookup_timeout is None
                else f"{own.lookup_timeout:g}",
                "freebusy_subject": own.freebusy_subject if own else "",
            }
        )  # fmt: skip
    context = {
        "form": form,
        "check_form": check_form or CheckForm(workspace=workspace),
        "result": result,
        "default_timeout": settings.CALENDAR_LOOKUP_TIMEOUT,
        **_status(workspace, own),
    }
    return render(request, "calendars/google.html", context, status=status)


@console_view
def google_page(request):
    if request.method != "POST":
        return _page(request)
    form = GoogleSettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        saved = run_action(
            form,
            save_google_settings,
            request.workspace,
            service_account=data["service_account"],
            remove_service_account=data["remove_service_account"],
            lookup_timeout=data["lookup_timeout"].strip(),
            freebusy_subject=data["freebusy_subject"],
        )
        if saved is not None:
            messages.success(request, "Google Calendar settings saved.")
            return redirect("google:settings", ws=request.workspace.id)
    # A refused key is not echoed back into the page (it may be a real secret).
    form.data = form.data.copy()
    form.data["service_account"] = ""
    return _page(request, form=form, status=400)


def _google(request, **_) -> str:
    return reverse("google:settings", kwargs={"ws": request.workspace.id})


@console_view
@deleted_meanwhile(_google)
@require_POST
def google_check(request):
    from ..backends.google import check

    check_form = CheckForm(request.POST, workspace=request.workspace)
    if not check_form.is_valid():
        return _page(request, check_form=check_form, status=400)
    rep = (
        Rep.objects.filter(workspace=request.workspace, id=check_form.cleaned_data["rep"])
        .select_related("calendar_connection")
        .get()
    )
    result = check(request.workspace, rep)
    result["rep"] = rep
    return _page(request, check_form=check_form, result=result)
