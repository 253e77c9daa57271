"""Names (and link slugs) unique case-insensitively within their scope.

The database has the same rule as a UniqueConstraint on Lower(...) (migration
0004); checking here first turns a duplicate into a field error that names the
clash, and `save_unique` turns the race the check cannot see (two concurrent
creates) into the same error instead of an IntegrityError.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .errors import ActionError
from .rows import locked


def clean_name(value, field: str = "name", what: str = "It") -> str:
    """A trimmed, non-empty name."""
    if not isinstance(value, str) or not value.strip():
        raise ActionError({field: [f"{what} needs a name."]})
    return value.strip()


def check_unique(queryset, obj, field: str, value: str, message: str) -> None:
    """Refuse `value` if another row of `queryset` has it, whatever its case."""
    clash = queryset.filter(**{f"{field}__iexact": value})
    if obj is not None and obj.pk is not None:
        clash = clash.exclude(pk=obj.pk)
    if clash.exists():
        raise ActionError({field: [message]})


def save_unique(obj, errors: dict, recheck=None) -> None:
    """Save `obj`; an IntegrityError (a duplicate committed since the checks)
    becomes the precise error `recheck()` raises now, else `errors`. A row deleted
    meanwhile is its DoesNotExist (rows.py), never saved back to life."""
    try:
        with transaction.atomic():
            if not obj._state.adding:
                locked(obj)
            obj.save()
    except IntegrityError as exc:
        if recheck is not None:
            recheck()
        raise ActionError(errors) from exc
