"""Importing a Stack Exchange dump: what each kind of row becomes, idempotency, bad dumps."""

import gzip
import lzma
import shutil
import tarfile
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from hearth.accounts.models import Affiliation, Member
from hearth.community import services as community
from hearth.community.models import Post, Space, Tag, Topic
from hearth.core.models import Activity
from hearth.integrations.importers.stackexchange import DumpError, import_stackexchange
from hearth.integrations.models import ImportedLink, ImportedObject, ImportedVote
from hearth.integrations.selectors import duplicate_pairs

pytestmark = pytest.mark.django_db

SMALL = Path(__file__).parent / "dumps" / "small"
SITE = "beer.stackexchange.com"
SOURCE = f"stackexchange:{SITE}"

EXPECTED_COUNTS = {
    "members": 5,
    "former members": 2,
    "tags": 4,
    "questions": 3,
    "answers": 3,
    "comments": 3,
    "accepted answers": 1,
    "votes": 6,
    "links": 2,
    "duplicates": 1,
}
EXPECTED_SKIPPED = {
    "wiki posts (tag and site wikis: not conversations)": 2,
    "answers to a question not in the dump": 1,
    "comments on a post not in the dump": 1,
    "votes on a post not in the dump": 1,
    "votes on wiki posts": 1,
    "links to or from a post not in the dump": 1,
}


def run(path=SMALL, **options):
    options.setdefault("site", SITE)
    return import_stackexchange(path, **options)


def command(path=SMALL, *args) -> str:
    out = StringIO()
    call_command("import", "stackexchange", str(path), "--site", SITE, *args, stdout=out)
    return out.getvalue()


def copy_of_small(tmp_path) -> Path:
    target = tmp_path / "dump"
    shutil.copytree(SMALL, target)
    return target


def hearth_id(kind: str, external_id: str) -> int:
    return ImportedObject.objects.get(source=SOURCE, kind=kind, external_id=external_id).object_id


def question(external_id: str) -> Topic:
    return Topic.objects.get(pk=hearth_id("question", external_id))


def post(kind: str, external_id: str) -> Post:
    return Post.objects.get(pk=hearth_id(kind, external_id))


def member(external_id: str) -> Member:
    return Member.objects.get(pk=hearth_id("member", external_id))


def table_sizes() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Member, Space, Tag, Topic, Post, ImportedObject, ImportedVote, ImportedLink)
    } | {"topic_tags": Topic.tags.through.objects.count()}


# What each kind of row becomes ----------------------------------------------------------------


