"""Every page in a real browser at 1400 px, for what only a browser shows (issue 8).

One dashboard (demo data) and one browser visit every page in the sidebar once; each test then asserts on
what that tour saw, so the server starts once for the lot:
- axe-core (the copy bundled with axe-playwright-python, pinned) finds no serious or critical violation;
- no table is cut off: every visible table's scroll width fits its container;
- no request leaves the machine, and the browser console shows no error or warning;
- no widget warns of a value set through the Session State API (also after a chart click);
- the Upload and Export actions are reached by keyboard, and the focused control shows it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Page, Request, sync_playwright

from tests.e2e.app_driver import (
    CHROMIUM,
    CHROMIUM_MISSING,
    ROOT,
    TILES,
    VIEWPORT,
    launch_chromium,
    open_filters,
    open_from_sidebar,
    rerun_seconds,
    running_dashboard,
    sidebar_pages,
    wait_until_drawn,
)

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SERIOUS = frozenset({"serious", "critical"})
SESSION_STATE_WARNING = "Session State API"
# Each visible table's scrolling part and its width against the width it is given.
TABLE_WIDTHS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stDataFrame"]')]
  .filter(table => table.checkVisibility())
  .map(table => {
    const scroller = table.querySelector('.dvn-scroller') || table;
    return {scroll: scroller.scrollWidth, client: scroller.clientWidth,
            header: [...table.querySelectorAll('[role="columnheader"]')].map(h => h.innerText).join(' | ')};
  })"""
