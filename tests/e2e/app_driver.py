"""Drive the real dashboard as a user does: `streamlit run dashboard.py` plus Debian's headless Chromium.

Shared by the browser test (tests/e2e/test_browser.py) and the speed benchmark (bench/bench_dashboard.py),
so both start the server, and decide that a page has finished drawing, in exactly the same way.
Nothing here knows where the page modules live: the app is reached only through its URL and what
the browser shows.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from measures import MEASURES

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = "Debian's chromium is not installed: apt-get install chromium"
# `playwright install` cannot download a browser here, so Playwright drives Debian's Chromium,
# headless and with every background network feature off (the network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
TILES = ('[data-testid="stMetric"]', len(MEASURES))  # the overview shows one tile per measure
SERVER_START_SECONDS = 60.0
SETTLE_MS = 300  # the app must stay idle this long to count as drawn (a rerun can follow a run at once)

# True once the app is idle and drawn: connected, the script not running, Streamlit's "Running..."
# status widget gone, no element greyed out as stale from an earlier run, a page title (or the
# exception that stopped the page) in the main area, no loading skeleton left (chart code loads
# lazily) and every chart drawn as SVG.
APP_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main || !main.querySelector('h1, [data-testid="stException"]')) return false;
  const charts = [...main.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stMetricChart"]')];
  return charts.every(chart => chart.querySelector('svg'));
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the server this module started (its own process group), politely first."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@contextmanager
def running_dashboard(
    database_url: str,
    log_path: Path,
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port against `database_url`; yields the base URL.

    `port` fixes the port (the sign-in test must name it in its redirect URI beforehand); `extra_args`
    are more server flags (e.g. `--secrets.files`), `environment` more variables. The server is always
    stopped on the way out. Its console goes to `log_path`, which a failing start quotes so the reason
    is visible in the test report.
    """
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # A test server never reloads itself: an edit elsewhere in the tree mid-run would otherwise
        # show Streamlit's "source changed" notice and the page would never count as drawn.
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    environment = {**os.environ, **(environment or {}), "DATABASE_URL": database_url}
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _healthy(base_url):
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"the dashboard did not start on {base_url}:\n{tail}")
                time.sleep(0.2)
            yield base_url
        finally:
            _stop(server)


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


# What the page looks like when it is not drawn in time, for the failure message.
APP_STATE_JS = """selector => {
  const app = document.querySelector('[data-testid="stApp"]');
  const count = query => document.querySelectorAll(query).length;
  return {
    script: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    running_widget: count('[data-testid="stStatusWidget"]'),
    stale: count('[data-stale="true"]'),
    skeletons: count('[data-testid="stSkeleton"]'),
    title: count('[data-testid="stMain"] h1'),
    charts_without_svg: [...document.querySelectorAll(
      '[data-testid="stPlotlyChart"], [data-testid="stMetricChart"]')]
      .filter(chart => !chart.querySelector('svg')).length,
    [selector]: count(selector),
  };
}"""

# Arms a flag that any later change of the app's run state sets: proof that a rerun has begun, so a
# wait after a click cannot mistake the idle state from before the click for the redrawn page.
RUN_WATCH_JS = """() => {
  window.__appRunSeen = false;
  new MutationObserver(() => { window.__appRunSeen = true; }).observe(
    document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
}"""


def wait_until_drawn(
    page: Page, timeout_ms: float = 30_000, *, at_least: tuple[str, int] | None = None
) -> float:
    """Wait until the app has finished its run and drawn a page, and stays so for SETTLE_MS.

    `at_least` = (CSS selector, n) also waits for n such elements (e.g. the overview's tiles).
    Returns time.perf_counter() at the moment the drawn state was first seen (the settling excluded),
    so callers can time a page load or a rerun.
    """
    selector, count = at_least or ("body", 1)
    predicate = (
        f"() => ({APP_IDLE_JS})() && document.querySelectorAll({json.dumps(selector)}).length >= {count}"
    )
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        try:
            page.wait_for_function(predicate, timeout=remaining_ms, polling=25)
        except PlaywrightTimeout:
            state = page.evaluate(APP_STATE_JS, selector)
            raise TimeoutError(f"{page.url} not drawn within {timeout_ms / 1000:.0f} s: {state}") from None
        drawn_at = time.perf_counter()
        page.wait_for_timeout(SETTLE_MS)
        if page.evaluate(predicate):
            return drawn_at
        if time.monotonic() > deadline:
            raise TimeoutError("the app kept rerunning and never settled")


