"""Due soon: the open cases a team leader can still act on, counted, per worker, exported and logged."""

from __future__ import annotations

import csv
import io

import pandas as pd

import store

from .conftest import AS_AT, page, statuses_in_store

# As at Friday 30 April 2021, 10 working days on: Monday 3 May was the Early May bank holiday, so
# 4-7 May (4), 10-14 May (9) and Monday 17 May (10).
HORIZON = pd.Timestamp("2021-05-17")
TIMESCALES = ("first_contact", "induction", "upw_start", "lscmi", "cmp", "review_on_time", "review_recorded")


def expected_open(url: str) -> pd.DataFrame:
    """The worklist worked out from the raw statuses, without measures/worklist.py."""
    statuses = statuses_in_store(url)
    open_cases = statuses[
        statuses["measure"].astype(str).isin(TIMESCALES)
        & statuses["status"].astype(str).isin(["pending", "missed"])
        & statuses["to_date"].isna()
        & (statuses["due_date"] <= HORIZON)
    ]
    return open_cases


def metric(app, label: str) -> int:
    return int(next(m.value for m in app.metric if m.label == label).replace(",", ""))


def test_due_soon_counts_every_open_case_in_reach_overdue_first(demo_url, make_app):
    expected = expected_open(demo_url)
    app = make_app(page("due_soon"))

    assert not app.error
    overdue = int((expected["due_date"] < pd.Timestamp(AS_AT)).sum())
    assert metric(app, "Overdue") == overdue > 0
    shown = sum(metric(app, label) for label in ("Overdue", "Due this week", "Due next week", "Later"))
    assert shown == len(expected)
    cases = app.dataframe[-1].value
    assert len(cases) == len(expected)
    assert cases["Due date"].is_monotonic_increasing
    assert list(cases["When"][:1]) == ["Overdue"]
    assert (cases["Working days left"] < 0).sum() == overdue


def test_choosing_a_worker_shows_only_their_cases(demo_url, make_app):
    expected = expected_open(demo_url)
    app = make_app(page("due_soon"))
    picker = app.selectbox(key="due_worker")
    busiest = picker.options[1]  # most overdue first, after "Everyone"
    worker = busiest.split(":")[0]
    picker.select_index(1).run()

    cases = app.dataframe[-1].value
    assert set(cases["Worker"]) == {worker}
    assert len(cases) == int((expected["worker"].astype(str) == worker).sum())
    assert f"{len(cases)} open" in busiest


def test_the_sidebar_team_filter_applies_but_the_quarter_range_does_not(demo_url, make_app):
    expected = expected_open(demo_url)
    team = sorted(expected["team"].dropna().astype(str).unique())[0]
    app = make_app(page("due_soon"), team=team, **{"from": "2020-21 Q4", "to": "2020-21 Q4"})

    cases = app.dataframe[-1].value
    assert set(cases["Team"]) == {team}
    in_team = expected[expected["team"].astype(str) == team]
    assert len(cases) == len(in_team)
    assert (in_team["quarter_start"] < pd.Timestamp("2021-01-01")).any()  # older open cases are still listed


def test_fewer_days_ahead_lists_fewer_cases(demo_url, make_app):
    app = make_app(page("due_soon"), as_at="2021-03-01")  # inside the demo's data: cases fall due ahead
    everything = len(app.dataframe[-1].value)
    app.number_input(key="due_within").set_value(0).run()

    cases = app.dataframe[-1].value
    assert 0 < len(cases) < everything
    assert cases["Working days left"].max() == 0  # due today at the latest
    assert metric(app, "Due next week") == metric(app, "Later") == 0


def test_the_download_is_neutralised_and_logged(demo_url, make_app, downloads):
    app = make_app(page("due_soon"))
    name = next(name for name in downloads if name.endswith(".csv"))
    assert name.startswith("due_soon_") and "2021-04-30" in name
    rows = list(csv.reader(io.StringIO(downloads[name].decode("utf-8-sig"))))
    assert rows[0][:4] == ["Due date", "Working days left", "When", "Measure"]
    assert len(rows) - 1 == len(app.dataframe[-1].value)

    app.get("download_button")[0].click().run()
    log = store.list_exports(store.connect(demo_url))
    assert (log.loc[0, "what"], log.loc[0, "rows"], log.loc[0, "format"]) == (
        "due_soon",
        len(rows) - 1,
        "csv",
    )
    assert log.loc[0, "filters"]["within"] == "10 working days"
    assert (log.loc[0, "filters"]["from"], log.loc[0, "filters"]["to"]) == (None, None)  # not applied here


def test_the_overview_says_how_many_cases_are_open_in_each_improvement_area(demo_url, make_app):
    expected = expected_open(demo_url)
    in_area_1 = expected["measure"].astype(str).isin(TIMESCALES[:5])
    overdue = expected["due_date"] < pd.Timestamp(AS_AT)
    app = make_app()

    lines = [block.value for block in app.markdown if block.value.startswith("Open now:")]
    assert lines == [
        f"Open now: **{(area & overdue).sum():,} overdue**, {(area & ~overdue).sum():,} due within "
        "10 working days."
        for area in (in_area_1, ~in_area_1)
    ]
