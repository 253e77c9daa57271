from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_crm_import"),
    ]

    operations = [
        migrations.AddField(
            model_name="crmsettings",
            name="write_to_accounts",
            field=models.BooleanField(
                default=False,
                help_text="Also write the Knock fields to the account when the lead is not a "
                "lead or contact in the CRM (off: only lead and contact records are written).",
            ),
        ),
    ]
