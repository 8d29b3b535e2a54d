"""In the browser: after a real extract the pages default to its data date, and a date typed in the
sidebar's "As at" box applies when Enter is pressed, without leaving the box (issue 8)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.e2e.app_driver import (
    CHROMIUM,
    CHROMIUM_MISSING,
    ROOT,
    VIEWPORT,
    close_filters,
    launch_chromium,
    open_filters,
    running_dashboard,
    wait_until_drawn,
)
from tests.pages.test_data_date import ORDERS_CSV  # taken on 15/02/2021


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    database_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    extract = tmp_path / "orders.csv"
    extract.write_bytes(ORDERS_CSV)
    subprocess.run(
        [sys.executable, "cli.py", "--db", database_url, "ingest", str(extract)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with (
        running_dashboard(database_url, tmp_path / "server.log") as base_url,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        try:
            browser_page = browser.new_page(viewport=VIEWPORT)
            browser_page.set_default_timeout(30_000)
            browser_page.goto(base_url)
            wait_until_drawn(browser_page)
            yield browser_page
        finally:
            browser.close()


def captions(page: Page) -> list[str]:
    return page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts()


def test_the_data_date_is_the_default_and_a_typed_date_applies_on_enter(page: Page):
    assert any(text.startswith("Data as at 15/02/2021 (from the orders extract") for text in captions(page))
    assert any(text.startswith("As at 15/02/2021.") for text in captions(page))

    box = open_filters(page).get_by_label("As at (dd/mm/yyyy)", exact=True)
    box.fill("01/04/2021")
    box.press("Enter")  # no click elsewhere, no Tab: Enter alone applies it
    page.wait_for_timeout(500)
    wait_until_drawn(page)

    assert any(text.startswith("As at 01/04/2021.") for text in captions(page))
    assert any(
        text.endswith("figures as at 01/04/2021, the date chosen in the sidebar.") for text in captions(page)
    )


def test_a_date_that_cannot_be_read_is_named_with_the_filters_closed(page: Page):
    box = open_filters(page).get_by_label("As at (dd/mm/yyyy)", exact=True)
    box.fill("30/02/2021")
    box.press("Enter")
    page.wait_for_timeout(500)
    wait_until_drawn(page)
    close_filters(page)

    error = page.get_by_test_id("stSidebar").get_by_test_id("stAlertContentError")
    assert error.inner_text().strip() == "30 February 2021 does not exist; showing 15/02/2021."
    assert error.is_visible()
    assert any(text.startswith("As at 15/02/2021.") for text in captions(page))
