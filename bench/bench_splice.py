"""Statuses after an upload of 1,000 changed orders: brought up to date from the written records only
(store.written_since + measures.incremental.updated_change) against worked out whole (issue 12); then
what the server warms from them before the overview draws: their counts per group brought up to date
from the changed rows (measures.counts.updated_counts) against counted afresh, the filter choices from
the counts against a pass over the rows, and the worklist.

Works on a scratch copy of the 200,000 orders + 1,000,000 reviews bench store (bench/out/report.sqlite3
and its snapshots, built by bench_scale.py / make_data.py), so the bench store is left as it is. Prints
the median wall and processor time of each path and checks that both give the same frame.

    .venv/bin/python bench/bench_splice.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

import store  # noqa: E402
from bench.make_data import OUT_DIR  # noqa: E402
from loaders.result import SheetResult, empty_rejects  # noqa: E402
from measures import default_settings, record_statuses  # noqa: E402
from measures.counts import options_from_counts, status_counts, updated_counts  # noqa: E402
from measures.filters import filter_options  # noqa: E402
from measures.incremental import StatusChange, updated_change  # noqa: E402
from measures.statuses import GROUPING_COLUMNS  # noqa: E402
from measures.worklist import open_work  # noqa: E402

AS_AT = date(2026, 12, 1)
CHANGED = 1_000
DATASETS = ("orders", "reviews", "audits")


def timed(step: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall and processor seconds of `step` over `repeat` runs, and its last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def changed_orders(engine: Engine) -> SheetResult:
    """The newest 1,000 orders with an induction a day later (two days after the order where none)."""
    orders = store.read_dataset(engine, "orders").tail(CHANGED).drop(columns=["record_id", "upload_id"])
    day = pd.Timedelta(days=1)
    stored = orders["induction"]
    orders["induction"] = stored.where(stored.isna(), stored + day).fillna(orders["order_date"] + 2 * day)
    records = orders.reset_index(drop=True).assign(source_row=lambda frame: range(2, len(frame) + 2))
    return SheetResult(None, "orders", 1, {}, [], records, empty_rejects())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = OUT_DIR / "report.sqlite3"
    if not source.exists():
        raise SystemExit(f"{source} is missing: build it with bench/bench_scale.py first")
    settings = default_settings()
    with tempfile.TemporaryDirectory(dir=OUT_DIR) as scratch:
        copy = Path(scratch) / "report.sqlite3"
        shutil.copyfile(source, copy)
        shutil.copytree(f"{source}.snapshots", f"{copy}.snapshots")
        engine = store.connect(f"sqlite:///{copy}")
        base = store.records_versions(engine)
        old = record_statuses({name: store.read_dataset(engine, name) for name in DATASETS}, settings, AS_AT)
        store.store_sheet(
            engine, changed_orders(engine), file_name="changed.csv", sha256="0" * 64, user="bench"
        )
        target = store.records_versions(engine)

        def spliced() -> StatusChange | None:
            changes = {
                name: store.written_since(engine, name, base[name], target[name], GROUPING_COLUMNS)
                for name in DATASETS
            }
            if any(change is None for change in changes.values()):
                raise SystemExit("the change could not be read from the store")
            return updated_change(old, changes, settings, AS_AT)  # type: ignore[arg-type]

        print(f"{load()}: 4.7 million statuses, {CHANGED:,} changed orders, median of {args.repeat}")
        # First: reading the new version's records saves its snapshots, and older ones are pruned.
        splice_wall, splice_cpu, change = timed(spliced, args.repeat)
        if not isinstance(change, StatusChange):
            raise SystemExit("the statuses were not brought up to date (a fallback): nothing to compare")
        result = change.statuses
        read_wall, read_cpu, frames = timed(
            lambda: {name: store.read_dataset(engine, name) for name in DATASETS}, 1
        )
        full_wall, full_cpu, full = timed(
            lambda: record_statuses(frames, settings, AS_AT),  # type: ignore[arg-type]
            args.repeat,
        )
        pd.testing.assert_frame_equal(result, full, check_exact=True)  # type: ignore[arg-type]
        old_counts = status_counts(old)
        recount_wall, recount_cpu, recounted = timed(lambda: status_counts(result), args.repeat)
        update_wall, update_cpu, updated = timed(
            lambda: updated_counts(old_counts, result, change.removed, change.added),  # type: ignore[arg-type]
            args.repeat,
        )
        if updated is None or recounted is None or not (updated.count == recounted.count).all():
            raise SystemExit("the counts brought up to date differ from those counted afresh")
        rows_wall, rows_cpu, from_rows = timed(lambda: filter_options(result), args.repeat)
        cells_wall, cells_cpu, from_cells = timed(lambda: options_from_counts(updated), args.repeat)
        if from_rows != from_cells:
            raise SystemExit("the filter choices from the counts differ from those of the rows")
        reviews = store.read_dataset(engine, "reviews", ("review_due",))
        work_wall, work_cpu, _ = timed(lambda: open_work(result, reviews, settings, AS_AT), args.repeat)
        for label, wall, cpu in (
            ("records after the upload read (snapshot + delta, once)", read_wall, read_cpu),
            ("worked out whole (record_statuses)", full_wall, full_cpu),
            ("brought up to date (written_since + updated_change)", splice_wall, splice_cpu),
            ("counts per group: counted afresh (status_counts)", recount_wall, recount_cpu),
            ("counts per group: brought up to date (updated_counts)", update_wall, update_cpu),
            ("filter choices: a pass over the rows (filter_options)", rows_wall, rows_cpu),
            ("filter choices: from the counts (options_from_counts)", cells_wall, cells_cpu),
            ("the worklist (open_work, reviews read before)", work_wall, work_cpu),
        ):
            print(f"  {label:<56} {wall:.3f} s wall, {cpu:.3f} s cpu")
        print(f"  identical frames, counts and choices: yes; {load()}")
        engine.dispose()
    return 0


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
