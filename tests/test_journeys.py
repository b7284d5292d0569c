"""A whole workshop in Chromium against one real `streamlit run`, as its three kinds of user live it:

1. the facilitator creates a workshop on the Facilitator page and puts the room screen up (1920×1080);
2. a participant opens the join link from that screen on a phone (390×844), answers and submits, and the
   room's live count rises (five colleagues answer at the same time, stored directly);
3. the facilitator switches to presentation mode, reveals the results and steps to the biggest gaps;
4. an executive uploads a Salesforce report export on Pipeline data, maps the one column it did not
   recognise, saves it, filters the Alignment dashboard by region and downloads the deck.

Screenshots of every stage land in tests/screenshots/journey-*.png.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import DESKTOP, AppServer, screenshot, wait_for_app, wait_for_charts
from playwright.sync_api import expect
from pptx import Presentation
from test_facilitator_browser import answer_everything
from test_self_assessment_browser import FRAMEWORK, submit_on_a_phone

from alignment.store import current_dataset, find_workshop, load_dataset_frame, open_database
from alignment.store.responses import join

pytestmark = pytest.mark.browser

PASSWORD = "journey-password"
WAIT = 60_000
LOWER_FOR_SALES = 4  # sales rate the first four dimensions 2, marketing rate everything 4: four clear gaps
REGIONS = ("EMEA", "North America", "APAC")


def write_salesforce_report(path: Path, deals: int = 240, seed: int = 11) -> Counter[str]:
    """Deals as a Salesforce report saves them as CSV (quoted, "USD 1,234.00", M/D/YYYY, a footer),
    with the region in a "Sales Region" column that no CRM profile names; returns deals per region."""
    rng = random.Random(seed)
    stages = ["Closed Won", "Closed Lost", "Prospecting", "Proposal/Price Quote", "Negotiation/Review"]
    sources = ["Web", "Webinar", "Trade Show", "Partner Referral", "Cold Call", "Employee Referral"]
    regions: Counter[str] = Counter()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(["Opportunity Name", "Account Name", "Opportunity Owner", "Stage", "Amount", "Close Date",
                         "Created Date", "Lead Source", "Type", "Sales Region"])  # fmt: skip
        for number in range(deals):
            created = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(240))
            closed = created + dt.timedelta(days=rng.randrange(5, 120))
            region = rng.choice(REGIONS)
            regions[region] += 1
            writer.writerow([
                f"Deal {number}", f"Account {rng.randrange(80)}", rng.choice(["Dana Reyes", "Sam Ortiz", "Lee Chen"]),
                rng.choice(stages), f"USD {rng.randrange(2_000, 90_000):,}.00",
                f"{closed.month}/{closed.day}/{closed.year}", f"{created.month}/{created.day}/{created.year}",
                rng.choice(sources),
                rng.choice(["New Business", "Existing Business"]), region,
            ])  # fmt: skip
        out.write(f'\n"Grand Totals ({deals} records)"\n\n"Confidential Information - Do Not Distribute"\n')
    return regions


def sign_in(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Facilitator password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def no_error_on(page) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("[data-testid='stException']").count() == 0


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the select box labelled ``label`` (typed, so a long list need not scroll)."""
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("combobox", name=label)).to_have_value(option)


