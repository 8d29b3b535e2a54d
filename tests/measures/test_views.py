"""The figures behind each page, worked by hand: breakdowns, days taken, the cases needing attention,
the overview's headline, audit grades and the data quality lists."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.demo import demo_frames
from measures import CAN_BE_INVALID, Rule, default_settings, quarterly_compliance, views
from measures.filters import Filters

from .frames import frame

AS_AT = date(2021, 3, 1)


def statuses(rows: list[dict[str, object]], **common: object) -> pd.DataFrame:
    """Status rows in record_statuses' columns (only those given or defaulted here)."""
    defaults = {"measure": "first_contact", "team": None, "status": "met", "quarter": "2020-21 Q1"}
    table = pd.DataFrame([{**defaults, **common, **row} for row in rows])
    if "quarter_start" not in table.columns:
        table["quarter_start"] = pd.Timestamp("2020-04-01")
    return table


# --- RAG words -------------------------------------------------------------------------------------------


def test_rag_labels_say_the_rating_with_a_symbol_and_a_missing_rating_is_no_rate() -> None:
    assert [views.rag_label(rag) for rag in ("green", "amber", "red", "grey")] == [
        "● Green: on target",
        "▲ Amber: near target",
        "■ Red: below target",
        "○ No rate",
    ]
    assert views.rag_label(float("nan")) == "○ No rate"
    assert views.rag_label("amber", with_symbol=False) == "Amber: near target"


# --- quarterly figures and breakdowns ---------------------------------------------------------------


def halves() -> pd.DataFrame:
    """333 of 400 first contacts on time in 2020-21 Q1 (83.25%), 1 of 16 in Q2 (6.25%)."""
    q1 = statuses([{"status": "met"}] * 333 + [{"status": "missed"}] * 67)
    q2 = statuses(
        [{"status": "met"}] + [{"status": "missed"}] * 15,
        quarter="2020-21 Q2",
        quarter_start=pd.Timestamp("2020-07-01"),
    )
    return quarterly_compliance(pd.concat([q1, q2], ignore_index=True), default_settings())


def test_quarterly_figures_round_halves_up_and_say_the_rag() -> None:
    figures = views.quarterly_figures(halves())

    assert list(figures.columns) == [
        "Measure",
        "Quarter",
        "Met",
        "Missed",
        "Pending",
        "Excluded",
        "Invalid",
        "Rate %",
        "Target %",
        "RAG",
    ]
    assert list(figures["Measure"]) == ["First contact", "First contact"]
    assert list(figures["Quarter"]) == ["2020-21 Q1", "2020-21 Q2"]
    assert list(figures["Met"]) == [333, 1]
    assert list(figures["Rate %"]) == [83.3, 6.3]
    assert list(figures["Target %"]) == [90.0, 90.0]
    assert list(figures["RAG"]) == ["■ Red: below target", "■ Red: below target"]


def test_breakdown_counts_rates_and_rates_each_group_against_the_target() -> None:
    rows = statuses(
        [
            {"team": "Alpha", "status": "met"},
            {"team": "Alpha", "status": "met"},
            {"team": "Alpha", "status": "missed"},
            {"team": "Alpha", "status": "pending"},
            {"team": "Beta", "status": "missed"},
            {"team": None, "status": "excluded"},
        ]
    )
    table = views.breakdown(rows, "team", target=60.0, amber_margin=5.0)

    assert list(table["group"]) == ["(blank)", "Alpha", "Beta"]
    assert list(table["met"]) == [0, 2, 0]
    assert list(table["missed"]) == [0, 1, 1]
    assert list(table["pending"]) == [0, 1, 0]
    assert list(table["excluded"]) == [1, 0, 0]
    assert table["rate"].iloc[0] != table["rate"].iloc[0]  # nothing decided: no rate
    assert list(table["rate"].iloc[1:]) == [66.7, 0.0]  # 2 of 3; 0 of 1
    assert list(table["rag"]) == ["grey", "green", "red"]


def test_a_breakdown_rag_is_judged_on_the_unrounded_rate() -> None:
    rows = statuses([{"status": "met"}, {"status": "met"}, {"status": "missed"}], team="Alpha")
    table = views.breakdown(rows, "team", target=66.7, amber_margin=5.0)
    assert (table["rate"].iloc[0], table["rag"].iloc[0]) == (66.7, "amber")  # 66.666... < 66.7


def test_the_latest_quarter_sets_the_target_of_a_breakdown() -> None:
    quarterly = pd.DataFrame(
        {
            "quarter_start": pd.to_datetime(["2020-07-01", "2020-04-01"]),
            "target": [85.0, 90.0],
            "amber_margin": [2.0, 5.0],
        }
    )
    assert views.latest_target(quarterly) == (85.0, 2.0)


