"""Tap targets and type sizes on every participant screen of a 390×844 phone, in Chromium.

Starts its own ``streamlit run app.py`` (fresh SQLite), walks a participant through the landing, the
start screen, every topic, what matters most, the review and the thank-you page, and on each screen
measures every visible tap target (buttons, rating and team choices, tick boxes, text fields,
links) and the font size of text fields, statements and body text. Printed: per screen the
smallest tap target (height × width and what it is) and the smallest sizes; then the smallest of all.
Touch guidance is 44 px high; iOS zooms into a text field under 16 px. Measured, never asserted.

    python benchmarks/tap_targets.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, AppServer, wait_for_app  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from alignment.framework import load_framework  # noqa: E402
from alignment.store import create_workshop, open_database  # noqa: E402

FRAMEWORK = load_framework()
TOTAL = len(FRAMEWORK.dimensions) + 2
MEASURE = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = (e) => {
    const r = e.getBoundingClientRect(), style = getComputedStyle(e);
    return r.width > 2 && r.height > 2 && style.visibility !== 'hidden' && style.display !== 'none'
      && !e.closest('h1, h2, h3, h4, h5, h6');
  };
  const name = (e) => (e.getAttribute('aria-label') || e.innerText || e.placeholder || e.tagName).trim().slice(0, 40);
  const targets = [...main.querySelectorAll(
    'button, a, input:not([type="checkbox"]), textarea, [data-testid="stCheckbox"] label, [role="radio"]'
  )].filter(shown).map((e) => {
    const r = e.getBoundingClientRect();
    return { what: name(e), height: r.height, width: r.width };
  });
  const size = (selector) => [...main.querySelectorAll(selector)].filter(shown)
    .map((e) => ({ what: name(e), size: parseFloat(getComputedStyle(e).fontSize) }));
  return {
    targets,
    fields: size('input, textarea'),
    statements: size('[data-testid="stWidgetLabel"] p, [data-testid="stCheckbox"] p'),
    text: size('[data-testid="stMarkdownContainer"] p'),
  };
}
"""


def ready(page: Page, text: str) -> None:
    page.get_by_text(text, exact=True).first.wait_for(timeout=60_000)
    wait_for_app(page)


def smallest(values: list[dict], key: str) -> dict | None:
    return min(values, key=lambda value: value[key]) if values else None


def report(screen: str, found: dict, overall: dict[str, list]) -> None:
    low = smallest(found["targets"], "height")
    narrow = smallest(found["targets"], "width")
    line = f"{screen:<24}"
    if low:
        line += f" lowest target {low['height']:5.1f} px ({low['what']!r})  narrowest {narrow['width']:5.1f} px"
    for kind in ("fields", "statements", "text"):
        least = smallest(found[kind], "size")
        if least:
            line += f"  {kind} {least['size']:.0f} px"
        overall[kind].extend(found[kind])
    overall["targets"].extend({**target, "screen": screen} for target in found["targets"])
    print(line)


def walk(page: Page, url: str, code: str) -> dict[str, list]:
    overall: dict[str, list] = {"targets": [], "fields": [], "statements": [], "text": []}
    page.goto(url)
    ready(page, "Join a workshop")
    report("landing", page.evaluate(MEASURE), overall)
    page.get_by_role("textbox", name="Join code").fill(code)
    page.get_by_role("button", name="Join", exact=True).tap()
    ready(page, "Your team")
    report("start", page.evaluate(MEASURE), overall)
    page.get_by_role("radiogroup", name="Your team").get_by_role("radio", name="Sales").tap()
    page.get_by_role("button", name="Start").tap()
    for number, dimension in enumerate(FRAMEWORK.dimensions, start=1):
        ready(page, f"Step {number} of {TOTAL}")
        report(f"topic {number}", page.evaluate(MEASURE), overall)
        for item in dimension.items:
            group = page.get_by_role("radiogroup", name=item.text, exact=True)
            group.get_by_role("radio", name="4", exact=True).tap()
        page.get_by_role("button", name="Next").tap()
    ready(page, f"Step {TOTAL - 1} of {TOTAL}")
    for dimension in FRAMEWORK.dimensions[:3]:
        page.get_by_text(dimension.name, exact=True).tap()
        wait_for_app(page)
    report("what matters most", page.evaluate(MEASURE), overall)
    page.get_by_role("button", name="Next").tap()
    ready(page, f"Step {TOTAL} of {TOTAL}")
    report("review", page.evaluate(MEASURE), overall)
    page.get_by_role("button", name="Submit my answers").tap()
    ready(page, "Thank you! Your answers are in.")
    report("thank you", page.evaluate(MEASURE), overall)
    return overall


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = AppServer(Path(folder) / "server").start()
        try:
            db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
            workshop = create_workshop(db, "Tap targets")
            db.dispose()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport=PHONE, has_touch=True).new_page()
                overall = walk(page, server.url, workshop.code)
                browser.close()
        finally:
            server.stop()
    low = smallest(overall["targets"], "height")
    print(f"\nSmallest tap target: {low['height']:.1f} px high ({low['what']!r} on {low['screen']}); guidance 44 px")
    for kind, label in (("fields", "text field"), ("statements", "statement / choice"), ("text", "body text")):
        least = smallest(overall[kind], "size")
        print(f"Smallest {label} font: {least['size']:.0f} px ({least['what']!r})")


if __name__ == "__main__":
    main()
