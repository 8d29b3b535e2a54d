"""Team scope benchmark (issue 7: "Scoping adds no more than 10% to the overview's and a filter change's
time in the dashboard benchmark at 200,000 orders + 1,000,000 reviews").

Times the computations the overview runs, as pages/ui/data.py runs them (same functions, no Streamlit
caches), for the whole service (an admin or manager) and scoped to one team (a team leader):
  1. the overview: record statuses (+ categoricals), for a team leader cut to their team, then the
     sidebar's filter options, the rows the default filters keep and the quarterly compliance;
  2. a team filter change on a warm server (statuses cached): the rows kept and quarterly compliance.
Target: scoped time <= 1.10 x unscoped for both. The store is the one bench_report.py builds
(bench/out/report.sqlite3, git-ignored).

    python bench/bench_scope.py [--repeat 5] [--db URL]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from bench.bench_report import bench_arguments, read_store  # noqa: E402
from measures import quarterly_compliance, record_statuses  # noqa: E402
from measures.filters import Filters, filter_options, status_mask  # noqa: E402
from pages.ui.data import _CATEGORY_COLUMNS, _in_scope_rows  # noqa: E402

AS_AT = date(2021, 3, 31)
TARGET_RATIO = 1.10


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    args = bench_arguments(__doc__, repeat=5)
    settings, frames = read_store(args.db)

    def statuses_all() -> pd.DataFrame:  # pages.ui.data._all_statuses
        statuses = record_statuses(frames, settings, AS_AT)
        present = [column for column in _CATEGORY_COLUMNS if column in statuses.columns]
        return statuses.astype(dict.fromkeys(present, "category"))

    everyone = statuses_all()
    team = str(everyone["team"].value_counts().index[0])  # the largest team: the dearest scope to cut
    scope = (team,)

    def scoped(statuses: pd.DataFrame) -> pd.DataFrame:  # pages.ui.data._scoped_statuses
        return _in_scope_rows(statuses, scope)

    def overview(statuses: pd.DataFrame) -> pd.DataFrame:
        options = filter_options(statuses)
        filters = Filters(options.quarters[0], options.quarters[-1], (), (), (), AS_AT)
        kept = statuses.loc[status_mask(statuses, filters), ["measure", "status", "quarter_start"]]
        return quarterly_compliance(kept, settings)

    def team_change(statuses: pd.DataFrame) -> pd.DataFrame:
        filters = Filters(None, None, (team,), (), (), AS_AT)
        kept = statuses.loc[status_mask(statuses, filters), ["measure", "status", "quarter_start"]]
        return quarterly_compliance(kept, settings)

    mine = scoped(everyone)
    cold_all = median_seconds(lambda: overview(statuses_all()), args.repeat)
    cold_scoped = median_seconds(lambda: overview(scoped(statuses_all())), args.repeat)
    warm_all = median_seconds(lambda: overview(everyone), args.repeat)
    warm_scoped = median_seconds(lambda: overview(scoped(everyone)), args.repeat)  # a new scope: cut once
    cut = median_seconds(lambda: scoped(everyone), args.repeat)
    change_all = median_seconds(lambda: team_change(everyone), args.repeat)
    change_scoped = median_seconds(lambda: team_change(mine), args.repeat)

    print(
        f"{len(frames['orders']):,} orders, {len(frames['reviews']):,} reviews; "
        f"{len(everyone):,} record-measure statuses, {len(mine):,} of them in '{team}'"
    )
    print(f"{'step (median of ' + str(args.repeat) + ')':<62}{'whole':>9}{'scoped':>9}{'ratio':>8}")
    rows = [
        ("overview, first visit (statuses worked out)", cold_all, cold_scoped),
        ("overview, warm server, a new session (scope cut once)", warm_all, warm_scoped),
        ("team filter change, warm server", change_all, change_scoped),
    ]
    verdicts = []
    for label, whole, mine_s in rows:
        ratio = mine_s / whole
        print(f"{label:<62}{whole:>9.3f}{mine_s:>9.3f}{ratio:>8.2f}")
        verdicts.append(ratio)
    print(f"{'cutting one team out of the statuses (once per data version)':<62}{'':>9}{cut:>9.3f}")
    overview_ok = verdicts[0] <= TARGET_RATIO
    change_ok = verdicts[2] <= TARGET_RATIO
    print(
        f"\noverview: {verdicts[0]:.2f}x, filter change: {verdicts[2]:.2f}x "
        f"(target <= {TARGET_RATIO:.2f}x) -> "
        f"{'PASS' if overview_ok and change_ok else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
