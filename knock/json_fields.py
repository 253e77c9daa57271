"""JSON model fields for large documents: encoded by orjson, and stored as `json`.

`OrjsonField` is a JSONField whose value is encoded by orjson on PostgreSQL:
for the ~25 KB trace of the benchmark's 50-segment rule, 31 us against the
standard library's 382 us, on every routed chat. What orjson refuses (an
integer beyond 64 bits, a non-string key) goes to json as JSONField would send
it; a NaN is written as null (PostgreSQL refuses NaN in JSON anyway).

`DocumentField` also stores it as PostgreSQL `json` (its text, syntax-checked)
instead of `jsonb`, for a value written once and read whole, never searched
inside. jsonb takes the text apart into its binary form on every INSERT and
puts it back together on every read; measured on that trace, PostgreSQL CPU per
INSERT was 1.6 ms as jsonb against 0.74 ms as json (both lz4-compressed), and
reading it back 0.75 against 0.12 ms; prepared single-row INSERTs of 300 such traces
alone, 0.39 against 0.21 ms. But PostgreSQL can't look inside a json
value cheaply (no jsonpath, no `-` operator; `json_array_elements` over the
decisions' traces took the replay's extraction from 0.6 to 10.7 s per 5,000
rows), nor compare one (no DISTINCT, GROUP BY or UNION over the column). So a
decision's trace and context, and an availability's trace, all shown whole, are
`DocumentField`s; the parts of a decision's trace the replay reads are written
beside it as a small digest (`Decision.trace_digest`) instead of being picked
out in SQL. Other databases store both fields as JSONField does.
"""

from __future__ import annotations

import json

import orjson
from django.db import models
from psycopg.types.json import Json, Jsonb


class OrjsonField(models.JSONField):
    adapter = Jsonb  # how psycopg sends it (what JSONField sends, but with our dumps)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        return self.adapter(value, dumps=self._encode)

    def _encode(self, value) -> bytes | str:
        if self.encoder is None:
            try:
                return orjson.dumps(value)
            except (orjson.JSONEncodeError, TypeError):
                pass  # beyond orjson: as JSONField does
        return json.dumps(value, cls=self.encoder)


class DocumentField(OrjsonField):
    description = "A JSON document (PostgreSQL json)"
    adapter = Json  # as json, not as JSONField's jsonb cast back to json

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if connection.vendor == "postgresql":
            return value  # psycopg parses `json` itself (Django turns that off for jsonb only)
        return super().from_db_value(value, expression, connection)
