"""Expert routing and accept reminders, on a clock the test controls."""

import datetime

import pytest
from django.core.management import call_command

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Role
from hearth.community import services
from hearth.community.models import Tag, Topic
from hearth.notifications.models import Notification

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def experts(make_member):
    billing = make_member(username="bill", affiliation=Affiliation.EMPLOYEE, role=Role.EXPERT)
    hardware = make_member(username="hank", affiliation=Affiliation.EMPLOYEE, role=Role.EXPERT)
    for member, topic in ((billing, "billing"), (hardware, "hardware")):
        account_services.update_profile(
            actor=member, member=member, display_name="", bio="", expertise=topic
        )
    return billing, hardware


def ask(customer, space, *tags):
    return services.create_topic(
        author=customer,
        space=space,
        title="Why was I charged twice?",
        body="Two charges on the 3rd.",
        kind=Topic.Kind.QUESTION,
        tags=list(tags),
    )


def notified(member, verb):
    return Notification.objects.filter(recipient=member, verb=verb).count()


def test_a_question_waits_for_peers_then_goes_to_matching_experts_then_to_managers(
    customer, public_space, experts, manager
):
    billing_tag = Tag.objects.create(name="Billing", slug="billing")
    question = ask(customer, public_space, billing_tag)
    billing, hardware = experts
    start = question.created_at

    early = services.route_waiting_questions(now=start + 23 * HOUR)
    assert early == {"routed": 0, "escalated": 0}

    routed = services.route_waiting_questions(now=start + 25 * HOUR)
    assert routed == {"routed": 1, "escalated": 0}
    assert (notified(billing, "routed"), notified(hardware, "routed")) == (1, 0)
    question.refresh_from_db()
    assert question.routed_at == start + 25 * HOUR

    again = services.route_waiting_questions(now=start + 26 * HOUR)
    assert again == {"routed": 0, "escalated": 0}
    assert notified(billing, "routed") == 1

    escalated = services.route_waiting_questions(now=start + 50 * HOUR)
    assert escalated == {"routed": 0, "escalated": 1}
    assert notified(manager, "escalated") == 1


def test_a_peer_answer_in_time_keeps_the_experts_out(
    customer, other_customer, public_space, experts
):
    question = ask(customer, public_space)
    services.create_reply(author=other_customer, topic=question, body="Refunds take 3 days.")

    result = services.route_waiting_questions(now=question.created_at + 48 * HOUR)

    assert result == {"routed": 0, "escalated": 0}
    assert Notification.objects.filter(verb="routed").count() == 0


def test_the_askers_own_follow_up_does_not_count_as_an_answer(customer, public_space, experts):
    question = ask(customer, public_space)
    services.create_reply(author=customer, topic=question, body="Anyone? Still stuck.")

    result = services.route_waiting_questions(now=question.created_at + 25 * HOUR)

    assert result["routed"] == 1
    assert Notification.objects.filter(verb="routed").count() == 2


def test_without_matching_expertise_every_expert_is_asked(customer, public_space, experts):
    question = ask(customer, public_space, Tag.objects.create(name="Lamps", slug="lamps"))

    services.route_waiting_questions(now=question.created_at + 25 * HOUR)

    assert Notification.objects.filter(verb="routed").count() == 2


def test_spaces_without_routing_hours_are_never_routed(customer, public_space, experts):
    public_space.routing_hours = None
    public_space.save(update_fields=["routing_hours"])
    question = ask(customer, public_space)

    result = services.route_waiting_questions(now=question.created_at + 100 * HOUR)

    assert result == {"routed": 0, "escalated": 0}


def test_routed_questions_fill_the_needs_attention_queue(
    client_for, customer, public_space, experts
):
    question = ask(customer, public_space)
    services.route_waiting_questions(now=question.created_at + 25 * HOUR)

    html = client_for(experts[0]).get("/questions/?queue=attention").content.decode()

    assert question.title in html


def test_an_asker_is_reminded_once_to_accept_an_answer(customer, other_customer, public_space):
    question = ask(customer, public_space)
    services.create_reply(author=other_customer, topic=question, body="Refunds take 3 days.")
    question.refresh_from_db()
    answered = question.first_response_at

    assert services.remind_askers_to_accept(now=answered + 2 * 24 * HOUR) == 0
    assert services.remind_askers_to_accept(now=answered + 4 * 24 * HOUR) == 1
    assert services.remind_askers_to_accept(now=answered + 9 * 24 * HOUR) == 0
    reminder = Notification.objects.get(recipient=customer, verb="accept_reminder")
    assert reminder.sentence.startswith("Your question got answers")


def test_the_periodic_command_reports_what_it_did(capsys, customer, public_space, experts):
    ask(customer, public_space)

    call_command("periodic")

    assert "routed 0 questions to experts and escalated 0" in capsys.readouterr().out
