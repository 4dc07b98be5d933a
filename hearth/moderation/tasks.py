"""Background work for moderation: the nightly recount of trust levels."""

from django_tasks import task


@task()
def recompute_trust_levels() -> dict:
    from hearth.moderation.services import recompute_trust_levels as recompute

    return recompute()
