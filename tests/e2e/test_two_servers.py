"""Two app servers on one PostgreSQL database (as behind a load balancer with session affinity): what one
stores or undoes, the other shows on its next rerun.

Each server keeps its caches in memory and its saved copies (store/snapshot.py) in a folder of its own,
as two machines would, and warms its caches every second (pages/ui/warm.py). Neither is told of the
other's writes: each sees them only through the store's data version.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

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
    wait_until_drawn,
)
from tests.e2e.test_browser import (
    NEW_ORDERS,
    TILE,
    headline_quarter,
    last_complete_quarter_start,
    tile_rate,
    write_late_first_contacts,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two dashboards serving one PostgreSQL database filled with the demo data."""
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    subprocess.run(
        [sys.executable, "cli.py", "--db", postgres_url, "demo"], cwd=ROOT, check=True, capture_output=True
    )
    servers = {}
    for name in ("a", "b"):
        servers[name] = running_dashboard(
            postgres_url,
            tmp_path / f"server-{name}.log",
            environment={"JSW_SNAPSHOT_DIR": str(tmp_path / f"copies-{name}"), "JSW_WARM_SECONDS": "1"},
        )
    with servers["a"] as first, servers["b"] as second:
        yield first, second


@pytest.fixture
def pages() -> Iterator[tuple[Page, Page]]:
    """One browser, a separate session (context) for each server."""
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            opened = []
            for _ in range(2):
                context = browser.new_context(viewport=VIEWPORT)
                opened.append(context.new_page())
                opened[-1].set_default_timeout(60_000)
            yield opened[0], opened[1]
        finally:
            browser.close()


def overview_rate(page: Page, base_url: str, quarter: str) -> float:
    """Open (or rerun) the overview and read the headline quarter's first-contact rate."""
    page.goto(base_url)
    wait_until_drawn(page, 60_000, at_least=TILES)
    assert_no_app_error(page)
    assert headline_quarter(page) == quarter
    return tile_rate(page, TILE)


def test_an_upload_through_one_server_is_seen_on_the_others_next_rerun_and_so_is_its_undo(
    two_servers: tuple[str, str], pages: tuple[Page, Page], tmp_path: Path
) -> None:
    url_a, url_b = two_servers
    page_a, page_b = pages
    quarter_start = last_complete_quarter_start(date.today())
    quarter = quarter_label(quarter_start)
    before = overview_rate(page_a, url_a, quarter)
    assert overview_rate(page_b, url_b, quarter) == before  # both servers' caches now hold the demo data

    # Server A stores 40 new orders, every first contact three weeks late.
    extract = write_late_first_contacts(tmp_path / "late-first-contacts.csv", quarter_start)
    open_from_sidebar(page_a, "Upload")
    file_input = page_a.get_by_test_id("stFileUploader").locator("input[type=file]")
    rerun_seconds(page_a, lambda: file_input.set_input_files(str(extract)))
    rerun_seconds(page_a, page_a.get_by_role("button", name="Store", exact=True).click)
    assert f"{NEW_ORDERS:,} new" in page_a.get_by_test_id("stAlertContentSuccess").inner_text()

    # Server B's next rerun shows the fall, the same figure server A shows.
    after = overview_rate(page_b, url_b, quarter)
    assert after < before, f"server B still shows {after}% after server A stored {NEW_ORDERS} late contacts"
    assert overview_rate(page_a, url_a, quarter) == after

    # Server B undoes that upload (the newest, offered first); server A's next rerun is back where it was.
    open_from_sidebar(page_b, "Upload")
    # The confirmation's rerun is quick enough to start and end between two renders of the browser,
    # leaving no change of run state to wait for; the button it enables is what a person waits for.
    page_b.get_by_text("Yes, take this upload back", exact=False).click()
    undo_button = page_b.get_by_role("button", name="Undo upload")
    expect(undo_button).to_be_enabled()
    rerun_seconds(page_b, undo_button.click)
    assert "undone" in page_b.get_by_test_id("stAlertContentSuccess").inner_text()
    assert overview_rate(page_a, url_a, quarter) == before
    assert overview_rate(page_b, url_b, quarter) == before
