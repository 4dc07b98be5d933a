"""Take the README's screenshots from a running demo (`make demo`) with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.goto(f"{BASE}/")
        page.screenshot(path=OUT / "home.png")
        page.goto(f"{BASE}/login/")
        page.fill("input[name=username]", "customer")
        page.fill("input[name=password]", "hearth-demo-1")
        page.click("main button[type=submit]")
        page.wait_for_url(f"{BASE}/")
        page.goto(f"{BASE}/latest/")
        page.click(".topic-row >> nth=1 >> a.topic-title")
        page.screenshot(path=OUT / "topic.png")
        dark = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
        phone = dark.new_page()
        phone.goto(page.url)
        phone.screenshot(path=OUT / "topic-phone-dark.png")
        page.goto(f"{BASE}/ideas/roadmap/")
        page.screenshot(path=OUT / "roadmap.png")
        staff = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
        staff.goto(f"{BASE}/login/")
        staff.fill("input[name=username]", "moderator")
        staff.fill("input[name=password]", "hearth-demo-1")
        staff.click("main button[type=submit]")
        staff.wait_for_url(f"{BASE}/")
        staff.goto(f"{BASE}/moderation/")
        staff.screenshot(path=OUT / "moderation.png")
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
