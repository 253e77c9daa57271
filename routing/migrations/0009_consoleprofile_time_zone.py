# The viewer's time zone for the console (issue 14 item 9), the workspace's zone it
# defaults to, and when a chat was last reopened (the live feed's catch-up replays it).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0008_rule_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="consoleprofile",
            name="time_zone",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="chat",
            name="reopened_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="workspace",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                help_text="Times in the console, unless a user picks theirs.",
                max_length=64,
            ),
        ),
    ]
