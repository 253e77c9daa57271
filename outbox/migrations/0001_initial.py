# The Delivery model moves from notifications/ to outbox/ (issue 11 item 2), in the
# migration state only: the table notifications_delivery, its rows, index and
# constraint stay as they are (created by notifications 0001; Meta.db_table keeps
# the name). notifications 0003 deletes the model from notifications' state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("routing", "0005_chat_lifecycle_and_console_profile"),
        ("notifications", "0002_slack_interaction"),  # the table exists from here on
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("slack.alert", "Lead alert in the monitoring channel"), ("slack.rep_dm", "DM to the assigned rep"), ("slack.owner_dm", "DM to the CRM owner (Join)"), ("slack.update", "Update of a Slack message"), ("slack.meeting", "Meeting post in the monitoring channel"), ("crm.write", "CRM write-back"), ("calendar.insert", "Calendar event for a meeting"), ("calendar.patch", "Calendar event moved"), ("calendar.delete", "Calendar event deleted")], max_length=20)),
                        ("key", models.CharField(max_length=200)),
                        ("backend", models.CharField(help_text="slack, local, or a CRM backend name", max_length=20)),
                        ("target", models.JSONField(default=dict, help_text="Where it goes: channel, user, record.")),
                        ("payload", models.JSONField(default=dict, help_text="What it says or writes.")),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")], db_index=True, default="pending", max_length=10)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("max_attempts", models.PositiveIntegerField(default=6)),
                        ("last_error", models.TextField(blank=True)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("result", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("chat", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="routing.chat")),
                        ("decision", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="routing.decision")),
                        ("workspace", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="deliveries", to="routing.workspace")),
                    ],
                    options={
                        "verbose_name_plural": "deliveries",
                        "db_table": "notifications_delivery",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["workspace", "status", "-created_at"], name="notificatio_workspa_3b50e2_idx")],
                        "constraints": [models.UniqueConstraint(fields=("workspace", "key"), name="uniq_delivery_key")],
                    },
                ),
            ],
        ),
    ]  # fmt: skip
