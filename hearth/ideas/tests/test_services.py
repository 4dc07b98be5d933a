"""The idea services: submitting, votes and their counts, proxy votes, follows, statuses,
announcements, tracker links, comments, and what each writes to the activity log."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Member
from hearth.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from hearth.core.models import Activity
from hearth.ideas import services
from hearth.ideas.models import (
    Idea,
    IdeaBoard,
    IdeaComment,
    IdeaFollow,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from hearth.ideas.tests.conftest import make_idea
from hearth.notifications.models import Notification

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def followers(idea) -> set[str]:
    return set(IdeaFollow.objects.filter(idea=idea).values_list("member__username", flat=True))


def voters(idea) -> set[str]:
    return set(IdeaVote.objects.filter(idea=idea).values_list("voter__username", flat=True))


def activities(verb: str) -> list[Activity]:
    return list(Activity.objects.filter(verb=verb).order_by("id"))


def assert_counts_match(idea) -> None:
    idea = fresh(idea)
    assert idea.vote_count == IdeaVote.objects.filter(idea=idea).count()


# --- submitting -----------------------------------------------------------------------------


def test_a_member_submits_an_idea_and_follows_it(customer, board, area, statuses):
    idea = services.create_idea(
        author=customer,
        board=board,
        title="  Export   reports as CSV ",
        description="So I can **open them** in a spreadsheet.",
        area=area,
    )

    idea = fresh(idea)
    assert idea.title == "Export reports as CSV"
    assert idea.slug == "export-reports-as-csv"
    assert idea.status == statuses["new"]
    assert idea.area == area
    assert idea.vote_count == 0
    assert "<strong>open them</strong>" in idea.description_html
    assert idea.created_at == idea.updated_at
    assert followers(idea) == {"cara"}
    assert voters(idea) == set()
    assert fresh(board).idea_count == 1
    [row] = activities("idea.created")
    assert (row.actor, row.target_type, row.target_id) == (customer, "idea", idea.pk)
    assert row.payload == {"board_id": board.pk, "area_id": area.pk, "status": "new"}


def test_markdown_in_a_description_is_sanitised(customer, board):
    idea = make_idea(
        author=customer,
        board=board,
        description="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>",
    )

    assert "<script" not in idea.description_html
    assert 'href="javascript:' not in idea.description_html
    assert "<img" not in idea.description_html


@pytest.mark.parametrize(
    ("title", "description", "field", "code"),
    [
        ("Hm", "Some words", "title", "title_too_short"),
        ("x" * 201, "Some words", "title", "title_too_long"),
        ("A fine title", "   ", "description", "description_empty"),
        ("A fine title", "x" * 20_001, "description", "description_too_long"),
    ],
)
def test_bad_ideas_are_refused_with_the_field(customer, board, title, description, field, code):
    with pytest.raises(ValidationFailed) as caught:
        services.create_idea(author=customer, board=board, title=title, description=description)

    assert (caught.value.field, caught.value.code) == (field, code)
    assert not Idea.objects.exists()


@pytest.mark.parametrize("field", ["title", "description", "submit_key"])
def test_nul_characters_are_refused_before_the_database_sees_them(customer, board, field):
    values = {
        "title": "A fine title",
        "description": "Some words",
        "submit_key": "k",
        field: "a\x00b c d e",
    }

    with pytest.raises(ValidationFailed) as caught:
        services.create_idea(author=customer, board=board, **values)

    assert (caught.value.field, caught.value.code) == (field, "invalid_characters")


def test_a_repeated_submit_key_creates_one_idea(customer, board):
    first = make_idea(author=customer, board=board, submit_key="key-1")
    again = make_idea(author=customer, board=board, submit_key="key-1")

    assert again.pk == first.pk
    assert again.is_repeat_submit
    assert Idea.objects.count() == 1
    assert fresh(board).idea_count == 1


def test_nobody_submits_to_a_board_they_cannot_see(customer, employee_board):
    with pytest.raises(NotFound):
        make_idea(author=customer, board=employee_board)


def test_submitting_needs_the_code_of_conduct(customer, board):
    Member.objects.filter(pk=customer.pk).update(conduct_version_accepted=0)
    customer.refresh_from_db()

    with pytest.raises(NotAllowed) as caught:
        make_idea(author=customer, board=board)
    assert caught.value.code == "cannot_submit_idea"


def test_without_a_default_status_submitting_is_a_clear_conflict(customer, board):
    IdeaStatus.objects.update(is_default=False)

    with pytest.raises(Conflict) as caught:
        make_idea(author=customer, board=board)
    assert caught.value.code == "no_default_status"


# --- votes ------------------------------------------------------------------------------------


def test_voting_counts_once_and_follows(other_customer, idea):
    services.add_idea_vote(member=other_customer, idea=idea)
    services.add_idea_vote(member=other_customer, idea=idea)

    assert fresh(idea).vote_count == 1
    assert voters(idea) == {"omar"}
    assert followers(idea) == {"cara", "omar"}
    [row] = activities("idea.voted")
    assert row.actor == other_customer
    assert row.payload == {
        "board_id": idea.board_id,
        "voter": other_customer.pk,
        "status": "new",
        "recorded_by": None,
        "channel": "",
    }


def test_withdrawing_a_vote_lowers_the_count_and_keeps_following(other_customer, idea):
    services.add_idea_vote(member=other_customer, idea=idea)

    assert services.withdraw_idea_vote(member=other_customer, idea=idea) is False
    assert services.withdraw_idea_vote(member=other_customer, idea=idea) is False

    assert fresh(idea).vote_count == 0
    assert voters(idea) == set()
    assert "omar" in followers(idea)
    assert len(activities("idea.unvoted")) == 1


def test_many_votes_and_withdrawals_keep_the_count_equal_to_the_rows(make_member, idea):
    members = [make_member() for _ in range(7)]
    for member in members:
        services.add_idea_vote(member=member, idea=idea)
    for member in members[::2]:
        services.withdraw_idea_vote(member=member, idea=idea)
    services.add_idea_vote(member=members[0], idea=idea)

    assert fresh(idea).vote_count == 4
    assert_counts_match(idea)


def test_the_author_may_vote_for_their_own_idea(customer, idea):
    services.add_idea_vote(member=customer, idea=idea)

    assert fresh(idea).vote_count == 1


@pytest.mark.parametrize("slug", ["shipped", "declined"])
def test_closed_ideas_take_no_votes_but_votes_can_be_withdrawn(
    slug, other_customer, moderator, idea, statuses
):
    services.add_idea_vote(member=other_customer, idea=idea)
    services.change_idea_status(actor=moderator, idea=idea, status=statuses[slug])

    with pytest.raises(Conflict) as caught:
        services.add_idea_vote(member=moderator, idea=idea)
    assert caught.value.code == "idea_closed"

    services.withdraw_idea_vote(member=other_customer, idea=idea)
    assert fresh(idea).vote_count == 0


def test_nobody_votes_on_an_idea_they_cannot_see(customer, make_member, employee_board):
    employee = make_member(affiliation=Affiliation.EMPLOYEE)
    idea = make_idea(author=employee, board=employee_board)

    with pytest.raises(NotFound):
        services.add_idea_vote(member=customer, idea=idea)
    with pytest.raises(NotFound):
        services.withdraw_idea_vote(member=customer, idea=idea)
    assert fresh(idea).vote_count == 0


def test_voting_needs_the_code_of_conduct(other_customer, idea):
    Member.objects.filter(pk=other_customer.pk).update(conduct_version_accepted=0)
    other_customer.refresh_from_db()

    with pytest.raises(NotAllowed) as caught:
        services.add_idea_vote(member=other_customer, idea=idea)
    assert caught.value.code == "cannot_vote"


def test_a_voters_account_cannot_be_deleted_around_the_count(other_customer, idea):
    from django.db.models import ProtectedError

    services.add_idea_vote(member=other_customer, idea=idea)

    with pytest.raises(ProtectedError):
        Member.objects.filter(pk=other_customer.pk).delete()
    assert_counts_match(idea)


# --- proxy votes ------------------------------------------------------------------------------


@pytest.mark.parametrize("affiliation", [Affiliation.CUSTOMER, Affiliation.PROSPECT])
def test_staff_record_a_vote_for_a_customer_or_prospect(affiliation, make_member, moderator, idea):
    voter = make_member(username="asked", affiliation=affiliation)

    vote = services.record_proxy_vote(
        actor=moderator, idea=idea, voter=voter, channel="phone", note="Renewal call, 12 May"
    )

    assert (vote.voter, vote.recorded_by, vote.channel, vote.note) == (
        voter,
        moderator,
        "phone",
        "Renewal call, 12 May",
    )
    assert vote.is_proxy
    assert fresh(idea).vote_count == 1
    assert "asked" in followers(idea)
    # Staff did it, for the customer: the staff member is the actor, the customer the voter.
    [row] = activities("idea.voted")
    assert row.actor == moderator
    assert row.payload["voter"] == voter.pk
    assert row.payload["recorded_by"] == moderator.pk
    assert row.payload["channel"] == "phone"
    [told] = Notification.objects.filter(recipient=voter)
    assert told.verb == "idea_vote_recorded"
    assert told.sentence == f"{moderator.name} recorded your vote for {idea.title}"
    assert "phone call" in told.excerpt


@pytest.mark.parametrize(
    "affiliation",
    [Affiliation.PARTNER, Affiliation.EMPLOYEE, Affiliation.JOURNALIST, Affiliation.OTHER],
)
def test_proxy_votes_are_only_for_customers_and_prospects(affiliation, make_member, manager, idea):
    voter = make_member(affiliation=affiliation)

    with pytest.raises(ValidationFailed) as caught:
        services.record_proxy_vote(actor=manager, idea=idea, voter=voter, channel="email")

    assert (caught.value.code, caught.value.field) == ("proxy_voter_not_allowed", "voter")
    assert fresh(idea).vote_count == 0


def test_a_proxy_vote_for_someone_who_voted_is_a_conflict(other_customer, moderator, idea):
    services.add_idea_vote(member=other_customer, idea=idea)

    with pytest.raises(Conflict) as caught:
        services.record_proxy_vote(
            actor=moderator, idea=idea, voter=other_customer, channel="event"
        )

    assert caught.value.code == "already_voted"
    assert fresh(idea).vote_count == 1


def test_proxy_votes_need_staff_and_a_known_channel(customer, other_customer, moderator, idea):
    with pytest.raises(NotAllowed):
        services.record_proxy_vote(actor=customer, idea=idea, voter=other_customer, channel="phone")
    with pytest.raises(ValidationFailed) as caught:
        services.record_proxy_vote(
            actor=moderator, idea=idea, voter=other_customer, channel="carrier pigeon"
        )
    assert caught.value.field == "channel"
    with pytest.raises(ValidationFailed) as caught:
        services.record_proxy_vote(
            actor=moderator, idea=idea, voter=other_customer, channel="phone", note="x" * 501
        )
    assert caught.value.field == "note"
    assert fresh(idea).vote_count == 0


def test_no_proxy_vote_for_a_member_who_cannot_see_the_board(make_member, moderator, partner_board):
    partner = make_member(affiliation=Affiliation.PARTNER)
    idea = make_idea(author=partner, board=partner_board)
    customer = make_member(affiliation=Affiliation.CUSTOMER)

    with pytest.raises(ValidationFailed):
        services.record_proxy_vote(actor=moderator, idea=idea, voter=customer, channel="phone")


# --- following --------------------------------------------------------------------------------


def test_following_and_unfollowing(other_customer, idea):
    assert services.set_idea_follow(member=other_customer, idea=idea, following=True)
    assert services.set_idea_follow(member=other_customer, idea=idea, following=True)
    assert followers(idea) == {"cara", "omar"}

    assert not services.set_idea_follow(member=other_customer, idea=idea, following=False)
    assert followers(idea) == {"cara"}
    assert len(activities("idea.followed")) == 1
    assert len(activities("idea.unfollowed")) == 1


# --- status changes ---------------------------------------------------------------------------


def test_staff_change_the_status_with_a_public_note_kept_as_history(
    moderator, idea, statuses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_idea_status(
            actor=moderator, idea=idea, status=statuses["planned"], note="For the **May** release."
        )

    idea = fresh(idea)
    assert idea.status == statuses["planned"]
    assert idea.status_changed_at == change.created_at == idea.updated_at
    change = fresh(change)
    assert (change.from_status, change.to_status, change.changed_by) == (
        statuses["new"],
        statuses["planned"],
        moderator,
    )
    assert "<strong>May</strong>" in change.note_html
    [row] = activities("idea.status_changed")
    assert row.payload["from"] == "new"
    assert row.payload["to"] == "planned"
    assert row.payload["change_id"] == change.pk
    assert 0 <= row.payload["seconds_since_created"] < 60


def test_the_activity_log_has_the_time_since_creation(moderator, idea, statuses):
    Idea.objects.filter(pk=idea.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3, seconds=30)
    )

    services.change_idea_status(actor=moderator, idea=idea, status=statuses["under-review"])

    [row] = activities("idea.status_changed")
    assert 3 * 86400 + 30 <= row.payload["seconds_since_created"] < 3 * 86400 + 90


def test_shipping_is_logged_as_shipped_with_the_announcement(moderator, idea, statuses):
    services.change_idea_status(
        actor=moderator,
        idea=idea,
        status=statuses["shipped"],
        note="Out now.",
        announcement_url="/t/dark-mode-is-here/12/",
        announcement_title="Dark mode is here",
    )

    idea = fresh(idea)
    assert (idea.announcement_url, idea.announcement_title) == (
        "/t/dark-mode-is-here/12/",
        "Dark mode is here",
    )
    assert activities("idea.status_changed") == []
    [row] = activities("idea.shipped")
    assert (row.payload["from"], row.payload["to"]) == ("new", "shipped")
    assert "seconds_since_created" in row.payload


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"note": "x" * 2001}, "note", "note_too_long"),
        ({"announcement_url": "https://example.com/post"}, "announcement_url", None),
        (
            {"status": "shipped", "announcement_url": "javascript:alert(1)"},
            "announcement_url",
            None,
        ),
        ({"status": "shipped", "announcement_url": "//evil.example/x"}, "announcement_url", None),
        ({"status": "shipped", "announcement_title": "Out now"}, "announcement_url", None),
        ({"status": "new"}, "status", "status_unchanged"),
    ],
)
def test_bad_status_changes_are_refused(moderator, idea, statuses, kwargs, field, code):
    kwargs = dict(kwargs)
    status = statuses[kwargs.pop("status", "planned")]

    with pytest.raises(ValidationFailed) as caught:
        services.change_idea_status(actor=moderator, idea=idea, status=status, **kwargs)

    assert caught.value.field == field
    if code:
        assert caught.value.code == code
    assert fresh(idea).status == statuses["new"]
    assert not IdeaStatusChange.objects.exists()


@pytest.mark.parametrize("who", ["customer", "other_customer", "employee", "partner"])
def test_only_staff_change_statuses(request, who, idea, statuses):
    member = request.getfixturevalue(who)

    with pytest.raises(NotAllowed) as caught:
        services.change_idea_status(actor=member, idea=idea, status=statuses["planned"])

    assert caught.value.code == "staff_only"


def test_attaching_the_announcement_after_shipping(
    moderator, other_customer, idea, statuses, django_capture_on_commit_callbacks
):
    services.add_idea_vote(member=other_customer, idea=idea)
    with pytest.raises(Conflict):
        services.attach_idea_announcement(actor=moderator, idea=idea, url="https://example.com/a")
    services.change_idea_status(actor=moderator, idea=idea, status=statuses["shipped"])

    with django_capture_on_commit_callbacks(execute=True):
        services.attach_idea_announcement(
            actor=moderator, idea=idea, url="https://example.com/news", title="It's here"
        )

    idea = fresh(idea)
    assert idea.announcement_url == "https://example.com/news"
    told = Notification.objects.get(recipient=other_customer, verb="idea_announced")
    assert told.excerpt == "Read all about it: It's here"
    assert told.url == idea.get_absolute_url()
    with pytest.raises(ValidationFailed):
        services.attach_idea_announcement(actor=moderator, idea=idea, url="ftp://example.com/x")


# --- tracker ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "manager", "moderator"])
def test_employees_and_staff_link_the_tracker(request, who, idea):
    member = request.getfixturevalue(who)

    services.link_idea_tracker(actor=member, idea=idea, tracker_ref="  LUM-1234  ")

    assert fresh(idea).tracker_ref == "LUM-1234"
    [row] = activities("idea.tracker_linked")
    assert row.payload["tracker_ref"] == "LUM-1234"


@pytest.mark.parametrize("who", ["customer", "other_customer", "partner"])
def test_others_cannot_link_the_tracker(request, who, idea):
    with pytest.raises(NotAllowed) as caught:
        services.link_idea_tracker(
            actor=request.getfixturevalue(who), idea=idea, tracker_ref="LUM-1"
        )
    assert caught.value.code == "employees_only"


def test_a_tracker_reference_has_a_limit(employee, idea):
    with pytest.raises(ValidationFailed) as caught:
        services.link_idea_tracker(actor=employee, idea=idea, tracker_ref="x" * 501)
    assert caught.value.field == "tracker_ref"


def test_a_tracker_url_is_a_link(employee, idea):
    services.link_idea_tracker(actor=employee, idea=idea, tracker_ref="https://jira.example/LUM-1")
    assert fresh(idea).tracker_url == "https://jira.example/LUM-1"
    services.link_idea_tracker(actor=employee, idea=idea, tracker_ref="LUM-1")
    assert fresh(idea).tracker_url == ""


# --- comments ---------------------------------------------------------------------------------


def test_comments_count_follow_and_tell_followers(
    customer, other_customer, make_member, idea, django_capture_on_commit_callbacks
):
    third = make_member(username="third")
    services.add_idea_vote(member=third, idea=idea)
    services.set_idea_follow(member=third, idea=idea, following=False)

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.add_idea_comment(
            author=other_customer, idea=idea, body="Yes, and *schedules* too."
        )

    assert "<em>schedules</em>" in comment.body_html
    assert fresh(idea).comment_count == 1
    assert "omar" in followers(idea)
    # The author follows; the voter who unfollowed hears nothing of comments.
    assert list(Notification.objects.values_list("recipient__username", "verb")) == [
        ("cara", "idea_commented")
    ]
    services.delete_idea_comment(actor=other_customer, comment=comment)
    assert fresh(comment).is_deleted
    assert fresh(idea).comment_count == 0


def test_only_authors_and_moderators_delete_comments(customer, other_customer, moderator, idea):
    comment = services.add_idea_comment(author=other_customer, idea=idea, body="Hello")

    with pytest.raises(NotAllowed):
        services.delete_idea_comment(actor=customer, comment=comment)
    services.delete_idea_comment(actor=moderator, comment=comment)

    assert fresh(comment).deleted_by == moderator
    [row] = activities("idea.comment_deleted")
    assert row.payload["by_staff"] is True


def test_an_empty_comment_is_refused(other_customer, idea):
    with pytest.raises(ValidationFailed) as caught:
        services.add_idea_comment(author=other_customer, idea=idea, body="  ")
    assert caught.value.field == "body"
    assert not IdeaComment.objects.exists()


def _comment_on_twice_deleted(monkeypatch, actor, comment):
    """Delete `comment` as `actor` while another request deletes it between our read and our
    write (what two deletes at once do): the other one has committed when we write."""
    real = services.can_delete_comment

    def and_meanwhile(member, loaded):
        allowed = real(member, loaded)
        IdeaComment.objects.filter(pk=loaded.pk).update(
            deleted_at=timezone.now(), deleted_by=loaded.author
        )
        Idea.objects.filter(pk=loaded.idea_id).update(comment_count=F("comment_count") - 1)
        return allowed

    monkeypatch.setattr(services, "can_delete_comment", and_meanwhile)
    return services.delete_idea_comment(actor=actor, comment=comment)


def test_a_comment_deleted_twice_at_once_is_uncounted_once(
    monkeypatch, other_customer, moderator, idea
):
    kept = services.add_idea_comment(author=other_customer, idea=idea, body="Keep me")
    doomed = services.add_idea_comment(author=other_customer, idea=idea, body="Delete me")
    assert fresh(idea).comment_count == 2

    returned = _comment_on_twice_deleted(monkeypatch, moderator, doomed)

    assert returned.is_deleted
    assert fresh(idea).comment_count == 1
    assert not fresh(kept).is_deleted
    # The delete that lost the race changed nothing and logged nothing.
    assert fresh(doomed).deleted_by == other_customer
    assert activities("idea.comment_deleted") == []


# --- restrictions and the code of conduct ---------------------------------------------------

WRITES = {
    "submit": lambda member, idea: make_idea(author=member, board=idea.board),
    "vote": lambda member, idea: services.add_idea_vote(member=member, idea=idea),
    "comment": lambda member, idea: services.add_idea_comment(
        author=member, idea=idea, body="Me too, please."
    ),
}


def nothing_written(idea) -> bool:
    return (
        Idea.objects.count() == 1
        and not IdeaVote.objects.exists()
        and not IdeaComment.objects.exists()
        and fresh(idea).comment_count == 0
    )


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(
    ("field", "code"), [("silenced_until", "silenced"), ("suspended_until", "account_suspended")]
)
def test_silenced_and_suspended_members_cannot_submit_vote_or_comment(
    write, field, code, other_customer, idea
):
    Member.objects.filter(pk=other_customer.pk).update(
        **{field: timezone.now() + datetime.timedelta(days=3)}
    )
    other_customer.refresh_from_db()

    with pytest.raises(NotAllowed) as caught:
        WRITES[write](other_customer, idea)

    # The refusal posting gives, word for word.
    with pytest.raises(NotAllowed) as posting:
        account_services.require_unrestricted(other_customer)
    assert (caught.value.code, caught.value.message) == (code, posting.value.message)
    assert nothing_written(idea)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_once_a_restriction_ends_members_write_again(write, other_customer, idea):
    Member.objects.filter(pk=other_customer.pk).update(
        silenced_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    other_customer.refresh_from_db()

    WRITES[write](other_customer, idea)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_new_code_of_conduct_must_be_accepted_before_submitting_voting_or_commenting(
    write, other_customer, manager, idea
):
    conduct = account_services.publish_code_of_conduct(actor=manager, body="Version two.")
    other_customer.refresh_from_db()

    with pytest.raises(NotAllowed) as caught:
        WRITES[write](other_customer, idea)

    with pytest.raises(NotAllowed) as posting:
        account_services.require_current_conduct(other_customer)
    assert (caught.value.code, caught.value.message) == (
        "conduct_not_accepted",
        posting.value.message,
    )
    assert nothing_written(idea)
    account_services.accept_code_of_conduct(member=other_customer, conduct=conduct)
    other_customer.refresh_from_db()
    WRITES[write](other_customer, idea)


# --- boards -----------------------------------------------------------------------------------


def test_only_managers_open_boards(customer, moderator, manager):
    for member in (customer, moderator):
        with pytest.raises(NotAllowed):
            services.create_board(actor=member, name="Ideas")

    board = services.create_board(
        actor=manager,
        name="Partner ideas",
        visibility=IdeaBoard.Visibility.AFFILIATIONS,
        allowed_affiliations=["partner", "partner"],
    )
    assert board.allowed_affiliations == ["partner"]
    with pytest.raises(ValidationFailed):
        services.create_board(actor=manager, name="Partner ideas")
    with pytest.raises(ValidationFailed):
        services.create_board(
            actor=manager, name="Secret", visibility=IdeaBoard.Visibility.AFFILIATIONS
        )