def rerun_seconds(
    page: Page,
    action: Callable[[], object],
    timeout_ms: float = 30_000,
    *,
    at_least: tuple[str, int] | None = None,
) -> float:
    """Do something that makes the app rerun (a widget change) and wait until it has redrawn.

    Returns the seconds from the start of the action to the redrawn page. A run of a few milliseconds
    can begin and end between two renders of the browser and leave no change to observe: wait on what
    such a rerun shows instead (a button it enables, say).
    """
    page.evaluate(RUN_WATCH_JS)
    started = time.perf_counter()
    action()
    page.wait_for_function("() => window.__appRunSeen === true", timeout=timeout_ms, polling=25)
    return wait_until_drawn(page, timeout_ms, at_least=at_least) - started


class AppError(AssertionError):
    """The page shows an exception or an error message where a working app shows figures."""


def assert_no_app_error(page: Page) -> None:
    errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    if errors.count():
        raise AppError(f"{page.url} shows an error: {errors.first.inner_text()[:300]}")


def sidebar_pages(page: Page) -> list[str]:
    """The titles of the pages in the sidebar navigation, in order."""
    links = page.get_by_test_id("stSidebarNavLink").get_by_test_id("stMarkdownContainer")
    return [text.strip() for text in links.all_inner_texts()]


def open_from_sidebar(page: Page, title: str, *, at_least: tuple[str, int] | None = None) -> None:
    """Click a page's link in the sidebar navigation, as a user does, and wait for it to be drawn
    with that title and no error."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    link.click()
    # Waited for by its title, not by a change of the run state: a page that runs in a few milliseconds
    # can go from "notRunning" to "notRunning" in one render of the browser, with no change to observe.
    page.wait_for_function(
        "title => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')]"
        ".some(heading => heading.innerText.includes(title))",
        arg=title,
        polling=25,
    )
    wait_until_drawn(page, at_least=at_least)
    assert_no_app_error(page)
    headings = page.get_by_test_id("stMain").locator("h1").all_inner_texts()
    assert any(title in heading for heading in headings), f"{title} opened a page titled {headings}"


def open_filters(page: Page) -> Locator:
    """Open the sidebar's Filters popover, as a user does (unless it is open), and return its panel.

    A dashboard from before the popover (the benchmarks measure older commits with this module) shows
    its filters in the sidebar itself: then the sidebar is returned."""
    panel = page.get_by_test_id("stPopoverBody")
    if panel.is_visible():
        return panel
    button = page.get_by_test_id("stSidebar").get_by_role("button", name=re.compile(r"Filters"))
    if not button.count():
        return page.get_by_test_id("stSidebar")
    button.click()
    panel.wait_for()
    return panel


def close_filters(page: Page) -> None:
    """Close the Filters popover if it is open (it lies over the navigation), as Escape does for a user."""
    panel = page.get_by_test_id("stPopoverBody")
    while panel.is_visible():
        page.keyboard.press("Escape")
        page.wait_for_timeout(50)


def save_full_page(page: Page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls its main area, not the document, so the
    viewport is made as tall as that area's content for the shot and put back afterwards."""
    viewport = page.viewport_size or VIEWPORT
    content_height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    path.parent.mkdir(parents=True, exist_ok=True)
    if content_height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": int(content_height)})
        wait_until_drawn(page)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
