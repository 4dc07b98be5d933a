"""`hearth periodic`: the community's clockwork. Run it every 10 to 15 minutes from cron."""

from django.core.management.base import BaseCommand

from hearth.community.tasks import remind_askers_to_accept, route_waiting_questions
from hearth.notifications.tasks import queue_digests
from hearth.search.tasks import settle_suggestion_openings


class Command(BaseCommand):
    help = (
        "Queue due digests, route waiting questions to experts, remind askers to accept, "
        "count the questions similar-question suggestions answered before they were asked."
    )

    def handle(self, *args, **options):
        digests = queue_digests.call()
        routed = route_waiting_questions.call()
        reminded = remind_askers_to_accept.call()
        settled = settle_suggestion_openings.call()
        self.stdout.write(
            f"Queued {digests} digests; routed {routed['routed']} questions to experts and "
            f"escalated {routed['escalated']} to managers; reminded {reminded} askers; "
            f"{settled['deflected']} questions deflected by suggestions, "
            f"{settled['posted']} asked anyway."
        )
