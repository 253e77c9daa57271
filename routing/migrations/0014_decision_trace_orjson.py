"""A decision's trace is encoded by orjson (knock/json_fields.py); still jsonb: no SQL."""

import knock.json_fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0013_decision_json_lz4'),
    ]

    operations = [
        migrations.AlterField(
            model_name='decision',
            name='trace',
            field=knock.json_fields.OrjsonField(),
        ),
    ]
