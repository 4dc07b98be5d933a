"""`hearth reindex` and rebuild_search_index(): from the tables, in batches, resumable."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hearth.core.models import Activity
from hearth.search.backends import backend_for
from hearth.search.models import IndexRebuild
from hearth.search.services import rebuild_search_index

pytestmark = pytest.mark.django_db


class Interrupted(Exception):
    pass


@pytest.fixture
def posts(make_topic, make_reply, customer, other_customer, public_space):
    """Two topics with seven posts in all, one of them deleted."""
    first = make_topic(author=customer, space=public_space, title="Scene schedules drift")
    second = make_topic(author=customer, space=public_space, title="Outdoor floodlight frost")
    for n in range(3):
        make_reply(topic=first, author=other_customer, body=f"Schedule reply {n}")
    make_reply(topic=second, author=other_customer, body="Frost is fine down to -20.")
    from hearth.community import services

    gone = make_reply(topic=second, author=other_customer, body="Deleted frost remark")
    services.delete_post(actor=other_customer, post=gone)
    return {"first": first, "second": second}


def wipe_and_plant_junk() -> None:
    """Lose every row and add one for a post that does not exist, as after a bad restore."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DELETE FROM search_postdocument")
            cursor.execute(
                "INSERT INTO search_postdocument VALUES"
                " (999999, 1, 1, 1, now(), to_tsvector('english', 'frost junk'))"
            )
        else:
            cursor.execute("DELETE FROM search_postindex")
            cursor.execute(
                "INSERT INTO search_postindex (rowid, title, body) VALUES (999999, 'frost', 'junk')"
            )


def test_reindex_rebuilds_the_index_from_the_posts(posts, customer, found_topics):
    wipe_and_plant_junk()
    assert found_topics(customer, "schedules") == []
    out = io.StringIO()

    call_command("reindex", batch_size=2, stdout=out)

    assert found_topics(customer, "schedules") == [posts["first"].pk]
    assert found_topics(customer, "frost") == [posts["second"].pk]
    assert found_topics(customer, "junk") == []
    assert backend_for().indexed_count() == 6
    text = out.getvalue()
    assert f"[{'#' * 30}] 100% 7/7" in text
    assert "Indexed 7 posts" in text
    assert "6 live posts are searchable" in text


def test_the_progress_bar_draws_each_step_on_a_terminal():
    from hearth.search.management.commands.reindex import progress_bar

    assert progress_bar(520_000, 1_000_000, width=10) == "[#####     ]  52% 520000/1000000"
    assert progress_bar(0, 0, width=4) == "[####] 100% 0/0"


def test_an_interrupted_rebuild_resumes_where_it_stopped(posts, customer, found_topics):
    wipe_and_plant_junk()
    seen = []

    def stop_after_two_batches(run):
        seen.append(run.done_posts)
        if len(seen) == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        rebuild_search_index(batch_size=2, progress=stop_after_two_batches)
    stopped = IndexRebuild.objects.get()
    assert (stopped.done_posts, stopped.finished_at) == (4, None)

    out = io.StringIO()
    call_command("reindex", batch_size=2, stdout=out)

    finished = IndexRebuild.objects.get()
    assert finished.pk == stopped.pk and finished.is_finished
    assert finished.done_posts == finished.total_posts == 7
    assert f"Resuming from post {stopped.next_post_id}." in out.getvalue()
    assert found_topics(customer, "frost") == [posts["second"].pk]
    assert backend_for().indexed_count() == 6


def test_restart_starts_over(posts):
    with pytest.raises(Interrupted):
        rebuild_search_index(batch_size=2, progress=lambda run: _raise_at(run, 2))

    run = rebuild_search_index(batch_size=3, restart=True)

    assert IndexRebuild.objects.get() == run
    assert (run.done_posts, run.batch_size) == (7, 3)


def _raise_at(run, done):
    if run.done_posts >= done:
        raise Interrupted


def test_reindexing_twice_changes_nothing(posts, customer, found):
    call_command("reindex", stdout=io.StringIO())
    before = (backend_for().indexed_count(), found(customer, "frost"), found(customer, "reply"))

    call_command("reindex", stdout=io.StringIO())

    after = (backend_for().indexed_count(), found(customer, "frost"), found(customer, "reply"))
    assert before == after
    assert Activity.objects.filter(verb="search.reindexed").count() == 2


def test_reindex_of_an_empty_community_empties_the_index(db):
    wipe_and_plant_junk()

    call_command("reindex", verbosity=0, stdout=io.StringIO())

    assert backend_for().indexed_count() == 0


def test_reindex_refuses_a_batch_size_below_one(db):
    with pytest.raises(CommandError):
        call_command("reindex", batch_size=0, stdout=io.StringIO())
