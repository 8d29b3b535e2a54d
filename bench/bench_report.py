"""Report benchmark (issue: "Measures: quarterly compliance … and cli.py report").

With 200,000 orders and 1,000,000 reviews in the store:
  1. the computation (record_statuses + quarterly_compliance, after the data is read) under 1 s;
  2. the whole `cli.py report --format csv` process within 2x a process that only reads those rows
     from the store into pandas.
The store is built once from synthetic data into bench/out/report.sqlite3 (git-ignored).

    python bench/bench_report.py [--repeat 3] [--db URL]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench.make_data import OUT_DIR, demo_orders, demo_reviews  # noqa: E402
from loaders import DATASET_NAMES, sheet_from_frame  # noqa: E402
from measures import quarterly_compliance, record_statuses, settings_from_document  # noqa: E402

AS_AT = date(2021, 3, 31)
READ_ONLY = (
    "import sys, store; from loaders import DATASET_NAMES; engine = store.connect(sys.argv[1]); "
    "[store.read_dataset(engine, name) for name in DATASET_NAMES]"
)


def fill_store(url: str) -> None:
    engine = store.connect(url)
    if store.list_uploads(engine):
        return
    for name, frame in (("orders", demo_orders(200_000)), ("reviews", demo_reviews(1_000_000))):
        sheet = sheet_from_frame(name, frame)
        fingerprint = hashlib.sha256(f"bench:{name}".encode()).hexdigest()
        store.store_sheet(engine, sheet, file_name=f"bench {name}", sha256=fingerprint, user="bench")


def bench_arguments(description: str | None, repeat: int) -> argparse.Namespace:
    """--repeat and --db as every benchmark on this store takes them; the store is filled if empty."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--db", default=f"sqlite:///{OUT_DIR / 'report.sqlite3'}")
    args = parser.parse_args()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    fill_store(args.db)
    return args


def read_store(url: str):
    """The store's settings and every dataset as pandas frames, as the dashboard reads them."""
    engine = store.connect(url)
    settings = settings_from_document(store.load_settings(engine))
    return settings, {name: store.read_dataset(engine, name) for name in DATASET_NAMES}


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    args = bench_arguments(__doc__, repeat=3)

    engine = store.connect(args.db)
    settings = settings_from_document(store.load_settings(engine))
    started = time.perf_counter()
    frames = {name: store.read_dataset(engine, name) for name in DATASET_NAMES}
    read_s = time.perf_counter() - started
    compute_times, detail_times = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        statuses = record_statuses(frames, settings, AS_AT, text_columns=())  # as cli.py report does
        table = quarterly_compliance(statuses, settings)
        compute_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        record_statuses(frames, settings, AS_AT)  # with the drill-down columns the dashboard keeps
        detail_times.append(time.perf_counter() - started)
    compute_s = statistics.median(compute_times)

    python = sys.executable
    report = [python, "cli.py", "--db", args.db, "report", "--as-at", AS_AT.isoformat(), "--format", "csv"]
    read_only = [python, "-c", READ_ONLY, args.db]
    report_s = statistics.median(wall(report) for _ in range(args.repeat))
    read_only_s = statistics.median(wall(read_only) for _ in range(args.repeat))

    print(
        f"store: {len(frames['orders']):,} orders, {len(frames['reviews']):,} reviews "
        f"({args.db.split(':')[0]})"
    )
    print(f"statuses: {len(statuses):,} record-measure rows; quarterly table: {len(table)} rows")
    print(f"in-process read of all datasets:                {read_s:6.2f} s")
    print(
        f"computation (statuses + quarterly), median:     {compute_s:6.2f} s (target < 1)  "
        f"-> {'PASS' if compute_s < 1 else 'FAIL'}"
    )
    print(
        f"statuses with drill-down columns, median:       {statistics.median(detail_times):6.2f} s "
        "(the dashboard's)"
    )
    print(f"process: read rows into pandas only, median:    {read_only_s:6.2f} s")
    ratio = report_s / read_only_s
    print(
        f"process: cli.py report --format csv, median:    {report_s:6.2f} s "
        f"({ratio:.2f}x read; target <= 2x)  "
        f"-> {'PASS' if ratio <= 2 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
