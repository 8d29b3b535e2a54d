"""The demo data: canonical shape, clearly labelled, deterministic, and rich enough to show every status."""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd
import pytest

from loaders.demo import demo_frames
from loaders.schedule import review_due_dates
from loaders.schema import DATASETS, Kind

START, END = date(2019, 4, 1), date(2021, 3, 31)

EXPECTED_DTYPES = {
    Kind.TEXT: "object",
    Kind.DATE: "datetime64[ns]",
    Kind.INTEGER: "Int64",
    Kind.YESNO: "boolean",
    Kind.GRADE: "Int64",
}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return demo_frames()


def working_days(from_dates: pd.Series, to_dates: pd.Series) -> pd.Series:
    """Mon-Fri days from one date to the other (raw arithmetic, independent of the measures code)."""
    both = from_dates.notna() & to_dates.notna()
    counts = np.busday_count(
        from_dates[both].to_numpy("datetime64[D]"), to_dates[both].to_numpy("datetime64[D]")
    )
    return pd.Series(counts, index=from_dates[both].index)


def test_the_same_seed_gives_the_same_frames_and_another_seed_does_not() -> None:
    first, again, other = demo_frames(seed=7), demo_frames(seed=7), demo_frames(seed=8)
    for name in DATASETS:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["orders"].equals(other["orders"])


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_canonical_column_is_present_with_its_documented_dtype(frames, dataset: str) -> None:
    frame = frames[dataset]
    assert list(frame.columns) == DATASETS[dataset].column_names
    assert len(frame) > 0
    for column in DATASETS[dataset].columns:
        assert str(frame[column.name].dtype) == EXPECTED_DTYPES[column.kind], column.name
        if column.kind is Kind.TEXT:
            kinds = {type(value) for value in frame[column.name]}
            assert kinds <= {str, type(None)}, f"{column.name} holds {kinds}"


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_natural_keys_are_unique_so_the_store_keeps_every_record(frames, dataset: str) -> None:
    key = list(DATASETS[dataset].natural_key)
    assert not frames[dataset].duplicated(subset=key).any()


def test_records_are_clearly_labelled_as_demo(frames) -> None:
    for frame in frames.values():
        assert frame["case_ref"].str.match(r"^DEMO-\d{5,}$").all()
        assert frame["team"].str.endswith("(demo)").all()
        assert frame["worker"].str.endswith("(demo)").all()
    assert frames["audits"]["auditor"].str.endswith("(demo)").all()
    assert frames["orders"]["case_ref"].iloc[0] == "DEMO-00001"


def test_about_1200_orders_of_the_expected_types_over_two_years(frames) -> None:
    orders = frames["orders"]
    assert 1100 <= len(orders) <= 1300
    assert orders["order_date"].between(pd.Timestamp(START), pd.Timestamp(END)).all()
    types = orders["order_type"].value_counts()
    assert set(types.index) == {"CPO", "DTTO", "Licence", "Structured Deferred Sentence"}
    assert types.idxmax() == "CPO"
    assert {"Supervision", "Unpaid Work", "Supervision; Unpaid Work"} <= set(orders["requirements"])
    assert orders["requirements"].isna().any()
    assert set(orders["lscmi_version"].dropna()) == {"Full", "Short"}
    assert set(orders["risk_level"].dropna()) == {"Very Low", "Low", "Medium", "High", "Very High"}


def test_about_three_percent_of_orders_are_excluded_with_a_reason(frames) -> None:
    reasons = frames["orders"]["exclusion_reason"]
    assert 0.01 <= reasons.notna().mean() <= 0.06
    assert set(reasons.dropna()) == {"Transferred in", "Warrant", "Did not comply"}
    assert frames["reviews"]["exclusion_reason"].notna().any()


def test_no_event_is_dated_after_the_extract_date(frames) -> None:
    for name, frame in frames.items():
        for column in DATASETS[name].columns:
            if column.kind is Kind.DATE:
                assert (frame[column.name].dropna() <= pd.Timestamp(END)).all(), column.name


def test_custom_period_and_scale(frames) -> None:
    start, end = date(2020, 4, 1), date(2021, 3, 31)
    smaller = demo_frames(seed=1, start=start, end=end)
    orders = smaller["orders"]
    assert orders["order_date"].between(pd.Timestamp(start), pd.Timestamp(end)).all()
    assert 500 <= len(orders) <= 700
    tripled = demo_frames(seed=1, start=start, end=end, scale=3)
    assert 2.8 <= len(tripled["orders"]) / len(orders) <= 3.2
    assert len(tripled["reviews"]) > 2.5 * len(smaller["reviews"])


