"""Background e-mail work: sending, retrying, quiet hours, digests.

Tests run tasks with `.call()` (in the test) unless they check what gets enqueued; for that,
`deferring` swaps in django_tasks' DummyBackend, which records enqueued tasks (with their
`run_after`) instead of running them, as a real queue that can defer would.
"""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from hearth.accounts.models import Member
from hearth.community.models import Post
from hearth.notifications import services, tasks
from hearth.notifications.emails import read_unsubscribe_token
from hearth.notifications.models import Notification, Preferences, Trigger
from hearth.notifications.services import Delivery
from hearth.notifications.tasks import (
    MAX_ATTEMPTS,
    queue_digests,
    quiet_until,
    retry_delay,
    send_digest,
    send_notification_emails,
)

pytestmark = pytest.mark.django_db

STATE = Notification.EmailState
UTC = datetime.UTC


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("Connection refused")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"


@pytest.fixture
def deferring(settings):
    """A task backend that can defer: enqueued tasks are recorded, not run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert backend.supports_defer
    backend.clear()
    return backend


@pytest.fixture
def post(make_topic, other_customer, public_space):
    return make_topic(
        author=other_customer, space=public_space, title="Export questions"
    ).posts.get()


@pytest.fixture
def make_notification(post, other_customer):
    """A notification as notify_many makes it; its e-mail task (on commit) never runs here."""

    def build(recipient, trigger=Trigger.REPLY, title="Export questions"):
        [notification] = services.notify_many(
            [Delivery(recipient.pk, trigger)],
            target=post,
            actor=other_customer,
            title=title,
            url=post.get_absolute_url(),
            excerpt="Try the CSV button.",
        )
        return notification

    return build


def state_of(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


def recorded(backend, task) -> list:
    return [r for r in backend.results if r.task.func is task.func]


# Sending -----------------------------------------------------------------------------------------


def test_sends_one_email_per_pending_notification_and_marks_it_sent(
    customer, make_member, make_notification
):
    tess = make_member(username="tess")
    first = make_notification(customer)
    second = make_notification(tess, Trigger.MENTION)
    assert first.email_state == second.email_state == STATE.PENDING

    assert send_notification_emails.call([first.pk, second.pk]) == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["cara@example.com", "tess@example.com"]
    assert state_of(first).email_state == STATE.SENT
    assert state_of(second).email_state == STATE.SENT
    assert state_of(first).email_attempts == 0
    assert state_of(first).read_at is None


def test_sending_twice_sends_once(customer, make_notification):
    notification = make_notification(customer)

    send_notification_emails.call([notification.pk])
    assert send_notification_emails.call([notification.pk]) == 0

    assert len(mail.outbox) == 1


def test_only_pending_and_retrying_notifications_are_sent(customer, make_notification):
    digest = make_notification(customer, Trigger.NEW_TOPIC)
    in_app = make_notification(customer, Trigger.REACTION)
    retrying = make_notification(customer)
    Notification.objects.filter(pk=retrying.pk).update(email_state=STATE.RETRYING, email_attempts=2)

    assert send_notification_emails.call([digest.pk, in_app.pk, retrying.pk, 10**9]) == 1

    assert len(mail.outbox) == 1
    assert state_of(digest).email_state == STATE.DIGEST
    assert state_of(in_app).email_state == STATE.NONE
    assert state_of(retrying).email_state == STATE.SENT
    assert state_of(retrying).email_attempts == 2


def test_read_notifications_are_not_emailed(customer, make_notification):
    notification = make_notification(customer)
    services.mark_read(member=customer, notification=notification)

    assert send_notification_emails.call([notification.pk]) == 0

    assert mail.outbox == []
    assert state_of(notification).email_state == STATE.NONE


def test_members_without_email_or_inactive_get_none(customer, make_member, make_notification):
    inactive = make_member(username="ivy")
    no_email = make_notification(customer)
    gone = make_notification(inactive)
    Member.objects.filter(pk=customer.pk).update(email="")
    Member.objects.filter(pk=inactive.pk).update(is_active=False)

    assert send_notification_emails.call([no_email.pk, gone.pk]) == 0

    assert mail.outbox == []
    assert state_of(no_email).email_state == STATE.NONE
    assert state_of(gone).email_state == STATE.NONE


def test_many_pending_emails_are_queued_in_batches(
    customer, make_member, post, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "EMAIL_BATCH", 2)
    members = [customer, make_member(), make_member()]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify_many(
            [Delivery(m.pk, Trigger.REPLY) for m in members],
            target=post,
            actor=None,
            title="Export questions",
            url=post.get_absolute_url(),
        )

    assert len(callbacks) == 2
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("email_state", flat=True)) == {STATE.SENT}


# Failures and retries ----------------------------------------------------------------------------


def test_retry_delays_grow_fourfold():
    assert [retry_delay(n) for n in range(1, 5)] == [
        datetime.timedelta(minutes=1),
        datetime.timedelta(minutes=4),
        datetime.timedelta(minutes=16),
        datetime.timedelta(minutes=64),
    ]


def test_a_failure_is_kept_and_retried_later(
    customer, make_notification, smtp_down, deferring, caplog
):
    notification = make_notification(customer)
    before = timezone.now()

    assert send_notification_emails.call([notification.pk]) == 0

    after = timezone.now()
    stored = state_of(notification)
    assert stored.email_state == STATE.RETRYING
    assert stored.email_attempts == 1
    assert stored.email_error == "SMTPException: Connection refused"
    [retry] = recorded(deferring, send_notification_emails)
    assert list(retry.args) == [[notification.pk]]
    assert before + retry_delay(1) <= retry.task.run_after <= after + retry_delay(1)
    assert f"notification {notification.pk} failed (attempt 1)" in caplog.text
    assert mail.outbox == []


def test_each_retry_waits_longer_until_it_gives_up(
    customer, make_notification, smtp_down, deferring
):
    notification = make_notification(customer)

    for attempt in range(1, MAX_ATTEMPTS):
        before = timezone.now()
        send_notification_emails.call([notification.pk])
        after = timezone.now()
        stored = state_of(notification)
        assert (stored.email_state, stored.email_attempts) == (STATE.RETRYING, attempt)
        retries = recorded(deferring, send_notification_emails)
        assert len(retries) == attempt
        assert before + retry_delay(attempt) <= retries[-1].task.run_after
        assert retries[-1].task.run_after <= after + retry_delay(attempt)

    send_notification_emails.call([notification.pk])

    stored = state_of(notification)
    assert stored.email_state == STATE.FAILED
    assert stored.email_attempts == MAX_ATTEMPTS
    assert stored.email_error == "SMTPException: Connection refused"
    assert len(recorded(deferring, send_notification_emails)) == MAX_ATTEMPTS - 1
    # Failed for good: a late retry does nothing.
    assert send_notification_emails.call([notification.pk]) == 0
    assert state_of(notification).email_attempts == MAX_ATTEMPTS


def test_a_retry_that_gets_through_is_sent(customer, make_notification, settings, deferring):
    notification = make_notification(customer)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    send_notification_emails.call([notification.pk])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert send_notification_emails.call([notification.pk]) == 1

    stored = state_of(notification)
    assert stored.email_state == STATE.SENT
    assert stored.email_attempts == 1
    assert len(mail.outbox) == 1


def test_failed_emails_are_listed_for_staff(
    customer, manager, make_notification, smtp_down, deferring, client_for
):
    failed = make_notification(customer, title="This one bounced")
    Notification.objects.filter(pk=failed.pk).update(
        email_state=STATE.RETRYING, email_attempts=MAX_ATTEMPTS - 1
    )
    fine = make_notification(customer, Trigger.REACTION, title="This one is fine")
    send_notification_emails.call([failed.pk])
    assert state_of(failed).email_state == STATE.FAILED

    response = client_for(manager).get(
        "/admin/notifications/notification/", {"email_state__exact": "failed"}
    )

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert [n.pk for n in listed] == [failed.pk]
    assert "This one bounced" in response.content.decode()
    assert fine.title not in response.content.decode()
    detail = client_for(manager).get(f"/admin/notifications/notification/{failed.pk}/change/")
    assert "SMTPException: Connection refused" in detail.content.decode()


def test_members_cannot_see_the_admin_list(customer, client_for):
    response = client_for(customer).get("/admin/notifications/notification/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_without_a_backend_that_defers_a_failure_is_final(customer, make_notification, smtp_down):
    notification = make_notification(customer)
    assert not send_notification_emails.get_backend().supports_defer

    assert send_notification_emails.call([notification.pk]) == 0

    stored = state_of(notification)
    assert stored.email_state == STATE.FAILED
    assert stored.email_attempts == 1
    assert stored.email_error == "SMTPException: Connection refused"


def test_one_failure_does_not_stop_the_others(
    customer, make_member, make_notification, monkeypatch
):
    tess = make_member(username="tess")
    broken = make_notification(customer)
    fine = make_notification(tess)
    real = tasks.notification_email

    def flaky(notification):
        message = real(notification)
        if notification.recipient_id == customer.pk:
            message.to = ["not an address\n"]
        return message

    monkeypatch.setattr(tasks, "notification_email", flaky)

    assert send_notification_emails.call([broken.pk, fine.pk]) == 1

    assert state_of(broken).email_state == STATE.FAILED
    assert state_of(broken).email_error.startswith("BadHeaderError: ")
    assert state_of(fine).email_state == STATE.SENT
    assert [m.to for m in mail.outbox] == [["tess@example.com"]]


def test_posting_never_fails_when_smtp_is_down(
    customer,
    other_customer,
    make_topic,
    public_space,
    smtp_down,
    client_for,
    django_capture_on_commit_callbacks,
):
    topic = make_topic(author=customer, space=public_space, title="Export questions")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(other_customer).post(
            reverse("community:reply", args=[topic.pk]),
            {"body": "Replying while the mail server is down.", "submit_key": "smtp-down-1"},
        )

    assert response.status_code == 302
    reply = Post.objects.get(topic=topic, position=2)
    assert reply.author == other_customer
    assert response["Location"] == reply.get_absolute_url()
    [notification] = Notification.objects.filter(recipient=customer)
    assert notification.verb == Trigger.REPLY
    assert notification.target_id == reply.pk
    assert notification.email_state == STATE.FAILED
    assert notification.email_attempts == 1
    assert Member.objects.get(pk=customer.pk).unread_notifications == 1
    assert mail.outbox == []


# Quiet hours -------------------------------------------------------------------------------------


def quiet(start, end, zone="UTC"):
    return Preferences(quiet_hours_start=start, quiet_hours_end=end, time_zone=zone)


def at(*args, tz=UTC):
    return datetime.datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("preferences", "now", "until"),
    [
        # No quiet hours.
        (Preferences(), at(2025, 1, 15, 3, 0), None),
        # 09:00-17:00 in New York (UTC-5 in January).
        (quiet(datetime.time(9), datetime.time(17), "America/New_York"), at(2025, 1, 15, 15, 0),
         at(2025, 1, 15, 22, 0)),
        (quiet(datetime.time(9), datetime.time(17), "America/New_York"), at(2025, 1, 15, 13, 59),
         None),
        (quiet(datetime.time(9), datetime.time(17), "America/New_York"), at(2025, 1, 15, 14, 0),
         at(2025, 1, 15, 22, 0)),
        (quiet(datetime.time(9), datetime.time(17), "America/New_York"), at(2025, 1, 15, 22, 0),
         None),
        # 22:00-07:00 in Berlin (UTC+1 in January), crossing midnight.
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 15, 22, 30),
         at(2025, 1, 16, 6, 0)),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 16, 5, 59),
         at(2025, 1, 16, 6, 0)),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 16, 6, 0),
         None),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 15, 12, 0),
         None),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 15, 20, 59),
         None),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 1, 15, 21, 0),
         at(2025, 1, 16, 6, 0)),
        # Summer time in Berlin (UTC+2), and the night the clocks go forward.
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 3, 29, 22, 30),
         at(2025, 3, 30, 5, 0)),
        (quiet(datetime.time(22), datetime.time(7), "Europe/Berlin"), at(2025, 7, 1, 23, 0),
         at(2025, 7, 2, 5, 0)),
        # 23:30-06:15 in Tokyo (UTC+9): 01:00 local is inside.
        (quiet(datetime.time(23, 30), datetime.time(6, 15), "Asia/Tokyo"), at(2025, 3, 1, 16, 0),
         at(2025, 3, 1, 21, 15)),
    ],
)  # fmt: skip
def test_quiet_until(preferences, now, until):
    assert quiet_until(preferences, now) == until


def test_an_email_due_in_quiet_hours_waits_for_their_end(customer, make_notification, deferring):
    now = timezone.now()
    end = (now + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    Preferences.objects.create(
        member=customer,
        quiet_hours_start=(now - datetime.timedelta(hours=1)).time(),
        quiet_hours_end=end.time(),
        time_zone="UTC",
    )
    notification = make_notification(customer)

    assert send_notification_emails.call([notification.pk]) == 0

    assert mail.outbox == []
    assert state_of(notification).email_state == STATE.PENDING
    assert state_of(notification).email_attempts == 0
    [later] = recorded(deferring, send_notification_emails)
    assert list(later.args) == [[notification.pk]]
    assert later.task.run_after == end


def test_quiet_hours_in_another_time_zone_defer_to_their_local_end(
    customer, make_notification, deferring
):
    zone = "Asia/Kathmandu"  # UTC+05:45, no summer time
    local = timezone.now().astimezone(datetime.timezone(datetime.timedelta(hours=5, minutes=45)))
    end = (local + datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    Preferences.objects.create(
        member=customer,
        quiet_hours_start=(local - datetime.timedelta(hours=1)).time(),
        quiet_hours_end=end.time(),
        time_zone=zone,
    )
    notification = make_notification(customer)

    send_notification_emails.call([notification.pk])

    [later] = recorded(deferring, send_notification_emails)
    assert later.task.run_after == end.astimezone(UTC)
    assert state_of(notification).email_state == STATE.PENDING


def test_outside_quiet_hours_emails_go_now(customer, make_notification, deferring):
    now = timezone.now()
    Preferences.objects.create(
        member=customer,
        quiet_hours_start=(now + datetime.timedelta(hours=1)).time(),
        quiet_hours_end=(now + datetime.timedelta(hours=3)).time(),
    )
    notification = make_notification(customer)

    assert send_notification_emails.call([notification.pk]) == 1

    assert state_of(notification).email_state == STATE.SENT
    assert recorded(deferring, send_notification_emails) == []


def test_without_a_backend_that_defers_quiet_hours_do_not_hold_emails_back(
    customer, make_notification
):
    now = timezone.now()
    Preferences.objects.create(
        member=customer,
        quiet_hours_start=(now - datetime.timedelta(hours=1)).time(),
        quiet_hours_end=(now + datetime.timedelta(hours=1)).time(),
    )
    notification = make_notification(customer)

    assert send_notification_emails.call([notification.pk]) == 1

    assert state_of(notification).email_state == STATE.SENT


# Digests -----------------------------------------------------------------------------------------


@pytest.fixture
def make_waiting(make_topic, make_member, public_space):
    """Notifications waiting for `member`'s digest, one per new topic, oldest first."""
    poster = make_member(username="poppy", display_name="Poppy Poster")

    def build(member, count=1):
        made = []
        for _ in range(count):
            topic = make_topic(author=poster, space=public_space)
            [notification] = services.notify_many(
                [Delivery(member.pk, Trigger.NEW_TOPIC)],
                target=topic.posts.get(),
                actor=poster,
                title=topic.title,
                url=topic.get_absolute_url(),
            )
            assert notification.email_state == STATE.DIGEST
            made.append(notification)
        return made

    return build


