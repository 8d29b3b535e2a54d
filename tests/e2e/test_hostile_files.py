"""Hostile files in a real browser: the server survives them, and nothing in them is treated as markup.

The server starts on an empty store; a person drops a crafted workbook that once made python-calamine
abort the whole server, then a CSV whose names are markdown and HTML. Everything is synthetic.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, Request, sync_playwright

from tests.e2e.app_driver import (
    CHROMIUM,
    CHROMIUM_MISSING,
    VIEWPORT,
    launch_chromium,
    open_from_sidebar,
    rerun_seconds,
    running_dashboard,
    wait_until_drawn,
)

pytestmark = pytest.mark.e2e

HOSTILE_CSV = (
    b"Case Ref,Order Date,Team,![i](https://evil.example/h.png)\n"
    b"H001,01/04/2020,<a href='https://evil.example/x'>click me</a>,x\n"
    b"H002,02/04/2020,North,y\n"
)


def crash_workbook() -> bytes:
    """A 5 KB .xlsx with one cell at XFD1048576, written with single-quoted attributes (issue 13)."""
    book = Workbook()
    book.active.append(["Case Ref", "Order Date"])
    book.active.append(["A1", "03/02/2020"])
    plain = io.BytesIO()
    book.save(plain)
    crafted = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("sheet1.xml"):
                far_cell = b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row></sheetData>"
                data = data.replace(b"</sheetData>", far_cell)
            target.writestr(name, data)
    return crafted.getvalue()


@pytest.fixture
def empty_dashboard(tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    with running_dashboard(f"sqlite:///{tmp_path / 'store.sqlite3'}", tmp_path / "server.log") as base_url:
        yield base_url


@pytest.fixture
def browser_page(empty_dashboard: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def drop_file(page: Page, path: Path) -> None:
    file_input = page.get_by_test_id("stFileUploader").locator("input[type=file]")
    rerun_seconds(page, lambda: file_input.set_input_files(str(path)))


def test_a_crafted_workbook_is_refused_and_the_server_carries_on(
    browser_page: Page, empty_dashboard: str, tmp_path: Path
) -> None:
    page = browser_page
    page.goto(empty_dashboard)
    wait_until_drawn(page)
    open_from_sidebar(page, "Upload")
    crash = tmp_path / "crash.xlsx"
    crash.write_bytes(crash_workbook())

    drop_file(page, crash)

    refusal = page.get_by_test_id("stAlertContentError")
    assert refusal.count() == 1
    assert refusal.inner_text().startswith("crash.xlsx:")
    # The same server still answers: a fresh visit draws the app, and a good file reads at once.
    page.goto(empty_dashboard)
    wait_until_drawn(page)
    open_from_sidebar(page, "Upload")
    good = tmp_path / "orders.csv"
    good.write_bytes(b"Case Ref,Order Date\nG001,01/04/2020\nG002,02/04/2020\n")
    drop_file(page, good)
    assert page.get_by_test_id("stMain").get_by_text("2 rows accepted, 0 rejected").is_visible()


def test_names_from_a_file_are_text_and_tables_offer_no_unlogged_download(
    browser_page: Page, empty_dashboard: str, tmp_path: Path
) -> None:
    page = browser_page
    fetched: list[str] = []

    def remember(request: Request) -> None:
        if "evil.example" in request.url:
            fetched.append(request.url)

    page.on("request", remember)
    page.goto(empty_dashboard)
    wait_until_drawn(page)
    open_from_sidebar(page, "Upload")
    hostile = tmp_path / "[click](https:evil.example).csv"
    hostile.write_bytes(HOSTILE_CSV)

    drop_file(page, hostile)

    main = page.get_by_test_id("stMain")
    shown = main.inner_text().replace("\u2060", "")  # word joiners keep bare addresses unlinked
    assert "![i](https://evil.example/h.png)" in shown  # the header, as typed
    assert main.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    assert fetched == []
    # Tables carry no "Download as CSV" of their own: downloads go through the logged Export page.
    table = main.get_by_test_id("stDataFrame").first
    table.hover()
    toolbar = table.locator("xpath=..").get_by_test_id("stElementToolbar")
    assert toolbar.get_by_role("button", name="Download as CSV").count() == 0
