from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0003_crmsettings_write_to_accounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="crmsettings",
            name="meeting_status_field",
            field=models.CharField(blank=True, max_length=255),
        ),
    ]
