"""Console access: a user's membership of a workspace."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from routing.models import Membership, Workspace

from .errors import ActionError


def add_member(workspace: Workspace, user) -> Membership:
    if not user.is_staff:
        raise ActionError(
            {"user": [f"{user} is not a staff user: the console only lets staff in."]}
        )
    try:
        with transaction.atomic():
            return Membership.objects.create(workspace=workspace, user=user)
    except IntegrityError as exc:
        raise ActionError({"user": [f"{user} is already a member of {workspace}."]}) from exc


def remove_member(membership: Membership) -> None:
    # An open feed socket of that user notices within FEED_RECHECK_SECONDS.
    membership.delete()
