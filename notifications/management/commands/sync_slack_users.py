from django.core.management.base import BaseCommand, CommandError

from notifications.slack.client import token_for
from notifications.slack.sync import sync_users
from outbox.errors import DeliveryError
from routing.models import Workspace


class Command(BaseCommand):
    help = "Create, update and deactivate reps from the Slack workspace's users (users.list)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workspace", help="Workspace slug (default: every workspace connected to Slack)."
        )

    def handle(self, *args, workspace=None, **options):
        qs = Workspace.objects.order_by("id")
        if workspace:
            qs = qs.filter(slug=workspace)
            if not qs.exists():
                raise CommandError(f"No workspace with slug {workspace!r}.")
        connected = [ws for ws in qs if workspace or token_for(ws)]
        if not connected:
            raise CommandError("No workspace is connected to Slack (set SLACK_BOT_TOKEN).")
        for ws in connected:
            self.stdout.write(f"{ws.name}: reading Slack users…")
            try:
                result = sync_users(ws, progress=self._bar)
            except DeliveryError as exc:
                raise CommandError(f"{ws.name}: {exc}") from exc
            self.stdout.write("")  # end the progress bar's line
            skipped = ", ".join(f"{n} {why}" for why, n in sorted(result.skipped.items()))
            self.stdout.write(
                f"{ws.name}: {result.seen} users, {result.created} reps created, "
                f"{result.updated} updated, {result.deactivated} deactivated"
                + (f"; skipped {skipped}" if skipped else "")
            )

    def _bar(self, result):
        # users.list has no total: the bar fills per page of 200 and shows the count.
        filled = min(40, result.seen // 200 % 41)
        # Through self.stdout like the rest of the output (call_command(stdout=...) gets it).
        self.stdout.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {result.seen} users", ending="")
        self.stdout.flush()
