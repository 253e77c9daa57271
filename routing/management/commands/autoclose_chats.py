"""Close the chats idle for longer than their workspace's auto_close_hours."""

from django.core.management.base import BaseCommand, CommandError

from routing import actions, tasks


class Command(BaseCommand):
    help = (
        "Close open chats with no activity for their workspace's auto-close hours. "
        "--schedule instead makes sure the periodic task is queued for db_worker "
        "(idempotent; make run calls it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the periodic auto-close task (if none is waiting) instead of running now.",
        )
        parser.add_argument(
            "--every",
            type=int,
            default=tasks.TICK_SECONDS,
            help="Seconds between two runs of the periodic task (default 300).",
        )

    def handle(self, *args, schedule=False, every=tasks.TICK_SECONDS, **options):
        if every < 10:
            raise CommandError("--every must be at least 10 seconds.")
        if schedule:
            queued = tasks.schedule(every, delay=0)
            self.stdout.write(
                f"Auto-close queued, every {every} s."
                if queued
                else "Auto-close is already queued."
            )
            return
        closed = actions.auto_close()
        self.stdout.write(f"Closed {closed} idle chat{'s' if closed != 1 else ''}.")
