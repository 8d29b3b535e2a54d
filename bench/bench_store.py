"""Store speed: bulk ingest, re-ingest, read-back and the connect() check, on SQLite (and PostgreSQL
when BENCH_POSTGRES_URL names a database to use, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench).

Run: .venv/bin/python bench/bench_store.py [--reviews 1000000] [--orders 100000]
Synthetic data only. Targets: 1M reviews into an empty SQLite store well under 20 s; 100k orders
about 1 s; the connect() check on an up-to-date store well under 0.2 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.result import SheetResult
from store import connect, read_dataset, store_sheet
from store import engine as store_engine


def synthetic_reviews(count: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    due = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 730, count), unit="D")
    held = due + pd.to_timedelta(rng.integers(-5, 20, count), unit="D")
    held = held.where(rng.random(count) > 0.1)
    flags = pd.array(rng.choice([True, False, None], count), dtype="boolean")
    return pd.DataFrame(
        {
            "case_ref": [f"BENCH-{i:07d}" for i in range(count)],
            "review_due": due,
            "order_date": due - pd.Timedelta(days=90),
            "review_number": pd.array(rng.integers(1, 6, count), dtype="Int64"),
            "order_type": rng.choice(["CPO", "DTTO", "Licence", None], count),
            "team": rng.choice(["North", "South", "East"], count),
            "worker": rng.choice([f"Worker {n}" for n in range(40)], count),
            "review_held": held,
            "participated": flags,
            "needs_tool": flags[::-1],
            "recorded": held + pd.Timedelta(days=3),
            "exclusion_reason": rng.choice([None, "Order ended"], count, p=[0.95, 0.05]),
        }
    )


def synthetic_orders(count: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ordered = pd.Timestamp("2019-04-01") + pd.to_timedelta(rng.integers(0, 730, count), unit="D")
    days = [pd.to_timedelta(rng.integers(0, 40, count), unit="D") for _ in range(5)]
    return pd.DataFrame(
        {
            "case_ref": [f"BENCH-{i:07d}" for i in range(count)],
            "order_date": ordered,
            "order_type": rng.choice(["CPO", "DTTO", None], count),
            "requirements": rng.choice(["Supervision", "Unpaid Work", "Supervision; Unpaid Work"], count),
            "team": rng.choice(["North", "South"], count),
            "worker": rng.choice([f"Worker {n}" for n in range(40)], count),
            "first_contact": ordered + days[0],
            "induction": ordered + days[1],
            "upw_start": ordered + days[2],
            "lscmi_completed": ordered + days[3],
            "lscmi_version": "Full",
            "risk_level": rng.choice(["Low", "Medium", "High"], count),
            "cmp_completed": ordered + days[4],
            "exclusion_reason": None,
        }
    )


def sheet_of(dataset: str, records: pd.DataFrame) -> SheetResult:
    return SheetResult(None, dataset, 1, {}, [], records.assign(source_row=np.arange(2, len(records) + 2)))


def timed(label: str, action: Callable[[], object]) -> object:
    """Run `action`, printing wall time and this process's CPU time (the machine may be shared)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"{label:<58} {wall:7.2f} s wall {cpu:7.2f} s cpu")
    return result


def run(url: str, reviews: int, orders: int) -> None:
    print(f"\n== {url.split('://')[0]}")
    engine = timed("connect() on an empty database (migrate to head)", lambda: connect(url))
    store_engine._engines.clear()  # a fresh process: the cache is empty, the schema is at head
    timed("connect() on an up-to-date database", lambda: connect(url))
    review_frame = synthetic_reviews(reviews)
    summary = timed(
        f"store_sheet {reviews:,} reviews into an empty store",
        lambda: store_sheet(
            engine, sheet_of("reviews", review_frame), file_name="r", sha256="r1", user="bench"
        ),
    )
    print(f"    {summary}")
    changed = review_frame.assign(team=np.where(np.arange(reviews) % 10 == 0, "West", review_frame["team"]))
    summary = timed(
        f"store_sheet the same {reviews:,} reviews, 10% changed",
        lambda: store_sheet(engine, sheet_of("reviews", changed), file_name="r", sha256="r2", user="bench"),
    )
    print(f"    {summary}")
    frame = timed(f"read_dataset {reviews:,} reviews", lambda: read_dataset(engine, "reviews"))
    print(f"    {len(frame):,} rows, {frame.memory_usage(deep=True).sum() / 1e6:.0f} MB")
    summary = timed(
        f"store_sheet {orders:,} orders into an empty table",
        lambda: store_sheet(
            engine, sheet_of("orders", synthetic_orders(orders)), file_name="o", sha256="o1", user="bench"
        ),
    )
    print(f"    {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.sqlite3", arguments.reviews, arguments.orders)
    if os.environ.get("BENCH_POSTGRES_URL"):
        run(os.environ["BENCH_POSTGRES_URL"], arguments.reviews, arguments.orders)


if __name__ == "__main__":
    main()
