"""Report pack benchmark (issue 11: "The quarterly report pack ... with disclosure control").

With 200,000 orders and 1,000,000 reviews in the store, a pack for one quarter builds in under 10 s,
charts included:
  1. on a warm server (record statuses cached, as the Report pack page has them): the pack's content
     (every table through disclosure control), the ten charts drawn by kaleido in Chromium, the Word
     pack and the Excel annex;
  2. the whole `cli.py pack --out FILE.docx` process, cold: reading the store, working out every status,
     drawing the charts, writing the file, recording it;
  3. the same process for the Excel annex (no charts);
and, for comparison on the same machine at the same time, the `cli.py report --format csv` process, which
reads the same store: the cold pack is that plus the pack's own work.
The store is the one bench_report.py builds (bench/out/report.sqlite3, git-ignored).

    python bench/bench_pack.py [--repeat 3] [--db URL]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench.bench_report import bench_arguments, read_store, wall  # noqa: E402
from bench.make_data import OUT_DIR  # noqa: E402
from exports.pack import build_pack, pack_docx, pack_xlsx  # noqa: E402
from exports.pack.images import ChartSession  # noqa: E402
from exports.pack.source import inputs_from_store  # noqa: E402
from measures import record_statuses  # noqa: E402

AS_AT = date(2021, 3, 31)
QUARTER = "2020-21 Q3"
TARGET_SECONDS = 10.0


def warm_build(engine, statuses) -> tuple[float, float, str, int]:
    """(total seconds, of which waiting for the charts, why they were left out, figures withheld)."""
    started = time.perf_counter()
    session = ChartSession()  # as the page does: Chromium starts while the pack is built
    pack = build_pack(inputs_from_store(engine, QUARTER, AS_AT, "bench", statuses=statuses))
    charts_started = time.perf_counter()
    images = session.render({section.measure: section.figure for section in pack.sections if section.figure})
    charts = time.perf_counter() - charts_started
    pack_docx(pack, images)
    pack_xlsx(pack)
    return time.perf_counter() - started, charts, images.left_out, len(pack.suppressed_cells)


def main() -> None:
    args = bench_arguments(__doc__, repeat=3)
    engine = store.connect(args.db)
    settings, frames = read_store(args.db)
    statuses = record_statuses(frames, settings, AS_AT)  # the page's cached statuses (drill-down columns)
    print(f"{len(statuses):,} record-measure statuses; pack for {QUARTER} as at {AS_AT:%d/%m/%Y}")

    runs = [warm_build(engine, statuses) for _ in range(args.repeat)]
    total = statistics.median(run[0] for run in runs)
    charts = statistics.median(run[1] for run in runs)
    left_out = runs[0][2]
    print(
        f"warm server, content + charts + Word + Excel: {total:.2f} s (charts {charts:.2f} s more), "
        f"{runs[0][3]} figures withheld; median of {args.repeat}; target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if total < TARGET_SECONDS else 'NOT met'}"
    )
    if left_out:
        print(f"  charts were left out ({left_out}): this figure is without them")

    report = [
        sys.executable,
        "cli.py",
        "--db",
        args.db,
        "report",
        "--as-at",
        AS_AT.isoformat(),
        "--format",
        "csv",
    ]
    reading = statistics.median(wall(report) for _ in range(args.repeat))
    print(f"cli.py report --format csv, whole process (reads the same store): {reading:.2f} s")
    command = [sys.executable, "cli.py", "--db", args.db, "--user", "bench", "pack", "--quarter", QUARTER]
    command += ["--as-at", AS_AT.isoformat()]
    for extension in ("docx", "xlsx"):
        out = OUT_DIR / f"pack.{extension}"
        seconds = statistics.median(wall([*command, "--out", str(out)]) for _ in range(args.repeat))
        verdict = "met" if seconds < TARGET_SECONDS else "NOT met"
        print(
            f"cli.py pack --out pack.{extension}, whole process, cold: {seconds:.2f} s ({verdict}; "
            f"{seconds - reading:+.2f} s on cli.py report)"
        )


if __name__ == "__main__":
    main()
