"""The shared filters: which status rows and which raw records a quarter range and names keep.

Every expectation is worked by hand from SPEC 3.4: 2020-21 Q1 is April-June 2020, Q2 July-September.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from measures import default_settings, record_statuses
from measures.filters import (
    Filters,
    dataset_in_filters,
    describe_filters,
    filter_options,
    filters_document,
    status_mask,
)

from .frames import audits, frame, orders

AS_AT = date(2021, 4, 30)


def filters(
    from_quarter: str | None = None,
    to_quarter: str | None = None,
    *,
    teams: tuple[str, ...] = (),
    workers: tuple[str, ...] = (),
    order_types: tuple[str, ...] = (),
) -> Filters:
    return Filters(from_quarter, to_quarter, teams, workers, order_types, AS_AT)


def statuses(*rows: dict[str, object]) -> pd.DataFrame:
    """Status rows with the columns the filters read; quarter_start as record_statuses gives it."""
    defaults = {"measure": "first_contact", "team": None, "worker": None, "order_type": None}
    table = pd.DataFrame([{**defaults, **row} for row in rows])
    return table.assign(quarter_start=pd.to_datetime(table["quarter_start"]))


# --- the quarter range ---------------------------------------------------------------------------------


def test_a_status_in_the_to_quarter_is_kept_and_one_in_the_next_quarter_is_not() -> None:
    rows = statuses(
        {"quarter_start": "2020-04-01"},  # 2020-21 Q1
        {"quarter_start": "2020-07-01"},  # 2020-21 Q2: the "to" quarter
        {"quarter_start": "2020-10-01"},  # 2020-21 Q3: the quarter after
    )
    assert status_mask(rows, filters(to_quarter="2020-21 Q2")).tolist() == [True, True, False]


def test_a_status_in_the_from_quarter_is_kept_and_one_in_the_quarter_before_is_not() -> None:
    rows = statuses(
        {"quarter_start": "2020-01-01"},  # 2019-20 Q4: the quarter before
        {"quarter_start": "2020-04-01"},  # 2020-21 Q1: the "from" quarter
        {"quarter_start": "2020-07-01"},
    )
    assert status_mask(rows, filters(from_quarter="2020-21 Q1")).tolist() == [False, True, True]


def test_a_one_quarter_range_keeps_that_quarter_only_and_no_blank_quarter() -> None:
    rows = statuses(
        {"quarter_start": "2020-01-01"},
        {"quarter_start": "2020-04-01"},
        {"quarter_start": "2020-07-01"},
        {"quarter_start": None},
    )
    kept = status_mask(rows, filters("2020-21 Q1", "2020-21 Q1"))
    assert kept.tolist() == [False, True, False, False]


def test_no_filter_keeps_every_row() -> None:
    rows = statuses({"quarter_start": "2020-04-01"}, {"quarter_start": None})
    assert status_mask(rows, filters()).tolist() == [True, True]


def test_a_dataset_is_cut_on_its_own_date_first_and_last_day_included() -> None:
    kept_dates = ["2020-04-01", "2020-09-30"]
    dropped_dates = ["2020-03-31", "2020-10-01", None]
    records = frame(
        "orders", [{"case_ref": str(day), "order_date": day} for day in kept_dates + dropped_dates]
    )

    kept = dataset_in_filters(records, "orders", filters("2020-21 Q1", "2020-21 Q2"))

    assert list(kept["case_ref"]) == kept_dates


def test_a_record_counts_in_the_quarter_of_its_due_date_but_a_dataset_in_that_of_its_own_date() -> None:
    # Ordered Tuesday 30 June 2020 (2020-21 Q1); first contact is due one working day on, Wednesday
    # 1 July, so the first_contact figure counts it in 2020-21 Q2. The orders export uses the order date.
    frames = orders({"order_date": "2020-06-30", "first_contact": "2020-07-01"})
    first_contact = record_statuses(frames, default_settings(), AS_AT)
    first_contact = first_contact[first_contact["measure"] == "first_contact"]
    q1 = filters("2020-21 Q1", "2020-21 Q1")
    q2 = filters("2020-21 Q2", "2020-21 Q2")

    assert status_mask(first_contact, q1).tolist() == [False]
    assert status_mask(first_contact, q2).tolist() == [True]
    assert len(dataset_in_filters(frames["orders"], "orders", q1)) == 1
    assert len(dataset_in_filters(frames["orders"], "orders", q2)) == 0


# --- names -------------------------------------------------------------------------------------------


def test_team_and_worker_filters_keep_only_the_chosen_names() -> None:
    rows = statuses(
        {"quarter_start": "2020-04-01", "team": "Alpha", "worker": "Ann"},
        {"quarter_start": "2020-04-01", "team": "Alpha", "worker": "Bob"},
        {"quarter_start": "2020-04-01", "team": "Beta", "worker": "Ann"},
        {"quarter_start": "2020-04-01", "team": None, "worker": None},
    )
    assert status_mask(rows, filters(teams=("Alpha",))).tolist() == [True, True, False, False]
    assert status_mask(rows, filters(teams=("Alpha",), workers=("Ann",))).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_the_order_type_filter_leaves_audits_alone() -> None:
    rows = statuses(
        {"quarter_start": "2020-04-01", "order_type": "CPO"},
        {"quarter_start": "2020-04-01", "order_type": "DTTO"},
        {"quarter_start": "2020-04-01", "measure": "audit_good", "order_type": None},
    )
    assert status_mask(rows, filters(order_types=("CPO",))).tolist() == [True, False, True]
    audit_records = audits({"audit_date": "2020-05-01", "grade": 4})["audits"]
    assert len(dataset_in_filters(audit_records, "audits", filters(order_types=("CPO",)))) == 1


# --- choices and the record of an export --------------------------------------------------------------


def test_filter_options_list_every_quarter_between_the_first_and_last_and_the_names_in_use() -> None:
    rows = statuses(
        {"quarter_start": "2020-07-01", "team": "Beta", "worker": "Ann", "order_type": "CPO"},
        {"quarter_start": "2019-10-01", "team": "Alpha", "worker": None, "order_type": "CPO"},
        {"quarter_start": None, "team": None, "worker": "Bob", "order_type": None},
    )
    options = filter_options(rows)
    assert options.quarters == ["2019-20 Q3", "2019-20 Q4", "2020-21 Q1", "2020-21 Q2"]
    assert (options.teams, options.workers, options.order_types) == (
        ["Alpha", "Beta"],
        ["Ann", "Bob"],
        ["CPO"],
    )


def test_filter_options_of_no_records_offer_no_quarter() -> None:
    empty = statuses({"quarter_start": None}).iloc[0:0]
    assert filter_options(empty).quarters == []


def test_the_filters_document_names_measures_only_when_some_but_not_all_were_chosen() -> None:
    chosen = filters("2020-21 Q1", "2020-21 Q4", teams=("Alpha",))
    document = filters_document(chosen, ("lscmi", "cmp"))
    assert document == {
        "from": "2020-21 Q1",
        "to": "2020-21 Q4",
        "team": ["Alpha"],
        "worker": [],
        "order_type": [],
        "measures": ["lscmi", "cmp"],
        "as_at": "2021-04-30",
    }
    assert "measures" not in filters_document(chosen, ("lscmi",))
    assert "measures" not in filters_document(chosen)


def test_the_filters_line_names_every_filter_and_says_all_where_none_is_chosen() -> None:
    assert describe_filters(filters("2019-20 Q1", "2020-21 Q4")) == (
        "Filters: 2019-20 Q1 to 2020-21 Q4; all teams; all workers; all order types; as at 30/04/2021"
    )


def test_the_filters_line_lists_chosen_names_singular_or_plural() -> None:
    chosen = filters("2020-21 Q3", "2020-21 Q3", teams=("North", "South"), order_types=("CPO",))
    assert describe_filters(chosen) == (
        "Filters: 2020-21 Q3; teams North, South; all workers; order type CPO; as at 30/04/2021"
    )


def test_the_filters_line_leaves_out_the_quarter_range_where_it_does_not_apply() -> None:
    line = describe_filters(filters("2019-20 Q1", "2020-21 Q4", workers=("Ann",)), quarter_range=False)
    assert line == "Filters: all teams; worker Ann; all order types; as at 30/04/2021"
