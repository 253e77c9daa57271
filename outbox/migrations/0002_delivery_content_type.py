# The moved model keeps its content type (and with it its permissions and admin log
# entries): notifications.delivery becomes outbox.delivery. A fresh database has
# neither yet (content types are made after migrate), so nothing is done there.

from django.db import migrations


def rename(apps, schema_editor, old="notifications", new="outbox"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="delivery").exists():
        ContentType.objects.filter(app_label=old, model="delivery").update(app_label=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old="outbox", new="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
