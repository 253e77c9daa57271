"""An availability's trace is stored as PostgreSQL `json` (knock/json_fields.py):
written once, read whole, never queried inside."""

import knock.json_fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0003_meeting_crm_record'),
    ]

    operations = [
        migrations.AlterField(
            model_name='availability',
            name='trace',
            field=knock.json_fields.DocumentField(),
        ),
    ]
