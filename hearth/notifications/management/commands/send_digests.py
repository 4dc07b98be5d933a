"""`hearth send_digests`: queue today's e-mail digests. Run it hourly from cron or a timer."""

from django.core.management.base import BaseCommand

from hearth.notifications.tasks import queue_digests


class Command(BaseCommand):
    help = "Queue an e-mail digest for every member whose digest is due; a worker sends them."

    def handle(self, *args, **options):
        queued = queue_digests.call()
        self.stdout.write(f"Queued {queued} digest{'s' if queued != 1 else ''}.")
