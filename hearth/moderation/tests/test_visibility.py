"""Held and hidden posts: their author (with the reason) and moderators see them, nobody else,
anywhere: topic pages, lists, counts, search, similar questions, notifications, the API."""

import pytest
from django.urls import reverse

from hearth.community import selectors
from hearth.community.models import Space, Topic
from hearth.moderation import services
from hearth.notifications.models import Notification
from hearth.search import selectors as search

SECRET = "Zanzibarquux"


@pytest.fixture
def hidden_reply(topic, make_reply, make_member, moderator):
    reply = make_reply(
        topic=topic, author=make_member(username="hal"), body=f"{SECRET} is what I think of you."
    )
    services.hide_post(actor=moderator, post=reply, reason="Insulting another member.")
    return reply


@pytest.fixture
def hidden_question(make_topic, public_space, make_member, moderator):
    topic = make_topic(
        author=make_member(username="quentin"),
        space=public_space,
        kind="question",
        title=f"How do I pair the {SECRET} dimmer",
        body=f"{SECRET} question",
    )
    services.hide_post(actor=moderator, post=topic.posts.get(), reason="Spam.")
    return Topic.objects.get(pk=topic.pk)


def test_a_hidden_reply_shows_only_to_its_author_and_moderators(
    client_for, hidden_reply, customer, moderator
):
    url = hidden_reply.topic.get_absolute_url()

    assert SECRET not in client_for(None).get(url).content.decode()
    assert SECRET not in client_for(customer).get(url).content.decode()
    own = client_for(hidden_reply.author).get(url).content.decode()
    assert SECRET in own
    assert "Hidden by the moderators" in own and "Insulting another member." in own
    assert "/code-of-conduct/" in own
    assert SECRET in client_for(moderator).get(url).content.decode()


def test_a_hidden_posts_permalink_and_history_are_not_found_for_others(
    client_for, hidden_reply, customer
):
    assert (
        client_for(customer).get(reverse("community:post", args=[hidden_reply.pk])).status_code
        == 404
    )
    assert (
        client_for(hidden_reply.author)
        .get(reverse("community:post", args=[hidden_reply.pk]))
        .status_code
        == 302
    )


def test_a_hidden_topic_is_out_of_lists_and_counts(
    client_for, hidden_question, customer, public_space
):
    assert SECRET not in client_for(customer).get(reverse("community:home")).content.decode()
    assert SECRET not in client_for(customer).get(public_space.get_absolute_url()).content.decode()
    questions = client_for(customer).get(reverse("community:questions")).content.decode()
    assert SECRET not in questions
    assert client_for(customer).get(hidden_question.get_absolute_url()).status_code == 404
    assert (
        client_for(hidden_question.author).get(hidden_question.get_absolute_url()).status_code
        == 200
    )
    assert Space.objects.get(pk=public_space.pk).topic_count == 0
    assert not selectors.topic_list(hidden_question.author, space=public_space).exists()


def test_hidden_posts_are_out_of_the_counts(topic, hidden_reply):
    topic = Topic.objects.get(pk=topic.pk)

    assert topic.reply_count == 0
    assert topic.space.post_count == 1
    assert hidden_reply.author.__class__.objects.get(pk=hidden_reply.author_id).post_count == 0


def test_hidden_posts_are_out_of_search_and_similar_questions(
    hidden_reply, hidden_question, customer, moderator
):
    for viewer in (customer, moderator, hidden_reply.author):
        assert search.search(viewer, SECRET).results == []
    assert search.similar_questions(customer, f"pair the {SECRET} dimmer") == []


def test_the_api_leaves_hidden_posts_out_for_others(client_for, hidden_reply, customer):
    url = f"/api/v1/topics/{hidden_reply.topic_id}/posts"

    others = client_for(customer).get(url).json()["results"]
    own = client_for(hidden_reply.author).get(url).json()["results"]

    assert [post["id"] for post in others] == [hidden_reply.topic.posts.get(position=1).pk]
    hidden = next(post for post in own if post["id"] == hidden_reply.pk)
    assert hidden["state"] == "hidden"
    assert hidden["state_reason"] == "Insulting another member."
    assert client_for(customer).get(f"/api/v1/posts/{hidden_reply.pk}").status_code == 404


def test_nobody_is_notified_of_a_held_post_until_it_is_published(
    moderation_checks, topic, make_member, moderator, django_capture_on_commit_callbacks
):
    from hearth.community import services as community

    watcher = topic.author
    with django_capture_on_commit_callbacks(execute=True):
        post = community.create_reply(
            author=make_member(), topic=topic, body="You are an idiot and should shut up."
        )
    assert post.state == "held"
    assert not Notification.objects.filter(recipient=watcher, verb="reply").exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_post(actor=moderator, post=post, reason="Quoting, in context.")

    assert Notification.objects.filter(recipient=watcher, verb="reply").exists()


def test_a_hidden_post_cannot_be_quoted_by_others(client_for, hidden_reply, customer):
    url = f"{hidden_reply.topic.get_absolute_url()}?quote={hidden_reply.pk}"

    assert SECRET not in client_for(customer).get(url).content.decode()


def test_a_hidden_posts_author_profile_leaves_it_out(client_for, hidden_reply, customer):
    profile = client_for(customer).get(hidden_reply.author.get_absolute_url()).content.decode()

    assert SECRET not in profile
