"""A row read again under its lock, inside the caller's transaction: `Model.DoesNotExist`
if it was deleted meanwhile (by another request, the API, the admin), and it stays
there until the caller commits. So a save never re-creates a deleted row and a
foreign key to it never fails at commit; the console answers the DoesNotExist with
"deleted meanwhile" (routing/console/vanished.py), the API with a 404."""

from __future__ import annotations

from django.db.models import Model


def locked(obj: Model) -> Model:
    """`obj`'s row, locked (FOR NO KEY UPDATE: it blocks a delete, not a foreign key to it)."""
    return type(obj)._default_manager.select_for_update(no_key=True).get(pk=obj.pk)


def locked_ids(model: type[Model], ids) -> dict:
    """{id: row} of the rows of `ids` that still exist, locked in id order."""
    rows = model._default_manager.select_for_update(no_key=True).filter(id__in=sorted(set(ids)))
    return {row.id: row for row in rows.order_by("id")}
