"""`hearth nightly`: once a night from cron, recount every member's trust level."""

from django.core.management.base import BaseCommand

from hearth.moderation.tasks import recompute_trust_levels


class Command(BaseCommand):
    help = "Recount trust levels from each member's activity (levels staff locked stay)."

    def handle(self, *args, **options):
        counts = recompute_trust_levels.call()
        self.stdout.write(
            f"Counted {counts['counted']} members' trust levels: {counts['raised']} raised, "
            f"{counts['lowered']} lowered."
        )