# --- days taken ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "limit"),
    [
        (Rule(5, "working_days"), (5, "working days")),
        (Rule(28, "calendar_days"), (28, "calendar days")),
        (Rule(4, "weeks"), (28, "calendar days")),
        (Rule(2, "calendar_months"), (60, "calendar days")),
    ],
)
def test_rule_limit_in_the_unit_days_are_counted_in(rule: Rule, limit: tuple[int, str]) -> None:
    assert views.rule_limit(rule) == limit


@pytest.mark.parametrize(
    ("early_is_met", "early_word"), [(False, "invalid (before the start date)"), (True, "early (met)")]
)
def test_days_taken_counts_each_number_of_days_within_or_over(early_is_met: bool, early_word: str) -> None:
    rows = statuses(
        [
            {"days_taken": -1, "status": "invalid"},
            {"days_taken": 0},
            {"days_taken": 5},
            {"days_taken": 5},
            {"days_taken": 6, "status": "missed"},
            {"days_taken": None, "status": "pending"},
            {"days_taken": 3, "status": "excluded"},
        ]
    ).astype({"days_taken": "Int64"})

    table = views.days_taken_counts(rows, limit=5, early_is_met=early_is_met)

    assert list(table["days_taken"]) == ["before due" if early_is_met else "before start", "0", "5", "6"]
    assert list(table["records"]) == [1, 1, 2, 1]
    assert list(table["timescale"]) == [early_word, "within", "within", "over"]


def test_days_taken_pools_the_tail_and_the_early_ones_as_the_histogram_does() -> None:
    # A 7-day limit pools from 21 (3 x 7): 21, 30 and 45 are one "21 or more" row; -3 and -1 one row.
    rows = statuses([{"days_taken": days} for days in (-3, -1, 0, 7, 20, 21, 30, 45)]).astype(
        {"days_taken": "Int64"}
    )

    table = views.days_taken_counts(rows, limit=7, early_is_met=True)

    assert list(table["days_taken"]) == ["before due", "0", "7", "20", "21 or more"]
    assert list(table["records"]) == [2, 1, 1, 1, 3]
    assert list(table["timescale"]) == ["early (met)", "within", "within", "over", "over"]


# --- the cases behind a figure -------------------------------------------------------------------------


def cases() -> pd.DataFrame:
    due_soon_day = pd.Timestamp(AS_AT) + pd.Timedelta(days=views.DUE_SOON_DAYS)
    return pd.DataFrame(
        {
            "case_ref": ["MET", "LATER", "SOON", "LATE", "OPEN"],
            "status": ["met", "pending", "pending", "missed", "missed"],
            "due_date": [
                pd.Timestamp("2021-01-10"),
                due_soon_day + pd.Timedelta(days=1),
                due_soon_day,
                pd.Timestamp("2021-02-01"),
                pd.Timestamp("2021-02-20"),
            ],
            "to_date": [pd.Timestamp("2021-01-09"), pd.NaT, pd.NaT, pd.Timestamp("2021-02-03"), pd.NaT],
        }
    )


def test_due_exactly_as_at_plus_due_soon_days_is_due_soon_and_a_day_later_is_not() -> None:
    ordered = views.order_cases(cases(), AS_AT).set_index("case_ref")
    assert ordered.loc["SOON", "attention"] == "due soon"
    assert ordered.loc["LATER", "attention"] == ""


def test_cases_needing_attention_come_first() -> None:
    ordered = views.order_cases(cases(), AS_AT)
    # Overdue (missed, still open), due soon, missed (done late), then pending before met.
    assert list(ordered["case_ref"]) == ["OPEN", "SOON", "LATE", "LATER", "MET"]
    assert list(ordered["attention"]) == ["overdue", "due soon", "missed", "", ""]


def test_cases_behind_a_figure_counts_them_all_and_lists_the_first_few() -> None:
    rows = statuses(
        [
            {"case_ref": "A", "status": "missed", "quarter": "2020-21 Q1"},
            {"case_ref": "B", "status": "missed", "quarter": "2020-21 Q2"},
            {"case_ref": "C", "status": "missed", "quarter": "2020-21 Q2"},
            {"case_ref": "D", "status": "met", "quarter": "2020-21 Q2"},
        ],
        due_date=pd.Timestamp("2020-08-01"),
        to_date=pd.NaT,
    ).astype({"status": "category"})

    total, shown = views.cases_behind(rows, "2020-21 Q2", "missed", AS_AT, limit=1)

    assert total == 2
    assert list(shown["case_ref"]) == ["B"]
    assert shown["status"].dtype == object  # tables and files get plain values, not categories
    assert views.cases_behind(rows, None, None, AS_AT, limit=10)[0] == 4


