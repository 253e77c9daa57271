# The delivery task moved from notifications.deliveries.deliver to outbox.runner.deliver:
# tasks already queued under the old path (a pending delivery, a scheduled retry) are
# pointed at the new one, or a worker could not import them and the delivery would
# stay pending for ever.

from django.db import migrations

OLD, NEW = "notifications.deliveries.deliver", "outbox.runner.deliver"


def repath(apps, schema_editor, old=OLD, new=NEW):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    DBTaskResult.objects.filter(task_path=old, status="READY").update(task_path=new)


def repath_back(apps, schema_editor):
    repath(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_delivery_content_type"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(repath, repath_back)]
