"""Vote and comment counts equal the rows under concurrent voting, withdrawing, merging and
deleting.

Threads with their own database connections fire at once (a barrier releases them together).
Only PostgreSQL runs concurrent writers; SQLite takes one writer at a time, so there the
question does not arise and these tests are skipped.
"""

import threading

import pytest
from django.db import connection, connections

from hearth.core.errors import Conflict
from hearth.ideas import services
from hearth.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaVote
from hearth.ideas.tests.conftest import make_idea

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (SQLite runs one writer at a time)",
    ),
]

THREADS = 16


def run_together(calls) -> list[Exception]:
    """Run each call in its own thread, all released at once; returns what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[Exception] = []
    lock = threading.Lock()

    def work(call):
        try:
            barrier.wait(timeout=30)
            call()
        except Exception as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a voter never finished"
    return errors


def count_and_rows(idea) -> tuple[int, int]:
    return (
        Idea.objects.get(pk=idea.pk).vote_count,
        IdeaVote.objects.filter(idea_id=idea.pk).count(),
    )


@pytest.fixture
def crowd(make_member):
    return [make_member(username=f"crowd{n}") for n in range(THREADS)]


def test_many_members_voting_at_once_are_all_counted(crowd, customer, board):
    idea = make_idea(author=customer, board=board)

    errors = run_together(
        [lambda m=member: services.add_idea_vote(member=m, idea=idea) for member in crowd]
    )

    assert errors == []
    assert count_and_rows(idea) == (THREADS, THREADS)
    assert IdeaFollow.objects.filter(idea=idea).count() == THREADS + 1


def test_one_member_voting_many_times_at_once_counts_once(crowd, customer, board):
    idea = make_idea(author=customer, board=board)
    voter = crowd[0]

    errors = run_together(
        [lambda: services.add_idea_vote(member=voter, idea=idea) for _ in range(THREADS)]
    )

    assert errors == []
    assert count_and_rows(idea) == (1, 1)


def test_votes_and_withdrawals_at_once_keep_the_count_true(crowd, customer, board):
    idea = make_idea(author=customer, board=board)
    leaving, arriving = crowd[: THREADS // 2], crowd[THREADS // 2 :]
    for member in leaving:
        services.add_idea_vote(member=member, idea=idea)

    calls = [lambda m=m: services.withdraw_idea_vote(member=m, idea=idea) for m in leaving]
    calls += [lambda m=m: services.add_idea_vote(member=m, idea=idea) for m in arriving]
    # Each leaving member also withdraws twice: the second finds nothing to take back.
    calls += [lambda m=m: services.withdraw_idea_vote(member=m, idea=idea) for m in leaving]
    errors = run_together(calls)

    assert errors == []
    assert count_and_rows(idea) == (len(arriving), len(arriving))


def test_a_merge_while_votes_arrive_counts_each_voter_once(crowd, customer, moderator, board):
    survivor = make_idea(author=customer, board=board, title="Export reports as CSV")
    duplicate = make_idea(author=customer, board=board, title="CSV export of reports")
    early = crowd[:4]
    for member in early:
        services.add_idea_vote(member=member, idea=survivor)
        services.add_idea_vote(member=member, idea=duplicate)

    calls = [lambda: services.merge_ideas(actor=moderator, source=duplicate, target=survivor)]
    for n, member in enumerate(crowd[4:]):
        target = duplicate if n % 2 else survivor
        calls.append(lambda m=member, t=target: services.add_idea_vote(member=m, idea=t))
    errors = run_together(calls)

    # Votes that reached the duplicate after the merge are refused, not lost silently.
    assert all(isinstance(error, Conflict) and error.code == "idea_merged" for error in errors)
    count, rows = count_and_rows(survivor)
    assert count == rows
    voters = list(IdeaVote.objects.filter(idea=survivor).values_list("voter_id", flat=True))
    assert len(voters) == len(set(voters))
    assert count_and_rows(duplicate) == (0, 0)
    assert count == THREADS - len(errors)


def test_one_comment_deleted_many_times_at_once_is_uncounted_once(
    crowd, customer, moderator, board
):
    idea = make_idea(author=customer, board=board)
    kept = services.add_idea_comment(author=crowd[0], idea=idea, body="Keep me")
    doomed = services.add_idea_comment(author=crowd[0], idea=idea, body="Delete me")

    calls = [
        lambda actor=actor: services.delete_idea_comment(actor=actor, comment=doomed)
        for actor in [crowd[0], moderator] * (THREADS // 2)
    ]
    errors = run_together(calls)

    assert errors == []
    assert Idea.objects.get(pk=idea.pk).comment_count == 1
    assert IdeaComment.objects.filter(idea=idea, deleted_at__isnull=True).get() == kept
