"""The dashboard in a real browser, as a user meets it: demo data in, an extract uploaded, figures moved.

A temporary SQLite store is filled with `cli.py demo`, `streamlit run dashboard.py` serves it, and
Debian's headless Chromium clicks through every page. Along the way a full-page screenshot of each page
is saved: to docs/screenshots/ when SCREENSHOTS=docs is set (`make screenshots`), else beside the test's
temporary files, so an ordinary test run leaves the working tree as it was.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, sync_playwright

from bench.make_data import ORDER_HEADERS
from measures import quarter_label
from tests.e2e.app_driver import (
    CHROMIUM,
    CHROMIUM_MISSING,
    ROOT,
    TILES,
    VIEWPORT,
    assert_no_app_error,
    launch_chromium,
    open_from_sidebar,
    rerun_seconds,
    running_dashboard,
    save_full_page,
    sidebar_pages,
    wait_until_drawn,
)

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
NEW_ORDERS = 40
NEW_CASE_PREFIX = "DEMO-E2E-"
TILE = "First contact made on time"
# Headers as a case management system spells them (SPEC synonyms), not the canonical names.
EXTRACT_COLUMNS = (
    "case_ref",
    "order_date",
    "order_type",
    "requirements",
    "team",
    "worker",
    "first_contact",
    "induction",
)
EXTRACT_HEADERS = {column: ORDER_HEADERS[column] for column in EXTRACT_COLUMNS}


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    """The dashboard serving a fresh store filled with the demo data, stopped afterwards."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    database_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    subprocess.run(
        [sys.executable, "cli.py", "--db", database_url, "demo"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with running_dashboard(database_url, tmp_path / "server.log") as base_url:
        yield base_url


@pytest.fixture
def page(dashboard_url: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
            browser_page = context.new_page()
            browser_page.set_default_timeout(30_000)
            yield browser_page
        finally:
            browser.close()


def last_complete_quarter_start(today: date) -> date:
    """First day of the financial quarter before today's: the overview's headline quarter."""
    return (pd.Period(today, freq="Q-MAR") - 1).start_time.date()


def write_late_first_contacts(path: Path, quarter_start: date) -> Path:
    """An orders extract of NEW_ORDERS new demo orders in one quarter, each first seen three weeks late.

    First contact is due within 1 working day, so every one of them is missed in that quarter.
    """
    order_dates = pd.Timestamp(quarter_start) + pd.to_timedelta(range(10, 10 + NEW_ORDERS), unit="D")
    extract = pd.DataFrame(
        {
            "case_ref": [f"{NEW_CASE_PREFIX}{number:04d}" for number in range(1, NEW_ORDERS + 1)],
            "order_date": order_dates,
            "order_type": "CPO",
            "requirements": "Supervision; Unpaid Work",
            "team": "North Team (demo)",
            "worker": "Alex Example (demo)",
            "first_contact": order_dates + pd.Timedelta(days=21),
            "induction": order_dates + pd.Timedelta(days=1),
        }
    )
    extract.rename(columns=EXTRACT_HEADERS).to_csv(path, index=False, date_format="%d/%m/%Y")
    return path


def tile_rate(page: Page, title: str) -> float:
    """The percentage a tile on the overview shows, e.g. 95.4 for '95.4%'."""
    tile = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(title, exact=True)
    )
    value = tile.get_by_test_id("stMetricValue").inner_text().strip()
    assert value.endswith("%"), f"the {title} tile shows {value!r}, not a rate"
    return float(value.rstrip("%"))


def headline_quarter(page: Page) -> str:
    line = page.get_by_test_id("stMain").get_by_text("Latest complete quarter:").inner_text()
    return line.split(":", 1)[1].strip()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return DOCS_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "docs" else tmp_path / "screenshots"


def capture(page: Page, folder: Path, title: str) -> None:
    """Keep a full-page picture of the page on show, named after its title: 'statutory-reviews.png'."""
    save_full_page(page, folder / f"{title.lower().replace(' ', '-')}.png")


def test_a_user_uploads_an_extract_sees_the_figure_move_and_exports_it(
    page: Page, dashboard_url: str, tmp_path: Path, screenshots: Path
) -> None:
    quarter_start = last_complete_quarter_start(date.today())
    quarter = quarter_label(quarter_start)
    captured: set[str] = set()

    def visit_and_capture(title: str) -> None:
        open_from_sidebar(page, title)
        capture(page, screenshots, title)
        captured.add(title)

    # Overview: the demo data's headline figures for the last complete quarter.
    page.goto(dashboard_url)
    wait_until_drawn(page, at_least=TILES)
    assert_no_app_error(page)
    assert headline_quarter(page) == quarter
    rate_before = tile_rate(page, TILE)
    capture(page, screenshots, "Overview")
    captured.add("Overview")

    for title in ("Assessment timescales", "Statutory reviews", "Case recording quality"):
        visit_and_capture(title)
        assert page.get_by_test_id("stPlotlyChart").count() >= 1, f"{title} draws its charts"

    # Upload: an extract of new orders, every first contact late, read and then stored.
    extract = write_late_first_contacts(tmp_path / "late-first-contacts.csv", quarter_start)
    open_from_sidebar(page, "Upload")
    file_input = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    rerun_seconds(page, lambda: file_input.set_input_files(str(extract)))
    assert_no_app_error(page)
    main = page.get_by_test_id("stMain")
    assert main.get_by_text(f"{NEW_ORDERS:,} rows accepted, 0 rejected").is_visible()
    capture(page, screenshots, "Upload")
    captured.add("Upload")
    rerun_seconds(page, page.get_by_role("button", name="Store", exact=True).click)
    stored = page.get_by_test_id("stAlertContentSuccess").filter(has_text="stored as upload")
    assert f"{NEW_ORDERS:,} new" in stored.inner_text()

    # Back on the overview the same quarter's first-contact rate has fallen: 40 more were missed.
    open_from_sidebar(page, "Overview", at_least=TILES)
    assert headline_quarter(page) == quarter
    rate_after = tile_rate(page, TILE)
    assert rate_after < rate_before, f"{TILE} stayed at {rate_after}% after {NEW_ORDERS} late contacts"

    # Export: the orders, as CSV, hold the rows the page counts, the uploaded ones among them.
    visit_and_capture("Export")
    rows_shown = page.get_by_test_id("stMetric").filter(has_text="Rows to export")
    rows_expected = int(rows_shown.get_by_test_id("stMetricValue").inner_text().replace(",", ""))
    rerun_seconds(page, page.get_by_role("button", name="Prepare files").click)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    content = Path(download_info.value.path()).read_bytes()
    records = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(records) == rows_expected
    assert {"case_ref", "order_date", "first_contact"} <= set(records[0])
    exported_refs = {record["case_ref"] for record in records}
    assert {f"{NEW_CASE_PREFIX}{number:04d}" for number in range(1, NEW_ORDERS + 1)} <= exported_refs

    # Every other page in the sidebar (settings, data quality, ...) opens without an error.
    for title in sidebar_pages(page):
        if title not in captured:
            visit_and_capture(title)
    assert {"Settings", "Export", "Upload"} <= captured


def test_a_team_leader_follows_a_workers_count_on_due_soon_to_their_cases(
    page: Page, dashboard_url: str
) -> None:
    page.goto(dashboard_url)
    wait_until_drawn(page, at_least=TILES)
    open_from_sidebar(page, "Due soon")
    main = page.get_by_test_id("stMain")
    overdue = main.get_by_test_id("stMetric").filter(has_text="Overdue").get_by_test_id("stMetricValue")
    assert int(overdue.inner_text().replace(",", "")) > 0  # the demo leaves some cases open past their date

    # The worker picker lists workers most overdue first, each with their counts; pick the first.
    picker = main.get_by_test_id("stSelectbox").filter(has_text="Show the cases of")
    picker.get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")  # this Streamlit's combobox opens its list from the keyboard
    option = page.get_by_test_id("stSelectboxVirtualDropdown").get_by_role("option").nth(1)
    label = option.inner_text()
    worker, counts = label.split(": ", 1)
    open_cases = int(counts.split(", ")[1].split(" ")[0])
    rerun_seconds(page, option.click)
    assert_no_app_error(page)
    assert main.get_by_text(f"{open_cases:,} open cases of {worker}, most urgent first.").is_visible()


def test_the_spc_summary_shows_every_measures_icons_and_links_to_its_page(
    page: Page, dashboard_url: str
) -> None:
    page.goto(dashboard_url)
    wait_until_drawn(page, at_least=TILES)
    open_from_sidebar(page, "SPC summary")
    main = page.get_by_test_id("stMain")
    text = main.inner_text()
    assert "Special cause" in text or "Common cause" in text  # variation icons in words
    assert main.get_by_role("link").count() >= 1  # matrix cells link to the measures' pages
