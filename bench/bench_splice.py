"""Statuses after an upload of 1,000 changed orders: brought up to date from the written records only
(store.written_since + measures.incremental.updated_statuses) against worked out whole (issue 12).

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
from measures.incremental import updated_statuses  # noqa: E402
from measures.statuses import GROUPING_COLUMNS  # noqa: E402

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

        def spliced() -> pd.DataFrame | None:
            changes = {
                name: store.written_since(engine, name, base[name], target[name], GROUPING_COLUMNS)
                for name in DATASETS
            }
            if any(change is None for change in changes.values()):
                raise SystemExit("the change could not be read from the store")
            return updated_statuses(old, changes, settings, AS_AT)  # type: ignore[arg-type]

        print(f"{load()}: 4.7 million statuses, {CHANGED:,} changed orders, median of {args.repeat}")
        # First: reading the new version's records saves its snapshots, and older ones are pruned.
        splice_wall, splice_cpu, result = timed(spliced, args.repeat)
        read_wall, read_cpu, frames = timed(
            lambda: {name: store.read_dataset(engine, name) for name in DATASETS}, 1
        )
        full_wall, full_cpu, full = timed(
            lambda: record_statuses(frames, settings, AS_AT),  # type: ignore[arg-type]
            args.repeat,
        )
        if result is None:
            raise SystemExit("the statuses were not brought up to date (a fallback): nothing to compare")
        pd.testing.assert_frame_equal(result, full, check_exact=True)  # type: ignore[arg-type]
        for label, wall, cpu in (
            ("records after the upload read (snapshot + delta, once)", read_wall, read_cpu),
            ("worked out whole (record_statuses)", full_wall, full_cpu),
            ("brought up to date (written_since + updated_statuses)", splice_wall, splice_cpu),
        ):
            print(f"  {label:<56} {wall:.3f} s wall, {cpu:.3f} s cpu")
        print(f"  identical frames: yes; {load()}")
        engine.dispose()
    return 0


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