def audit_statuses() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": "audit_good",
            "case_ref": ["GOOD", "WEAK", "ADEQUATE"],
            "team": "North",
            "worker": "Ann",
            "order_type": None,
            "from_date": pd.to_datetime(["2021-01-05", "2021-01-06", "2021-01-04"]),
            "to_date": pd.NaT,
            "due_date": pd.NaT,
            "status": ["met", "missed", "missed"],
            "days_taken": pd.array([pd.NA] * 3, dtype="Int64"),
            "quarter": "2020-21 Q4",
            "grade": pd.array([5, 2, 3], dtype="Int64"),
        }
    )


def test_an_audit_case_list_shows_the_grade_and_calls_a_low_grade_below_good_not_overdue() -> None:
    total, shown = views.cases_behind(audit_statuses(), None, None, AS_AT, limit=10, measure_id="audit_good")

    assert total == 3
    assert list(shown.columns) == ["case_ref", "team", "worker", "from_date", "grade", "status", "attention"]
    # Below good first (by case ref), then the rest; grade 2 Weak and 3 Adequate are below Good (4).
    assert list(shown["case_ref"]) == ["ADEQUATE", "WEAK", "GOOD"]
    assert list(shown["grade"]) == [3, 2, 5]
    assert list(shown["attention"]) == ["below good", "below good", ""]


def test_a_review_proportion_case_list_says_not_evidenced_and_has_no_due_date_columns() -> None:
    rows = audit_statuses().assign(measure="review_needs_tool", order_type="CPO")
    _, shown = views.cases_behind(rows, None, "missed", AS_AT, limit=10, measure_id="review_needs_tool")

    assert list(shown.columns) == [
        "case_ref",
        "team",
        "worker",
        "order_type",
        "from_date",
        "status",
        "attention",
    ]
    assert set(shown["attention"]) == {"not evidenced"}


# --- the overview's headline ---------------------------------------------------------------------------


def headline_quarterly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": ["first_contact", "first_contact", "induction"],
            "quarter": ["2020-21 Q3", "2020-21 Q4", "2020-21 Q4"],
            "quarter_start": pd.to_datetime(["2020-10-01", "2021-01-01", "2021-01-01"]),
            "met": [8, 9, 1],
            "missed": [2, 1, 1],
            "pending": [0, 0, 3],
            "rate": [80.0, 90.0, 50.0],
            "target": [90.0, 90.0, 90.0],
            "rag": ["red", "green", "red"],
        }
    )


@pytest.mark.parametrize(
    ("as_at", "expected"),
    [
        (date(2021, 3, 31), ("2020-21 Q3", True)),  # Q4 ends 31 March: not complete on that day
        (date(2021, 4, 1), ("2020-21 Q4", True)),
        (date(2020, 10, 15), ("2020-21 Q3", False)),  # nothing ended yet: the quarter in progress
        (date(2020, 9, 30), (None, False)),  # nothing had started
    ],
)
def test_headline_quarter_is_the_last_complete_one(as_at: date, expected: tuple[str | None, bool]) -> None:
    assert views.headline_quarter(headline_quarterly(), as_at) == expected


def test_headline_quarter_of_no_records_is_none() -> None:
    assert views.headline_quarter(headline_quarterly().iloc[0:0], AS_AT) == (None, False)


def test_headline_rows_give_the_change_since_the_previous_quarter() -> None:
    rows = views.headline_rows(headline_quarterly(), "2020-21 Q4", ["first_contact", "induction", "cmp"])

    assert rows.loc["first_contact", "previous_rate"] == 80.0
    assert rows.loc["first_contact", "change"] == 10.0
    assert pd.isna(rows.loc["induction", "change"])  # no rate the quarter before

    table = views.headline_table(rows, "2020-21 Q4")
    assert list(table["Measure"]) == ["First contact", "Induction", "Case management plan completed"]
    assert list(table["Met"]) == [9, 1, 0]  # a measure with no records counts 0
    assert list(table["RAG"]) == ["● Green: on target", "■ Red: below target", "○ No rate"]


