"""Browser tests: Playwright's sync API driving Debian's Chromium (no `playwright install`).

Fixtures: `browser` (one headless Chromium per session), `page` (a fresh context per test,
recording dialogs and console errors), `base_url` (the live server's URL) and `axe`
(accessibility checks with the vendored axe-core).
"""

import functools
import os

# Playwright's sync API keeps an asyncio event loop running in the test thread, so Django
# would take every ORM call made by a test (or by pytest-django's live_server and database
# fixtures) for one made from async code and raise SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from pathlib import Path
from types import SimpleNamespace

import pytest

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("HEARTH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
AXE_IMPACTS = ("serious", "critical")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Marks every test under tests/e2e `browser` and runs them after all the others.

    Once Playwright has started, the test thread has a running event loop until the session
    ends; running the browser tests last keeps that from reaching the other tests (for
    which, for instance, asgiref's async_to_sync would refuse to run).
    """
    browser_tests, other_tests = [], []
    for item in items:
        if Path(item.path).resolve().is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)
            browser_tests.append(item)
        else:
            other_tests.append(item)
    items[:] = other_tests + browser_tests


def _browser_required() -> bool:
    return os.environ.get("HEARTH_REQUIRE_BROWSER", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        if _browser_required():
            pytest.fail(
                f"Chromium not found at {CHROMIUM} and HEARTH_REQUIRE_BROWSER=1: the browser "
                "tests must run here (apt-get install chromium, or set HEARTH_CHROMIUM)",
                pytrace=False,
            )
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
        )

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page in its own browser context.

    `page.dialogs` lists the messages of every alert/confirm/prompt the page opened (each is
    dismissed); `page.console_errors` lists console errors and uncaught exceptions.
    """
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    new_page.dialogs = []
    new_page.console_errors = []

    def on_dialog(dialog):
        new_page.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message):
        if message.type == "error":
            new_page.console_errors.append(message.text)

    def on_page_error(error):
        new_page.console_errors.append(f"uncaught: {error}")

    new_page.on("dialog", on_dialog)
    new_page.on("console", on_console)
    new_page.on("pageerror", on_page_error)
    yield new_page
    context.close()


@pytest.fixture
def base_url(live_server) -> str:
    """The live server's URL, e.g. http://localhost:41234 (no trailing slash).

    Using live_server makes the test a transactional_db test: data it creates is committed,
    so the server thread sees it, and tables are flushed afterwards.
    """
    return live_server.url


def _inject_axe(page) -> None:
    # Evaluated through the DevTools protocol rather than added as a <script> tag
    # (page.add_script_tag): a Content-Security-Policy without 'unsafe-inline' would refuse
    # the tag and log a console error; evaluated code is not subject to the page's CSP.
    page.evaluate(_axe_source())


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        _inject_axe(page)
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in violations if v.get("impact") in AXE_IMPACTS]


def format_axe_violations(violations: list[dict], max_nodes: int = 5) -> str:
    """The violations as readable lines, for an assert message."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation.get('impact')}] {violation['id']}: {violation['help']}"
            f" ({violation.get('helpUrl', '')})"
        )
        nodes = violation.get("nodes", [])
        for node in nodes[:max_nodes]:
            target = " ".join(str(part) for part in node.get("target", []))
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {target}: {summary}")
        if len(nodes) > max_nodes:
            lines.append(f"    ... and {len(nodes) - max_nodes} more")
    return "\n".join(lines)


def assert_no_axe_violations(page) -> None:
    violations = run_axe(page)
    assert not violations, (
        f"axe-core found {len(violations)} serious/critical accessibility violation(s) on "
        f"{page.url}:\n{format_axe_violations(violations)}"
    )


@pytest.fixture
def axe():
    """axe.run(page), axe.format(violations), axe.check(page): see run_axe and friends.

    Test modules should use this fixture rather than `from conftest import ...`: several
    conftest.py files share that module name.
    """
    return SimpleNamespace(
        run=run_axe, format=format_axe_violations, check=assert_no_axe_violations
    )


def _record_dialogs_and_errors(new_page) -> None:
    """Gives `new_page` the `.dialogs` and `.console_errors` lists the `page` fixture has."""
    new_page.dialogs = []
    new_page.console_errors = []

    def on_dialog(dialog):
        new_page.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message):
        if message.type == "error":
            new_page.console_errors.append(message.text)

    def on_page_error(error):
        new_page.console_errors.append(f"uncaught: {error}")

    new_page.on("dialog", on_dialog)
    new_page.on("console", on_console)
    new_page.on("pageerror", on_page_error)


@pytest.fixture
def new_page(browser):
    """Opens a page in a fresh browser context: new_page(**context_options).

    Each call is a separate browser (own cookies and storage), e.g. a second member or a
    context with `java_script_enabled=False`, `color_scheme="dark"` or a phone-sized
    `viewport`. The page records dialogs and console errors like `page`, and
    `page.failed_responses` lists "STATUS URL" for every response of status 400 or more.
    Every context is closed after the test.
    """
    contexts = []

    def open_page(**options):
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", "en-US")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        opened = context.new_page()
        _record_dialogs_and_errors(opened)
        opened.failed_responses = []

        def on_response(response):
            if response.status >= 400:
                opened.failed_responses.append(f"{response.status} {response.url}")

        opened.on("response", on_response)
        return opened

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def log_in_as(base_url):
    """log_in_as(page, member): signs the page's browser context in without the log-in form.

    The session is made by django.test.Client.force_login and its cookie handed to the
    context, for tests that are not about logging in. Returns the page.
    """
    from django.conf import settings
    from django.test import Client

    def log_in(target_page, member):
        client = Client()
        client.force_login(member)
        cookie_name = settings.SESSION_COOKIE_NAME
        target_page.context.add_cookies(
            [{"name": cookie_name, "value": client.cookies[cookie_name].value, "url": base_url}]
        )
        return target_page

    return log_in


@pytest.fixture
def log_in_with_form(base_url):
    """log_in_with_form(page, username, password=PASSWORD): logs in through /login/."""
    from hearth.testing import PASSWORD

    def log_in(target_page, username, password=PASSWORD):
        target_page.goto(f"{base_url}/login/")
        target_page.fill("#id_username", username)
        target_page.fill("#id_password", password)
        with target_page.expect_navigation():
            target_page.click("main form button[type=submit]")
        assert "/login/" not in target_page.url, f"log-in as {username} failed: {target_page.url}"
        return target_page

    return log_in
