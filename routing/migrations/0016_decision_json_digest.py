"""A decision's trace and context are PostgreSQL `json`, and the replay reads a digest.

Both were jsonb so that the replay could pick a few parts out of each stored trace
in SQL. But jsonb takes the ~26 KB trace of a 50-segment rule apart on every
INSERT, one per routed chat: 0.39 ms of PostgreSQL CPU per INSERT as jsonb
against 0.21 ms as json (prepared single-row INSERTs of 300 such traces, lz4).
Now the parts the replay
reads are written beside it, a few hundred bytes (`routing.replay.digest`, filled
by the field's `pre_save` on every write), and the trace and context are stored
as written, read whole.

Existing rows get their digest from their trace here, in batches. The columns
keep lz4 compression (0013): the type change rewrites them, so it is set again.
Elsewhere than PostgreSQL only the new column is added (json is text there).
"""

from importlib import import_module

from django.db import migrations

import knock.json_fields
import routing.models.chats
from routing import replay

BATCH = 500
# 0013's setter, here for the digest's column too (the module's name starts with a digit).
_lz4 = import_module("routing.migrations.0013_decision_json_lz4")._set(
    "lz4", ("trace", "context", "trace_digest")
)


def _fill_digests(apps, schema_editor):
    Decision = apps.get_model("routing", "Decision")
    rows = Decision.objects.using(schema_editor.connection.alias).only("id", "trace")
    batch = []
    for decision in rows.order_by("id").iterator(chunk_size=BATCH):
        decision.trace_digest = replay.digest(decision.trace or {})
        batch.append(decision)
        if len(batch) == BATCH:
            Decision.objects.bulk_update(batch, ["trace_digest"])
            batch = []
    if batch:
        Decision.objects.bulk_update(batch, ["trace_digest"])


class Migration(migrations.Migration):
    dependencies = [("routing", "0015_orjson_fields")]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="trace_digest",
            field=routing.models.chats.TraceDigestField(default=dict, editable=False),
        ),
        migrations.RunPython(_fill_digests, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="decision", name="context", field=knock.json_fields.DocumentField()
        ),
        migrations.AlterField(
            model_name="decision", name="trace", field=knock.json_fields.DocumentField()
        ),
        migrations.RunPython(_lz4, migrations.RunPython.noop),
    ]