def test_rate_histories_are_each_measures_last_quarters_rates_rounded_halves_up() -> None:
    quarters = ["2020-21 Q1", "2020-21 Q2", "2020-21 Q3", "2020-21 Q4"]
    starts = pd.to_datetime(["2020-04-01", "2020-07-01", "2020-10-01", "2021-01-01"])
    quarterly = pd.DataFrame(
        {
            "measure": ["induction"] * 4 + ["first_contact"] * 4,
            "quarter": quarters * 2,
            "quarter_start": list(starts) * 2,
            "rate": [10.0, 20.0, 30.0, 40.0, 50.0, 83.25, float("nan"), 90.0],
        }
    ).iloc[[7, 0, 5, 1, 4, 2, 6, 3]]  # in no particular order: the trend still runs oldest first

    ids = ["first_contact", "induction", "cmp"]
    assert views.rate_histories(quarterly, "2020-21 Q3", ids, 2) == {
        "first_contact": [83.3],  # Q2 and Q3, Q3 without a rate
        "induction": [20.0, 30.0],
        "cmp": [],  # no quarters: no trend
    }
    assert views.rate_histories(quarterly, "2020-21 Q4", ids, 4)["first_contact"] == [50.0, 83.3, 90.0]


# --- audit grades --------------------------------------------------------------------------------------


def test_grades_by_quarter_count_each_grade_best_first() -> None:
    rows = statuses(
        [
            {"grade": 4, "quarter": "2020-21 Q1"},
            {"grade": 4, "quarter": "2020-21 Q1"},
            {"grade": 2, "quarter": "2020-21 Q1"},
            {"grade": 6, "quarter": "2020-21 Q2"},
            {"grade": None, "quarter": "2020-21 Q2"},
        ],
        measure="audit_good",
    ).astype({"grade": "Int64"})

    table = views.grades_by_quarter(rows)

    assert list(table.columns) == ["Quarter", *views.GRADE_COLUMNS, "Audits"]
    assert views.GRADE_COLUMNS[0].startswith("6 ") and views.GRADE_COLUMNS[-1].startswith("1 ")
    by_quarter = table.set_index("Quarter")
    assert by_quarter.loc["2020-21 Q1", "Audits"] == 3
    assert by_quarter.loc["2020-21 Q1", views.GRADE_COLUMNS[2]] == 2  # grade 4
    assert by_quarter.loc["2020-21 Q2", "Audits"] == 1  # an ungraded audit is not counted


# --- data quality -------------------------------------------------------------------------------------


def test_review_on_time_cannot_be_invalid_every_other_timescale_can() -> None:
    assert "review_on_time" not in CAN_BE_INVALID
    assert CAN_BE_INVALID == ("first_contact", "induction", "upw_start", "lscmi", "cmp", "review_recorded")


def test_invalid_records_are_listed_by_measure_then_date_and_counted_for_every_measure() -> None:
    rows = statuses(
        [
            {"case_ref": "B", "measure": "lscmi", "from_date": pd.Timestamp("2020-05-02")},
            {"case_ref": "A", "measure": "lscmi", "from_date": pd.Timestamp("2020-05-01")},
            {"case_ref": "C", "measure": "first_contact", "from_date": pd.Timestamp("2020-06-01")},
            {"case_ref": "D", "measure": "lscmi", "status": "met", "from_date": pd.Timestamp("2020-04-01")},
        ],
        status="invalid",
        worker=None,
        to_date=pd.Timestamp("2020-03-01"),
        due_date=pd.Timestamp("2020-07-01"),
    )
    invalid = views.invalid_records(rows)
    assert list(invalid["case_ref"]) == ["C", "A", "B"]
    assert list(invalid["measure"]) == ["First contact", *["LS/CMI assessment completed"] * 2]

    counts = dict(views.invalid_counts(invalid).itertuples(index=False))
    assert counts["LS/CMI assessment completed"] == 2
    assert counts["Induction"] == 0
    assert len(counts) == len(CAN_BE_INVALID)


def test_exclusions_are_counted_per_reason_and_measure_most_common_first() -> None:
    orders = frame(
        "orders",
        [
            {"case_ref": "A", "exclusion_reason": "Transferred in"},
            {"case_ref": "B", "exclusion_reason": " Deceased "},
            {"case_ref": "C", "exclusion_reason": "Transferred in"},
        ],
    )
    rows = statuses(
        [
            {"measure": "first_contact", "record_id": 1},
            {"measure": "induction", "record_id": 1},
            {"measure": "first_contact", "record_id": 2},
            {"measure": "first_contact", "record_id": 3},
            {"measure": "induction", "record_id": 3, "status": "met"},
        ],
        status="excluded",
    )

    table = views.exclusions_by_reason(rows, {"orders": orders})

    assert list(table.columns) == ["Exclusion reason", "Total", "First contact", "Induction"]
    assert table.values.tolist() == [["Transferred in", 3, 2, 1], ["Deceased", 1, 1, 0]]