def months_after(day: date, months: int) -> date:
    """`day` plus whole calendar months, clipped to the month's end: plain arithmetic, not loaders code."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def scheduled_due(order_date: date, review_number: int) -> date:
    """SPEC 2.4: review 1 at 3 months, review k >= 2 at 6 * (k - 1) months."""
    return months_after(order_date, 3 if review_number == 1 else 6 * (review_number - 1))


@pytest.mark.parametrize(
    ("order_date", "review_number", "due"),
    [
        (date(2019, 8, 31), 1, date(2019, 11, 30)),  # 31 Aug + 3 months: November has 30 days
        (date(2019, 8, 31), 2, date(2020, 2, 29)),  # + 6 months: February 2020 (a leap year) has 29
        (date(2019, 8, 31), 3, date(2020, 8, 31)),  # + 12 months: back to a 31-day month
        (date(2020, 8, 31), 2, date(2021, 2, 28)),  # + 6 months: February 2021 has 28
        (date(2019, 11, 30), 1, date(2020, 2, 29)),  # 30 Nov + 3 months
        (date(2019, 4, 15), 4, date(2020, 10, 15)),  # review 4 at 18 months
    ],
    ids=["31 Aug r1", "31 Aug r2", "31 Aug r3", "31 Aug 2020 r2", "30 Nov r1", "15 Apr r4"],
)
def test_the_review_schedule_by_hand(order_date: date, review_number: int, due: date) -> None:
    """Hand-worked dates check the test's own arithmetic, and the loaders' schedule the demo uses."""
    assert scheduled_due(order_date, review_number) == due
    computed = review_due_dates(pd.Series([pd.Timestamp(order_date)]), pd.Series([review_number]))
    assert computed.dt.date.tolist() == [due]


def test_reviews_follow_the_schedule_of_their_order(frames) -> None:
    """Caught: a schedule that drifts (review k at 6k months, no month-end clipping), which an
    expectation computed with loaders.schedule would share with the demo data."""
    reviews = frames["reviews"]
    expected = [
        scheduled_due(order_date.date(), int(number))
        for order_date, number in zip(reviews["order_date"], reviews["review_number"], strict=True)
    ]
    assert reviews["review_due"].dt.date.tolist() == expected
    # The demo must hold reviews whose due day was clipped to a shorter month (an order on the 29th,
    # 30th or 31st), or the month-end rule would go untested here.
    assert (reviews["review_due"].dt.day != reviews["order_date"].dt.day).any()
    assert (reviews["review_due"] <= pd.Timestamp(END)).all()
    numbers = reviews.sort_values("review_due").groupby("case_ref")["review_number"]
    assert (numbers.first() == 1).all()
    assert (numbers.diff().dropna() == 1).all()
    assert set(reviews["review_number"]) >= {1, 2, 3}


def test_answers_are_only_given_for_reviews_that_were_held(frames) -> None:
    reviews = frames["reviews"]
    not_held = reviews["review_held"].isna()
    assert not_held.any()
    assert reviews.loc[not_held, ["participated", "needs_tool"]].isna().all().all()
    assert reviews.loc[not_held, "recorded"].isna().all()


def test_about_25_audits_every_quarter_graded_one_to_six(frames) -> None:
    audits = frames["audits"]
    per_quarter = audits.groupby(audits["audit_date"].dt.to_period("Q-MAR")).size()
    assert len(per_quarter) == 8
    assert per_quarter.between(20, 30).all()
    assert set(audits["grade"]) == {1, 2, 3, 4, 5, 6}


def _met_and_missed(taken: pd.Series, limit: int) -> tuple[int, int]:
    return int(taken.between(0, limit).sum()), int((taken > limit).sum())


@pytest.mark.parametrize(
    ("column", "limit", "unit"),
    [
        ("first_contact", 1, "working"),
        ("induction", 5, "working"),
        ("upw_start", 7, "working"),
        ("lscmi_completed", 28, "calendar"),
        ("cmp_completed", 28, "calendar"),
    ],
)
def test_every_order_timescale_has_met_and_missed_examples(frames, column, limit, unit) -> None:
    orders = frames["orders"]
    if unit == "working":
        taken = working_days(orders["order_date"], orders[column])
    else:
        taken = (orders[column] - orders["order_date"]).dt.days
    met, missed = _met_and_missed(taken, limit)
    assert met > missed > 0


@pytest.mark.parametrize("column", ["induction", "upw_start", "lscmi_completed", "cmp_completed"])
def test_orders_made_in_the_last_fortnight_include_pending_blank_dates(frames, column: str) -> None:
    orders = frames["orders"]
    recent = orders["order_date"] > pd.Timestamp(END) - pd.Timedelta(days=14)
    assert orders.loc[recent, column].isna().any()
    assert orders.loc[~recent, column].notna().any()


def test_review_timescales_have_met_and_missed_examples(frames) -> None:
    reviews = frames["reviews"]
    late_by = (reviews["review_held"] - reviews["review_due"]).dt.days.dropna()
    assert (late_by <= 0).sum() > (late_by > 0).sum() > 0
    met, missed = _met_and_missed(working_days(reviews["review_held"], reviews["recorded"]), 5)
    assert met > missed > 0


def test_proportion_measures_have_met_and_not_met_examples(frames) -> None:
    held = frames["reviews"].dropna(subset=["review_held"])
    for column in ("participated", "needs_tool"):
        answers = held[column]
        assert answers.eq(True).sum() > answers.eq(False).sum() > 0
        assert answers.isna().any(), "some answers should be blank (not evidenced)"
    grades = frames["audits"]["grade"]
    assert (grades >= 4).any() and (grades < 4).any()


def test_the_service_improves_over_time(frames) -> None:
    """LS/CMI timescales and audit grades start worse and get better after the inspection."""
    orders = frames["orders"]
    taken = (orders["lscmi_completed"] - orders["order_date"]).dt.days.dropna()
    first_year = orders.loc[taken.index, "order_date"] < pd.Timestamp(2020, 4, 1)
    on_time = taken <= 28
    assert on_time[~first_year].mean() > on_time[first_year].mean() + 0.1
    audits = frames["audits"]
    good = audits["grade"] >= 4
    late = audits["audit_date"] >= pd.Timestamp(2020, 4, 1)
    assert good[late].mean() > good[~late].mean()
