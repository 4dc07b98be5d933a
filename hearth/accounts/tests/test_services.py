"""Writes about members: sign-up, roles, profiles, avatars and the code of conduct."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hearth import testing
from hearth.accounts import services
from hearth.accounts.models import (
    Affiliation,
    CodeOfConduct,
    ConductAcceptance,
    ExpertiseTag,
    Member,
    Role,
)
from hearth.core.errors import NotAllowed, ValidationFailed


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_up(**overrides):
    fields = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": testing.PASSWORD,
        "accepted_conduct": True,
    }
    return services.create_member(**(fields | overrides))


def image_upload(image_format: str, name: str, *, size=(8, 8), mode="RGB") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new(mode, size, "white" if mode != "P" else 0).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def edit(member, *, actor=None, display_name="Someone", bio="", **extra):
    return services.update_profile(
        actor=actor or member, member=member, display_name=display_name, bio=bio, **extra
    )


# create_member


def test_create_member_signs_a_member_up_with_what_they_entered(db):
    member = sign_up(display_name="  New Bie  ", affiliation=Affiliation.PROSPECT, bio="I *build*")
    member.refresh_from_db()
    assert (member.username, member.email, member.display_name) == (
        "newbie",
        "newbie@example.com",
        "New Bie",
    )
    assert (member.affiliation, member.role, member.is_staff, member.is_superuser) == (
        "prospect",
        "member",
        False,
        False,
    )
    assert member.bio_html == "<p>I <em>build</em></p>\n"


def test_create_member_accepts_the_code_of_conduct_in_force(db):
    conduct = services.current_code_of_conduct()
    member = sign_up()
    member.refresh_from_db()
    assert member.conduct_version_accepted == conduct.version
    accepted = ConductAcceptance.objects.filter(member=member).values_list("conduct", flat=True)
    assert list(accepted) == [conduct.pk]


def test_create_member_hashes_the_password(db):
    member = sign_up()
    member.refresh_from_db()
    assert testing.PASSWORD not in member.password
    assert member.password.startswith("md5$")  # the fast test hasher; argon2 in production
    assert member.check_password(testing.PASSWORD)
    assert not member.check_password("wrong-password-123")


@pytest.mark.parametrize("taken", ["newbie", "NewBie", "NEWBIE", " newbie "])
def test_usernames_are_unique_whatever_their_case(db, taken):
    sign_up()
    with pytest.raises(ValidationFailed) as caught:
        sign_up(username=taken, email="second@example.com")
    assert (caught.value.code, caught.value.field) == ("username_taken", "username")
    assert Member.objects.count() == 1


@pytest.mark.parametrize(
    "taken", ["newbie@example.com", "NewBie@Example.com", " newbie@EXAMPLE.COM "]
)
def test_email_addresses_are_unique_whatever_their_case(db, taken):
    sign_up()
    with pytest.raises(ValidationFailed) as caught:
        sign_up(username="second", email=taken)
    assert (caught.value.code, caught.value.field) == ("email_taken", "email")
    assert Member.objects.count() == 1


@pytest.mark.parametrize("username", ["", "   ", "has space", "semi;colon", "x" * 151])
def test_invalid_usernames_are_refused_on_the_username_field(db, username):
    with pytest.raises(ValidationFailed) as caught:
        sign_up(username=username)
    assert caught.value.field == "username"
    assert Member.objects.count() == 0


@pytest.mark.parametrize("password", ["short1!", "12345678901", "password", "newbie123", ""])
def test_weak_passwords_are_refused_on_the_password_field(db, password):
    with pytest.raises(ValidationFailed) as caught:
        sign_up(password=password)
    assert caught.value.field == "password"
    assert Member.objects.count() == 0


def test_sign_up_requires_accepting_the_code_of_conduct(db):
    with pytest.raises(ValidationFailed) as caught:
        sign_up(accepted_conduct=False)
    assert (caught.value.code, caught.value.field) == ("conduct_not_accepted", "accept_conduct")
    assert Member.objects.count() == 0


@pytest.mark.parametrize("affiliation", [Affiliation.EMPLOYEE, Affiliation.PARTNER])
def test_employee_and_partner_affiliations_need_verification(db, affiliation):
    with pytest.raises(ValidationFailed) as caught:
        sign_up(affiliation=affiliation)
    assert (caught.value.code, caught.value.field) == ("affiliation_locked", "affiliation")
    assert Member.objects.count() == 0


@pytest.mark.parametrize("affiliation", [Affiliation.EMPLOYEE, Affiliation.PARTNER])
def test_verified_employee_and_partner_affiliations_are_taken(db, affiliation):
    member = sign_up(affiliation=affiliation, affiliation_verified=True)
    assert Member.objects.get(pk=member.pk).affiliation == affiliation


@pytest.mark.parametrize(("field", "value"), [("affiliation", "alien"), ("role", "overlord")])
def test_unknown_affiliations_and_roles_are_refused(db, field, value):
    with pytest.raises(ValidationFailed) as caught:
        sign_up(**{field: value})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("role", "staff"),
    [(Role.MEMBER, False), (Role.EXPERT, False), (Role.MODERATOR, False), (Role.MANAGER, True)],
)
def test_only_the_manager_role_makes_staff_and_superuser(db, role, staff):
    member = Member.objects.get(pk=sign_up(role=role).pk)
    assert (member.role, member.is_staff, member.is_superuser) == (role, staff, staff)


# change_member_role


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("customer", False),
        ("partner", False),
        ("employee", False),
        ("moderator", False),
        ("manager", True),
    ],
)
def test_only_managers_change_roles(request, other_customer, actor, allowed):
    actor = request.getfixturevalue(actor)
    if allowed:
        services.change_member_role(actor=actor, member=other_customer, role=Role.MODERATOR)
    else:
        with pytest.raises(NotAllowed):
            services.change_member_role(actor=actor, member=other_customer, role=Role.MODERATOR)
    other_customer.refresh_from_db()
    assert other_customer.role == (Role.MODERATOR if allowed else Role.MEMBER)


def test_changing_a_role_to_manager_and_back_follows_staff_flags(manager, other_customer):
    services.change_member_role(actor=manager, member=other_customer, role=Role.MANAGER)
    other_customer.refresh_from_db()
    assert (other_customer.is_staff, other_customer.is_superuser) == (True, True)
    services.change_member_role(actor=manager, member=other_customer, role=Role.MEMBER)
    other_customer.refresh_from_db()
    assert (other_customer.is_staff, other_customer.is_superuser) == (False, False)


def test_changing_to_an_unknown_role_is_refused(manager, other_customer):
    with pytest.raises(ValidationFailed) as caught:
        services.change_member_role(actor=manager, member=other_customer, role="overlord")
    assert caught.value.field == "role"


# update_profile


def test_a_member_updates_their_own_profile(customer):
    edit(customer, display_name="  Cara C.  ", bio="Hello **there**")
    customer.refresh_from_db()
    assert (customer.display_name, customer.bio, customer.bio_html) == (
        "Cara C.",
        "Hello **there**",
        "<p>Hello <strong>there</strong></p>\n",
    )


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("other_customer", False), ("employee", False), ("moderator", False), ("manager", True)],
)
def test_only_the_member_or_a_manager_edits_a_profile(request, customer, actor, allowed):
    actor = request.getfixturevalue(actor)
    if allowed:
        edit(customer, actor=actor, display_name="Renamed")
    else:
        with pytest.raises(NotAllowed):
            edit(customer, actor=actor, display_name="Renamed")
    customer.refresh_from_db()
    assert customer.display_name == ("Renamed" if allowed else "Cara Customer")


@pytest.mark.parametrize(("length", "ok"), [(80, True), (81, False)])
def test_display_names_are_at_most_80_characters(customer, length, ok):
    if ok:
        edit(customer, display_name="d" * length)
    else:
        with pytest.raises(ValidationFailed) as caught:
            edit(customer, display_name="d" * length)
        assert caught.value.field == "display_name"
    customer.refresh_from_db()
    assert customer.display_name == ("d" * length if ok else "Cara Customer")


@pytest.mark.parametrize(("length", "ok"), [(2000, True), (2001, False)])
def test_bios_are_at_most_2000_characters(customer, length, ok):
    if ok:
        edit(customer, bio="b" * length)
    else:
        with pytest.raises(ValidationFailed) as caught:
            edit(customer, bio="b" * length)
        assert caught.value.field == "bio"
    customer.refresh_from_db()
    assert customer.bio == ("b" * length if ok else "")


def test_bio_markdown_is_rendered_and_sanitised(customer):
    edit(
        customer,
        bio="# Me\n\n<script>alert(1)</script> [site](https://example.com) "
        "[bad](javascript:alert(1))",
    )
    customer.refresh_from_db()
    assert customer.bio_html == (
        "<h1>Me</h1>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; "
        '<a href="https://example.com" rel="nofollow ugc noopener">site</a> '
        "[bad](javascript:alert(1))</p>\n"
    )


def test_an_empty_bio_stores_no_html(customer):
    edit(customer, bio="Something")
    edit(customer, bio="   ")
    customer.refresh_from_db()
    assert (customer.bio, customer.bio_html) == ("", "")


@pytest.mark.parametrize("affiliation", [Affiliation.EMPLOYEE, Affiliation.PARTNER])
def test_a_member_cannot_give_themselves_an_employee_or_partner_affiliation(customer, affiliation):
    with pytest.raises(NotAllowed) as caught:
        edit(customer, affiliation=affiliation)
    assert caught.value.code == "affiliation_locked"
    customer.refresh_from_db()
    assert customer.affiliation == Affiliation.CUSTOMER


def test_a_partner_cannot_drop_their_partner_affiliation_themselves(partner):
    with pytest.raises(NotAllowed):
        edit(partner, affiliation=Affiliation.CUSTOMER)
    partner.refresh_from_db()
    assert partner.affiliation == Affiliation.PARTNER


def test_a_partner_keeps_their_affiliation_when_saving_it_unchanged(partner):
    edit(partner, affiliation=Affiliation.PARTNER, display_name="Pat")
    partner.refresh_from_db()
    assert (partner.affiliation, partner.display_name) == (Affiliation.PARTNER, "Pat")


def test_a_member_switches_between_self_declared_affiliations(customer):
    edit(customer, affiliation=Affiliation.ADVISOR)
    customer.refresh_from_db()
    assert customer.affiliation == Affiliation.ADVISOR


@pytest.mark.parametrize("affiliation", [Affiliation.EMPLOYEE, Affiliation.PARTNER])
def test_a_manager_grants_employee_and_partner_affiliations(manager, customer, affiliation):
    edit(customer, actor=manager, affiliation=affiliation)
    customer.refresh_from_db()
    assert customer.affiliation == affiliation


def test_an_unknown_affiliation_is_refused(customer):
    with pytest.raises(ValidationFailed) as caught:
        edit(customer, affiliation="alien")
    assert caught.value.field == "affiliation"


def test_expertise_tags_are_slugified_deduplicated_and_kept_in_order_of_names(customer):
    edit(customer, expertise="Billing, API,  api , Installation Guide, ,billing,Ünïcode Ok")
    assert list(customer.expertise.values_list("name", flat=True)) == [
        "api",
        "billing",
        "installation-guide",
        "unicode-ok",
    ]
    assert ExpertiseTag.objects.count() == 4


def test_expertise_tags_are_shared_between_members(customer, other_customer):
    edit(customer, expertise="api, billing")
    edit(other_customer, expertise="billing")
    assert ExpertiseTag.objects.count() == 2
    assert list(other_customer.expertise.values_list("name", flat=True)) == ["billing"]


def test_expertise_tags_are_cut_at_50_characters(customer):
    edit(customer, expertise="x" * 60)
    assert list(customer.expertise.values_list("name", flat=True)) == ["x" * 50]


def test_ten_expertise_tags_are_allowed(customer):
    edit(customer, expertise=", ".join(f"topic {n}" for n in range(10)) + ", topic 0")
    assert customer.expertise.count() == 10


def test_eleven_expertise_tags_are_refused_and_nothing_changes(customer):
    edit(customer, expertise="api")
    with pytest.raises(ValidationFailed) as caught:
        edit(customer, display_name="Changed", expertise=",".join(f"t{n}" for n in range(11)))
    assert caught.value.field == "expertise"
    customer.refresh_from_db()
    assert customer.display_name == "Someone"
    assert list(customer.expertise.values_list("name", flat=True)) == ["api"]


def test_leaving_expertise_out_keeps_the_tags_and_an_empty_text_clears_them(customer):
    edit(customer, expertise="api")
    edit(customer)
    assert list(customer.expertise.values_list("name", flat=True)) == ["api"]
    edit(customer, expertise="")
    assert customer.expertise.count() == 0


# Avatars


@pytest.mark.parametrize(
    ("image_format", "name", "extension"),
    [
        ("PNG", "me.png", "png"),
        ("JPEG", "me.jpg", "jpg"),
        ("GIF", "me.gif", "gif"),
        ("WEBP", "me.webp", "webp"),
        ("PNG", "wrongly-named.jpg", "png"),
    ],
)
def test_real_images_are_accepted_as_avatars_named_by_their_content(image_format, name, extension):
    assert services.validate_avatar(image_upload(image_format, name)) == extension


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"just some text, not an image\n", "fake.png"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "truncated.png"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "vector.svg"),
        (b"<html><script>alert(1)</script></html>", "page.gif"),
        (b"", "empty.png"),
    ],
)
def test_files_that_are_not_images_are_refused_as_avatars(content, name):
    with pytest.raises(ValidationFailed) as caught:
        services.validate_avatar(SimpleUploadedFile(name, content, content_type="image/png"))
    assert (caught.value.code, caught.value.field) == ("avatar_invalid", "avatar")


def test_images_in_other_formats_are_refused_as_avatars():
    with pytest.raises(ValidationFailed) as caught:
        services.validate_avatar(image_upload("BMP", "me.bmp"))
    assert (caught.value.code, caught.value.message) == (
        "avatar_invalid",
        "Avatars must be PNG, JPEG, GIF or WebP images.",
    )


def test_an_avatar_of_exactly_2_mb_is_accepted():
    upload = image_upload("PNG", "big.png")
    content = upload.read()
    padded = content + b"\x00" * (services.AVATAR_MAX_BYTES - len(content))
    assert services.validate_avatar(SimpleUploadedFile("big.png", padded)) == "png"


def test_avatars_over_2_mb_are_refused():
    upload = image_upload("PNG", "big.png")
    content = upload.read()
    padded = content + b"\x00" * (services.AVATAR_MAX_BYTES + 1 - len(content))
    with pytest.raises(ValidationFailed) as caught:
        services.validate_avatar(SimpleUploadedFile("big.png", padded))
    assert (caught.value.code, caught.value.field) == ("avatar_too_large", "avatar")


def test_avatars_over_4096_by_4096_pixels_are_refused():
    upload = image_upload("PNG", "huge.png", size=(4097, 4096), mode="1")
    with pytest.raises(ValidationFailed) as caught:
        services.validate_avatar(upload)
    assert (caught.value.code, caught.value.field) == ("avatar_too_large", "avatar")


def test_update_profile_stores_the_avatar_under_the_members_id(customer, settings):
    edit(customer, avatar=image_upload("GIF", "../../evil name.gif"))
    customer.refresh_from_db()
    assert customer.avatar.name.startswith("avatars/")
    assert customer.avatar.name.endswith(f"/{customer.pk}.gif")
    assert (settings.MEDIA_ROOT / customer.avatar.name).is_file()
    with Image.open(customer.avatar.path) as image:
        assert image.format == "GIF"


def test_a_refused_avatar_leaves_the_profile_unchanged(customer):
    with pytest.raises(ValidationFailed):
        edit(customer, display_name="Changed", avatar=SimpleUploadedFile("x.png", b"text"))
    customer.refresh_from_db()
    assert (customer.display_name, customer.avatar.name) == ("Cara Customer", "")


def test_remove_avatar_clears_it(customer):
    edit(customer, avatar=image_upload("PNG", "me.png"))
    edit(customer, remove_avatar=True)
    customer.refresh_from_db()
    assert customer.avatar.name == ""


# The code of conduct


def test_a_fresh_community_has_version_1_of_the_code_of_conduct(db):
    conduct = services.current_code_of_conduct()
    assert (conduct.version, conduct.title) == (1, "Code of conduct")
    assert conduct.body_html.startswith("<")


def test_publishing_the_code_of_conduct_increments_its_version(manager):
    second = services.publish_code_of_conduct(actor=manager, body="Be *kind*.", title=" Rules ")
    third = services.publish_code_of_conduct(actor=manager, body="Be kinder.")
    assert [second.version, third.version] == [2, 3]
    assert (second.title, second.body_html, second.published_by) == (
        "Rules",
        "<p>Be <em>kind</em>.</p>\n",
        manager,
    )
    assert third.title == "Code of conduct"
    assert services.current_code_of_conduct() == third
    assert list(CodeOfConduct.objects.values_list("version", flat=True)) == [3, 2, 1]


@pytest.mark.parametrize("actor", ["customer", "partner", "employee", "moderator"])
def test_only_managers_publish_the_code_of_conduct(request, actor):
    with pytest.raises(NotAllowed):
        services.publish_code_of_conduct(actor=request.getfixturevalue(actor), body="Mine now")
    assert services.current_code_of_conduct().version == 1


def test_an_empty_code_of_conduct_is_refused(manager):
    with pytest.raises(ValidationFailed) as caught:
        services.publish_code_of_conduct(actor=manager, body=" \n ")
    assert caught.value.field == "body"


def test_accepting_a_new_code_of_conduct_records_its_version(customer, manager):
    conduct = services.publish_code_of_conduct(actor=manager, body="New rules")
    acceptance = services.accept_code_of_conduct(member=customer, conduct=conduct)
    assert (acceptance.member, acceptance.conduct) == (customer, conduct)
    assert customer.conduct_version_accepted == 2
    customer.refresh_from_db()
    assert customer.conduct_version_accepted == 2
    assert ConductAcceptance.objects.filter(member=customer).count() == 2


def test_accepting_twice_keeps_one_acceptance(customer):
    conduct = services.current_code_of_conduct()
    first = services.accept_code_of_conduct(member=customer, conduct=conduct)
    again = services.accept_code_of_conduct(member=customer, conduct=conduct)
    assert first == again
    assert ConductAcceptance.objects.filter(member=customer).count() == 1


def test_sign_up_rejects_a_display_name_over_80_characters(db):
    with pytest.raises(ValidationFailed) as error:
        testing.make_member(username="longname", display_name="x" * 81)

    assert error.value.field == "display_name"
    assert not Member.objects.filter(username="longname").exists()


def test_a_customer_cannot_claim_a_partner_organization_but_a_manager_can_assign_it(
    customer, manager
):
    dealer = services.create_organization(actor=manager, name="Bright Installs", kind="partner")
    with pytest.raises(NotAllowed) as error:
        services.update_profile(
            actor=customer, member=customer, display_name="", bio="", organization=dealer
        )
    assert error.value.code == "organization_locked"

    services.update_profile(
        actor=manager, member=customer, display_name="", bio="", organization=dealer
    )
    customer.refresh_from_db()
    assert customer.organization == dealer