def map_column(page, field: str, column: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``column`` for ``field`` with the labelled "Change a column" widgets under the mapping table."""
    choose(page, "Field", field)
    choose(page, "Column in your file", column)
    screenshot(page, "journey-4-executive-mapping-edit")
    page.get_by_role("button", name="Use this column").click()
    expect(page.get_by_text(f"{field} now comes from “{column}”.")).to_be_visible()


def test_a_workshop_from_creation_to_the_executive_deck(browser, tmp_path: Path) -> None:
    server = AppServer(tmp_path / "server", env={"ALIGNMENT_ADMIN_PASSWORD": PASSWORD}).start()
    db = open_database(f"sqlite:///{server.data_dir / 'alignment.db'}")
    facilitator = browser.new_context(viewport=DESKTOP)
    executive = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    try:
        # 1. The facilitator creates the workshop and puts the room screen up.
        room = facilitator.new_page()
        room.goto(f"{server.url}/facilitator")
        wait_for_app(room)
        sign_in(room)
        room.get_by_role("tab", name="New workshop").click(timeout=WAIT)
        form = room.get_by_test_id("stForm").filter(has=room.get_by_role("button", name="Create workshop"))
        form.get_by_label("Workshop name").fill("Revenue offsite")
        form.get_by_label("Organisation").fill("Fabrikam")
        screenshot(room, "journey-1-facilitator-new-workshop")
        form.get_by_role("button", name="Create workshop").click()
        created = room.get_by_text(re.compile(r"Its join code is [A-Z0-9]{6}\."))
        created.wait_for(timeout=WAIT)
        code = re.search(r"join code is ([A-Z0-9]{6})", created.inner_text()).group(1)
        workshop = find_workshop(db, code)
        assert (workshop.name, workshop.organisation) == ("Revenue offsite", "Fabrikam")
        assert not workshop.results_revealed
        room.get_by_role("tab", name="Room screen").click()
        room.get_by_text("0 answered in round 1").wait_for(timeout=WAIT)
        link = room.get_by_text(re.compile(rf"\?w={code}$")).first.inner_text()
        wait_for_app(room)
        screenshot(room, "journey-1-facilitator-room")

        # 2. A participant joins by that link on a phone and submits; the room's count rises by itself.
        submit_on_a_phone(browser, link, "Marketing", shots="journey-2-participant")
        room.get_by_text("1 answered in round 1").wait_for(timeout=WAIT)
        for team in ("marketing", "marketing", "sales", "sales", "sales"):
            token = join(db, workshop, team).token
            lower = team == "sales"
            answer_everything(db, code, token, rating=lambda n, low=lower: 2 if low and n < LOWER_FOR_SALES else 4)
        room.get_by_text("6 answered in round 1").wait_for(timeout=WAIT)
        wait_for_app(room)
        screenshot(room, "journey-2-room-six-answered")
        no_error_on(room)

        # 3. Presentation mode: results stay hidden until the facilitator reveals them.
        room.get_by_text("Presentation mode").click()
        room.get_by_role("heading", name="Who answered", level=1).wait_for(timeout=WAIT)
        room.get_by_role("button", name="Next").click()
        room.get_by_text("Results are hidden until you reveal them.").wait_for(timeout=WAIT)
        wait_for_app(room)
        screenshot(room, "journey-3-present-hidden")
        room.get_by_role("button", name="Reveal results to the room").click()
        room.get_by_text(re.compile(r"^Alignment index \d+ of 100 — ")).wait_for(timeout=WAIT)
        wait_for_app(room)
        screenshot(room, "journey-3-present-revealed")
        assert find_workshop(db, code).results_revealed
        room.get_by_role("button", name="Next").click()
        room.get_by_role("heading", name="The three biggest gaps", level=1).wait_for(timeout=WAIT)
        wait_for_charts(room)
        screenshot(room, "journey-3-present-gaps")
        sentences = room.get_by_role("heading", level=3).all_inner_texts()
        lower_names = [d.name for d in FRAMEWORK.dimensions[:LOWER_FOR_SALES]]
        named = [s for s in sentences if any(name in s for name in lower_names)]
        assert len(named) == 3, sentences
        no_error_on(room)

        # 4. An executive adds the CRM export, maps the unrecognised column and saves.
        export = tmp_path / "Opportunities report.csv"
        regions = write_salesforce_report(export)
        page = executive.new_page()
        page.goto(f"{server.url}/pipeline?w={code}")
        wait_for_app(page)
        sign_in(page)
        page.locator("input[type=file]").wait_for(state="attached", timeout=WAIT)
        page.locator("input[type=file]").set_input_files(str(export))
        page.get_by_text("Detected:").wait_for(timeout=WAIT)
        wait_for_app(page)
        assert "Salesforce report" in page.get_by_text("Detected:").inner_text()
        map_column(page, "Region", "Sales Region")
        wait_for_app(page)
        screenshot(page, "journey-4-executive-mapping")
        used = page.locator("[data-testid='stMetric']").filter(has_text="Rows used")
        assert used.locator("[data-testid='stMetricValue']").inner_text() == "240"
        footers = page.locator("[data-testid='stMetric']").filter(has_text="Footer and total lines removed")
        assert footers.locator("[data-testid='stMetricValue']").inner_text() == "2"
        page.get_by_role("button", name="Save to workshop").click()
        page.get_by_test_id("stAlertContentSuccess").get_by_text(
            "Saved 240 deals from Opportunities report.csv."
        ).wait_for(timeout=WAIT)
        wait_for_app(page)
        screenshot(page, "journey-4-executive-saved")
        deals = load_dataset_frame(db, current_dataset(db, workshop.id, "deals").id)
        assert Counter(deals["region"]) == regions  # the confirmed mapping is what was stored

        # ... filters the dashboard by region and downloads the deck.
        page.goto(f"{server.url}/alignment?w={code}")
        page.get_by_role("tab", name="Pipeline").wait_for(timeout=WAIT)
        wait_for_app(page)
        screenshot(page, "journey-4-executive-alignment")
        page.get_by_role("tab", name="Pipeline").click()
        page.get_by_text(f"{sum(regions.values())} deals in view.", exact=False).wait_for(timeout=WAIT)
        regions_filter = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(
            has_text="Regions"
        )
        regions_filter.click()
        page.get_by_role("option", name="EMEA", exact=True).click()
        page.keyboard.press("Escape")
        page.get_by_text(f"{regions['EMEA']} deals in view.", exact=False).wait_for(timeout=WAIT)
        wait_for_charts(page)
        screenshot(page, "journey-4-executive-filtered")
        no_error_on(page)

        page.get_by_role("heading", name="Take the results with you").scroll_into_view_if_needed()
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name="Download deck (PPTX)").click()
        deck_path = tmp_path / download.value.suggested_filename
        download.value.save_as(deck_path)
        screenshot(page, "journey-4-executive-downloaded")
    finally:
        facilitator.close()
        executive.close()
        server.stop()
        db.dispose()

    slides = [
        "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in Presentation(str(deck_path)).slides
    ]
    assert "Revenue offsite" in slides[0]
    pipeline = next(text for text in slides if "What the pipeline says" in text)
    assert "No pipeline data is saved" not in pipeline
    assert any(name in "\n".join(slides) for name in lower_names)
