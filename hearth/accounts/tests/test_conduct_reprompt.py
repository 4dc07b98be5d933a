"""A new version of the code of conduct: members can read but must accept it to post."""

import pytest
from django.urls import reverse

from hearth.accounts import services
from hearth.community import services as community
from hearth.core.errors import NotAllowed


@pytest.fixture
def topic(make_topic, public_space):
    return make_topic(space=public_space)


@pytest.fixture
def new_version(customer, manager, topic):
    return services.publish_code_of_conduct(actor=manager, body="Version two: be kinder still.")


def test_a_member_who_has_not_accepted_the_new_version_cannot_post(new_version, customer, topic):
    customer.refresh_from_db()

    with pytest.raises(NotAllowed) as error:
        community.create_reply(author=customer, topic=topic, body="Hello")

    assert error.value.code == "conduct_not_accepted"


def test_reading_stays_allowed(new_version, client_for, customer, topic):
    assert client_for(customer).get(topic.get_absolute_url()).status_code == 200


def test_the_composer_sends_them_to_accept_it_first(
    new_version, client_for, customer, public_space
):
    response = client_for(customer).get(reverse("community:new_topic", args=[public_space.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:conduct")


def test_after_accepting_they_post_again(new_version, client_for, customer, topic):
    client = client_for(customer)
    page = client.get(reverse("accounts:conduct")).content.decode()
    assert "Version two" in page

    client.post(reverse("accounts:accept_conduct"))
    response = client.post(reverse("community:reply", args=[topic.pk]), {"body": "Hello again"})

    assert response.status_code == 302
    assert topic.posts.filter(body="Hello again").exists()


def test_a_reply_before_accepting_explains_why(new_version, client_for, customer, topic):
    response = client_for(customer).post(
        reverse("community:reply", args=[topic.pk]), {"body": "Hello"}
    )

    assert response.status_code == 403
    assert "code of conduct has changed" in response.content.decode()