FOCUS_JS = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  return {text: (element.innerText || element.getAttribute('aria-label') || '').trim(),
          inTable: !!element.closest('[data-testid="stDataFrame"]'),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
          ring: style.boxShadow !== 'none'};
}"""
TAB_LIMIT = 80  # presses: sidebar links and filters come first


@dataclass
class Tour:
    """What the browser saw on its way round every page."""

    pages: list[str] = field(default_factory=list)
    axe: dict[str, list[str]] = field(default_factory=dict)  # page -> "rule (n nodes)" serious or worse
    wide_tables: dict[str, list[str]] = field(default_factory=dict)
    session_state_warnings: list[str] = field(default_factory=list)
    requests_away: set[str] = field(default_factory=set)
    console: list[str] = field(default_factory=list)
    keyboard: dict[str, list[dict[str, object]]] = field(default_factory=dict)  # action -> focus path


def check_page(page: Page, title: str, tour: Tour, axe: Axe) -> None:
    tour.pages.append(title)
    results = axe.run(page).response
    tour.axe[title] = [
        f"{violation['id']} ({len(violation['nodes'])} nodes)"
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]
    tour.wide_tables[title] = [
        f"{table['header'][:80]}: {table['scroll']} px in {table['client']} px"
        for table in page.evaluate(TABLE_WIDTHS_JS)
        if table["scroll"] > table["client"] + 2
    ]
    if SESSION_STATE_WARNING in page.get_by_test_id("stMain").inner_text():
        tour.session_state_warnings.append(title)


def reached(focused: dict[str, object], label: str) -> bool:
    """Whether the focused control is the one named `label` (a button's text may start with its icon)."""
    text = str(focused["text"]).strip()
    return text.endswith(label) and len(text) < len(label) + 20


def tab_to(page: Page, label: str) -> list[dict[str, object]]:
    """Press Tab from the top of the page until the control named `label` has focus; the focus path."""
    page.get_by_test_id("stMain").locator("h1").first.click()  # start from the page, not the address bar
    path: list[dict[str, object]] = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None:
            continue
        path.append(focused)
        if reached(focused, label):
            break
    return path


def click_a_trend_bar(page: Page) -> None:
    """Click the first bar of the quarterly trend chart (the drill-down sets its quarter from it)."""
    bar = page.get_by_test_id("stPlotlyChart").first.locator("g.point path").first
    rerun_seconds(page, lambda: bar.click(force=True))


FILTERS_OPEN = "Overview with its filters open"
FIGURES_OPEN = "Overview with the figures behind its tiles open"


def open_what_the_overview_keeps_closed(page: Page, tour: Tour, axe: Axe) -> None:
    """The sidebar's filters and the first "Figures behind these tiles" are drawn only when opened:
    check them open too."""
    open_filters(page)
    check_page(page, FILTERS_OPEN, tour, axe)
    page.keyboard.press("Escape")
    page.get_by_test_id("stPopoverBody").wait_for(state="hidden")
    figures = page.get_by_test_id("stExpander").filter(has_text="Figures behind these tiles").first
    # Its table is made only by the rerun the opening starts, so the table is the proof of that rerun.
    figures.locator("summary").click()
    figures.get_by_test_id("stDataFrame").first.wait_for()
    wait_until_drawn(page)
    check_page(page, FIGURES_OPEN, tour, axe)


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tour]:
    if not CHROMIUM.exists():
        pytest.skip(CHROMIUM_MISSING)
    folder = tmp_path_factory.mktemp("tour")
    database_url = f"sqlite:///{folder / 'store.sqlite3'}"
    subprocess.run(
        [sys.executable, "cli.py", "--db", database_url, "demo"], cwd=ROOT, check=True, capture_output=True
    )
    seen = Tour()

    def on_request(request: Request) -> None:
        host = urlsplit(request.url).hostname
        if host and host not in LOCAL_HOSTS:
            seen.requests_away.add(request.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            seen.console.append(f"{message.type}: {message.text[:200]}")

    axe = Axe()
    with running_dashboard(database_url, folder / "server.log") as base_url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(30_000)
            page.on("request", on_request)
            page.on("console", on_console)
            page.goto(base_url)
            wait_until_drawn(page, at_least=TILES)
            for title in sidebar_pages(page):
                if title != "Overview":
                    open_from_sidebar(page, title)
                check_page(page, title, seen, axe)
                if title == "Overview":
                    open_what_the_overview_keeps_closed(page, seen, axe)
                if title == "Assessment timescales":
                    click_a_trend_bar(page)
                    check_page(page, f"{title} after a chart click", seen, axe)
                if title in ("Upload", "Export"):
                    action = "Upload" if title == "Upload" else "Prepare files"
                    seen.keyboard[action] = tab_to(page, action)
        finally:
            browser.close()
    yield seen


def test_the_tour_visits_every_page(tour: Tour) -> None:
    assert {"Overview", "Assessment timescales", "Upload", "Export", "Settings"} <= set(tour.pages)
    assert {FILTERS_OPEN, FIGURES_OPEN} <= set(tour.pages)


def test_axe_finds_no_serious_or_critical_violation_on_any_page(tour: Tour) -> None:
    assert {title: rules for title, rules in tour.axe.items() if rules} == {}


def test_no_table_is_cut_off_at_1400_px(tour: Tour) -> None:
    assert {title: tables for title, tables in tour.wide_tables.items() if tables} == {}


def test_no_request_leaves_the_machine(tour: Tour) -> None:
    assert tour.requests_away == set()


def test_the_browser_console_stays_clean(tour: Tour) -> None:
    assert tour.console == []


def test_no_widget_warns_of_a_value_set_through_session_state(tour: Tour) -> None:
    assert "Assessment timescales after a chart click" in tour.pages
    assert tour.session_state_warnings == []


@pytest.mark.parametrize("action", ["Upload", "Prepare files"])
def test_the_upload_and_export_actions_are_reached_by_keyboard_with_visible_focus(
    tour: Tour, action: str
) -> None:
    path = tour.keyboard[action]
    assert path and reached(path[-1], action), f"Tab never reached {action}: {path[-5:]}"
    assert not any(step["inTable"] for step in path), "Tab went through a table on the way"
    assert path[-1]["outline"] or path[-1]["ring"], "the focused control does not show its focus"
