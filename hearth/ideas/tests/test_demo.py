"""The demo loads idea boards through the services: votes from every kind of member, status
changes with history, a proxy vote, a merge, organization values, and counts that match."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from hearth.accounts.models import Organization
from hearth.core.models import Activity
from hearth.ideas import selectors
from hearth.ideas.models import Idea, IdeaBoard, IdeaStatusChange, IdeaVote

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_lived_in_idea_board():
    out = StringIO()
    call_command("load_demo", "--without-beer", stdout=out)

    assert "10 ideas on 2 boards" in out.getvalue()
    assert IdeaBoard.objects.count() == 2
    listed = Idea.objects.filter(merged_into__isnull=True)
    assert listed.count() == 9
    for idea in Idea.objects.annotate(rows=Count("votes")):
        assert idea.vote_count == idea.rows, idea.title
    affiliations = set(IdeaVote.objects.values_list("voter__affiliation", flat=True))
    assert {"customer", "prospect", "partner", "employee"} <= affiliations
    assert IdeaVote.objects.exclude(channel="").count() == 2
    assert set(listed.values_list("status__slug", flat=True)) >= {
        "new",
        "under-review",
        "planned",
        "in-progress",
        "shipped",
        "declined",
    }
    assert IdeaStatusChange.objects.count() >= 8
    merged = Idea.objects.get(merged_into__isnull=False)
    assert merged.merged_into.title == "Guest access that expires"
    assert merged.merged_into.vote_count == 4
    assert Organization.objects.filter(annual_value__isnull=False).count() == 6
    dark = Idea.objects.get(title="Dark mode in the Lumen app")
    assert selectors.vote_breakdown(dark).weighted_score > 0
    assert Activity.objects.filter(verb="idea.shipped").count() == 1
    for idea in listed:
        assert idea.created_at <= idea.updated_at

    call_command("load_demo", "--without-beer", stdout=StringIO())
    assert Idea.objects.count() == 10