def test_counts_every_kind_and_every_skipped_row_by_reason():
    result = run()

    assert {kind: result.counts[kind] for kind in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert dict(result.skipped) == EXPECTED_SKIPPED
    assert result.created["questions"] == 3
    assert result.rows_read == 5 + 4 + 9 + 4 + 8 + 3
    assert Topic.objects.count() == 3
    assert Post.objects.count() == 3 + 3 + 3
    assert Member.objects.count() == 5 + 2
    assert ImportedVote.objects.count() == 6
    assert ImportedLink.objects.count() == 2


def test_a_question_reads_as_it_did_there_with_comments_after_their_post():
    run()
    topic = question("1")

    rows = [
        (p.position, p.source_url, p.source_author, p.author.username)
        for p in topic.posts.select_related("author").order_by("position")
    ]
    assert rows == [
        (1, "https://beer.stackexchange.com/q/1", "Ann Brewer", "ann_brewer"),
        (2, "https://beer.stackexchange.com/posts/comments/1", "Cléo Ale", "cleo_ale"),
        # Answer 4 was written before answer 3.
        (3, "https://beer.stackexchange.com/a/4", "Cléo Ale", "cleo_ale"),
        (4, "https://beer.stackexchange.com/posts/comments/4", "user77", "user77"),
        (5, "https://beer.stackexchange.com/a/3", "Bob <b>Hops</b>", "bob_b_hops_b"),
        (6, "https://beer.stackexchange.com/posts/comments/2", "Ann Brewer", "ann_brewer"),
    ]
    assert topic.kind == Topic.Kind.QUESTION
    assert topic.title == "How long should an IPA age?"
    assert topic.slug == "how-long-should-an-ipa-age"
    assert topic.author == member("1")
    assert topic.created_at == datetime(2014, 2, 1, 10, tzinfo=UTC)
    assert topic.view_count == 120
    assert topic.space.slug == "beer"
    assert topic.space.name == "Beer & brewing"


def test_comments_say_what_they_comment_on():
    run()
    answer = post("answer", "3")

    on_question = post("comment", "1")
    assert on_question.body == (
        "*Comment on the question:* Depends on the IPA, see [this guide](http://example.com/ipa)."
    )
    assert on_question.body_html == (
        "<p><em>Comment on the question:</em> Depends on the IPA, see "
        '<a href="http://example.com/ipa" rel="nofollow ugc noopener">this guide</a>.</p>\n'
    )
    on_answer = post("comment", "2")
    url = reverse("community:post", args=[answer.pk])
    assert on_answer.body.startswith(f"*Comment on [Bob <b>Hops</b>'s answer]({url}):* Thanks")
    assert f'<a href="{url}" rel="nofollow ugc noopener">' in on_answer.body_html


def test_the_accepted_answer_solves_the_question_on_the_day_of_the_accept_vote():
    run()

    topic = question("1")
    assert topic.accepted_post == post("answer", "3")
    assert topic.solved_at == datetime(2014, 2, 3, tzinfo=UTC)
    assert question("2").accepted_post is None
    assert question("2").solved_at is None


def test_up_votes_are_likes_and_every_vote_is_kept_with_its_day():
    run()

    assert post("question_post", "1").like_count == 2
    assert post("answer", "3").like_count == 1
    assert post("answer", "4").like_count == 0
    assert post("comment", "1").like_count == 0
    assert question("1").like_count == 3
    votes = {
        vote.external_id: (vote.post_id, vote.vote_type, vote.member_id, vote.voted_at)
        for vote in ImportedVote.objects.filter(source=SOURCE)
    }
    question_post, answer = post("question_post", "1").pk, post("answer", "3").pk
    assert votes == {
        "1": (question_post, ImportedVote.Type.UP, None, datetime(2014, 2, 1, tzinfo=UTC)),
        "2": (question_post, ImportedVote.Type.UP, None, datetime(2014, 2, 2, tzinfo=UTC)),
        "3": (answer, ImportedVote.Type.UP, None, datetime(2014, 2, 2, tzinfo=UTC)),
        "4": (answer, ImportedVote.Type.DOWN, None, datetime(2014, 2, 2, tzinfo=UTC)),
        "5": (answer, ImportedVote.Type.ACCEPTED, None, datetime(2014, 2, 3, tzinfo=UTC)),
        "7": (
            question_post,
            ImportedVote.Type.FAVORITE,
            member("3").pk,
            datetime(2014, 2, 4, tzinfo=UTC),
        ),
    }


def test_tags_label_the_questions_and_a_tag_wiki_excerpt_describes_its_tag():
    run()

    assert sorted(question("1").tags.values_list("name", flat=True)) == ["aging", "ipa"]
    assert sorted(question("2").tags.values_list("name", flat=True)) == ["glassware", "stout"]
    assert Tag.objects.get(name="ipa").description == "India pale ale: a hoppy style of beer."
    assert Tag.objects.get(name="ipa").slug == "ipa"


def test_a_tag_that_exists_already_is_used_and_keeps_its_description():
    Tag.objects.create(name="ipa", slug="ipa", description="Our own words.")

    result = run()

    assert Tag.objects.filter(name="ipa").count() == 1
    assert Tag.objects.get(name="ipa").description == "Our own words."
    assert result.created["tags"] == 3
    assert result.counts["tags"] == 4


def test_duplicate_links_give_duplicate_and_original_topic_ids():
    run()

    assert duplicate_pairs() == [(question("5").pk, question("1").pk)]
    assert duplicate_pairs(source=SOURCE) == [(question("5").pk, question("1").pk)]
    related = ImportedLink.objects.get(kind=ImportedLink.Kind.RELATED)
    assert (related.topic_id, related.target_id) == (question("2").pk, question("1").pk)
    # Closed there: locked here.
    assert question("5").is_locked
    assert not question("1").is_locked


def test_html_bodies_are_sanitised_and_kept_as_markdown():
    run()

    opening = post("question_post", "2")
    assert "<script" not in opening.body_html
    assert "onerror" not in opening.body_html
    assert "alert(1)" not in opening.body_html
    # A link relative to the site goes back to the site.
    assert (
        '<a href="https://beer.stackexchange.com/questions/1" rel="nofollow ugc noopener">'
        "the IPA question</a>"
    ) in opening.body_html
    assert "alert" not in opening.body

    first = post("question_post", "1")
    assert first.body_html == (
        "<p>Is a <strong>fresh</strong> IPA always best?</p>\n\n"
        "<pre><code>age = weeks * 7\n</code></pre>\n\n"
        '<p><img src="https://i.stack.imgur.com/glass.png" alt="a glass"></p>\n'
    )
    assert first.body == (
        "Is a **fresh** IPA always best?\n\n"
        "```\nage = weeks * 7\n```\n\n"
        "![a glass](https://i.stack.imgur.com/glass.png)"
    )


def test_a_comment_with_markup_shows_it_as_text():
    run()

    comment = post("comment", "2")
    assert "<script" not in comment.body_html
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in comment.body_html
    assert "<strong>that</strong>" in comment.body_html


def test_members_are_customers_who_cannot_sign_in():
    run()

    ann, second_ann = member("1"), member("4")
    assert (ann.username, ann.display_name) == ("ann_brewer", "Ann Brewer")
    # Same name, so the Stack Exchange id tells them apart.
    assert (second_ann.username, second_ann.display_name) == ("ann_brewer_4", "Ann Brewer")
    assert ann.date_joined == datetime(2014, 1, 21, 20, tzinfo=UTC)
    assert ann.affiliation == Affiliation.CUSTOMER
    assert ann.email == ""
    imported = Member.objects.filter(pk__in=ImportedObject.objects.values("object_id"))
    assert imported.count() == 7
    assert not any(is_password_usable(m.password) for m in imported)
    assert member("3").username == "cleo_ale"
    assert member("-1").username == "community"


def test_authors_of_deleted_accounts_are_former_members_known_by_name():
    run()

    former = Member.objects.get(pk=hearth_id("former_member", "user99"))
    assert former.display_name == "user99"
    assert former.date_joined == datetime(2014, 2, 6, 10, tzinfo=UTC)
    assert post("answer", "6").author == former
    assert post("answer", "6").source_author == "user99"


def test_counters_agree_with_the_posts():
    run()

    topic = question("1")
    assert topic.reply_count == 5
    assert topic.last_position == 6
    assert topic.last_activity_at == datetime(2014, 2, 3, 9, tzinfo=UTC)
    assert topic.last_poster == member("1")
    # Cléo's comment on the question came first.
    assert topic.first_response_at == datetime(2014, 2, 1, 11, tzinfo=UTC)
    unanswered = question("5")
    assert (unanswered.reply_count, unanswered.last_position) == (0, 1)
    assert unanswered.first_response_at is None
    assert unanswered.last_poster == member("3")
    space = Space.objects.get(slug="beer")
    assert (space.topic_count, space.post_count) == (3, 9)
    assert space.last_activity_at == datetime(2014, 2, 7, 10, tzinfo=UTC)
    assert member("1").post_count == 2
    assert member("3").post_count == 3
    assert member("4").post_count == 0


def test_old_questions_are_not_routed_to_experts_nor_reminded(employee):
    run()

    assert community.route_waiting_questions() == {"routed": 0, "escalated": 0}
    assert community.remind_askers_to_accept() == 0


def test_one_activity_row_records_each_run():
    run()
    run()

    rows = Activity.objects.filter(verb="import.completed")
    assert rows.count() == 2
    latest = rows.first()
    assert latest.target_type == "space"
    assert latest.space_id == Space.objects.get(slug="beer").pk
    assert latest.payload["counts"]["questions"] == 3
    assert latest.payload["skipped"]["votes on a post not in the dump"] == 1
    assert latest.payload["source"] == SOURCE


def test_imports_into_an_existing_space_when_asked(public_space):
    run(space_slug=public_space.slug)

    assert set(Topic.objects.values_list("space_id", flat=True)) == {public_space.pk}
    assert not Space.objects.filter(slug="beer").exists()
    public_space.refresh_from_db()
    assert (public_space.topic_count, public_space.post_count) == (3, 9)


def test_an_unknown_space_is_refused():
    with pytest.raises(DumpError, match="no space with the address “nowhere”"):
        run(space_slug="nowhere")
    assert Topic.objects.count() == 0


# Idempotency ------------------------------------------------------------------------------------


def test_importing_twice_creates_nothing_and_changes_nothing():
    first = run()
    sizes = table_sizes()
    snapshot = list(Post.objects.order_by("pk").values())

    second = run()

    assert second.counts == first.counts
    assert second.skipped == first.skipped
    assert sum(second.created.values()) == 0
    assert sum(second.updated.values()) == 0
    assert table_sizes() == sizes
    assert list(Post.objects.order_by("pk").values()) == snapshot


def test_an_edited_post_in_the_dump_updates_the_post(tmp_path):
    dump = copy_of_small(tmp_path)
    run(dump)
    sizes = table_sizes()
    posts = dump / "Posts.xml"
    posts.write_text(
        posts.read_text(encoding="utf-8-sig").replace(
            "Drink it within three months.", "Drink it within &lt;em&gt;six weeks&lt;/em&gt;."
        ),
        encoding="utf-8",
    )

    result = run(dump)

    answer = post("answer", "3")
    assert answer.body == "Drink it within *six weeks*."
    assert answer.body_html == "<p>Drink it within <em>six weeks</em>.</p>\n"
    assert result.updated["answers"] == 1
    assert sum(result.updated.values()) == 1
    assert sum(result.created.values()) == 0
    assert result.counts["answers"] == 3
    assert table_sizes() == sizes


def test_new_rows_in_a_later_dump_take_their_place_and_replies_written_here_follow(
    tmp_path, customer
):
    dump = copy_of_small(tmp_path)
    run(dump)
    topic = question("1")
    local = community.create_reply(
        author=customer, topic=topic, body="Written in Hearth after the import."
    )
    assert local.position == 7
    comments = dump / "Comments.xml"
    comments.write_text(
        comments.read_text(encoding="utf-8-sig").replace(
            "</comments>",
            '  <row Id="5" PostId="1" Score="0" Text="Another thought." '
            'CreationDate="2014-02-01T11:30:00.000" UserId="2" />\n</comments>',
        ),
        encoding="utf-8",
    )

    result = run(dump)

    assert result.created["comments"] == 1
    assert result.counts["comments"] == 4
    order = list(topic.posts.order_by("position").values_list("source_url", flat=True))
    assert order == [
        "https://beer.stackexchange.com/q/1",
        "https://beer.stackexchange.com/posts/comments/1",
        "https://beer.stackexchange.com/posts/comments/5",
        "https://beer.stackexchange.com/a/4",
        "https://beer.stackexchange.com/posts/comments/4",
        "https://beer.stackexchange.com/a/3",
        "https://beer.stackexchange.com/posts/comments/2",
        "",
    ]
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_position) == (7, 8)
    assert topic.last_poster == customer
    assert Space.objects.get(slug="beer").post_count == 11
    assert member("2").post_count == 3


