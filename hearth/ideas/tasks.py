"""Background work for ideas: telling followers what happened to an idea.

Ideas decide who hears (followers who may still see the idea: voting follows, and a voter who
unfollows stops hearing); the notifications app decides how each of them hears.
"""

from django.db import transaction
from django_tasks import task

from hearth.accounts.models import Member
from hearth.ideas.models import Idea, IdeaFollow
from hearth.ideas.permissions import can_view_idea
from hearth.notifications.services import Delivery, notify_many

CHUNK = 5000


@task()
def notify_idea_followers(
    idea_id: int,
    verb: str,
    actor_id: int | None,
    excerpt: str,
    recipient_ids: list[int] | None = None,
) -> int:
    """Notify `recipient_ids`, or else everyone who follows the idea, once each.

    Nobody hears about an idea they may no longer see, or about their own action. Returns
    how many were notified.
    """
    idea = Idea.objects.select_related("board").filter(pk=idea_id).first()
    if idea is None:
        return 0
    if recipient_ids is None:
        # Followers only: voting follows, so a voter who unfollowed asked to hear no more.
        wanted = set(IdeaFollow.objects.filter(idea=idea).values_list("member_id", flat=True))
    else:
        wanted = set(recipient_ids)
    wanted.discard(actor_id)
    actor = Member.objects.filter(pk=actor_id).first() if actor_id else None
    notified = 0
    ordered = sorted(wanted)
    for start in range(0, len(ordered), CHUNK):
        members = Member.objects.filter(pk__in=ordered[start : start + CHUNK], is_active=True).only(
            "pk", "affiliation", "role", "is_active"
        )
        deliveries = [Delivery(m.pk, verb) for m in members if can_view_idea(m, idea)]
        with transaction.atomic():
            notified += len(
                notify_many(
                    deliveries,
                    target=idea,
                    actor=actor,
                    title=idea.title,
                    url=idea.get_absolute_url(),
                    excerpt=excerpt,
                )
            )
    return notified