def test_a_digest_lists_what_waits_and_marks_it_digested(customer, make_waiting, settings):
    settings.HEARTH_BASE_URL = "https://community.example.com"
    old, read, new = make_waiting(customer, 3)
    services.mark_read(member=customer, notification=read)
    before = timezone.now()

    assert send_digest.call(customer.pk) == 2

    [email] = mail.outbox
    assert email.to == ["cara@example.com"]
    assert email.subject == f"[{settings.SITE_NAME}] 2 things you missed"
    assert old.sentence in email.body
    assert new.sentence in email.body
    assert read.title not in email.body
    assert f"https://community.example.com{new.url}" in email.body
    assert email.body.index(new.sentence) < email.body.index(old.sentence)
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert old.title in html
    assert read.title not in html
    token = email.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[-1]
    assert read_unsubscribe_token(token) == (customer.pk, "digest")
    assert set(
        Notification.objects.filter(recipient=customer).values_list("email_state", flat=True)
    ) == {STATE.DIGESTED}
    last = Preferences.objects.get(member=customer).last_digest_at
    assert before <= last <= timezone.now()


def test_a_digest_of_one_thing(customer, make_waiting, settings):
    make_waiting(customer, 1)

    assert send_digest.call(customer.pk) == 1

    assert mail.outbox[0].subject == f"[{settings.SITE_NAME}] 1 thing you missed"


