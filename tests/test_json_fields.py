"""knock/json_fields.py: traces encoded by orjson read back as written; where each is stored."""

import json

import pytest
from django.db import connection

from knock import rawsql
from knock.json_fields import OrjsonField
from routing.models import Decision
from tests.api.helpers import chat

pytestmark = pytest.mark.django_db


def test_the_trace_reads_back_as_the_201_gave_it(api, make_rep):
    make_rep("Dana")
    answered = chat(api, "lead@bigco.com")
    decision = Decision.objects.get(id=answered["decision"])
    assert decision.trace == answered["trace"]
    assert decision.context == answered["context"]
    assert Decision.objects.values_list("trace", flat=True).get(id=decision.id) == answered["trace"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rawsql.columns(Decision, 'd', connection)} "
            "FROM routing_decision d WHERE d.id = %s",
            [decision.id],
        )
        raw = rawsql.instance(Decision, "d", cursor.fetchone(), connection)
    assert raw.trace == answered["trace"]


def test_a_trace_keeps_unicode_and_numbers_as_they_were(api, make_rep):
    make_rep("Dana")
    answered = chat(api, "zoe@bigco.com", custom={"note": "café ☕", "n": 12345678901, "x": 0.1})
    decision = Decision.objects.get(id=answered["decision"])
    assert decision.context["custom"] == {"note": "café ☕", "n": 12345678901, "x": 0.1}
    assert decision.trace == answered["trace"]


def test_what_orjson_refuses_is_encoded_as_jsonfield_would():
    field = OrjsonField()
    assert json.loads(field._encode({"n": 2**70})) == {"n": 2**70}
    assert json.loads(field._encode({1: "a"})) == {"1": "a"}
    assert json.loads(field._encode({"x": float("nan")})) == {"x": None}  # orjson: null
    assert field._encode({"t": "café"}) == '{"t":"café"}'.encode()


@pytest.mark.postgres
def test_on_postgresql_the_traces_and_contexts_are_json_not_jsonb():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE (table_name, column_name) IN (('routing_decision', 'trace'), "
            "('routing_decision', 'context'), ('routing_decision', 'trace_digest'), "
            "('calendars_availability', 'trace'))"
        )
        found = {(t, c): d for t, c, d in cursor.fetchall()}
    assert found == {
        ("routing_decision", "trace"): "json",  # the replay reads its digest instead
        ("routing_decision", "context"): "json",
        ("routing_decision", "trace_digest"): "json",
        ("calendars_availability", "trace"): "json",
    }
