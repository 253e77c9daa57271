"""A decision's trace and context are TOASTed with lz4 instead of pglz (PostgreSQL 14+
built with lz4; elsewhere nothing changes).

Every routed chat writes one decision whose trace is ~30 KB of JSON on a 50-segment
rule; compressing it with pglz was about a third of PostgreSQL's CPU for that INSERT
(1.9 ms against 0.9-1.2 ms with lz4, measured on the benchmark's decisions). Rows
written before keep their pglz values, which PostgreSQL still reads. No model field
changes: compression is a storage setting, not part of Django's migration state.
"""

from django.db import migrations

COLUMNS = ("trace", "context")


def _lz4_available(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return row is not None and "lz4" in row[0]


def _set(method: str, columns: tuple[str, ...] = COLUMNS):
    def run(apps, schema_editor):
        if not _lz4_available(schema_editor):
            return
        table = schema_editor.quote_name(apps.get_model("routing", "Decision")._meta.db_table)
        for column in columns:
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {schema_editor.quote_name(column)} "
                f"SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("routing", "0012_lead_previous_seen_at")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