def test_no_exclusions_give_an_empty_table() -> None:
    table = views.exclusions_by_reason(statuses([{"record_id": 1}]), {"orders": frame("orders", [{}])})
    assert table.empty


def test_gaps_count_blank_names_and_reviews_past_due_but_not_one_due_on_the_as_at_date() -> None:
    frames = {
        "orders": frame(
            "orders",
            [
                {
                    "case_ref": "O1",
                    "order_date": "2020-05-01",
                    "team": "  ",
                    "worker": "Ann",
                    "requirements": "UPW",
                },
                {"case_ref": "O2", "order_date": "2020-04-01", "team": None, "worker": None},
                {
                    "case_ref": "O3",
                    "order_date": "2020-04-02",
                    "team": "Alpha",
                    "worker": "Bob",
                    "requirements": "UPW",
                },
            ],
        ),
        "reviews": frame(
            "reviews",
            [
                {"case_ref": "R1", "review_due": "2021-02-28"},  # past due, nothing held
                {"case_ref": "R2", "review_due": "2021-03-01"},  # due on the as-at date: not yet past
                {"case_ref": "R3", "review_due": "2021-02-01", "review_held": "2021-02-01"},
                {"case_ref": "R4", "review_due": "2021-02-01", "exclusion_reason": "Custody"},
            ],
        ),
    }
    found = views.gap_cases(frames, Filters(None, None, (), (), (), AS_AT))

    assert list(found) == list(views.GAP_WHY)
    assert list(found["Orders with no team"]["Case ref"]) == ["O2", "O1"]  # oldest first
    assert list(found["Orders with no worker"]["Case ref"]) == ["O2"]
    assert list(found["Orders with no requirements"]["Case ref"]) == ["O2"]
    assert list(found["Reviews past due with no review held"]["Case ref"]) == ["R1"]


def test_the_data_quality_page_reads_every_column_the_gaps_use() -> None:
    """The page reads only GAP_READS of each dataset: the gaps it lists must be those of whole records."""
    frames = demo_frames()
    orders = frames["orders"].copy()
    orders.loc[orders.index[::7], "team"] = None
    orders.loc[orders.index[::5], "requirements"] = None
    frames["orders"] = orders
    gap = orders[orders["requirements"].isna() & orders["team"].notna()].iloc[0]
    team, order_type = str(gap["team"]), str(gap["order_type"])
    filters = Filters("2019-20 Q2", "2020-21 Q3", (team,), (), (order_type,), date(2021, 3, 31))
    for chosen in (filters, filters._replace(teams=(), order_types=())):
        whole = views.gap_cases(frames, chosen)
        read = views.gap_cases(
            {name: frames[name][list(views.GAP_READS[name])] for name in views.GAP_READS}, chosen
        )
        assert sum(len(cases) for cases in whole.values()) > 0
        for title, cases in whole.items():
            pd.testing.assert_frame_equal(read[title], cases)


@pytest.mark.parametrize(
    ("as_at", "partial"),
    [
        (date(2021, 3, 30), [False, True, True]),
        (date(2021, 3, 31), [False, True, True]),  # a record due on the last day can still be pending
        (date(2021, 4, 1), [False, False, False]),
    ],
)
def test_a_quarter_is_partial_until_the_day_after_its_last(as_at: date, partial: list[bool]) -> None:
    marked = views.with_partial(headline_quarterly().assign(excluded=0, invalid=0), as_at)
    assert marked["partial"].tolist() == partial
    shown = views.quarterly_figures(marked)["Quarter"].tolist()
    assert shown == ["2020-21 Q3", *(["2020-21 Q4 (partial)"] * 2 if partial[1] else ["2020-21 Q4"] * 2)]


def test_the_grades_table_marks_an_unfinished_quarter() -> None:
    audits = pd.DataFrame(
        {
            "grade": pd.array([4, 2, 5], dtype="Int64"),
            "quarter": ["2020-21 Q3", "2020-21 Q4", "2020-21 Q4"],
            "quarter_start": pd.to_datetime(["2020-10-01", "2021-01-01", "2021-01-01"]),
        }
    )
    table = views.grades_by_quarter(audits, date(2021, 2, 15))
    assert table[["Quarter", "Audits"]].values.tolist() == [["2020-21 Q3", 1], ["2020-21 Q4 (partial)", 2]]
    assert views.grades_by_quarter(audits)["Quarter"].tolist() == ["2020-21 Q3", "2020-21 Q4"]
