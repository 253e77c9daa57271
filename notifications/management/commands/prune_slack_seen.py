"""Forget the Slack events and interactions older than SLACK_SEEN_RETENTION_HOURS."""

from django.core.management.base import BaseCommand, CommandError

from notifications import pruning


class Command(BaseCommand):
    help = (
        "Delete recorded Slack events and button clicks past the retention window "
        "(SLACK_SEEN_RETENTION_HOURS). --schedule instead makes sure the periodic task "
        "is queued for db_worker (idempotent; make run calls it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", action="store_true", help="Queue the periodic task.")
        parser.add_argument(
            "--every",
            type=int,
            default=pruning.TICK_SECONDS,
            help="Seconds between two runs of the periodic task (default 3600).",
        )

    def handle(self, *args, schedule=False, every=pruning.TICK_SECONDS, **options):
        if every < 10:
            raise CommandError("--every must be at least 10 seconds.")
        if schedule:
            queued = pruning.schedule(every, delay=0)
            self.stdout.write(
                f"Slack pruning queued, every {every} s." if queued else "Already queued."
            )
            return
        pruned = pruning.prune()
        self.stdout.write(
            f"Deleted {pruned['events']} Slack events and {pruned['interactions']} interactions."
        )
