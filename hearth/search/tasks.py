"""Background work for similar questions: the vectors of new and edited questions, and
settling the suggestions members opened from the composer (`hearth periodic`)."""

from django_tasks import task

from hearth.search import services


@task()
def embed_question(topic_id: int) -> int:
    """Compute (or refresh) one question's vector; returns 1 if it was computed.

    Run when a question is asked, edited or published: a vector still right is marked as
    written now, so a question just published reaches every process's vectors.
    """
    return services.embed_questions([topic_id], touch=True)


@task()
def settle_suggestion_openings() -> dict:
    """Turn composers left without posting after opening a suggestion into deflections."""
    return services.settle_suggestion_openings()
