"""Merging duplicates: votes and followers move without double counting, the duplicate
redirects, and its voters are told."""

import pytest

from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.models import Activity
from hearth.ideas import services
from hearth.ideas.models import Idea, IdeaComment, IdeaFollow, IdeaVote
from hearth.ideas.tests.conftest import make_board, make_idea
from hearth.notifications.models import Notification

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def usernames(queryset, field) -> set[str]:
    return set(queryset.values_list(f"{field}__username", flat=True))


@pytest.fixture
def people(make_member):
    return {name: make_member(username=name) for name in ("ana", "ben", "cy", "dee", "eve")}


@pytest.fixture
def pair(customer, other_customer, board):
    survivor = make_idea(author=customer, board=board, title="Export reports as CSV")
    duplicate = make_idea(author=other_customer, board=board, title="CSV export of reports")
    return survivor, duplicate


def merge(actor, source, target, capture):
    with capture(execute=True):
        return services.merge_ideas(actor=actor, source=source, target=target)


def test_a_member_who_voted_for_both_counts_once(
    people, moderator, pair, board, django_capture_on_commit_callbacks
):
    survivor, duplicate = pair
    for name in ("ana", "ben"):
        services.add_idea_vote(member=people[name], idea=survivor)
    for name in ("ben", "cy", "dee"):
        services.add_idea_vote(member=people[name], idea=duplicate)
    comment = services.add_idea_comment(author=people["eve"], idea=duplicate, body="Please!")

    result = merge(moderator, duplicate, survivor, django_capture_on_commit_callbacks)

    assert result.pk == survivor.pk
    survivor, duplicate = fresh(survivor), fresh(duplicate)
    # ana, ben (once), cy, dee: 2 + 3 - 1.
    assert survivor.vote_count == 4 == IdeaVote.objects.filter(idea=survivor).count()
    assert usernames(IdeaVote.objects.filter(idea=survivor), "voter") == {"ana", "ben", "cy", "dee"}
    assert duplicate.vote_count == 0 == IdeaVote.objects.filter(idea=duplicate).count()
    assert duplicate.merged_into == survivor
    assert duplicate.merged_at is not None
    assert fresh(comment).idea == survivor
    assert survivor.comment_count == 1
    assert fresh(board).idea_count == 1
    [row] = Activity.objects.filter(verb="idea.merged")
    assert (row.target_id, row.actor) == (duplicate.pk, moderator)
    assert row.payload == {
        "board_id": board.pk,
        "into": survivor.pk,
        "moved_votes": 2,
        "votes_counted_once": 1,
        "moved_comments": 1,
    }


def test_followers_move_and_each_follows_once(
    people, customer, other_customer, moderator, pair, django_capture_on_commit_callbacks
):
    survivor, duplicate = pair
    services.set_idea_follow(member=people["ana"], idea=survivor, following=True)
    services.set_idea_follow(member=people["ana"], idea=duplicate, following=True)
    services.set_idea_follow(member=people["ben"], idea=duplicate, following=True)

    merge(moderator, duplicate, survivor, django_capture_on_commit_callbacks)

    assert usernames(IdeaFollow.objects.filter(idea=survivor), "member") == {
        "cara",
        "omar",
        "ana",
        "ben",
    }
    assert not IdeaFollow.objects.filter(idea=duplicate).exists()


def test_the_duplicates_voters_and_followers_are_told_once_each(
    people, other_customer, moderator, pair, django_capture_on_commit_callbacks
):
    survivor, duplicate = pair
    services.add_idea_vote(member=people["ana"], idea=survivor)
    services.add_idea_vote(member=people["ana"], idea=duplicate)
    services.add_idea_vote(member=people["ben"], idea=duplicate)
    services.set_idea_follow(member=people["cy"], idea=duplicate, following=True)
    services.add_idea_vote(member=people["dee"], idea=survivor)

    merge(moderator, duplicate, survivor, django_capture_on_commit_callbacks)

    told = Notification.objects.filter(verb="idea_merged")
    # The duplicate's author (a follower), its voters and followers; not the survivor's own.
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "ana",
        "ben",
        "cy",
        "omar",
    ]
    notification = told.get(recipient=people["ben"])
    assert notification.sentence == (
        f"{moderator.name} merged an idea you follow into Export reports as CSV"
    )
    assert "CSV export of reports" in notification.excerpt
    assert notification.url == survivor.get_absolute_url()


def test_merged_votes_keep_when_they_were_cast(people, moderator, pair):
    survivor, duplicate = pair
    services.add_idea_vote(member=people["ana"], idea=duplicate)
    cast = IdeaVote.objects.get(voter=people["ana"]).created_at

    services.merge_ideas(actor=moderator, source=duplicate, target=survivor)

    assert IdeaVote.objects.get(voter=people["ana"], idea=survivor).created_at == cast


def test_a_merged_idea_takes_no_votes_comments_or_status(people, moderator, pair, statuses):
    survivor, duplicate = pair
    services.merge_ideas(actor=moderator, source=duplicate, target=survivor)
    duplicate = fresh(duplicate)

    for call in (
        lambda: services.add_idea_vote(member=people["ana"], idea=duplicate),
        lambda: services.withdraw_idea_vote(member=people["ana"], idea=duplicate),
        lambda: services.add_idea_comment(author=people["ana"], idea=duplicate, body="Hi"),
        lambda: services.change_idea_status(
            actor=moderator, idea=duplicate, status=statuses["planned"]
        ),
        lambda: services.merge_ideas(actor=moderator, source=duplicate, target=survivor),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.code == "idea_merged"
    assert not IdeaComment.objects.exists()


def test_merging_into_a_merged_idea_is_refused(moderator, customer, board, pair):
    survivor, duplicate = pair
    third = make_idea(author=customer, board=board, title="Reports as spreadsheets")
    services.merge_ideas(actor=moderator, source=duplicate, target=survivor)

    with pytest.raises(Conflict) as caught:
        services.merge_ideas(actor=moderator, source=third, target=fresh(duplicate))
    assert caught.value.code == "target_merged"


def test_an_idea_cannot_be_merged_into_itself(moderator, pair):
    survivor, _ = pair
    with pytest.raises(ValidationFailed) as caught:
        services.merge_ideas(actor=moderator, source=survivor, target=survivor)
    assert caught.value.code == "merge_into_itself"


def test_only_ideas_on_one_board_merge(moderator, customer, pair):
    survivor, _ = pair
    elsewhere = make_idea(author=customer, board=make_board(name="Elsewhere"))

    with pytest.raises(ValidationFailed) as caught:
        services.merge_ideas(actor=moderator, source=elsewhere, target=survivor)
    assert caught.value.code == "different_boards"


@pytest.mark.parametrize("who", ["customer", "other_customer", "employee", "partner"])
def test_only_staff_merge(request, who, pair):
    survivor, duplicate = pair
    with pytest.raises(NotAllowed):
        services.merge_ideas(actor=request.getfixturevalue(who), source=duplicate, target=survivor)
    assert fresh(duplicate).merged_into is None


def test_merging_into_an_idea_that_is_gone_is_not_found(moderator, pair):
    _, duplicate = pair
    missing = Idea(pk=999_999, board_id=duplicate.board_id)

    with pytest.raises(NotFound):
        services.merge_ideas(actor=moderator, source=duplicate, target=missing)
    assert fresh(duplicate).merged_into is None
