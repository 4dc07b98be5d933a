"""similar_questions(): the questions the composer suggests, ranked by words (bm25 on SQLite,
ts_rank_cd on PostgreSQL), solved ones first, never from a space the member may not see."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from hearth.accounts.models import Affiliation, Role
from hearth.community import services
from hearth.community.models import Topic
from hearth.core.errors import ValidationFailed
from hearth.search import selectors
from hearth.search.backends import backend_for
from hearth.search.backends.base import similar_terms

pytestmark = pytest.mark.django_db


def ask(author, space, title, body="Any ideas?"):
    return services.create_topic(
        author=author, space=space, title=title, body=body, kind=Topic.Kind.QUESTION
    )


def solve(question, answerer):
    answer = services.create_reply(author=answerer, topic=question, body="Here is how.")
    services.accept_answer(actor=question.author, post=answer)
    question.refresh_from_db()
    return question


def titles(member, title, **options) -> list[str]:
    return [r.topic.title for r in selectors.similar_questions(member, title, **options)]


@pytest.fixture
def stouts(customer, other_customer, public_space):
    """Three questions about stouts (one solved), one about lagers, one discussion."""
    aged = ask(customer, public_space, "How long can I age an imperial stout?")
    carbonation = ask(customer, public_space, "Why is my stout flat after bottling?")
    serving = solve(
        ask(other_customer, public_space, "What temperature should a stout be served at?"),
        customer,
    )
    lager = ask(customer, public_space, "Best yeast for a crisp lager")
    services.create_topic(
        author=customer,
        space=public_space,
        title="Stout tasting night photos",
        body="What a night.",
        kind=Topic.Kind.DISCUSSION,
    )
    return {"aged": aged, "carbonation": carbonation, "serving": serving, "lager": lager}


def test_terms_are_the_meaningful_words_of_the_title_each_once():
    assert similar_terms("How do I reset the Hub to its factory settings?") == (
        "reset",
        "hub",
        "factory",
        "settings",
    )
    assert similar_terms("Is 4k on v2 OK?") == ("4k", "v2")
    assert similar_terms("Stout stout STOUT") == ("stout",)
    assert similar_terms("How do I do it?") == ()
    assert similar_terms("") == ()
    assert len(similar_terms(" ".join(f"word{n}" for n in range(100)))) == 12


def test_questions_sharing_any_word_match_solved_first(customer, stouts):
    results = selectors.similar_questions(customer, "Can a stout go flat?")

    assert [r.topic.pk for r in results] == [
        stouts["serving"].pk,  # solved: first, though it shares only "stout"
        stouts["carbonation"].pk,  # "stout" and "flat"
        stouts["aged"].pk,
    ]
    assert [r.is_solved for r in results] == [True, False, False]
    assert results[1].lexical_rank == 1
    assert results[1].score > results[2].score


def test_discussions_and_deleted_questions_are_never_suggested(customer, stouts, moderator):
    services.delete_post(actor=customer, post=stouts["aged"].posts.get(position=1))

    found = titles(moderator, "stout tasting and ageing")

    assert "Stout tasting night photos" not in found
    assert "How long can I age an imperial stout?" not in found
    assert found == [
        "What temperature should a stout be served at?",
        "Why is my stout flat after bottling?",
    ]


def test_the_opening_post_counts_as_well_as_the_title(customer, public_space):
    question = ask(customer, public_space, "Cloudy beer", body="My wheat beer came out hazy.")

    assert titles(customer, "Why is my wheat beer hazy?") == [question.title]


def test_stemming_matches_other_forms_of_a_word(customer, public_space):
    ask(customer, public_space, "Bottling a barleywine")

    assert titles(customer, "Barleywine bottled too early") == ["Bottling a barleywine"]


@pytest.mark.parametrize(
    "title",
    ["", "   ", "a", "How do I do it?", "??? !!!", "x" * 5000, "\x00\x01 \ue000"],
    ids=["empty", "blank", "one-letter", "only-common-words", "punctuation", "huge", "control"],
)
def test_titles_without_a_meaningful_word_give_nothing(customer, stouts, title):
    assert selectors.similar_questions(customer, title) == []


def test_a_huge_title_is_cut_and_still_answers(customer, stouts):
    title = "stout " + " ".join(f"filler{n}" for n in range(2000))

    found = titles(customer, title)

    assert "What temperature should a stout be served at?" in found


def test_limit_is_kept_within_bounds(customer, public_space):
    for n in range(12):
        ask(customer, public_space, f"Kegging question number {n}")

    assert len(selectors.similar_questions(customer, "kegging", limit=3)) == 3
    assert len(selectors.similar_questions(customer, "kegging")) == selectors.SIMILAR_LIMIT
    assert len(selectors.similar_questions(customer, "kegging", limit=999)) == 10
    assert len(selectors.similar_questions(customer, "kegging", limit=0)) == 1


def test_exclude_leaves_out_the_question_being_edited(customer, stouts):
    found = selectors.similar_questions(
        customer, stouts["aged"].title, exclude=(stouts["aged"].pk,)
    )

    assert stouts["aged"].pk not in [r.topic.pk for r in found]


def test_space_narrows_the_suggestions(customer, public_space, members_space, stouts):
    other = ask(customer, members_space, "Stout on nitro")

    assert [
        r.topic.pk for r in selectors.similar_questions(customer, "stout", space=members_space)
    ] == [other.pk]


def test_unknown_ranker_and_missing_semantic_model_are_refused(customer, settings):
    settings.HEARTH_SEMANTIC_MODEL_PATH = ""
    with pytest.raises(ValidationFailed) as unknown:
        selectors.similar_questions(customer, "stout", ranker="telepathy")
    assert unknown.value.code == "invalid_ranker"
    with pytest.raises(ValidationFailed) as missing:
        selectors.similar_questions(customer, "stout", ranker="semantic")
    assert missing.value.code == "semantic_unavailable"
    assert selectors.similar_ranker() == "lexical"


# --- Visibility -------------------------------------------------------------------------------


@pytest.fixture
def everywhere(make_member, public_space, members_space, partner_space, employee_space):
    """One question about kegerators in each kind of space."""
    author = make_member(username="author", affiliation=Affiliation.EMPLOYEE)
    return {
        name: ask(author, space, f"Kegerator question in the {name} space")
        for name, space in {
            "public": public_space,
            "members": members_space,
            "partner": partner_space,
            "employee": employee_space,
        }.items()
    }


MEMBERS = {
    "anonymous": None,
    "prospect": {"affiliation": Affiliation.PROSPECT},
    "customer": {"affiliation": Affiliation.CUSTOMER},
    "partner": {"affiliation": Affiliation.PARTNER},
    "employee": {"affiliation": Affiliation.EMPLOYEE},
    "moderator": {"affiliation": Affiliation.CUSTOMER, "role": Role.MODERATOR},
}
SEES = {
    "anonymous": {"public"},
    "prospect": {"public", "members"},
    "customer": {"public", "members"},
    "partner": {"public", "members", "partner"},
    "employee": {"public", "members", "partner", "employee"},
    "moderator": {"public", "members", "partner", "employee"},
}


@pytest.mark.parametrize("who", list(MEMBERS))
def test_suggestions_only_come_from_spaces_the_member_may_see(who, make_member, everywhere):
    options = MEMBERS[who]
    member = AnonymousUser() if options is None else make_member(username=who, **options)

    found = {r.topic.pk for r in selectors.similar_questions(member, "kegerator question")}

    assert found == {everywhere[name].pk for name in SEES[who]}


def test_a_space_the_member_may_not_see_stays_hidden_even_when_asked_for(
    customer, employee_space, everywhere
):
    found = selectors.similar_questions(customer, "kegerator", space=employee_space)

    assert found == []


def test_a_question_moved_to_a_hidden_space_stops_showing(
    customer, moderator, public_space, employee_space
):
    question = ask(customer, public_space, "Kegerator hum")
    assert titles(customer, "kegerator") == ["Kegerator hum"]

    services.move_topic(actor=moderator, topic=question, space=employee_space)

    assert titles(customer, "kegerator") == []


# --- The index follows the questions ----------------------------------------------------------


def test_an_edited_title_is_found_by_its_new_words(customer, public_space):
    question = ask(customer, public_space, "Sour mash problems")
    opening = question.posts.get(position=1)

    services.edit_post(editor=customer, post=opening, body="Still sour.", title="Lacto infection")

    assert titles(customer, "lacto") == ["Lacto infection"]
    assert titles(customer, "mash") == []


def test_an_edited_opening_post_is_found_by_its_new_words(customer, public_space):
    question = ask(customer, public_space, "Odd smell", body="Smells of sulphur.")
    services.edit_post(
        editor=customer, post=question.posts.get(position=1), body="Smells of butter."
    )

    assert titles(customer, "butter smell") == ["Odd smell"]
    assert titles(customer, "sulphur") == []


def test_replies_do_not_make_a_question_similar(customer, other_customer, public_space):
    question = ask(customer, public_space, "Yeast starter size")
    services.create_reply(author=other_customer, topic=question, body="Use a stir plate.")

    assert titles(customer, "stir plate") == []


def test_each_tier_of_candidates_is_bounded_and_the_closest_question_still_wins(
    customer, public_space, monkeypatch
):
    backend = backend_for()
    module = __import__(type(backend).__module__, fromlist=["_"])
    monkeypatch.setattr(module, "SIMILAR_ANY_CANDIDATES", 3)
    monkeypatch.setattr(module, "SIMILAR_ALL_CANDIDATES", 2)
    if hasattr(module, "SIMILAR_PAIR_CANDIDATES"):
        monkeypatch.setattr(module, "SIMILAR_PAIR_CANDIDATES", 2)
    closest = ask(customer, public_space, "Hopback clogging with whole leaf hops")
    for n in range(8):
        ask(customer, public_space, f"Whole leaf hops order {n}")

    found = backend.similar_topics(
        similar_terms("Hopback clogging with whole leaf hops"), (public_space.pk,), limit=10
    )

    assert found[0][0] == closest.pk
    assert len(found) <= 3 + 2 + 2


def test_query_count_is_the_same_for_few_and_many_questions(
    customer, public_space, django_assert_num_queries
):
    ask(customer, public_space, "Mash tun insulation")
    with django_assert_num_queries(3):  # spaces, ranking, topics
        selectors.similar_questions(customer, "mash tun")
    for n in range(15):
        ask(customer, public_space, f"Mash tun false bottom {n}")
    with django_assert_num_queries(3):
        assert len(selectors.similar_questions(customer, "mash tun")) == 5


def test_a_rare_word_outweighs_a_common_one(customer, public_space):
    hazy = ask(customer, public_space, "Hazy IPA from the keg")
    for n in range(12):
        ask(customer, public_space, f"Beer festival number {n}", body="Beer, beer, beer.")
    if connection.vendor == "postgresql":
        # PostgreSQL weighs words by the statistics ANALYZE keeps (autovacuum, in life).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_questiondocument")

    found = selectors.similar_questions(customer, "Why is my beer hazy?")

    assert found[0].topic.pk == hazy.pk


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL keeps a question index of its own"
)


def question_rows() -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT topic_id, space_id FROM search_questiondocument")
        return dict(cursor.fetchall())


@postgres_only
def test_the_question_index_holds_one_row_a_live_question(
    customer, moderator, public_space, members_space
):
    question = ask(customer, public_space, "Kegerator temperature")
    services.create_reply(author=moderator, topic=question, body="Four degrees.")
    services.create_topic(author=customer, space=public_space, title="Kegerator build", body="!")
    assert question_rows() == {question.pk: public_space.pk}

    services.move_topic(actor=moderator, topic=question, space=members_space)
    assert question_rows() == {question.pk: members_space.pk}

    services.delete_post(actor=customer, post=question.posts.get(position=1))
    assert question_rows() == {}


@postgres_only
def test_reindex_and_restored_triggers_bring_the_question_index_back(customer, public_space):
    from hearth.search.backends.postgres import QUESTION_TRIGGERS
    from hearth.search.services import rebuild_search_index, restore_index_triggers

    question = ask(customer, public_space, "Kegerator temperature")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_questiondocument")
        for name, (table, _sql) in QUESTION_TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER {name} ON {table}")

    assert sorted(restore_index_triggers()) == sorted(QUESTION_TRIGGERS)
    assert question_rows() == {}
    rebuild_search_index(restart=True)
    assert question_rows() == {question.pk: public_space.pk}
    later = ask(customer, public_space, "Kegerator noise")
    assert set(question_rows()) == {question.pk, later.pk}
