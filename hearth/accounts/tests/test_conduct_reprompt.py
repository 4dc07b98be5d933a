"""A new version of the code of conduct: members can read but must accept it to post."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

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


# Ideas may not import community, so the refusals live here too: word for word the same.


def refusal(guard, member) -> tuple[str, str]:
    with pytest.raises(NotAllowed) as error:
        guard(member)
    return error.value.code, error.value.message


def test_every_app_refuses_an_outdated_acceptance_in_the_same_words(new_version, customer):
    customer.refresh_from_db()

    assert refusal(services.require_current_conduct, customer) == refusal(
        community._require_current_conduct, customer
    )


@pytest.mark.parametrize("field", ["silenced_until", "suspended_until"])
def test_every_app_refuses_a_restricted_member_in_the_same_words(field, customer):
    setattr(customer, field, timezone.now() + datetime.timedelta(days=1))

    assert refusal(services.require_unrestricted, customer) == refusal(
        community._require_unrestricted, customer
    )
