"""The floor for item 2: a bare DRF endpoint that inserts one row.

No authentication, no validation beyond JSON parsing, one INSERT of the body
into a bench-only table, a 201 with the new id: the least a DRF endpoint that
persists a request can do on this stack. Served only under
``bench.floor_settings`` (never by the product's URLconf).
"""

from __future__ import annotations

from django.db import connection, models
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView


class FloorRow(models.Model):
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_floor_row"

    def __str__(self) -> str:
        return f"floor row {self.pk}"


def ensure_table() -> None:
    """Create the floor's table in the benchmark database if it is not there."""
    if FloorRow._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(FloorRow)


class FloorView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    def post(self, request):
        row = FloorRow.objects.create(payload=request.data)
        # The PostgreSQL backend that served it (libpq's PQbackendPID: no round trip), so
        # bench/connections.py can tell whether a connection was reused.
        backend = (
            connection.connection.info.backend_pid if connection.vendor == "postgresql" else None
        )
        return Response(
            {"id": row.id, "created_at": row.created_at, "backend": backend}, status=201
        )
