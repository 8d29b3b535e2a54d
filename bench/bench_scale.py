"""National scale (issue 12): every row of the issue's table, on SQLite and PostgreSQL, in one command.

With 200,000 orders and 1,000,000 reviews in each store (built once into bench/out/ and reused):
  1. first overview after a server start, fully drawn in headless Chromium (target 3 s): the server is
     started afresh and the overview opened at once, with the saved copies a previous visit left on
     disk (every write leaves them: the normal case); the preparing visit before it is printed too
     (with no copies of the current version, as after a first install, it is a full read);
  2. first overview after an upload of 1,000 changed orders (target 2 s): `cli.py ingest` of a CSV of
     1,000 stored orders with a new induction date into a server at rest, then the overview opened as
     soon as the process has exited; the upload is undone afterwards (`cli.py undo`) so the store stays
     as built;
  3. the overview on a warm server (target 0.5 s), median of --repeat loads;
  4. a sidebar filter change redrawn (target 0.3 s): a team selection not seen before, median, from
     the pointer going down on the team in the open list to the redrawn page;
  5. `cli.py report --format csv`, the whole process (target 2 s), median, after the dashboard rows
     (the statuses they saved on disk, the normal case; its first run is printed apart);
  6. the dashboard server's resident memory after visiting every page, at rest 3 s later (target 1 GB),
     and its peak;
  7. peak memory of `cli.py ingest` of a 1,000,000-row reviews CSV into an empty store, the process and
     the child that reads the file (target 1 GB).
The machine is shared, so each figure is a median, the load average is printed beside it, and each
timed step also reports the processor time it took (the server's, or the process's with its children),
which moves far less than wall time with the other work on the machine. The
script only uses what any version of the app offers (URLs, the command line, store.read_dataset), so
the same file run from a checkout of an older commit measures "before" on the same machine.

    python bench/bench_scale.py [--db URL ...] [--repeat 5] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

import store  # noqa: E402
from bench.bench_dashboard import RUN_LOG_JS, filter_change, team_selections  # noqa: E402
from bench.bench_ingest import run_polled  # noqa: E402
from bench.bench_report import fill_store  # noqa: E402
from bench.make_data import OUT_DIR, write_reviews_csv  # noqa: E402
from tests.e2e.app_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_MISSING,
    TILES,
    VIEWPORT,
    assert_no_app_error,
    close_filters,
    launch_chromium,
    open_from_sidebar,
    running_dashboard,
    sidebar_pages,
    wait_until_drawn,
)

SQLITE_URL = f"sqlite:///{OUT_DIR / 'report.sqlite3'}"
POSTGRES_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jsw_bench_scale")
REVIEWS_CSV = OUT_DIR / "reviews.csv"
CHANGED_ORDERS = 1_000
TARGETS = {
    "start": 3.0,
    "after_upload": 2.0,
    "warm": 0.5,
    "filter": 0.3,
    "report": 2.0,
    "rss_mb": 1024.0,
    "ingest_mb": 1024.0,
}
WARM_UP_TIMEOUT_MS = 600_000
DRAW_TIMEOUT_MS = 120_000


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it is missing."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            sa.text("select 1 from pg_database where datname = :name"), {"name": target.database}
        ).scalar()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def server_pid(port: int) -> int:
    """The `streamlit run` process listening on `port`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in command and str(port).encode() in command:
            return int(entry.name)
    raise RuntimeError(f"no streamlit process on port {port}")


def server_memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


REST_CPU_S = 0.05  # a server at rest: its warming thread's look at the data version, every 2 s
# Longer than the 10 s the statuses wait before they are saved (pages.ui.data.SAVE_DELAY_SECONDS): a
# save still to come is background work of the write before, not of the one measured.
REST_QUIET_S = 12
REST_TIMEOUT_S = 90.0


def cpu_seconds(pid: int) -> float:
    """Processor time (user + system, every thread) a process has used so far: on a shared machine
    this moves far less than wall time with the other work on it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """A running dashboard: its base URL and process, for processor time and memory."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url
        self.pid = server_pid(int(base_url.rsplit(":", 1)[1]))

    def wait_at_rest(self, timeout_s: float = REST_TIMEOUT_S) -> float:
        """Wait until the server has used under REST_CPU_S of processor in each of REST_QUIET_S seconds
        in a row (its background warming and saving done); returns the seconds waited."""
        started = time.perf_counter()
        quiet = 0
        while quiet < REST_QUIET_S and time.perf_counter() - started < timeout_s:
            before = cpu_seconds(self.pid)
            time.sleep(1.0)
            quiet = quiet + 1 if cpu_seconds(self.pid) - before < REST_CPU_S else 0
        return time.perf_counter() - started

    def timed(self, step) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        """(wall seconds step() reports, server processor seconds used meanwhile)."""
        before = cpu_seconds(self.pid)
        seconds = step()
        return seconds, cpu_seconds(self.pid) - before