def test_a_digest_holds_at_most_the_newest_items(customer, make_waiting, monkeypatch):
    monkeypatch.setattr(tasks, "DIGEST_LIMIT", 2)
    oldest, middle, newest = make_waiting(customer, 3)

    assert send_digest.call(customer.pk) == 2

    body = mail.outbox[0].body
    assert newest.title in body
    assert middle.title in body
    assert oldest.title not in body


def test_read_items_do_not_crowd_unread_ones_out_of_the_digest(customer, make_waiting, monkeypatch):
    monkeypatch.setattr(tasks, "DIGEST_LIMIT", 2)
    unread_one, *read = make_waiting(customer, 3)
    for notification in read:
        services.mark_read(member=customer, notification=notification)

    assert send_digest.call(customer.pk) == 1

    assert unread_one.title in mail.outbox[0].body


def test_only_read_items_send_no_digest_but_are_cleared(customer, make_waiting):
    [notification] = make_waiting(customer, 1)
    services.mark_all_read(member=customer)

    assert send_digest.call(customer.pk) == 0

    assert mail.outbox == []
    assert state_of(notification).email_state == STATE.DIGESTED


def test_a_daily_digest_waits_a_day(customer, make_waiting):
    make_waiting(customer, 1)
    Preferences.objects.create(
        member=customer, last_digest_at=timezone.now() - datetime.timedelta(hours=22, minutes=59)
    )

    assert send_digest.call(customer.pk) == 0

    assert mail.outbox == []
    assert Notification.objects.get(recipient=customer).email_state == STATE.DIGEST

    # An hour's slack keeps a digest run at the same hour each day from slipping a day.
    Preferences.objects.filter(member=customer).update(
        last_digest_at=timezone.now() - datetime.timedelta(hours=23)
    )
    assert send_digest.call(customer.pk) == 1
    assert len(mail.outbox) == 1


