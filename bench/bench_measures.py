"""Time record_statuses + quarterly_compliance on 200,000 orders, 1,000,000 reviews and 20,000 audits.

Synthetic data only (numpy random, canonical columns and dtypes as store.read_dataset returns them).
Run: .venv/bin/python bench/bench_measures.py
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from measures import default_settings, quarterly_compliance, record_statuses

ORDERS, REVIEWS, AUDITS = 200_000, 1_000_000, 20_000
FIRST_DAY = np.datetime64("2017-04-01")
SPAN_DAYS = 4 * 365


def _dates(rng: np.random.Generator, base: np.ndarray, low: int, high: int, blank_share: float) -> pd.Series:
    days = base + rng.integers(low, high, len(base)).astype("timedelta64[D]")
    days[rng.random(len(base)) < blank_share] = np.datetime64("NaT")
    return pd.Series(days.astype("datetime64[ns]"))


def _text(rng: np.random.Generator, choices: list[str | None], length: int) -> pd.Series:
    return pd.Series(np.array(choices, dtype=object)[rng.integers(0, len(choices), length)], dtype=object)


def _case_refs(length: int) -> pd.Series:
    return pd.Series([f"BENCH-{number:07d}" for number in range(length)], dtype=object)


def build_frames(seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    teams = ["North Team", "South Team", "East Team", "West Team"]
    workers = [f"Worker {letter}" for letter in "ABCDEFGHIJ"]
    order_days = FIRST_DAY + rng.integers(0, SPAN_DAYS, ORDERS).astype("timedelta64[D]")
    orders = pd.DataFrame(
        {
            "record_id": np.arange(ORDERS, dtype="int64"),
            "case_ref": _case_refs(ORDERS),
            "order_date": pd.Series(order_days.astype("datetime64[ns]")),
            "order_type": _text(rng, ["CPO", "DTTO", "Licence"], ORDERS),
            "requirements": _text(
                rng, ["Supervision; Unpaid Work", "UPW", "Offender Supervision", None], ORDERS
            ),
            "team": _text(rng, teams, ORDERS),
            "worker": _text(rng, workers, ORDERS),
            "first_contact": _dates(rng, order_days, 0, 4, 0.05),
            "induction": _dates(rng, order_days, 0, 10, 0.05),
            "upw_start": _dates(rng, order_days, 0, 15, 0.1),
            "lscmi_completed": _dates(rng, order_days, 0, 40, 0.1),
            "lscmi_version": _text(rng, ["Full", "Short"], ORDERS),
            "risk_level": _text(rng, ["Very Low", "Low", "Medium", "High", "Very High"], ORDERS),
            "cmp_completed": _dates(rng, order_days, 0, 40, 0.1),
            "exclusion_reason": _text(rng, [None] * 19 + ["Transferred in"], ORDERS),
        }
    )
    review_due = FIRST_DAY + rng.integers(0, SPAN_DAYS, REVIEWS).astype("timedelta64[D]")
    held = _dates(rng, review_due, -5, 10, 0.1)
    reviews = pd.DataFrame(
        {
            "record_id": np.arange(REVIEWS, dtype="int64"),
            "case_ref": _case_refs(REVIEWS),
            "review_due": pd.Series(review_due.astype("datetime64[ns]")),
            "order_date": pd.Series(pd.NaT, index=range(REVIEWS), dtype="datetime64[ns]"),
            "review_number": pd.array(rng.integers(1, 6, REVIEWS), dtype="Int64"),
            "order_type": _text(rng, ["CPO", "DTTO", "Licence"], REVIEWS),
            "team": _text(rng, teams, REVIEWS),
            "worker": _text(rng, workers, REVIEWS),
            "review_held": held,
            "participated": pd.array(rng.choice([True, False, None], REVIEWS), dtype="boolean"),
            "needs_tool": pd.array(rng.choice([True, False, None], REVIEWS), dtype="boolean"),
            "recorded": _dates(rng, held.to_numpy().astype("datetime64[D]"), 0, 12, 0.1),
            "exclusion_reason": _text(rng, [None] * 49 + ["Order ended"], REVIEWS),
        }
    )
    audit_days = FIRST_DAY + rng.integers(0, SPAN_DAYS, AUDITS).astype("timedelta64[D]")
    audits = pd.DataFrame(
        {
            "record_id": np.arange(AUDITS, dtype="int64"),
            "case_ref": _case_refs(AUDITS),
            "audit_date": pd.Series(audit_days.astype("datetime64[ns]")),
            "grade": pd.array(rng.integers(1, 7, AUDITS), dtype="Int64"),
            "auditor": _text(rng, ["Auditor One", "Auditor Two"], AUDITS),
            "team": _text(rng, teams, AUDITS),
            "worker": _text(rng, workers, AUDITS),
        }
    )
    return {"orders": orders, "reviews": reviews, "audits": audits}


def main() -> None:
    frames = build_frames()
    settings = default_settings()
    as_at = date(2021, 6, 30)
    record_statuses(frames, settings, as_at)  # warm the holiday calendar cache, as a running app would have
    timings = []
    for _ in range(5):
        wall, cpu = time.perf_counter(), time.process_time()
        statuses = record_statuses(frames, settings, as_at)
        wall_middle, cpu_middle = time.perf_counter(), time.process_time()
        quarterly = quarterly_compliance(statuses, settings)
        wall_end, cpu_end = time.perf_counter(), time.process_time()
        timings.append((wall_middle - wall, wall_end - wall_middle, cpu_middle - cpu, cpu_end - cpu_middle))
    print(f"{ORDERS:,} orders + {REVIEWS:,} reviews + {AUDITS:,} audits -> {len(statuses):,} status rows, ")
    print(f"{len(quarterly)} measure-quarter rows")
    # CPU time is reported beside wall time because a shared machine inflates wall time.
    for label, first in (("wall", 0), ("cpu", 2)):
        statuses_time, quarterly_time = min((timing[first], timing[first + 1]) for timing in timings)
        print(
            f"best of 5 ({label}): record_statuses {statuses_time:.3f} s + quarterly_compliance "
            f"{quarterly_time:.3f} s = {statuses_time + quarterly_time:.3f} s"
        )


if __name__ == "__main__":
    main()
