"""Account pages: sign-up, log in and out, password reset, profiles, the code of conduct."""

import io
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape
from PIL import Image

from hearth import testing
from hearth.accounts import services
from hearth.accounts.models import Affiliation, ConductAcceptance, Member
from hearth.community import services as community_services

CONDUCT_ERROR = "Please read and accept the code of conduct to join."


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signup_data(**overrides):
    return {
        "username": "newbie",
        "display_name": "New Bie",
        "email": "newbie@example.com",
        "password": testing.PASSWORD,
        "affiliation": Affiliation.PROSPECT,
        "accept_conduct": "on",
    } | overrides


def png_upload(name="me.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def logged_in_member_id(client):
    return client.session.get(SESSION_KEY)


def profile_data(member, **overrides):
    return {
        "display_name": member.display_name,
        "bio": member.bio,
        "affiliation": member.affiliation,
        "organization": "",
        "expertise": "",
    } | overrides


# Sign-up


def test_signup_page_shows_the_code_of_conduct_in_force(db, client):
    conduct = services.current_code_of_conduct()
    response = client.get("/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert conduct.body_html in html
    assert f'<h2 id="conduct-title">{conduct.title}</h2>' in html
    assert 'name="accept_conduct"' in html


def test_signup_requires_accepting_the_code_of_conduct(db, client):
    response = client.post("/signup/", signup_data(accept_conduct=""))
    assert response.status_code == 200
    assert CONDUCT_ERROR in response.content.decode()
    assert Member.objects.count() == 0
    assert ConductAcceptance.objects.count() == 0
    assert logged_in_member_id(client) is None


def test_signup_with_errors_keeps_what_was_entered(db, client):
    response = client.post(
        "/signup/", signup_data(accept_conduct="", display_name="Ne<w> Bie", email="N@Example.com")
    )
    html = response.content.decode()
    assert 'name="username" value="newbie"' in html
    assert f'name="display_name" value="{escape("Ne<w> Bie")}"' in html
    assert 'name="email" value="N@Example.com"' in html
    assert '<option value="prospect" selected>' in html


def test_signup_shows_a_service_error_on_its_field_and_keeps_the_other_values(customer, client):
    response = client.post("/signup/", signup_data(username="CARA"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "That username is taken." in html
    assert 'name="username" value="CARA"' in html
    assert 'name="display_name" value="New Bie"' in html
    assert 'name="email" value="newbie@example.com"' in html
    assert '<input type="checkbox" name="accept_conduct"' in html
    assert Member.objects.count() == 1


def test_signup_refuses_a_weak_password_on_the_password_field(db, client):
    response = client.post("/signup/", signup_data(password="12345678"))
    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    assert Member.objects.count() == 0


def test_successful_signup_logs_in_and_redirects_home(db, client):
    response = client.post("/signup/", signup_data())
    assert (response.status_code, response["Location"]) == (302, "/")
    member = Member.objects.get()
    assert (member.username, member.display_name, member.email, member.affiliation) == (
        "newbie",
        "New Bie",
        "newbie@example.com",
        Affiliation.PROSPECT,
    )
    assert str(logged_in_member_id(client)) == str(member.pk)
    conduct = services.current_code_of_conduct()
    assert list(ConductAcceptance.objects.values_list("member", "conduct")) == [
        (member.pk, conduct.pk)
    ]
    assert member.conduct_version_accepted == conduct.version
    home = client.get("/").content.decode()
    assert "Welcome to the community, New Bie!" in home


@pytest.mark.parametrize("affiliation", [Affiliation.EMPLOYEE, Affiliation.PARTNER])
def test_signup_does_not_offer_employee_or_partner(db, client, affiliation):
    html = client.get("/signup/").content.decode()
    assert f'<option value="{affiliation}"' not in html
    assert '<option value="customer" selected>' in html
    response = client.post("/signup/", signup_data(affiliation=affiliation))
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Member.objects.count() == 0


def test_signup_redirects_a_member_who_is_logged_in(customer, client_for):
    response = client_for(customer).get("/signup/")
    assert (response.status_code, response["Location"]) == (302, "/")


# Log in, log out


def test_a_member_logs_in_with_username_and_password(customer, client):
    response = client.post("/login/", {"username": "cara", "password": testing.PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert str(logged_in_member_id(client)) == str(customer.pk)


def test_log_in_follows_next(customer, client):
    response = client.post(
        "/login/?next=/latest/", {"username": "cara", "password": testing.PASSWORD}
    )
    assert response["Location"] == "/latest/"


def test_log_in_with_a_wrong_password_shows_an_error(customer, client):
    response = client.post("/login/", {"username": "cara", "password": "not-the-password"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert logged_in_member_id(client) is None


def test_log_out_is_a_post_that_ends_the_session(customer, client_for):
    client = client_for(customer)
    assert client.get("/logout/").status_code == 405
    assert logged_in_member_id(client) is not None
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/")
    assert logged_in_member_id(client) is None


def test_the_header_offers_log_out_as_a_form(customer, client_for):
    html = client_for(customer).get("/").content.decode()
    assert '<form method="post" action="/logout/" class="inline-form">' in html


# Password reset


def test_password_reset_mails_a_link_that_sets_a_new_password(customer, client):
    response = client.post("/password-reset/", {"email": "cara@example.com"})
    assert (response.status_code, response["Location"]) == (302, "/password-reset/sent/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cara@example.com"]
    assert message.subject == "Reset your password on testserver"
    link = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", message.body)[1]

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "brand-new-secret-42", "new_password2": "brand-new-secret-42"}
    )
    assert (done.status_code, done["Location"]) == (302, "/password-reset/done/")

    fresh = type(client)()
    assert not fresh.login(username="cara", password=testing.PASSWORD)
    assert fresh.login(username="cara", password="brand-new-secret-42")
    assert client.get(link, follow=True).content.decode().count("That link has expired") == 1


def test_password_reset_for_an_unknown_address_sends_nothing(db, client):
    response = client.post("/password-reset/", {"email": "nobody@example.com"})
    assert (response.status_code, response["Location"]) == (302, "/password-reset/sent/")
    assert mail.outbox == []


# Profile pages


def test_profile_shows_name_bio_and_badges(employee, client):
    services.update_profile(
        actor=employee, member=employee, display_name="Emma E.", bio="I *know* billing."
    )
    html = client.get("/u/emma/").content.decode()
    assert '<h1 id="profile-name">Emma E.</h1>' in html
    assert '<p class="profile-username">@emma</p>' in html
    assert '<div class="prose"><p>I <em>know</em> billing.</p>\n</div>' in html
    assert '<span class="badge badge-employee">Employee</span>' in html
    assert '<span class="badge badge-role">Employee expert</span>' in html


def test_profile_of_an_unknown_or_inactive_member_is_not_found(customer, client):
    assert client.get("/u/nobody/").status_code == 404
    Member.objects.filter(pk=customer.pk).update(is_active=False)
    assert client.get("/u/cara/").status_code == 404


@pytest.mark.parametrize(
    ("viewer", "sees_partner_post"),
    [(None, False), ("customer", False), ("partner", True), ("moderator", True)],
)
def test_profile_lists_only_posts_from_spaces_the_viewer_may_see(
    request, partner, public_space, partner_space, client_for, viewer, sees_partner_post
):
    public = testing.make_topic(author=partner, space=public_space, title="Public question")
    hidden = testing.make_topic(author=partner, space=partner_space, title="Partner pricing")
    client = client_for(request.getfixturevalue(viewer) if viewer else None)
    html = client.get("/u/pat/").content.decode()
    assert f'<a href="/p/{public.posts.get().pk}/">Public question</a>' in html
    assert ("Partner pricing" in html) is sees_partner_post
    assert (f'href="/p/{hidden.posts.get().pk}/"' in html) is sees_partner_post


def test_profile_leaves_out_deleted_posts(customer, public_space, client):
    topic = testing.make_topic(author=customer, space=public_space, title="Soon gone")
    reply = testing.make_reply(topic=topic, author=customer, body="Also gone")
    community_services.delete_post(actor=customer, post=reply)
    html = client.get("/u/cara/").content.decode()
    assert "Also gone" not in html
    assert "Soon gone" in html


def test_profile_page_with_20_recent_posts_runs_a_bounded_number_of_queries(
    customer, other_customer, public_space, client_for, django_assert_max_num_queries
):
    topic = testing.make_topic(author=customer, space=public_space)
    for number in range(25):
        testing.make_reply(topic=topic, author=customer, body=f"Reply number {number}")
    services.update_profile(
        actor=customer, member=customer, display_name="Cara", bio="", expertise="api, billing"
    )
    client = client_for(other_customer)
    client.get("/")  # the day's visit is recorded once, outside the count
    with django_assert_max_num_queries(10):
        response = client.get("/u/cara/")
    html = response.content.decode()
    assert html.count('<p class="activity-excerpt">') == 20
    assert "Reply number 24" in html
    assert "Reply number 4<" not in html


# Editing a profile


def test_edit_profile_requires_logging_in(db, client):
    response = client.get("/settings/profile/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/login/?next=/settings/profile/",
    )


def test_edit_profile_shows_the_current_values(customer, client_for):
    services.update_profile(
        actor=customer, member=customer, display_name="Cara", bio="My bio", expertise="api"
    )
    html = client_for(customer).get("/settings/profile/").content.decode()
    assert 'name="display_name" value="Cara"' in html
    assert ">\nMy bio</textarea>" in html
    assert 'name="expertise" value="api"' in html
    assert '<option value="customer" selected>' in html


def test_edit_profile_offers_no_granted_affiliations_to_a_customer(customer, client_for):
    html = client_for(customer).get("/settings/profile/").content.decode()
    assert '<option value="employee"' not in html
    assert '<option value="partner"' not in html


def test_edit_profile_keeps_a_partner_on_their_affiliation(partner, client_for):
    html = client_for(partner).get("/settings/profile/").content.decode()
    assert re.findall(r'<option value="(\w+)"', html) == ["partner"]


def test_saving_the_profile_redirects_to_it_with_the_changes(customer, client_for):
    client = client_for(customer)
    response = client.post(
        "/settings/profile/",
        profile_data(customer, display_name="Cara Changed", bio="**New** bio", expertise="API"),
    )
    assert (response.status_code, response["Location"]) == (302, "/u/cara/")
    html = client.get("/u/cara/").content.decode()
    assert '<h1 id="profile-name">Cara Changed</h1>' in html
    assert "<p><strong>New</strong> bio</p>" in html
    assert '<li class="tag">api</li>' in html
    assert "Your profile is saved." in html


def test_uploading_an_avatar_shows_it_on_the_profile(customer, client_for):
    client = client_for(customer)
    response = client.post("/settings/profile/", profile_data(customer, avatar=png_upload()))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.avatar.name.endswith(f"/{customer.pk}.png")
    html = client.get("/u/cara/").content.decode()
    assert (
        f'<img class="avatar avatar-lg" src="/media/{customer.avatar.name}" alt="" '
        'width="96" height="96" loading="lazy">'
    ) in html


def test_a_bad_avatar_shows_the_error_and_keeps_the_other_fields(customer, client_for):
    client = client_for(customer)
    fake = SimpleUploadedFile("fake.png", b"not an image at all", content_type="image/png")
    response = client.post(
        "/settings/profile/",
        profile_data(customer, display_name="Kept Name", bio="Kept bio", avatar=fake),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "That file is not an image we can use (PNG, JPEG, GIF or WebP)." in html
    assert 'name="display_name" value="Kept Name"' in html
    assert ">\nKept bio</textarea>" in html
    customer.refresh_from_db()
    assert (customer.display_name, customer.bio, customer.avatar.name) == (
        "Cara Customer",
        "",
        "",
    )


def test_a_member_cannot_post_themselves_into_the_partner_affiliation(customer, client_for):
    response = client_for(customer).post(
        "/settings/profile/", profile_data(customer, affiliation=Affiliation.PARTNER)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    customer.refresh_from_db()
    assert customer.affiliation == Affiliation.CUSTOMER


# The code of conduct


def test_code_of_conduct_page_shows_the_version_in_force(db, client):
    conduct = services.current_code_of_conduct()
    html = client.get("/code-of-conduct/").content.decode()
    assert f'<article class="card prose">{conduct.body_html}</article>' in html
    assert "Version 1, published" in html
    assert "/code-of-conduct/edit/" not in html


def test_code_of_conduct_page_offers_editing_to_managers(manager, client_for):
    html = client_for(manager).get("/code-of-conduct/").content.decode()
    assert '<a class="btn btn-secondary" href="/code-of-conduct/edit/">Edit</a>' in html


def test_editing_the_code_of_conduct_requires_logging_in(db, client):
    response = client.get("/code-of-conduct/edit/")
    assert response["Location"] == "/login/?next=/code-of-conduct/edit/"


@pytest.mark.parametrize("member", ["customer", "employee", "moderator"])
def test_only_managers_may_edit_the_code_of_conduct(request, client_for, member):
    client = client_for(request.getfixturevalue(member))
    assert client.get("/code-of-conduct/edit/").status_code == 403
    assert client.post("/code-of-conduct/edit/", {"title": "X", "body": "Y"}).status_code == 403
    assert services.current_code_of_conduct().version == 1


def test_a_manager_publishes_version_2_of_the_code_of_conduct(manager, client_for):
    client = client_for(manager)
    current = services.current_code_of_conduct()
    form = client.get("/code-of-conduct/edit/").content.decode()
    assert f'value="{current.title}"' in form
    response = client.post(
        "/code-of-conduct/edit/", {"title": "House rules", "body": "Be **kind**, always."}
    )
    assert (response.status_code, response["Location"]) == (302, "/code-of-conduct/")
    conduct = services.current_code_of_conduct()
    assert (conduct.version, conduct.title, conduct.published_by) == (2, "House rules", manager)
    html = client.get("/code-of-conduct/").content.decode()
    assert "<p>Be <strong>kind</strong>, always.</p>" in html
    assert "Version 2 of the code of conduct is live." in html
    assert "Version 2, published" in html


def test_log_in_ignores_the_case_of_the_username(client, customer):
    response = client.post("/login/", {"username": "CARA", "password": testing.PASSWORD})

    assert response.status_code == 302
    assert client.get("/").context["user"] == customer


def test_a_member_creates_an_api_token_sees_it_once_and_can_revoke_it(client_for, customer):
    client = client_for(customer)

    created = client.post("/settings/tokens/", {"name": "CRM sync", "scope": "write"})

    html = created.content.decode()
    secret = re.search(r'id="new-token">(hth_[^<]+)</code>', html)[1]
    token = customer.api_tokens.get()
    assert secret.startswith(f"hth_{token.prefix}_")
    assert secret not in client.get("/settings/tokens/").content.decode()
    api = client_for(None)
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["username"] == "cara"

    revoked = client.post(f"/settings/tokens/{token.pk}/revoke/")

    assert revoked.status_code == 302
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_token_needs_a_name_and_the_form_says_so(client_for, customer):
    response = client_for(customer).post("/settings/tokens/", {"name": " ", "scope": "read"})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not customer.api_tokens.exists()


def test_nobody_revokes_another_members_token(client_for, customer, other_customer):
    token, _ = services.create_api_token(member=customer, name="Mine", scope="read")

    response = client_for(other_customer).post(f"/settings/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_the_token_page_needs_a_log_in(client):
    response = client.get("/settings/tokens/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
