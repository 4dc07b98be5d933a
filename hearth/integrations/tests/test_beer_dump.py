"""The Beer Stack Exchange dump shipped for the demo imports whole, as its README counts it."""

import time
from pathlib import Path

import pytest

from hearth.community.models import Post, Topic
from hearth.integrations.importers.stackexchange import import_stackexchange
from hearth.integrations.models import ImportedObject
from hearth.integrations.selectors import duplicate_pairs

pytestmark = pytest.mark.django_db

DEMO_DATA = Path(__file__).resolve().parents[2] / "demo" / "data"
DUMP = DEMO_DATA / "beer.stackexchange.com"


def test_the_shipped_dump_is_small_and_carries_its_attribution():
    files = sorted(path.name for path in DUMP.iterdir())
    assert files == [
        f"{name}.xml.xz"
        for name in sorted(
            ["Badges", "Comments", "PostHistory", "PostLinks", "Posts", "Tags", "Users", "Votes"]
        )
    ]
    assert sum(path.stat().st_size for path in DUMP.iterdir()) < 3 * 1024 * 1024
    notice = (DEMO_DATA / "ATTRIBUTION.md").read_text()
    assert "CC BY-SA 3.0" in notice
    assert "https://beer.stackexchange.com" in notice
    assert "December 2016" in notice


def test_imports_the_whole_beer_dump_with_the_readmes_totals():
    started = time.monotonic()
    result = import_stackexchange(DUMP)
    seconds = time.monotonic() - started

    # The README: 591 questions, 1,398 answers, 359 accepted, 1,860 comments, 3,948 users,
    # 17 duplicates among 93 links; 10,798 votes less those on deleted or wiki posts.
    assert result.site == "beer.stackexchange.com"
    assert result.rows_read == 133 + 3948 + 2106 + 1860 + 10798 + 93
    assert dict(result.counts) == {
        "members": 3948,
        "former members": 32,
        "tags": 133,
        "questions": 591,
        "answers": 1398,
        "comments": 1860,
        "accepted answers": 359,
        "votes": 9904,
        "links": 92,
        "duplicates": 17,
    }
    assert dict(result.skipped) == {
        "votes on a post not in the dump": 802,
        "wiki posts (tag and site wikis: not conversations)": 117,
        "votes on wiki posts": 92,
        "links to or from a post not in the dump": 1,
    }
    assert Topic.objects.filter(kind=Topic.Kind.QUESTION).count() == 591
    assert Topic.objects.exclude(accepted_post=None).count() == 359
    assert Post.objects.count() == 591 + 1398 + 1860
    assert not Post.objects.filter(source_url="").exists()
    assert not Post.objects.filter(source_author="").exists()
    assert len(duplicate_pairs()) == 17
    first = Topic.objects.get(
        pk=ImportedObject.objects.get(kind="question", external_id="1").object_id
    )
    assert first.title == "What is a citra hop, and how does it differ from other hops?"
    assert first.posts.get(position=1).source_url == "https://beer.stackexchange.com/q/1"
    assert seconds < 30, f"the beer dump took {seconds:.1f} s to import"
