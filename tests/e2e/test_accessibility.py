"""axe-core finds no serious or critical accessibility violation, in the light and dark themes.

Each theme visits the main pages as an anonymous visitor (home, sign-up, the sign-up form
with its errors, log-in) and as a member (home, a space, a topic with replies where the
composer and the reaction buttons render, after a like so a pressed button shows too, and
a profile). Every page's violations are gathered before the assert, so one run lists them
all. The dark theme is the stored choice (localStorage "hearth-theme"); that the system
preference gives the same colours is checked in test_theme_and_mobile.py.
"""

import pytest

from hearth import testing

pytestmark = pytest.mark.django_db(transaction=True)

TOPIC_BODY = (
    "We need the **monthly totals** as a file, see _Billing, Export_.\n\n"
    "```\nhearth export --format csv --month 2026-10\n```\n\n"
    "> Exports used to be e-mailed.\n\n"
    "| Month | Total |\n|---|---|\n| October | 1,204 |\n\n"
    "- one\n- two\n\nMore on [the help site](https://example.com/help)."
)


@pytest.fixture
def site(customer, other_customer, public_space):
    testing.ensure_code_of_conduct()
    account = testing.make_member(username="lee", display_name="Lee Long-Replier")
    topic = testing.make_topic(
        author=other_customer,
        space=public_space,
        title="How do I export invoices as CSV?",
        body=TOPIC_BODY,
    )
    for number in range(3):
        testing.make_reply(
            topic=topic,
            author=account if number % 2 else customer,
            body=f"Reply {number + 1}: try `hearth export` with **--month**, as in the docs.",
        )
    return {"topic": topic, "space": public_space, "author": other_customer}


def _open(new_page, theme):
    page = new_page(color_scheme="light")
    if theme == "dark":
        page.context.add_init_script("localStorage.setItem('hearth-theme', 'dark')")
    return page


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_no_serious_axe_violations(new_page, base_url, log_in_as, customer, site, axe, theme):
    found = []

    def check(page, label):
        assert page.failed_responses == [], f"{label}: {page.failed_responses}"
        assert page.evaluate("document.documentElement.dataset.theme ?? 'light'") == theme
        violations = axe.run(page)
        if violations:
            found.append(f"== {label} ({page.url}), {theme} theme\n{axe.format(violations)}")

    anonymous = _open(new_page, theme)
    anonymous.goto(f"{base_url}/")
    check(anonymous, "home, anonymous")
    anonymous.goto(f"{base_url}/signup/")
    check(anonymous, "sign-up")
    with anonymous.expect_navigation():
        anonymous.get_by_role("button", name="Create my account").click()
    assert anonymous.locator(".has-error").count() >= 3
    check(anonymous, "sign-up with errors")
    anonymous.goto(f"{base_url}/login/")
    check(anonymous, "log-in")

    member = log_in_as(_open(new_page, theme), customer)
    member.goto(f"{base_url}/")
    check(member, "home, member")
    member.goto(f"{base_url}{site['space'].get_absolute_url()}")
    check(member, "space")
    member.goto(f"{base_url}{site['topic'].get_absolute_url()}")
    assert member.locator("#posts article.post").count() == 4
    member.locator("#post-1 button[data-reaction=like]").click()
    member.locator("#post-1 button[data-reaction=like][aria-pressed=true]").wait_for()
    assert member.locator("form#reply textarea").is_visible()
    check(member, "topic with replies, composer and a pressed reaction")
    member.goto(f"{base_url}/u/{site['author'].username}/")
    check(member, "profile")

    assert not found, "axe-core found serious/critical violations:\n" + "\n".join(found)
