"""A workspace's Google Calendar settings (the console's Google page goes through here)."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from routing.actions.errors import ActionError

from ..models import GoogleSettings

MIN_TIMEOUT, MAX_TIMEOUT = 0.2, 30.0


def _timeout(value) -> float | None:
    if value in (None, ""):
        return None  # CALENDAR_LOOKUP_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:  # NaN fails both comparisons
        raise ActionError(
            {"lookup_timeout": [f"Enter seconds between {MIN_TIMEOUT:g} and {MAX_TIMEOUT:g}."]}
        )
    return seconds


@transaction.atomic
def save_google_settings(
    workspace,
    *,
    service_account: str = "",
    remove_service_account: bool = False,
    lookup_timeout=None,
    freebusy_subject: str = "",
) -> GoogleSettings:
    """Validate everything first (a bad value writes nothing), then save.

    `service_account`: a pasted key file (JSON), replacing the stored one; empty
    keeps it. It is stored encrypted (knock/crypto.py) and never shown back.
    """
    from ..google_client import InvalidServiceAccount, parse_service_account

    errors: dict[str, list[str]] = {}
    info = None
    text = (service_account or "").strip()
    if text and remove_service_account:
        errors["service_account"] = ["Paste a key or remove the current one, not both."]
    elif text:
        try:
            info = parse_service_account(text)
        except InvalidServiceAccount as exc:
            errors["service_account"] = [str(exc)]
    try:
        seconds = _timeout(lookup_timeout)
    except ActionError as exc:
        errors.update(exc.errors)
    subject = (freebusy_subject or "").strip()
    if subject:
        try:
            validate_email(subject)
        except ValidationError:
            errors["freebusy_subject"] = ["Enter an email address of your Google Workspace."]
    if errors:
        raise ActionError(errors)
    row, _ = GoogleSettings.objects.select_for_update().get_or_create(workspace=workspace)
    if info is not None:
        row.service_account = text
        row.client_email = info["client_email"][:254]
    elif remove_service_account:
        row.service_account, row.client_email = "", ""
    row.lookup_timeout = seconds
    row.freebusy_subject = subject
    row.save()
    return row
