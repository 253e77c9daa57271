"""Slack's Events API and interactivity endpoints.

Both answer within Slack's 3 seconds: they verify, record and enqueue; the
work runs in tasks. Retries of an event (X-Slack-Retry-Num) are recognised
by event id and dropped.
"""

import json
import logging

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import SlackEvent
from . import tasks
from .messages import JOIN_ACTION
from .verify import signature_problem

logger = logging.getLogger(__name__)


def _refuse(request, why: str) -> HttpResponse:
    logger.warning(
        "slack: refused %s from %s: %s", request.path, request.META.get("REMOTE_ADDR"), why
    )
    return JsonResponse({"error": why}, status=401 if "signature" in why else 403)


@csrf_exempt
@require_POST
def events(request):
    problem = signature_problem(request)
    if problem:
        return _refuse(request, problem)
    try:
        payload = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
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


@csrf_exempt
@require_POST
def interactions(request):
    problem = signature_problem(request)
    if problem:
        return _refuse(request, problem)
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except json.JSONDecodeError:
        return JsonResponse({"error": "payload is not JSON"}, status=400)
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return HttpResponse(status=200)
    for action in payload.get("actions") or []:
        if action.get("action_id") == JOIN_ACTION:
            container = payload.get("container") or {}
            tasks.handle_join.enqueue(
                str(action.get("value", "")),
                str((payload.get("user") or {}).get("id", "")),
                str(container.get("channel_id") or (payload.get("channel") or {}).get("id", "")),
                str(container.get("message_ts", "")),
            )
    return HttpResponse(status=200)