def test_a_digest_right_after_the_last_one_sends_nothing(customer, make_waiting):
    make_waiting(customer, 1)
    assert send_digest.call(customer.pk) == 1
    make_waiting(customer, 1)

    assert send_digest.call(customer.pk) == 0

    assert len(mail.outbox) == 1


def test_a_weekly_digest_waits_a_week(customer, make_waiting):
    make_waiting(customer, 1)
    Preferences.objects.create(
        member=customer,
        digest_frequency=Preferences.Digest.WEEKLY,
        last_digest_at=timezone.now() - datetime.timedelta(days=6),
    )

    assert send_digest.call(customer.pk) == 0

    Preferences.objects.filter(member=customer).update(
        last_digest_at=timezone.now() - datetime.timedelta(days=7)
    )
    assert send_digest.call(customer.pk) == 1


def test_no_digest_for_never_no_email_or_inactive(
    customer, other_customer, make_member, make_waiting
):
    inactive = make_member(username="ivy")
    for member in (customer, other_customer, inactive):
        make_waiting(member, 1)
    Preferences.objects.create(member=customer, digest_frequency=Preferences.Digest.NEVER)
    Member.objects.filter(pk=other_customer.pk).update(email="")
    Member.objects.filter(pk=inactive.pk).update(is_active=False)

    for member in (customer, other_customer, inactive):
        assert send_digest.call(member.pk) == 0

    assert mail.outbox == []
    assert set(Notification.objects.values_list("email_state", flat=True)) == {STATE.DIGEST}
    assert send_digest.call(10**9) == 0