def test_a_row_deleted_in_hearth_is_made_again(tmp_path):
    run()
    Post.objects.filter(pk=hearth_id("comment", "4")).delete()

    result = run()

    assert result.created["comments"] == 1
    assert post("comment", "4").position == 4
    assert question("1").reply_count == 5


# Dumps in other shapes, and bad dumps -------------------------------------------------------


@pytest.mark.parametrize("suffix, opener", [(".gz", gzip.open), (".xz", lzma.open)])
def test_reads_compressed_files(tmp_path, suffix, opener):
    for xml in SMALL.glob("*.xml"):
        with opener(tmp_path / f"{xml.name}{suffix}", "wb") as compressed:
            compressed.write(xml.read_bytes())

    result = run(tmp_path)

    assert {kind: result.counts[kind] for kind in EXPECTED_COUNTS} == EXPECTED_COUNTS


def test_reads_a_tar_archive(tmp_path):
    archive = tmp_path / "beer.stackexchange.com.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        tar.add(SMALL, arcname="beer.stackexchange.com")

    result = import_stackexchange(archive)

    assert result.site == SITE
    assert {kind: result.counts[kind] for kind in EXPECTED_COUNTS} == EXPECTED_COUNTS


def test_a_truncated_file_is_refused_with_its_name_and_line_and_nothing_is_written(tmp_path):
    dump = copy_of_small(tmp_path)
    posts = dump / "Posts.xml"
    lines = posts.read_bytes().splitlines(keepends=True)
    posts.write_bytes(b"".join(lines[:5]) + lines[5][:40])

    with pytest.raises(CommandError) as error:
        command(dump)

    assert str(error.value) == "Posts.xml is not valid XML at line 6, column 2: unclosed token."
    assert Topic.objects.count() == 0
    assert Member.objects.count() == 0
    assert not Activity.objects.filter(verb="import.completed").exists()


