"""Deleted meanwhile: what a console view answers when the object it works on (or its
parent) is deleted by another tab, another user or the API after the view read it.

`console_view` runs every view through `call()`. A `Model.DoesNotExist` or an
`actions.NotFound` escaping the view (an action re-read the row under its lock and
found it gone; the action's transaction rolled back) is a 404 for a page; for a POST
of a view declared with `@deleted_meanwhile(back)` it is a redirect to
`back(request, **url_kwargs)` with "That segment was deleted meanwhile; nothing was
changed." Nothing else is caught, and each answer is logged at INFO with its
traceback, so a real missing-row bug is not silent.

A form posted after its object was deleted (a stale tab) is the view's own lookup's
404, as for an id of another workspace: the two cannot be told apart without
telling which ids exist elsewhere.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect

from routing.actions.errors import NotFound

log = logging.getLogger(__name__)

# How the flash names a model, where its verbose name is not what the console calls it.
NOUNS = {"routing.RoutingRule": "rule", "routing.KnockLink": "link", "routing.RuleDraft": "draft"}


def deleted_meanwhile(back):
    """Declare where a POST goes when its object vanished: `back(request, **url_kwargs)`,
    the URL of the nearest page still there (the rule's, else the rules list)."""

    def declare(view):
        view.deleted_meanwhile = back
        return view

    return declare


def call(view, request, *args, **kwargs):
    try:
        return view(request, *args, **kwargs)
    except (ObjectDoesNotExist, NotFound) as exc:
        log.info(
            "%s %s: %s (%s): deleted meanwhile",
            request.method,
            request.path,
            type(exc).__qualname__,
            exc,
            exc_info=True,
        )
        back = getattr(view, "deleted_meanwhile", None)
        if request.method != "POST" or back is None:
            raise Http404("It was deleted meanwhile.") from exc
        messages.error(request, _text(exc))
        return redirect(back(request, **kwargs))


def _text(exc: Exception) -> str:
    if isinstance(exc, NotFound):
        return f"{exc.text()} Nothing was changed."
    model = next((m for m in apps.get_models() if type(exc) is m.DoesNotExist), None)
    what = NOUNS.get(model._meta.label, model._meta.verbose_name) if model else "item"
    return f"That {what} was deleted meanwhile; nothing was changed."
