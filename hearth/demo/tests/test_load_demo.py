"""`load_demo` builds a believable community once, and every log-in it prints works."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F, Max
from django.utils import timezone

from hearth.accounts.models import Affiliation, CodeOfConduct, Member, Organization, Role
from hearth.community.models import Post, PostRevision, Reaction, Space, Topic
from hearth.community.permissions import can_view_space
from hearth.demo import content

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo", "--without-beer", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "members": Member.objects.count(),
        "organizations": Organization.objects.count(),
        "spaces": Space.objects.count(),
        "topics": Topic.objects.count(),
        "posts": Post.objects.count(),
        "revisions": PostRevision.objects.count(),
        "reactions": Reaction.objects.count(),
        "conduct": CodeOfConduct.objects.count(),
    }


def printed_logins(output: str) -> dict[str, str]:
    """username -> password, read from the log-in table as a person would read it."""
    logins = {}
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 4 and cells[2] == content.PASSWORD:
            logins[cells[1]] = cells[2]
    return logins


def test_loads_a_lived_in_community():
    output = load()

    assert output.startswith("Demo community loaded")
    replies = sum(len(thread.replies) for thread in content.THREADS)
    assert Topic.objects.count() == len(content.THREADS) >= 30
    # Plus one reply screening held for the moderation queue.
    assert Post.objects.filter(state="published").count() == len(content.THREADS) + replies
    assert replies >= 150
    assert Space.objects.count() == len(content.SPACES)
    conduct = CodeOfConduct.objects.order_by("-version").first()
    assert conduct.body == content.CODE_OF_CONDUCT
    assert conduct.body.count("\n## ") >= 9
    assert not Member.objects.exclude(conduct_version_accepted=conduct.version).exists()
    assert set(Organization.objects.values_list("kind", flat=True)) >= {
        "customer",
        "partner",
        "supplier",
        "media",
    }
    assert Topic.objects.filter(is_pinned=True).count() == 1
    assert Topic.objects.filter(is_locked=True).count() == 1
    assert Topic.objects.filter(kind=Topic.Kind.QUESTION, reply_count=0).count() >= 2
    assert Post.objects.filter(revision_count__gt=0).exists()
    assert Reaction.objects.filter(kind=Reaction.Kind.LIKE).count() > 100
    assert Reaction.objects.filter(kind=Reaction.Kind.HELPFUL).count() > 20
    assert not Reaction.objects.filter(member=F("post__author")).exists()
    assert Post.objects.filter(body_html__contains='class="mention"').count() > 20
    assert Member.objects.filter(expertise__isnull=False, affiliation="employee").exists()


def test_dates_look_like_six_weeks_of_activity():
    load()
    now = timezone.now()

    oldest = Topic.objects.order_by("created_at").first().created_at
    assert 35 <= (now - oldest).days <= 45
    for topic in Topic.objects.prefetch_related("posts"):
        times = [post.created_at for post in topic.posts.all() if post.state == "published"]
        assert times == sorted(times)
        assert topic.created_at == times[0]
        assert topic.last_activity_at == times[-1] < now
    for space in Space.objects.all():
        latest = space.topics.aggregate(latest=Max("last_activity_at"))["latest"]
        assert space.last_activity_at == latest


def test_running_it_again_changes_nothing():
    load()
    before = counts()

    output = load()

    assert output.startswith("Demo community already loaded.")
    assert counts() == before
    assert set(printed_logins(output)) == {login.username for login in content.LOGINS}


def test_every_affiliation_and_role_is_present():
    load()

    assert set(Member.objects.values_list("affiliation", flat=True)) == set(Affiliation.values)
    assert set(Member.objects.values_list("role", flat=True)) == set(Role.values)
    roles = dict(Member.objects.values_list("username", "role"))
    assert roles["manager"] == Role.MANAGER
    assert roles["moderator"] == Role.MODERATOR
    assert roles["expert"] == Role.EXPERT
    assert list(roles.values()).count(Role.EXPERT) >= 2
    for username in ["customer", "prospect", "partner", "journalist", "supplier", "advisor"]:
        assert username in roles


def test_partner_and_employee_spaces_are_restricted():
    load()
    lounge = Space.objects.get(slug="partner-lounge")
    team = Space.objects.get(slug="team-room")
    announcements = Space.objects.get(slug="announcements")
    member = {m.username: m for m in Member.objects.all()}

    assert lounge.visibility == team.visibility == Space.Visibility.AFFILIATIONS
    assert sorted(lounge.allowed_affiliations) == ["employee", "partner"]
    assert team.allowed_affiliations == ["employee"]
    assert announcements.topic_starters == Space.TopicStarters.STAFF
    assert can_view_space(member["partner"], lounge)
    assert not can_view_space(member["partner"], team)
    assert can_view_space(member["expert"], team)
    assert not can_view_space(member["customer"], lounge)
    assert not can_view_space(member["journalist"], team)
    assert lounge.topics.exists() and team.topics.exists()


def test_every_printed_log_in_works():
    output = load()
    logins = printed_logins(output)

    assert "http://127.0.0.1:8000/" in output
    assert set(logins) == {login.username for login in content.LOGINS}
    for username in content.OTHER_CUSTOMERS:
        assert username in output
        logins[username] = content.PASSWORD
    for username, password in logins.items():
        member = authenticate(username=username, password=password)
        assert member is not None, username
        assert member.username == username


@pytest.mark.django_db
def test_the_demo_imports_the_beer_community_with_attribution():
    out = StringIO()

    call_command("load_demo", stdout=out)

    beer = Space.objects.get(slug="beer")
    assert beer.topic_count == 591
    assert not Post.objects.filter(topic__space=beer, source_url="").exists()
    assert "Imported Beer Stack Exchange" in out.getvalue()
    call_command("load_demo", stdout=out)
    assert Space.objects.get(slug="beer").topic_count == 591


def test_the_moderation_queue_has_something_in_it():
    output = load()

    from hearth.moderation.models import ReviewItem

    items = ReviewItem.objects.filter(status="pending")
    assert items.filter(held=True, post__state="held").count() == 1
    assert items.filter(flag_count=2, kind="post").count() == 1
    assert items.filter(kind="member").count() == 1
    assert "1 post held by screening and 3 flags in the moderation queue" in output
