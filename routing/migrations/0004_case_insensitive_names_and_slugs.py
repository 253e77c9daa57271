"""Names and link slugs unique case-insensitively (issue 10, items 9 and 11).

Data first, so existing databases migrate: link slugs are lower-cased, and
rows whose names (or slugs) now collide are renamed "Name (2)", "Name (3)"...
(slugs "slug-2", ...), the oldest row keeping its name. Then the constraints.
"""

from django.db import migrations, models
from django.db.models.functions import Lower


def _free(taken: set, base: str, max_length: int, pattern: str) -> str:
    n = 2
    while True:
        suffix = pattern.format(n=n)
        candidate = base[: max_length - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
        n += 1


def _dedupe(model, group_fields: tuple, field: str, max_length: int, pattern: str, lower=False):
    seen: dict[tuple, set] = {}
    for row in model.objects.order_by("id"):
        value = getattr(row, field)
        new = value.lower() if lower else value
        taken = seen.setdefault(tuple(getattr(row, g) for g in group_fields), set())
        if new.lower() in taken:
            new = _free(taken, new, max_length, pattern)
        taken.add(new.lower())
        if new != value:
            setattr(row, field, new)
            row.save(update_fields=[field])


def forwards(apps, schema_editor):
    name = " ({n})"
    _dedupe(apps.get_model("routing", "Workspace"), (), "name", 200, name)
    _dedupe(apps.get_model("routing", "AIAgent"), ("workspace_id",), "name", 200, name)
    _dedupe(apps.get_model("routing", "Pool"), ("workspace_id",), "name", 200, name)
    _dedupe(apps.get_model("routing", "RoutingRule"), ("workspace_id", "kind"), "name", 200, name)
    link = apps.get_model("routing", "KnockLink")
    _dedupe(link, ("workspace_id",), "slug", 80, "-{n}", lower=True)
    _dedupe(link, ("workspace_id",), "name", 200, name)


class Migration(migrations.Migration):
    dependencies = [
        ("routing", "0003_meeting_bookings"),
    ]

    operations = [
        # First: lower-casing "G2" must not trip over "g2" under the old, exact-case rule.
        migrations.RemoveConstraint(model_name="knocklink", name="uniq_link_slug"),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="aiagent",
            constraint=models.UniqueConstraint(
                models.F("workspace"), Lower("name"), name="uniq_ai_agent_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="knocklink",
            constraint=models.UniqueConstraint(
                models.F("workspace"), Lower("slug"), name="uniq_link_slug_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="knocklink",
            constraint=models.UniqueConstraint(
                models.F("workspace"), Lower("name"), name="uniq_link_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="pool",
            constraint=models.UniqueConstraint(
                models.F("workspace"), Lower("name"), name="uniq_pool_name_ci"
            ),
        ),
        migrations.AddConstraint(
            model_name="routingrule",
            constraint=models.UniqueConstraint(
                models.F("workspace"),
                models.F("kind"),
                Lower("name"),
                name="uniq_rule_name_per_kind_ci",
            ),  # fmt: skip
        ),
        migrations.AddConstraint(
            model_name="workspace",
            constraint=models.UniqueConstraint(Lower("name"), name="uniq_workspace_name_ci"),
        ),
    ]
