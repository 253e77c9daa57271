"""Cheaper per-request fields for the serializers of the chat path.

DRF builds a serializer's fields again for every instance: it deep-copies the
declared fields (a field's `__deepcopy__` calls its `__init__` again, validators
and all), and a ModelSerializer also rebuilds its model fields from `_meta`. For
POST /api/v1/chats/ (a nested body in, a ModelSerializer out) that was about a
tenth of the request's CPU (docs/benchmarks.md). `CopiedFieldsMixin` builds them
once per class into a template that is never bound, and gives each instance
shallow copies of it, which `bind` then fills in as usual.

Only for serializers whose fields keep no state of their own beyond what `bind`
sets, with no per-instance `get_fields`, and none of whose list or dict children
reads the serializer context (a ListField's child is shared with the template):
the chat path's are such.
"""

from __future__ import annotations

_templates: dict[type, dict] = {}


class CopiedFieldsMixin:
    def get_fields(self):
        cls = type(self)
        template = _templates.get(cls)
        if template is None:
            template = _templates.setdefault(cls, super().get_fields())
        return {name: _shallow(field) for name, field in template.items()}


def _shallow(field):
    """`copy.copy(field)` without the pickle protocol's detour (DRF's `Field.__new__`)."""
    new = object.__new__(type(field))
    new.__dict__.update(field.__dict__)
    return new