def open_overview(page: Page, url: str, timeout_ms: float = DRAW_TIMEOUT_MS) -> float:
    started = time.perf_counter()
    page.goto(url)
    drawn = wait_until_drawn(page, timeout_ms, at_least=TILES)
    assert_no_app_error(page)
    return drawn - started


def changed_orders_csv(url: str, path: Path) -> None:
    """1,000 stored orders (the newest) with a new induction date (a day later than stored, or two days
    after the order where none was): an extract in which those orders changed and nothing else."""
    orders = store.read_dataset(store.connect(url), "orders")
    chosen = orders.tail(CHANGED_ORDERS).drop(columns=["record_id", "upload_id"])
    day = pd.Timedelta(days=1)
    stored = chosen["induction"]
    chosen["induction"] = stored.where(stored.isna(), stored + day).fillna(chosen["order_date"] + 2 * day)
    chosen.to_csv(path, index=False, date_format="%d/%m/%Y")


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and processor seconds (user + system, with the children it waited for) of a process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def record(figures: dict[str, object], key: str, measured: list[tuple[float, float]]) -> None:
    figures[key] = [wall for wall, _ in measured]
    figures[f"{key}_cpu"] = [cpu for _, cpu in measured]


def dashboard_rows(url: str, repeat: int, figures: dict[str, object]) -> None:
    log = OUT_DIR / "scale-server.log"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            # A server run that leaves the saved copies of the current version on disk (as any earlier
            # visit or write does), stopped before the measured start.
            with running_dashboard(url, log) as base_url:
                page = browser.new_page(viewport=VIEWPORT)
                figures["prepare"] = open_overview(page, base_url, WARM_UP_TIMEOUT_MS)
                time.sleep(8)  # the copies are saved in the background
                page.close()
            starts = []
            for _ in range(repeat):
                with running_dashboard(url, log) as base_url:
                    server = Server(base_url)
                    page = browser.new_page(viewport=VIEWPORT)
                    start = partial(open_overview, page, base_url, WARM_UP_TIMEOUT_MS)
                    starts.append(server.timed(start))
                    page.close()
            record(figures, "start", starts)
            with running_dashboard(url, log) as base_url:
                server = Server(base_url)
                page = browser.new_page(viewport=VIEWPORT)
                page.add_init_script(RUN_LOG_JS)
                open_overview(page, base_url, WARM_UP_TIMEOUT_MS)
                time.sleep(3)  # the warming thread's first look (it finds the caches filled)
                record(
                    figures,
                    "warm",
                    [server.timed(lambda: open_overview(page, base_url)) for _ in range(repeat)],
                )
                changes = [
                    server.timed(lambda team=team: filter_change(page, team).total)
                    for team in team_selections(repeat)
                ]
                record(figures, "filter", changes)
                close_filters(page)
                for title in sidebar_pages(page):
                    open_from_sidebar(page, title)
                time.sleep(3)  # the server at rest: the heap trim a moment after the last run has run
                figures["rss_mb"], figures["peak_rss_mb"] = server_memory_mb(server.pid)
                record(figures, "after_upload", after_upload(url, page, server, repeat))
                page.close()
        finally:
            browser.close()


def after_upload(url: str, page: Page, server: Server, repeat: int) -> list[tuple[float, float]]:
    """Upload 1,000 changed orders with the command line into a server at rest, open the overview at
    once; undo; repeat."""
    measured = []
    with tempfile.TemporaryDirectory() as scratch:
        extract = Path(scratch) / "changed-orders.csv"
        changed_orders_csv(url, extract)
        for _ in range(min(repeat, 3)):
            # An upload reaches a server at rest, not one still warming and saving after the undo
            # seconds before: the statuses' save starts 10 s after they are worked out, and on a
            # 2-core machine it ran into the next try's visit (0.64 s of processor in a py-spy profile).
            server.wait_at_rest()
            run([sys.executable, "cli.py", "--db", url, "ingest", str(extract)])
            measured.append(server.timed(lambda: open_overview(page, server.url)))
            upload_id = store.list_uploads(store.connect(url))[0].id
            run([sys.executable, "cli.py", "--db", url, "undo", str(upload_id)])
            open_overview(page, server.url, WARM_UP_TIMEOUT_MS)  # back to the store as built
    return measured


