"""The report pack in a real browser: edit a narrative, generate, download the Word pack with its charts.

The server draws the charts with the same Debian Chromium (kaleido), so the downloaded pack must hold
one chart image per measure page, the edited narrative, and the disclosure control statement.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, sync_playwright

from measures import MEASURES
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
    wait_until_drawn,
)

pytestmark = pytest.mark.e2e

EDIT = "First contact held up after the team's duty rota changed."


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    database_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    subprocess.run(
        [sys.executable, "cli.py", "--db", database_url, "demo"], cwd=ROOT, check=True, capture_output=True
    )
    with (
        running_dashboard(database_url, tmp_path / "server.log") as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            browser_page = browser.new_context(viewport=VIEWPORT, accept_downloads=True).new_page()
            browser_page.set_default_timeout(60_000)
            browser_page.goto(base_url)
            wait_until_drawn(browser_page, at_least=TILES)
            yield browser_page
        finally:
            browser.close()


def test_a_manager_edits_a_narrative_generates_and_downloads_the_pack(page: Page) -> None:
    open_from_sidebar(page, "Report pack")
    main = page.get_by_test_id("stMain")
    narrative = main.get_by_label("First contact", exact=True)
    draft = narrative.input_value()
    assert "% (" in draft and " of " in draft  # drafted from the figures: a rate and its counts
    narrative.fill(EDIT)
    narrative.press("Tab")  # a text area sends its value when it loses focus
    rerun_seconds(page, main.get_by_role("button", name="Generate pack").click, timeout_ms=90_000)
    assert_no_app_error(page)
    with page.expect_download() as download_info:
        main.get_by_role("button", name="Download the Word pack").click()
    assert download_info.value.suggested_filename.startswith("report_pack_")
    document = Document(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert EDIT in texts and draft not in texts
    assert "4.1 Executive summary" in texts
    assert any(text.startswith("Figures are published at service level") for text in texts)
    # Every measure's chart, drawn by the server, unless disclosure control withheld all its months.
    without = sum(text.endswith("no chart.") for text in texts)
    assert len(document.inline_shapes) == len(MEASURES) - without >= len(MEASURES) // 2