def test_queue_digests_skips_members_with_nothing_waiting_or_digests_off(
    customer, partner, employee, make_waiting, deferring
):
    make_waiting(customer, 2)
    make_waiting(partner, 1)
    Preferences.objects.create(member=partner, digest_frequency=Preferences.Digest.NEVER)

    assert queue_digests.call() == 1

    assert [list(r.args) for r in recorded(deferring, send_digest)] == [[customer.pk]]


def test_queue_digests_queues_only_members_whose_digest_is_due(
    customer, other_customer, make_waiting, deferring
):
    make_waiting(customer, 1)
    make_waiting(other_customer, 1)
    Preferences.objects.create(
        member=other_customer, last_digest_at=timezone.now() - datetime.timedelta(hours=1)
    )

    assert queue_digests.call() == 1

    assert [list(r.args) for r in recorded(deferring, send_digest)] == [[customer.pk]]


def test_the_send_digests_command_queues_and_reports(customer, make_member, make_waiting):
    tess = make_member(username="tess")
    make_waiting(customer, 2)
    make_waiting(tess, 1)
    out = io.StringIO()

    call_command("send_digests", stdout=out)

    assert out.getvalue().strip() == "Queued 2 digests."
    assert sorted(m.to[0] for m in mail.outbox) == ["cara@example.com", "tess@example.com"]

    out = io.StringIO()
    make_waiting(customer, 1)
    Preferences.objects.filter(member=customer).update(
        last_digest_at=timezone.now() - datetime.timedelta(days=2)
    )
    call_command("send_digests", stdout=out)
    assert out.getvalue().strip() == "Queued 1 digest."


def test_the_send_digests_command_with_nothing_waiting(customer):
    out = io.StringIO()

    call_command("send_digests", stdout=out)

    assert out.getvalue().strip() == "Queued 0 digests."
    assert mail.outbox == []
