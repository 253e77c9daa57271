"""Idempotency-Key for POSTs that create something (chats, meetings).

The first answer is stored in the same transaction as what it describes, so a
retry either replays it or finds nothing was done. Same key, other body: 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from routing.models import IdempotencyRecord

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retrying with the same key and body returns the first answer; "
    "the same key with a different body is a 422.",
)


def idempotent_create(
    request, workspace, produce: Callable[[Callable[[dict], None]], dict], *, what: str
) -> Response:
    """Answer 201 with `produce(save)`; `save(data)` must be called by `produce`
    inside the transaction that writes what the answer describes. Without an
    Idempotency-Key there is nothing to save: `save` is None."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 255:
        raise ValidationError({"Idempotency-Key": ["At most 255 characters."]})
    if not key:
        return Response(produce(None), status=201)
    body_hash = hashlib.sha256(
        json.dumps(request.data, sort_keys=True, default=str).encode()
    ).hexdigest()
    replay = _replay(workspace, key, body_hash, what)
    if replay is not None:
        return replay

    def save(data: dict) -> None:
        IdempotencyRecord.objects.create(
            workspace=workspace,
            key=key,
            request_hash=body_hash,
            status_code=201,
            response=json.loads(json.dumps(data, default=str)),
        )

    try:
        data = produce(save)
    except IntegrityError:
        # A concurrent request with the same key committed first; everything this
        # one did was rolled back, so answer with the first answer.
        replay = _replay(workspace, key, body_hash, what)
        if replay is None:  # pragma: no cover - the record exists after the race
            raise
        return replay
    return Response(data, status=201)


def _replay(workspace, key: str, body_hash: str, what: str) -> Response | None:
    record = IdempotencyRecord.objects.filter(workspace=workspace, key=key).first()
    if record is None:
        return None
    ttl = timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    if record.created_at < timezone.now() - ttl:
        record.delete()
        return None
    if record.request_hash != body_hash:
        return Response(
            {
                "detail": "This Idempotency-Key was already used with a different "
                f"request body. Use a new key for a new {what}."
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
