from django.core.management.base import BaseCommand

from outbox.runner import requeue_stuck


class Command(BaseCommand):
    help = (
        "Put deliveries a dead worker left 'running' for over 5 minutes back in the queue. "
        "Every delivery run does this too; run it from cron when traffic is rare."
    )

    def handle(self, *args, **options):
        count = requeue_stuck()
        self.stdout.write(f"{count} stuck deliveries re-queued.")
