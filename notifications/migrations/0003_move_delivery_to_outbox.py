# Delivery now lives in outbox/ (outbox 0001 creates it in the state, on the same
# table): removed from notifications' state only, the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_slack_interaction"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Delivery")],
        ),
    ]