def report_rows(url: str, repeat: int, figures: dict[str, object]) -> None:
    """Run after the dashboard rows, as row 1 is: the statuses a dashboard saved for these records are on
    disk (the normal case). Its first run is printed apart: on a store no dashboard has opened since its
    last write (a newly built bench store), the report works the statuses out whole."""
    command = [sys.executable, "cli.py", "--db", url, "report", "--format", "csv"]
    figures["report_first"] = run(command)[0]
    record(figures, "report", [run(command) for _ in range(repeat)])


def ingest_rows(url: str, figures: dict[str, object]) -> None:
    """A 1,000,000-row reviews CSV into an empty store of the same kind."""
    if not REVIEWS_CSV.exists():
        write_reviews_csv(REVIEWS_CSV, rows=1_000_000)
    with tempfile.TemporaryDirectory() as scratch:
        if url.startswith("sqlite"):
            empty = f"sqlite:///{Path(scratch) / 'ingest.sqlite3'}"
        else:
            empty = (
                sa.make_url(url).set(database="jsw_bench_scale_ingest").render_as_string(hide_password=False)
            )
            admin = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(sa.text('DROP DATABASE IF EXISTS "jsw_bench_scale_ingest" WITH (FORCE)'))
                connection.execute(sa.text('CREATE DATABASE "jsw_bench_scale_ingest"'))
            admin.dispose()
        # The high-water marks the kernel keeps for the command and its reader (/proc VmHWM), polled: the
        # command's wait4 figure would also count this process's own peak (writing the CSV above takes
        # over 1 GB here), which a process started from it inherits through exec.
        command = [sys.executable, "cli.py", "--db", empty, "ingest", str(REVIEWS_CSV)]
        seconds, _, own_mb, child_mb = run_polled(command)
        figures["ingest_s"], figures["ingest_mb"] = seconds, max(own_mb, child_mb)


def median(values: object) -> float:
    return statistics.median(values) if isinstance(values, list) else float(values)  # type: ignore[arg-type]


def show(name: str, figures: dict[str, object]) -> None:
    print(f"\n{name}  ({load()})")
    rows = [
        ("first overview after a server start (saved copies on disk)", "start", "s"),
        ("first overview after an upload of 1,000 changed orders", "after_upload", "s"),
        ("overview on a warm server", "warm", "s"),
        ("a sidebar filter change redrawn", "filter", "s"),
        ("cli.py report --format csv, whole process", "report", "s"),
        ("  (its first run)", "report_first", "s"),
        ("dashboard server RSS after visiting every page", "rss_mb", "MB"),
        ("  (its peak RSS)", "peak_rss_mb", "MB"),
        ("peak memory of a 1,000,000-row reviews CSV ingest", "ingest_mb", "MB"),
        ("  (its wall time)", "ingest_s", "s"),
        ("preparing visit (no saved copies of this version yet)", "prepare", "s"),
    ]
    for label, key, unit in rows:
        if key not in figures:
            continue
        value = median(figures[key])
        target = TARGETS.get(key)
        verdict = "" if target is None else ("PASS" if value <= target else "FAIL")
        tries = figures[key]
        detail = ", ".join(f"{v:.2f}" for v in tries) if isinstance(tries, list) else ""
        cpu = figures.get(f"{key}_cpu")
        cpu_text = f"cpu {median(cpu):6.2f} s" if cpu else " " * 12
        print(f"  {label:58} {value:9.2f} {unit:2}  {verdict:4}  {cpu_text}  {detail}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", action="append", help="store URL (default: the SQLite and PostgreSQL bench stores)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-dashboard", action="store_true")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(CHROMIUM_MISSING)
        return 2
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for url in args.db or [SQLITE_URL, POSTGRES_URL]:
        if url.startswith("postgresql"):
            ensure_postgres_database(url)
        fill_store(url)
        figures: dict[str, object] = {}
        name = url.split(":", 1)[0]
        print(f"{name}: measuring ({load()})", flush=True)
        if not args.skip_dashboard:
            dashboard_rows(url, args.repeat, figures)
        report_rows(url, args.repeat, figures)
        if not args.skip_ingest:
            ingest_rows(url, figures)
        show(name, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
