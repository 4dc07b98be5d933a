"""The browser plumbing works: Chromium starts, axe-core runs, dialogs are recorded."""

ACCESSIBLE_PAGE = (
    "<!doctype html><html lang=en><head><title>x</title></head>"
    "<body><main><h1>Hi</h1><button>Go</button></main></body></html>"
)


def test_accessible_page_has_no_axe_violations_and_no_dialogs(page, axe):
    page.set_content(ACCESSIBLE_PAGE)

    assert axe.run(page) == []
    assert page.dialogs == []
    assert page.console_errors == []


def test_dialogs_and_axe_violations_are_reported(page, axe):
    page.set_content("<html><body><img src=x.png><button></button><script>alert(7)</script>")

    assert page.dialogs == ["7"]
    rules = {violation["id"] for violation in axe.run(page)}
    assert {"button-name", "image-alt"} <= rules
    assert "button-name" in axe.format(axe.run(page))
