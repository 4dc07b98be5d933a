"""Phones and themes: no sideways scrolling at 375 px, and a theme toggle that sticks."""

import pytest

from hearth import testing

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
# Everything that tends to push a page wider than a phone: a long code line, an unbroken
# word, a long link, a wide table, long inline code and a long unbroken title.
LONG_BODY = (
    "A long line of code:\n\n"
    "```\nexport HEARTH_SETTINGS=" + "x" * 300 + "\n```\n\n"
    "An unbroken word: " + "Supercalifragilistic" * 12 + "\n\n"
    "A long link: https://example.com/" + "very-long-path-segment/" * 12 + "\n\n"
    "| Column one | Column two | Column three | Column four | Column five | Column six |\n"
    "|---|---|---|---|---|---|\n"
    "| " + " | ".join(["some wide cell content"] * 6) + " |\n\n"
    "Inline `" + "code" * 40 + "` too."
)
LONG_TITLE = "Exporting invoices on a phone " + "W" * 60

# The page's width against the window's, and the elements that stick out (not counting
# those inside a box that scrolls or clips horizontally), for the assert message.
MEASURE_WIDTH = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.getBoundingClientRect().right <= width + 1) continue;
    let box = el.parentElement, contained = false;
    while (box && box !== document.body) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(box).overflowX)) {
        contained = true;
        break;
      }
      box = box.parentElement;
    }
    if (!contained) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}"""


@pytest.fixture
def long_topic(other_customer, public_space):
    topic = testing.make_topic(
        author=other_customer, space=public_space, title=LONG_TITLE, body=LONG_BODY
    )
    testing.make_reply(topic=topic, author=testing.make_member(), body=LONG_BODY)
    return topic


def _phone(new_page):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def _assert_fits(page, url):
    page.goto(url)
    assert page.failed_responses == []
    measured = page.evaluate(MEASURE_WIDTH)
    assert measured["scrollWidth"] <= measured["innerWidth"], (
        f"{url} scrolls sideways at {PHONE['width']} px: {measured}"
    )
    assert measured["wide"] == [], f"{url}: {measured}"


def test_phone_pages_do_not_scroll_sideways(new_page, base_url, log_in_as, customer, long_topic):
    topic_url = f"{base_url}{long_topic.get_absolute_url()}"

    anonymous = _phone(new_page)
    for path in ("/", "/latest/", "/signup/", "/login/"):
        _assert_fits(anonymous, f"{base_url}{path}")
    _assert_fits(anonymous, topic_url)

    member = log_in_as(_phone(new_page), customer)
    _assert_fits(member, f"{base_url}/")
    _assert_fits(member, f"{base_url}{long_topic.space.get_absolute_url()}")
    _assert_fits(member, f"{base_url}/u/{long_topic.author.username}/")
    _assert_fits(member, topic_url)
    # The wide code block scrolls in its own box, reachable by keyboard.
    code = member.locator("#post-1 pre")
    assert code.evaluate("el => el.scrollWidth > el.clientWidth")
    assert code.get_attribute("tabindex") == "0"
    # The composer and the header's controls are usable on the phone.
    assert member.locator("form#reply textarea").is_visible()
    toggle = member.locator("[data-theme-toggle]")
    box = toggle.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _theme(page):
    return page.evaluate("document.documentElement.dataset.theme ?? null")


def _background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_toggle_switches_and_persists(new_page, base_url, public_space):
    page = new_page(color_scheme="light")
    page.goto(f"{base_url}/")
    toggle = page.locator("[data-theme-toggle]")
    assert _theme(page) is None
    assert toggle.get_attribute("aria-pressed") == "false"
    assert toggle.get_attribute("aria-label") == "Switch to dark theme"
    light_background = _background(page)

    toggle.click()
    assert _theme(page) == "dark"
    assert toggle.get_attribute("aria-pressed") == "true"
    assert toggle.get_attribute("aria-label") == "Switch to light theme"
    assert page.evaluate("localStorage.getItem('hearth-theme')") == "dark"
    dark_background = _background(page)
    assert dark_background != light_background

    page.reload()
    assert _theme(page) == "dark"
    assert _background(page) == dark_background
    assert page.locator("[data-theme-toggle]").get_attribute("aria-pressed") == "true"

    # Other pages follow, and the keyboard switches back.
    page.goto(f"{base_url}{public_space.get_absolute_url()}")
    assert _theme(page) == "dark"
    page.locator("[data-theme-toggle]").focus()
    page.keyboard.press("Enter")
    assert _theme(page) == "light"
    assert page.evaluate("localStorage.getItem('hearth-theme')") == "light"
    page.reload()
    assert _theme(page) == "light"
    assert _background(page) == light_background
    assert page.console_errors == []


def test_theme_toggle_starts_from_the_system_dark_preference(new_page, base_url):
    page = new_page(color_scheme="dark")
    page.goto(f"{base_url}/")
    toggle = page.locator("[data-theme-toggle]")
    assert _theme(page) is None
    assert toggle.get_attribute("aria-pressed") == "true"
    system_dark = _background(page)

    toggle.click()
    assert _theme(page) == "light"
    assert _background(page) != system_dark
    page.reload()
    assert _theme(page) == "light"
    assert page.locator("[data-theme-toggle]").get_attribute("aria-pressed") == "false"


# Every custom property (--bg, --text, ...) the stylesheets set, as the root element has it.
DESIGN_TOKENS = """() => {
  const names = new Set();
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.style) for (const name of rule.style) if (name.startsWith('--')) names.add(name);
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules);
  const style = getComputedStyle(document.documentElement);
  const tokens = {'color-scheme': style.colorScheme};
  for (const name of [...names].sort()) tokens[name] = style.getPropertyValue(name).trim();
  return tokens;
}"""


def test_system_dark_preference_gives_the_dark_theme_colours(new_page, base_url):
    chosen = new_page(color_scheme="light")
    chosen.context.add_init_script("localStorage.setItem('hearth-theme', 'dark')")
    chosen.goto(f"{base_url}/")
    system = new_page(color_scheme="dark")
    system.goto(f"{base_url}/")
    light = new_page(color_scheme="light")
    light.goto(f"{base_url}/")

    dark_tokens = chosen.evaluate(DESIGN_TOKENS)
    assert len(dark_tokens) > 20
    assert dark_tokens["color-scheme"] == "dark"
    assert system.evaluate(DESIGN_TOKENS) == dark_tokens
    assert light.evaluate(DESIGN_TOKENS) != dark_tokens