def test_a_truncated_compressed_file_is_refused(tmp_path):
    data = lzma.compress((SMALL / "Votes.xml").read_bytes())
    for xml in SMALL.glob("*.xml"):
        if xml.name != "Votes.xml":
            shutil.copy(xml, tmp_path / xml.name)
    (tmp_path / "Votes.xml.xz").write_bytes(data[: len(data) // 2])

    with pytest.raises(CommandError, match=r"^Votes\.xml\.xz could not be read"):
        command(tmp_path)
    assert Topic.objects.count() == 0


def test_a_missing_file_is_named(tmp_path):
    dump = copy_of_small(tmp_path)
    (dump / "Posts.xml").unlink()

    with pytest.raises(CommandError, match=r"^Posts\.xml is missing from .*dump"):
        command(dump)
    assert Member.objects.count() == 0


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(CommandError, match="nowhere does not exist"):
        command(tmp_path / "nowhere")


def test_a_file_of_the_wrong_kind_is_refused(tmp_path):
    dump = copy_of_small(tmp_path)
    shutil.copy(dump / "Users.xml", dump / "Posts.xml")

    with pytest.raises(CommandError, match=r"Posts\.xml is not a Stack Exchange Posts file"):
        command(dump)


def test_a_row_without_its_id_is_refused(tmp_path):
    dump = copy_of_small(tmp_path)
    votes = dump / "Votes.xml"
    votes.write_text(
        votes.read_text(encoding="utf-8-sig").replace('<row Id="3" ', "<row "), encoding="utf-8"
    )

    with pytest.raises(CommandError, match=r"^Votes\.xml row 3 has no Id\.$"):
        command(dump)


def test_a_7z_archive_gets_advice(tmp_path):
    archive = tmp_path / "beer.stackexchange.com.7z"
    archive.write_bytes(b"7z\xbc\xaf\x27\x1c")

    with pytest.raises(CommandError, match="extract it first"):
        command(archive)


# The command's output ------------------------------------------------------------------------


def test_prints_progress_and_a_summary_of_counts_per_kind():
    output = command()

    assert "Posts.xml      [####################]        9 rows" in output
    assert "Members        [####################]           7/7" in output
    summary = output[output.index("Imported beer.stackexchange.com") :]
    lines = summary.splitlines()
    assert lines[0].startswith(
        "Imported beer.stackexchange.com into the space “Beer & brewing” (/s/beer/): "
        "33 rows read in "
    )
    assert lines[2:] == [
        "  kind               in Hearth       new   updated",
        "  members                    5         5         0",
        "  former members             2         2         0",
        "  tags                       4         4         0",
        "  questions                  3         3         0",
        "  answers                    3         3         0",
        "  comments                   3         3         0",
        "  accepted answers           1",
        "  votes                      6         6         0",
        "  links                      2         2         0",
        "  duplicates                 1",
        "  skipped                    7",
        "          2  wiki posts (tag and site wikis: not conversations)",
        "          1  answers to a question not in the dump",
        "          1  comments on a post not in the dump",
        "          1  links to or from a post not in the dump",
        "          1  votes on a post not in the dump",
        "          1  votes on wiki posts",
    ]


def test_no_progress_prints_the_summary_only():
    output = command(SMALL, "--no-progress")

    assert "[####" not in output
    assert "Imported beer.stackexchange.com" in output


# Shown in Hearth ------------------------------------------------------------------------------


def test_the_topic_page_shows_the_original_author_and_a_link_to_the_source(client):
    run()
    topic = question("1")

    response = client.get(topic.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="post-source">Originally posted by Ann Brewer on '
        '<a href="https://beer.stackexchange.com/q/1" rel="nofollow noopener">'
        "https://beer.stackexchange.com/q/1</a></p>"
    ) in html
    assert (
        '<p class="post-source">Originally posted by Bob &lt;b&gt;Hops&lt;/b&gt; on '
        '<a href="https://beer.stackexchange.com/a/3" rel="nofollow noopener">'
        "https://beer.stackexchange.com/a/3</a></p>"
    ) in html
    assert html.count('<p class="post-source">') == 6
    assert '<img src="https://i.stack.imgur.com/glass.png" alt="a glass">' in html
    assert "<pre><code>age = weeks * 7\n</code></pre>" in html
