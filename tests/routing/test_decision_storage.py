"""routing 0013 and 0016: a decision's trace, context and trace digest are compressed
with lz4 on PostgreSQL."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_trace_and_context_use_lz4_where_postgresql_has_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        (methods,) = cursor.fetchone()
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute "
            "WHERE attrelid = 'routing_decision'::regclass "
            "AND attname IN ('trace', 'context', 'trace_digest')"
        )
        found = dict(cursor.fetchall())
    expected = "l" if "lz4" in methods else ""
    assert found == {"trace": expected, "context": expected, "trace_digest": expected}
