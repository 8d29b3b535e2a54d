"""First visit to every page at national scale, in headless Chromium: how long a person waits, and the
server's memory after each (issue 12's "without waiting" beyond the overview).

With 200,000 orders and 1,000,000 reviews in the store (built by bench_scale.py's fill_store, reused), a
server is started with the saved copies on disk, the overview opened and left to warm, then every page in
the sidebar is opened once from the navigation, in order, as a person looking round would. Each visit is
timed from the click to the page fully drawn (its title shown and Streamlit's running indicator gone); the
server's resident memory and its high-water mark are read 1.5 s after each. --repeat starts afresh that
many times and prints the median of each page, with the slowest try beside it.

    python bench/bench_pages.py [--db URL ...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.bench_report import fill_store  # noqa: E402
from bench.bench_scale import (  # noqa: E402
    POSTGRES_URL,
    SQLITE_URL,
    WARM_UP_TIMEOUT_MS,
    Server,
    ensure_postgres_database,
    load,
    open_overview,
    server_memory_mb,
)
from bench.make_data import OUT_DIR  # noqa: E402
from tests.e2e.app_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_MISSING,
    VIEWPORT,
    launch_chromium,
    open_from_sidebar,
    running_dashboard,
    sidebar_pages,
)

WARM_SECONDS = 4.0  # the warming thread's first look at the store, after the overview's first draw
SETTLE_SECONDS = 1.5  # before memory is read: the heap trim a moment after a run


def one_tour(url: str) -> list[tuple[str, float, float, float]]:
    """(page title, seconds to drawn, RSS MB, peak RSS MB) for every page, one fresh server."""
    visits = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            with running_dashboard(url, OUT_DIR / "pages-server.log") as base_url:
                server = Server(base_url)
                page = browser.new_page(viewport=VIEWPORT)
                open_overview(page, base_url, WARM_UP_TIMEOUT_MS)
                time.sleep(WARM_SECONDS)
                for title in sidebar_pages(page):
                    started = time.perf_counter()
                    open_from_sidebar(page, title)
                    seconds = time.perf_counter() - started
                    time.sleep(SETTLE_SECONDS)
                    visits.append((title, seconds, *server_memory_mb(server.pid)))
        finally:
            browser.close()
    return visits


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", action="append", help="store URL (default: the SQLite and PostgreSQL bench stores)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(CHROMIUM_MISSING)
        return 2
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for url in args.db or [SQLITE_URL, POSTGRES_URL]:
        if url.startswith("postgresql"):
            ensure_postgres_database(url)
        fill_store(url)
        print(f"\n{url.split(':', 1)[0]}: first visit to each page, {args.repeat} fresh servers ({load()})")
        tours = [one_tour(url) for _ in range(args.repeat)]
        print(f"  {'page':<28} {'median':>8} {'slowest':>8} {'RSS after':>10} {'peak so far':>12}")
        for visits in zip(*tours, strict=True):
            title = visits[0][0]
            seconds = [visit[1] for visit in visits]
            rss = statistics.median(visit[2] for visit in visits)
            peak = statistics.median(visit[3] for visit in visits)
            print(
                f"  {title:<28} {statistics.median(seconds):>6.2f} s {max(seconds):>6.2f} s "
                f"{rss:>7.0f} MB {peak:>9.0f} MB"
            )
        print(f"  ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
