"""Slack's Events API and interactivity endpoints.

Both answer within Slack's 3 seconds: they verify, record and enqueue; the
work runs in tasks. Retries of an event (X-Slack-Retry-Num) are recognised
by event id and dropped, replays of an interaction by a key per click. A signed
request that is not shaped like Slack's is a 400, never a 500.
"""

import functools
import hashlib
import json
import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from routing.api.parsers import find_bad_string

from ..models import SlackEvent, SlackInteraction
from . import tasks
from .messages import CLOSE_ACTION, JOIN_ACTION
from .verify import signature_problem

logger = logging.getLogger(__name__)


def _refuse(request, why: str) -> HttpResponse:
    logger.warning(
        "slack: refused %s from %s: %s", request.path, request.META.get("REMOTE_ADDR"), why
    )
    return JsonResponse({"error": why}, status=401 if "signature" in why else 403)


def _bounded_body(view):
    """An oversize body (over DATA_UPLOAD_MAX_MEMORY_SIZE) or too many form fields is a
    JSON 400 here, not Django's SuspiciousOperation page (HTML, a debug page in DEBUG).
    The body is read before the signature check: verifying needs all of it anyway."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            request.body  # noqa: B018 (reads and caches it, or raises)
            if request.content_type == "application/x-www-form-urlencoded":
                request.POST  # noqa: B018
        except RequestDataTooBig:
            return JsonResponse({"error": "request body too large"}, status=400)
        except TooManyFieldsSent:
            return JsonResponse({"error": "too many form fields"}, status=400)
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt
@require_POST
@_bounded_body
def events(request):
    problem = signature_problem(request)
    if problem:
        return _refuse(request, problem)
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError):  # bad JSON or UTF-8, a huge int, deep nesting
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    bad = find_bad_string(payload)  # NUL or a lone surrogate: cannot be stored or shown
    if bad is not None:
        return JsonResponse({"error": f"{'.'.join(map(str, bad[0]))}: {bad[1]}"}, status=400)
    if payload.get("type") == "url_verification":
        return JsonResponse({"challenge": payload.get("challenge", "")})
    if payload.get("type") != "event_callback" or not payload.get("event_id"):
        return HttpResponse(status=200)  # nothing we act on
    try:
        with transaction.atomic():
            SlackEvent.objects.create(
                event_id=str(payload["event_id"])[:64],
                team_id=str(payload.get("team_id", ""))[:32],
                payload=payload,
            )
            tasks.handle_event.enqueue(str(payload["event_id"])[:64])
    except IntegrityError:
        logger.info(
            "slack: duplicate event %s (retry %s) dropped",
            payload["event_id"],
            request.headers.get("X-Slack-Retry-Num", "-"),
        )
    return HttpResponse(status=200)


class Malformed(ValueError):
    """A signed interaction that is not shaped like Slack's: a 400 naming the part."""


def _object(payload: dict, key: str, *, required: bool) -> dict:
    value = payload.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise Malformed(f"{key} must be an object")
    return value


def _text(obj: dict, key: str, where: str, *, limit: int = 255) -> str:
    """A short plain string (absent: ""). NUL and lone surrogates would fail to store."""
    value = obj.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Malformed(f"{where}.{key} must be a string of at most {limit} characters")
    if "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value):
        raise Malformed(f"{where}.{key} has characters that are not allowed")
    return value


# The buttons acted on, and the task each click enqueues (once per click).
BUTTONS = {JOIN_ACTION: "handle_join", CLOSE_ACTION: "handle_close"}


def _joins(payload: dict) -> list[tuple[str, str, tuple[str, str, str, str]]]:
    """The Join and Close clicks of a block_actions payload: (dedupe key, action, args)."""
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        raise Malformed("actions must be a non-empty list")
    user = _object(payload, "user", required=True)
    user_id = _text(user, "id", "user")
    if not user_id:
        raise Malformed("user.id is missing")
    container = _object(payload, "container", required=False)
    channel = _object(payload, "channel", required=False)
    channel_id = _text(container, "channel_id", "container") or _text(channel, "id", "channel")
    message_ts = _text(container, "message_ts", "container")
    team = _object(payload, "team", required=False)
    joins = []
    for n, action in enumerate(actions):
        if not isinstance(action, dict):
            raise Malformed(f"actions[{n}] must be an object")
        action_id = _text(action, "action_id", f"actions[{n}]")
        if action_id not in BUTTONS:
            continue
        value = _text(action, "value", f"actions[{n}]", limit=2000)
        identity = [
            _text(team, "id", "team"),
            user_id,
            _text(payload, "trigger_id", "payload"),
            channel_id,
            message_ts,
            _text(action, "block_id", f"actions[{n}]"),
            action_id,
            _text(action, "action_ts", f"actions[{n}]"),
            value,
        ]
        key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()
        joins.append((key, action_id, (value, user_id, channel_id, message_ts)))
    return joins


@csrf_exempt
@require_POST
@_bounded_body
def interactions(request):
    problem = signature_problem(request)
    if problem:
        return _refuse(request, problem)
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except (ValueError, RecursionError):
        return JsonResponse({"error": "payload is not JSON"}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return JsonResponse({"error": "payload must be an object with a type"}, status=400)
    if payload["type"] != "block_actions":
        return HttpResponse(status=200)  # nothing else is acted on
    try:
        joins = _joins(payload)
    except Malformed as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    for key, action_id, args in joins:
        # Like events: the first sight of a click records it and enqueues its task in
        # one transaction; a replay of the same signed request hits the unique key.
        try:
            with transaction.atomic():
                SlackInteraction.objects.create(key=key, action_id=action_id)
                getattr(tasks, BUTTONS[action_id]).enqueue(*args)
        except IntegrityError:
            logger.info("slack: replayed interaction %s dropped", key[:12])
    return HttpResponse(status=200)
