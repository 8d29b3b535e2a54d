"""Worklist benchmark (issue: "Prevent breaches, not just count them: the worklist and the action plan").

With 200,000 orders and 1,000,000 reviews in the store, on a warm server (the record statuses already
worked out and cached, as the dashboard keeps them per data version and as-at date):
  1. the whole service's worklist (open_work + the per-team and per-worker counts) under 1 s;
Also times the whole `cli.py due --format csv` process, which reads and works out everything cold.
The store is the one bench_report.py builds (bench/out/report.sqlite3, git-ignored).

    python bench/bench_worklist.py [--repeat 5] [--db URL]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_report import bench_arguments, read_store  # noqa: E402
from measures import record_statuses  # noqa: E402
from measures.worklist import open_work, work_counts  # noqa: E402

AS_AT = date(2021, 3, 31)
TARGET_SECONDS = 1.0
# As pages/ui/data.py statuses_for keeps them: grouping columns as categoricals.
CATEGORY_COLUMNS = (
    "measure",
    "team",
    "worker",
    "order_type",
    "lscmi_version",
    "risk_level",
    "status",
    "quarter",
)


def main() -> None:
    args = bench_arguments(__doc__, repeat=5)
    settings, frames = read_store(args.db)
    statuses = record_statuses(frames, settings, AS_AT)
    present = [column for column in CATEGORY_COLUMNS if column in statuses.columns]
    statuses = statuses.astype(dict.fromkeys(present, "category"))

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        work = open_work(statuses, frames["reviews"], settings, AS_AT)
        work_counts(work, "team")
        work_counts(work, "worker")
        times.append(time.perf_counter() - started)
    warm_s = statistics.median(times)

    command = [
        sys.executable,
        "cli.py",
        "--db",
        args.db,
        "due",
        "--as-at",
        AS_AT.isoformat(),
        "--format",
        "csv",
    ]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    cli_s = time.perf_counter() - started

    print(f"{len(statuses):,} record-measure statuses; {len(work):,} open cases within 10 working days")
    print(f"{'step':<58}{'seconds':>9}")
    print(f"{'worklist + team and worker counts, warm (median)':<58}{warm_s:>9.3f}")
    print(f"{'cli.py due --format csv process (cold)':<58}{cli_s:>9.2f}")
    verdict = "PASS" if warm_s < TARGET_SECONDS else "FAIL"
    print(f"\nwarm worklist: {warm_s:.3f} s (target < {TARGET_SECONDS:g} s) -> {verdict}")


if __name__ == "__main__":
    main()
