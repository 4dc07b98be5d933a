"""Idea pages through HTTP, as members and staff drive them: lists, submitting with similar
ideas first, voting with and without htmx, following, comments, staff actions, the CSV."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from hearth.accounts import services as account_services
from hearth.accounts.models import Affiliation, Member
from hearth.ideas import services
from hearth.ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaVote
from hearth.ideas.tests.conftest import make_board, make_idea
from hearth.notifications.models import Notification

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def titles(response) -> list[str]:
    return [idea.title for idea in response.context["page"].object_list]


def action_url(idea, action) -> str:
    return reverse("ideas:action", args=[idea.pk, action])


# --- lists ----------------------------------------------------------------------------------


def test_the_nav_links_to_ideas(client, board):
    html = client.get("/").content.decode()
    assert '<a href="/ideas/">Ideas</a>' in html

    html = client.get("/ideas/").content.decode()
    assert '<a href="/ideas/" aria-current="page">Ideas</a>' in html


def test_the_list_sorts_and_filters(
    client, customer, other_customer, moderator, board, area, statuses
):
    first = make_idea(author=customer, board=board, title="Older idea with votes")
    make_idea(author=customer, board=board, title="Newer idea in the app", area=area)
    services.add_idea_vote(member=other_customer, idea=first)
    services.change_idea_status(actor=moderator, idea=first, status=statuses["planned"])

    assert titles(client.get("/ideas/")) == ["Older idea with votes", "Newer idea in the app"]
    assert titles(client.get("/ideas/?sort=newest")) == [
        "Newer idea in the app",
        "Older idea with votes",
    ]
    assert titles(client.get("/ideas/?sort=trending")) == [
        "Older idea with votes",
        "Newer idea in the app",
    ]
    assert titles(client.get("/ideas/?status=planned")) == ["Older idea with votes"]
    assert titles(client.get(f"/ideas/?area={area.slug}")) == ["Newer idea in the app"]
    # Unknown values are ignored rather than failing.
    response = client.get("/ideas/?sort=random&status=nope&area=nope&page=abc")
    assert response.status_code == 200
    assert response.context["sort"] == "votes"
    assert len(titles(response)) == 2
    html = client.get("/ideas/?status=planned").content.decode()
    assert '<option value="planned" selected>Planned</option>' in html
    assert 'href="?sort=newest&amp;status=planned"' in html


def test_a_board_page_lists_its_own_ideas(client, customer, board):
    other = make_board(name="Other board")
    make_idea(author=customer, board=board, title="On the product board")
    make_idea(author=customer, board=other, title="On the other board")

    response = client.get(board.get_absolute_url())

    assert response.status_code == 200
    assert titles(response) == ["On the product board"]
    assert titles(client.get(f"/ideas/?board={other.slug}")) == ["On the other board"]
    assert client.get("/ideas/b/nope/").status_code == 404
    assert client.get("/ideas/?board=nope").status_code == 404


def test_the_list_paginates(client, customer, board):
    for n in range(31):
        make_idea(author=customer, board=board, title=f"Idea number {n}")

    assert len(titles(client.get("/ideas/"))) == 30
    assert len(titles(client.get("/ideas/?page=2"))) == 1
    assert len(titles(client.get("/ideas/?page=99"))) == 1


def test_visitors_are_asked_to_log_in_to_vote_and_submit(client, idea):
    html = client.get("/ideas/").content.decode()

    assert "Log in to submit ideas" in html
    assert f'href="/login/?next=/ideas/{idea.pk}/"' in html
    assert "Log in to vote" in html


def test_staff_see_weighted_scores_and_the_export_link(client_for, customer, moderator, idea):
    acme = account_services.create_organization(
        actor=None, name="Acme", kind="customer", annual_value=Decimal("1500")
    )
    Member.objects.filter(pk=customer.pk).update(organization=acme)
    services.add_idea_vote(member=customer, idea=idea)

    staff_html = client_for(moderator).get("/ideas/").content.decode()
    member_html = client_for(customer).get("/ideas/").content.decode()

    assert "weighted 1,500" in staff_html
    assert "Export CSV" in staff_html
    assert "weighted" not in member_html
    assert "Export CSV" not in member_html


def test_an_empty_site_says_there_is_no_board(client_for, manager):
    html = client_for(manager).get("/ideas/").content.decode()

    assert "There is no idea board yet." in html
    assert reverse("admin:ideas_ideaboard_add") in html


# --- submitting -----------------------------------------------------------------------------


def test_a_member_submits_an_idea(client_for, customer, board, area):
    client = client_for(customer)
    page = client.get(f"/ideas/new/?board={board.slug}")
    assert page.status_code == 200
    key = re.search(r'name="submit_key" value="([^"]+)"', page.content.decode()).group(1)

    response = client.post(
        "/ideas/new/",
        {
            "board": board.slug,
            "title": "Dark mode for the dashboard",
            "area": area.slug,
            "description": "Easier on the eyes at night.",
            "submit_key": key,
        },
    )

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert (idea.author, idea.board, idea.area) == (customer, board, area)
    assert messages_of(response) == ["Thank you! Your idea is in; you will hear how it goes."]
    # The same submit again (a double click) lands on the same idea.
    again = client.post(
        "/ideas/new/",
        {
            "board": board.slug,
            "title": "Dark mode for the dashboard",
            "description": "x",
            "submit_key": key,
        },
    )
    assert again.status_code == 302
    assert again["Location"] == idea.get_absolute_url()
    assert Idea.objects.count() == 1


def test_similar_ideas_are_shown_before_a_duplicate_is_made(
    client_for, customer, other_customer, board
):
    existing = make_idea(author=other_customer, board=board, title="Export reports as CSV")
    client = client_for(customer)
    form = {"board": board.slug, "title": "CSV export for reports", "description": "Please."}

    response = client.post("/ideas/new/", form)

    assert response.status_code == 200
    html = response.content.decode()
    assert [i.pk for i in response.context["similar"]] == [existing.pk]
    assert f'href="{existing.get_absolute_url()}" target="_blank"' in html
    assert 'name="confirmed" value="1"' in html
    assert 'value="CSV export for reports"' in html
    assert Idea.objects.count() == 1

    response = client.post("/ideas/new/", {**form, "confirmed": "1"})

    assert response.status_code == 302
    assert Idea.objects.count() == 2


def test_the_composer_asks_for_similar_ideas_as_the_title_is_typed(client, customer, board):
    make_idea(author=customer, board=board, title="Export reports as CSV")

    response = client.get("/ideas/similar/", {"title": "csv export", "board": board.slug}, **HTMX)

    assert response.status_code == 200
    assert "Export reports as CSV" in response.content.decode()
    assert client.get("/ideas/similar/", {"title": "zebra"}).content.decode().strip() == ""
    assert client.get("/ideas/similar/").status_code == 200
    assert client.get("/ideas/similar/", {"title": "x" * 5000}).status_code == 200


def test_the_new_idea_page_has_the_live_suggestions_without_inline_script(
    client_for, customer, board
):
    html = client_for(customer).get("/ideas/new/").content.decode()

    assert 'hx-get="/ideas/similar/"' in html
    assert 'hx-trigger="input changed delay:300ms from:#id_title' in html
    assert "<script>" not in html.split("</head>")[1]
    assert "<svg" not in html


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"title": "Hm"}, "title", "Titles need at least 5 characters."),
        ({"description": ""}, "description", "This field is required."),
        ({"board": "nope"}, "board", "Select a valid choice."),
        ({"area": "nope"}, "area", "Select a valid choice."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_input_shows_the_form_with_errors(
    client_for, customer, board, area, form, field, message
):
    data = {"board": board.slug, "title": "A good title", "description": "Words", **form}

    response = client_for(customer).post("/ideas/new/", data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert not Idea.objects.exists()


def test_submitting_needs_a_login_and_a_visible_board(client, client_for, customer, employee_board):
    response = client.get("/ideas/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client_for(customer).get(f"/ideas/new/?board={employee_board.slug}").status_code == 404


def test_without_the_code_of_conduct_one_is_sent_to_accept_it(client_for, customer, board):
    Member.objects.filter(pk=customer.pk).update(conduct_version_accepted=0)

    response = client_for(customer).get("/ideas/new/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:conduct")


def test_after_a_new_code_of_conduct_the_composer_sends_one_to_accept_it(
    client_for, customer, manager, board
):
    account_services.publish_code_of_conduct(actor=manager, body="Version two.")
    client = client_for(customer)

    response = client.get("/ideas/new/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:conduct")
    assert "code of conduct has changed" in messages_of(response)[0]
    # Posting anyway is refused with the same words, and nothing is written.
    response = client.post(
        "/ideas/new/",
        {
            "board": board.slug,
            "title": "Dark mode please",
            "description": "Easier on the eyes.",
            "confirmed": "1",
            "submit_key": "k1",
        },
    )
    assert response.status_code == 302
    assert not Idea.objects.exists()


def test_a_silenced_member_is_told_so_by_the_composer_and_votes_no_more(
    client_for, customer, other_customer, idea
):
    Member.objects.filter(pk=other_customer.pk).update(
        silenced_until=timezone.now() + datetime.timedelta(days=2)
    )
    client = client_for(other_customer)

    response = client.get("/ideas/new/")
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:list")
    assert messages_of(response)[0].startswith("You are silenced until")

    page = client.get(idea.get_absolute_url())
    assert page.context["comment_form"] is None
    assert page.context["idea"].can_vote is False
    assert client.post(f"/ideas/{idea.pk}/vote/").status_code == 403
    assert fresh(idea).vote_count == 0


# --- the idea page ----------------------------------------------------------------------------


def test_the_idea_page_shows_description_status_history_and_comments(
    client, customer, other_customer, moderator, idea, statuses
):
    services.change_idea_status(
        actor=moderator, idea=idea, status=statuses["planned"], note="Coming in *May*."
    )
    services.add_idea_comment(author=other_customer, idea=idea, body="Yes please")

    response = client.get(idea.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Dark mode for the mobile app</h1>" in html
    assert '<span class="badge idea-status idea-status-purple">Planned</span>' in html
    assert "<em>May</em>" in html
    assert "from New" in html
    assert "Yes please" in html
    assert "Who voted" not in html
    assert "Change the status" not in html


def test_a_merged_idea_redirects_to_the_survivor(client, customer, moderator, board, idea):
    duplicate = make_idea(author=customer, board=board, title="Night theme please")
    services.merge_ideas(actor=moderator, source=duplicate, target=idea)

    response = client.get(duplicate.get_absolute_url(), follow=True)

    assert response.redirect_chain == [(idea.get_absolute_url(), 302)]
    html = response.content.decode()
    assert "“Night theme please” was merged into this idea." in html
    assert "Merged in: “Night theme please”" in html


def test_hidden_and_missing_ideas_are_404(client_for, customer, make_member, employee_board):
    employee = make_member(affiliation=Affiliation.EMPLOYEE)
    hidden = make_idea(author=employee, board=employee_board)

    assert client_for(customer).get(hidden.get_absolute_url()).status_code == 404
    assert client_for(customer).get("/ideas/999999/").status_code == 404
    assert client_for(employee).get(hidden.get_absolute_url()).status_code == 200


# --- votes and follows --------------------------------------------------------------------------


def test_voting_without_javascript_goes_back_where_one_was(client_for, other_customer, idea):
    client = client_for(other_customer)

    response = client.post(reverse("ideas:vote", args=[idea.pk]), {"next": "/ideas/?sort=newest"})

    assert response.status_code == 302
    assert response["Location"] == "/ideas/?sort=newest"
    assert fresh(idea).vote_count == 1
    response = client.post(
        reverse("ideas:unvote", args=[idea.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == idea.get_absolute_url()
    assert fresh(idea).vote_count == 0


def test_voting_with_htmx_swaps_the_vote_box(client_for, other_customer, idea):
    client = client_for(other_customer)

    response = client.post(reverse("ideas:vote", args=[idea.pk]), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="idea-vote-{idea.pk}"' in html
    assert "<strong>1</strong> vote" in html
    assert 'aria-pressed="true"' in html
    assert f'hx-post="{reverse("ideas:unvote", args=[idea.pk])}"' in html

    html = client.post(reverse("ideas:unvote", args=[idea.pk]), **HTMX).content.decode()
    assert "<strong>0</strong> votes" in html
    assert 'aria-pressed="false"' in html


def test_voting_needs_a_login_and_post(client, client_for, other_customer, idea):
    response = client.post(reverse("ideas:vote", args=[idea.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client_for(other_customer).get(reverse("ideas:vote", args=[idea.pk])).status_code == 405
    assert fresh(idea).vote_count == 0


def test_voting_for_a_shipped_idea_is_a_clear_409(
    client_for, other_customer, moderator, idea, statuses
):
    services.change_idea_status(actor=moderator, idea=idea, status=statuses["shipped"])

    response = client_for(other_customer).post(reverse("ideas:vote", args=[idea.pk]))

    assert response.status_code == 409
    assert "it takes no more votes" in response.content.decode()


def test_following_with_and_without_htmx(client_for, other_customer, idea):
    client = client_for(other_customer)

    response = client.post(reverse("ideas:follow", args=[idea.pk]))
    assert response.status_code == 302
    assert messages_of(response) == ["You follow this idea: every change reaches you."]

    html = client.post(reverse("ideas:unfollow", args=[idea.pk]), **HTMX).content.decode()
    assert 'aria-pressed="false"' in html
    assert ">Follow<" in html


# --- comments ---------------------------------------------------------------------------------


def test_commenting_and_deleting(client_for, other_customer, idea):
    client = client_for(other_customer)

    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Me too!"})

    assert response.status_code == 302
    assert response["Location"] == f"{idea.get_absolute_url()}#comments"
    comment = IdeaComment.objects.get()
    response = client.post(reverse("ideas:delete_comment", args=[comment.pk]))
    assert response.status_code == 302
    assert fresh(comment).is_deleted
    assert "This comment was deleted." in client.get(idea.get_absolute_url()).content.decode()


def test_an_empty_comment_shows_the_form_again(client_for, other_customer, idea):
    response = client_for(other_customer).post(
        reverse("ideas:comment", args=[idea.pk]), {"body": ""}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_others_cannot_delete_a_comment(client_for, customer, other_customer, idea):
    comment = services.add_idea_comment(author=other_customer, idea=idea, body="Mine")

    response = client_for(customer).post(reverse("ideas:delete_comment", args=[comment.pk]))

    assert response.status_code == 403
    assert not fresh(comment).is_deleted


# --- staff actions ------------------------------------------------------------------------------


def test_staff_move_an_idea_along_from_its_page(
    client_for, other_customer, moderator, idea, django_capture_on_commit_callbacks
):
    services.add_idea_vote(member=other_customer, idea=idea)
    client = client_for(moderator)
    html = client.get(idea.get_absolute_url()).content.decode()
    assert "Change the status" in html
    assert f'action="{action_url(idea, "status")}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(idea, "status"), {"status": "planned", "note": "In the May release."}
        )

    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert fresh(idea).status.slug == "planned"
    assert messages_of(response) == ["The idea is now planned; its voters and followers are told."]
    assert Notification.objects.filter(
        recipient=other_customer, verb="idea_status_changed"
    ).exists()


def test_a_bad_status_change_shows_its_form_with_the_error(client_for, moderator, idea):
    client = client_for(moderator)

    response = client.post(
        action_url(idea, "status"),
        {"status": "planned", "announcement_url": "https://example.com/news"},
    )

    assert response.status_code == 400
    assert "Announcements go with shipped ideas." in response.content.decode()
    response = client.post(action_url(idea, "status"), {"status": "nope"})
    assert response.status_code == 400
    assert not IdeaStatusChange.objects.exists()


def test_staff_merge_from_the_page(client_for, customer, moderator, board, idea):
    duplicate = make_idea(author=customer, board=board, title="Night theme please")
    client = client_for(moderator)

    response = client.post(action_url(duplicate, "merge"), {"into": idea.pk})

    assert response.status_code == 302
    assert response["Location"] == idea.get_absolute_url()
    assert fresh(duplicate).merged_into == idea
    for into, message in [
        (999999, "There is no such idea, or you cannot see it."),
        (idea.pk, "An idea cannot be merged into itself."),
        ("abc", "Enter a whole number."),
    ]:
        response = client.post(action_url(idea, "merge"), {"into": into})
        assert response.status_code == 400
        assert message in response.content.decode()


def test_staff_record_a_vote_for_a_customer(client_for, moderator, prospect, idea):
    client = client_for(moderator)

    response = client.post(
        action_url(idea, "proxy-vote"),
        {"voter": "@Petra", "channel": "sales_call", "note": "Demo on 3 June"},
    )

    assert response.status_code == 302
    vote = IdeaVote.objects.get()
    assert (vote.voter, vote.recorded_by, vote.channel) == (prospect, moderator, "sales_call")
    html = client.get(idea.get_absolute_url()).content.decode()
    assert f"recorded by {moderator.name} from sales call: “Demo on 3 June”" in html
    response = client.post(action_url(idea, "proxy-vote"), {"voter": "nobody", "channel": "phone"})
    assert response.status_code == 400
    assert "No member has that username." in response.content.decode()
    response = client.post(action_url(idea, "proxy-vote"), {"voter": "petra", "channel": "phone"})
    assert response.status_code == 409
    assert "has voted for this idea already" in response.content.decode()


def test_employees_link_the_tracker_and_only_the_team_sees_it(client_for, customer, employee, idea):
    response = client_for(employee).post(
        action_url(idea, "tracker"), {"tracker_ref": "https://jira.example/LUM-7"}
    )

    assert response.status_code == 302
    html = client_for(employee).get(idea.get_absolute_url()).content.decode()
    assert '<a href="https://jira.example/LUM-7" rel="noopener noreferrer">' in html
    assert "jira.example" not in client_for(customer).get(idea.get_absolute_url()).content.decode()


def test_staff_attach_the_announcement_of_a_shipped_idea(client_for, moderator, idea, statuses):
    services.change_idea_status(actor=moderator, idea=idea, status=statuses["shipped"])
    client = client_for(moderator)

    response = client.post(
        action_url(idea, "announcement"), {"url": "/t/dark-mode/3/", "title": "Dark mode is here"}
    )

    assert response.status_code == 302
    html = client.get(idea.get_absolute_url()).content.decode()
    assert '<a href="/t/dark-mode/3/" rel="noopener">Dark mode is here</a>' in html


@pytest.mark.parametrize("action", ["status", "merge", "announcement", "proxy-vote", "tracker"])
@pytest.mark.parametrize("who", ["customer", "partner"])
def test_members_cannot_use_staff_actions(request, client_for, who, action, idea):
    client = client_for(request.getfixturevalue(who))

    assert client.get(action_url(idea, action)).status_code == 403
    assert client.post(action_url(idea, action), {"status": "planned"}).status_code == 403
    assert fresh(idea).status.slug == "new"


def test_staff_action_pages_show_their_form(client_for, moderator, idea):
    response = client_for(moderator).get(action_url(idea, "status"))

    assert response.status_code == 200
    assert '<option value="planned">Planned</option>' in response.content.decode()
    assert client_for(moderator).get(action_url(idea, "nope")).status_code == 404


def test_staff_see_who_voted(client_for, make_member, moderator, idea):
    acme = account_services.create_organization(
        actor=None, name="Acme", kind="customer", annual_value=Decimal("25000")
    )
    for _ in range(2):
        services.add_idea_vote(member=make_member(organization=acme), idea=idea)
    services.add_idea_vote(member=make_member(affiliation=Affiliation.PROSPECT), idea=idea)

    html = client_for(moderator).get(idea.get_absolute_url()).content.decode()

    assert "Who voted" in html
    assert "weighted score <strong>25,000</strong>" in html
    assert '<tr><th scope="row">Customer</th><td>2</td></tr>' in html
    assert '<tr><th scope="row">Prospect</th><td>1</td></tr>' in html
    assert '<tr><th scope="row">Acme</th><td>25,000</td><td>2</td></tr>' in html


# --- CSV export -------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_staff_export_ideas_as_csv(client_for, customer, make_member, moderator, board):
    acme = account_services.create_organization(
        actor=None, name="=HYPERLINK(evil)", kind="customer", annual_value=Decimal("100")
    )
    idea = make_idea(author=customer, board=board, title="-2+3 reports @home")
    services.add_idea_vote(member=make_member(organization=acme), idea=idea)

    response = client_for(moderator).get("/ideas/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="ideas-')
    header, row = read_csv(response)
    row = dict(zip(header, row, strict=True))
    assert row["title"] == "'-2+3 reports @home"
    assert row["voter_organizations"] == "'=HYPERLINK(evil) (1)"
    assert row["votes"] == "1"
    assert row["weighted_score"] == "100.00"
    assert row["url"] == f"http://testserver{idea.get_absolute_url()}"


@pytest.mark.parametrize("who", ["customer", "employee", "partner"])
def test_only_staff_export(request, client_for, who, idea):
    response = client_for(request.getfixturevalue(who)).get("/ideas/export.csv")

    assert response.status_code == 403


def test_the_export_of_a_hidden_board_is_404(client_for, moderator):
    assert client_for(moderator).get("/ideas/export.csv?board=nope").status_code == 404
