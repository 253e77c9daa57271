"""routing/api/renderers.py: orjson writes the same JSON as DRF's own renderer."""

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from routing.api.renderers import JSONRenderer

DRF = renderers.JSONRenderer()
OURS = JSONRenderer()

SAMPLES = [
    {"id": 1, "name": "Dana", "ok": True, "none": None, "list": [1, 2.5, "x", {"a": []}]},
    {"at": datetime(2026, 12, 1, 22, 30, 5, 123456, tzinfo=UTC), "day": date(2026, 12, 1)},
    {"amount": Decimal("12.50"), "id": uuid.UUID(int=7), "lazy": gettext_lazy("Rep")},
    {"text": "café ☕ \u2028 line \u2029 para", "nested": [{"deep": ["\u2028"]}]},
    [],
    "plain",
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_bytes_are_drfs(data):
    assert OURS.render(data) == DRF.render(data)


def test_line_and_paragraph_separators_stay_escaped():
    out = OURS.render({"t": "a\u2028b\u2029c"})
    assert b"\\u2028" in out and b"\\u2029" in out and b"\xe2\x80" not in out


@pytest.mark.parametrize("data", [{1: "int key"}, {"big": 2**70}])
def test_what_orjson_refuses_goes_to_drf(data):
    assert OURS.render(data) == DRF.render(data)


def test_a_nan_is_written_as_null_where_drf_would_raise():
    with pytest.raises(ValueError):
        DRF.render({"x": float("nan")})
    assert json.loads(OURS.render({"x": float("nan")})) == {"x": None}


def test_pretty_printing_is_drfs():
    data = {"a": [1, {"b": 2}]}
    media = "application/json; indent=4"
    assert OURS.render(data, media) == DRF.render(data, media)
    assert b"\n    " in OURS.render(data, media)


def test_nothing_renders_as_nothing():
    assert OURS.render(None) == b""


def test_the_api_answers_with_it(api, make_rep):
    make_rep("Dana")
    response = api.post("/api/v1/chats/", {"lead": {"email": "lead@bigco.com"}}, format="json")
    assert response.status_code == 201
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert json.loads(response.content)["trace"] == response.data["trace"]
