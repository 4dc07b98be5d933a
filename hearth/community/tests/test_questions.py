"""Questions and answers: who accepts, what it changes, and the support queues."""

import pytest

from hearth.community import services
from hearth.community.models import Post, State, Tag, Topic
from hearth.core.errors import NotAllowed, ValidationFailed
from hearth.core.models import Activity

pytestmark = pytest.mark.django_db


def ask(author, space, title="How do I pair a new bulb?"):
    return services.create_topic(
        author=author, space=space, title=title, body="It blinks twice.", kind=Topic.Kind.QUESTION
    )


@pytest.fixture
def question(customer, public_space):
    return ask(customer, public_space)


@pytest.fixture
def answer(question, other_customer):
    return services.create_reply(author=other_customer, topic=question, body="Hold it 5 s.")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("customer", True), ("moderator", True), ("manager", True), ("other_customer", False),
     ("employee", False), ("partner", False)],
)  # fmt: skip
def test_the_asker_and_staff_may_accept_an_answer_others_may_not(
    request, question, answer, who, allowed
):
    actor = request.getfixturevalue(who)
    if allowed:
        services.accept_answer(actor=actor, post=answer)
        question.refresh_from_db()
        assert question.accepted_post == answer
        assert question.solved_at is not None
    else:
        with pytest.raises(NotAllowed) as error:
            services.accept_answer(actor=actor, post=answer)
        assert error.value.code == "cannot_accept"
        question.refresh_from_db()
        assert question.accepted_post is None


def test_staff_can_change_the_accepted_answer_and_the_asker_can_unaccept(
    question, answer, customer, moderator, employee
):
    services.accept_answer(actor=customer, post=answer)
    better = services.create_reply(author=employee, topic=question, body="Use the app instead.")

    services.accept_answer(actor=moderator, post=better)
    question.refresh_from_db()
    assert question.accepted_post == better

    services.unaccept_answer(actor=customer, topic=question)
    question.refresh_from_db()
    assert (question.accepted_post, question.solved_at) == (None, None)
    verbs = list(Activity.objects.filter(verb__startswith="answer.").values_list("verb", flat=True))
    assert sorted(verbs) == ["answer.accepted", "answer.accepted", "answer.unaccepted"]


def test_only_a_reply_to_a_question_can_be_accepted(customer, public_space, other_customer):
    discussion = services.create_topic(
        author=customer, space=public_space, title="Show your scenes", body="Mine first."
    )
    reply = services.create_reply(author=other_customer, topic=discussion, body="Sunset!")
    question = ask(customer, public_space)

    with pytest.raises(ValidationFailed) as not_question:
        services.accept_answer(actor=customer, post=reply)
    with pytest.raises(ValidationFailed) as opening:
        services.accept_answer(actor=customer, post=question.posts.get(position=1))

    assert not_question.value.code == "not_a_question"
    assert opening.value.code == "not_an_answer"


@pytest.mark.parametrize("state", [State.HELD, State.HIDDEN])
def test_a_held_or_hidden_reply_cannot_be_accepted(question, answer, customer, moderator, state):
    services.set_post_state(actor=moderator, post=answer, state=state, reason="Checking a link.")

    with pytest.raises(ValidationFailed) as error:
        services.accept_answer(actor=moderator, post=answer)

    assert error.value.code == "not_published"
    question.refresh_from_db()
    assert (question.accepted_post, question.solved_at) == (None, None)


def test_an_unpublished_accepted_answer_is_not_shown_under_the_question(
    client, question, answer, customer
):
    services.accept_answer(actor=customer, post=answer)
    # Hiding through set_post_state unaccepts it; rows accepted while held (before
    # accept_answer refused that) still point at an unpublished post.
    Post.objects.filter(pk=answer.pk).update(state=State.HELD)

    html = client.get(question.get_absolute_url()).content.decode()

    assert "Accepted answer by" not in html
    assert "Hold it 5 s." not in html


def test_deleting_the_accepted_answer_reopens_the_question(question, answer, customer, moderator):
    services.accept_answer(actor=customer, post=answer)

    services.delete_post(actor=moderator, post=answer)

    question.refresh_from_db()
    assert question.accepted_post is None
    assert question.solved_at is None


def test_the_first_response_time_counts_only_replies_from_others(
    question, customer, other_customer
):
    services.create_reply(author=customer, topic=question, body="Anyone?")
    question.refresh_from_db()
    assert question.first_response_at is None

    reply = services.create_reply(author=other_customer, topic=question, body="Yes!")

    question.refresh_from_db()
    assert question.first_response_at == reply.created_at


def test_accepting_through_the_page_shows_the_answer_under_the_question(
    client_for, question, answer, customer
):
    client = client_for(customer)

    response = client.post(f"/p/{answer.pk}/accept/", follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Accepted answer by" in html
    assert html.index("Accepted answer by") < html.index('id="post-2"')
    assert 'class="badge badge-solved">Solved<' in html


def test_a_member_who_did_not_ask_gets_403_from_the_accept_button(client_for, answer, partner):
    response = client_for(partner).post(f"/p/{answer.pk}/accept/")

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("unanswered", ["Nobody answered this yet"]),
        ("unsolved", ["Nobody answered this yet", "Answered but not solved"]),
        ("mine", ["Answered and solved", "Answered but not solved", "Nobody answered this yet"]),
    ],
)
def test_support_queues_list_the_right_questions(
    client_for, customer, other_customer, public_space, queue, expected
):
    lonely = ask(customer, public_space, "Nobody answered this yet")
    open_one = ask(customer, public_space, "Answered but not solved")
    services.create_reply(author=other_customer, topic=open_one, body="Try a reset.")
    solved = ask(customer, public_space, "Answered and solved")
    fix = services.create_reply(author=other_customer, topic=solved, body="Update firmware.")
    services.accept_answer(actor=customer, post=fix)
    assert lonely.pk

    html = client_for(customer).get(f"/questions/?queue={queue}").content.decode()

    shown = [title for title in expected if title in html]
    assert shown == expected
    hidden = {"Nobody answered this yet", "Answered but not solved", "Answered and solved"}
    for title in hidden - set(expected):
        assert title not in html


def test_the_queues_filter_by_tag_and_never_show_hidden_spaces(
    client_for, customer, partner, partner_space, public_space
):
    billing = Tag.objects.create(name="Billing", slug="billing")
    tagged = services.create_topic(
        author=customer,
        space=public_space,
        title="Invoice shows the wrong VAT",
        body="Since March.",
        kind=Topic.Kind.QUESTION,
        tags=[billing],
    )
    ask(customer, public_space, "Untagged question here")
    ask(partner, partner_space, "Partner pricing question")

    by_tag = client_for(customer).get("/questions/?queue=unanswered&tag=billing").content.decode()
    everything = client_for(customer).get("/questions/?queue=unanswered").content.decode()

    assert tagged.title in by_tag
    assert "Untagged question here" not in by_tag
    assert "Partner pricing question" not in everything
    assert "Partner pricing question" in client_for(partner).get("/questions/").content.decode()


def test_queue_pages_run_a_constant_number_of_queries(
    client_for, customer, public_space, django_assert_max_num_queries
):
    for number in range(40):
        ask(customer, public_space, f"Question number {number}")
    client = client_for(customer)
    client.get("/")

    with django_assert_max_num_queries(8):
        response = client.get("/questions/?queue=unsolved&page=2")

    assert response.status_code == 200
