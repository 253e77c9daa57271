from django.core.management.base import BaseCommand, CommandError

from routing import actions


class Command(BaseCommand):
    help = (
        "Create a workspace with its default chat and meeting rules and print a new API "
        "token for it as the last line of the output."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The customer company's name, e.g. 'Acme Inc'.")

    def handle(self, *args, name, **options):
        try:
            workspace, key = actions.create_workspace(name)
        except actions.ActionError as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from exc
        self.stdout.write(
            f"Created workspace {workspace.name!r} (id {workspace.id}, slug {workspace.slug})."
        )
        self.stdout.write(
            "Default chat and meeting rules created; their fallback goes to the default "
            "AI agent until you add reps."
        )
        self.stdout.write("API token (shown once; use it as 'Authorization: Token <key>'):")
        self.stdout.write(key)
