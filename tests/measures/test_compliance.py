"""Quarterly counts, rates, targets in force and RAG (SPEC 3.2, 3.5, 6)."""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from measures import (
    COMPLIANCE_COLUMNS,
    MEASURE_IDS,
    Target,
    default_settings,
    quarterly_compliance,
    rag_for,
    rate_text,
    record_statuses,
    round_rates,
    targets_in_force,
)
from tests.measures.frames import audits, orders, reviews

AS_AT = date(2020, 12, 31)


def first_contact_orders() -> dict[str, pd.DataFrame]:
    """Q2 2020-21: 3 met, 1 missed, 1 excluded, 1 invalid. Q4: 1 pending (as at 31 Dec 2020).

    The last order, Thu 31 Dec 2020, is due Tue 5 Jan 2021 (1 Jan, and 2 Jan observed on Mon 4 Jan).
    """
    return orders(
        {"order_date": "2020-07-06", "first_contact": "2020-07-06"},
        {"order_date": "2020-07-06", "first_contact": "2020-07-07"},
        {"order_date": "2020-08-03", "first_contact": "2020-08-04"},  # Mon 3 Aug is a Scottish bank holiday
        {"order_date": "2020-07-06", "first_contact": "2020-07-08"},
        {"order_date": "2020-07-06", "first_contact": "2020-07-08", "exclusion_reason": "Warrant"},
        {"order_date": "2020-07-06", "first_contact": "2020-07-03"},
        {"order_date": "2020-12-31"},
    )


def row(table: pd.DataFrame, measure: str, quarter: str) -> pd.Series:
    rows = table[(table["measure"] == measure) & (table["quarter"] == quarter)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_counts_and_rate_per_quarter() -> None:
    settings = default_settings()
    table = quarterly_compliance(record_statuses(first_contact_orders(), settings, AS_AT), settings)
    assert list(table.columns) == list(COMPLIANCE_COLUMNS)
    q2 = row(table, "first_contact", "2020-21 Q2")
    counts = q2[["met", "missed", "pending", "excluded", "invalid"]].tolist()
    assert counts == [3, 1, 0, 1, 1]
    assert q2["rate"] == pytest.approx(75.0)
    assert (q2["target"], q2["amber_margin"], q2["rag"]) == (90.0, 5.0, "red")
    assert row(table, "first_contact", "2020-21 Q4")["pending"] == 1


def test_a_quarter_with_only_pending_records_has_no_rate_and_is_grey() -> None:
    settings = default_settings()
    # Thu 31 Dec 2020 + 1 working day: Fri 1 Jan and Mon 4 Jan are holidays (2 Jan observed) -> Tue 5 Jan.
    frames = orders({"order_date": "2020-12-31"})
    statuses = record_statuses(frames, settings, AS_AT)
    assert statuses.loc[statuses["measure"] == "first_contact", "due_date"].tolist() == [
        pd.Timestamp("2021-01-05")
    ]
    table = quarterly_compliance(statuses, settings)
    contact = row(table, "first_contact", "2020-21 Q4")
    assert (contact["pending"], contact["met"], contact["missed"]) == (1, 0, 0)
    assert math.isnan(contact["rate"]) and contact["rag"] == "grey"


def test_rows_are_ordered_by_measure_then_quarter() -> None:
    settings = default_settings()
    frames = {
        **orders({"order_date": "2020-12-01"}, {"order_date": "2020-05-01"}),
        **reviews({"review_due": "2020-05-01", "review_held": "2020-05-01", "participated": True}),
        **audits({"audit_date": "2019-05-01", "grade": 5}),
    }
    table = quarterly_compliance(record_statuses(frames, settings, AS_AT), settings)
    order = [MEASURE_IDS.index(measure) for measure in table["measure"]]
    assert order == sorted(order)
    first_contact = table[table["measure"] == "first_contact"]
    assert first_contact["quarter"].tolist() == ["2020-21 Q1", "2020-21 Q3"]
    assert table["measure"].iloc[-1] == "audit_good"
    assert row(table, "audit_good", "2019-20 Q1")[["met", "rate", "target", "rag"]].tolist() == [
        1,
        100.0,
        80.0,
        "green",
    ]


def test_a_target_changed_mid_year_judges_quarters_from_their_first_day() -> None:
    targets = [Target(date(2000, 1, 1), 70.0), Target(date(2020, 8, 15), 80.0, 10.0)]
    settings = default_settings()
    settings = dataclasses.replace(settings, targets={**settings.targets, "first_contact": targets})
    table = quarterly_compliance(record_statuses(first_contact_orders(), settings, AS_AT), settings)
    # Q2 starts 1 July, before the change on 15 August: judged by 70 -> 75% is green.
    q2 = row(table, "first_contact", "2020-21 Q2")
    assert (q2["target"], q2["amber_margin"], q2["rag"]) == (70.0, 5.0, "green")
    # Q4 starts 1 January 2021, after it: judged by 80 with a 10-point margin.
    q4 = row(table, "first_contact", "2020-21 Q4")
    assert (q4["target"], q4["amber_margin"]) == (80.0, 10.0)


def test_targets_in_force_on_each_quarters_first_day() -> None:
    targets = [Target(date(2020, 10, 1), 95.0, 3.0), Target(date(2019, 4, 1), 85.0)]
    starts = np.array(["2020-07-01", "2020-10-01", "2018-04-01"], dtype="datetime64[D]")
    percent, margin = targets_in_force(targets, starts)
    # 1 Oct is the new target's first day; a quarter before every target is judged by the earliest.
    assert percent.tolist() == [85.0, 95.0, 85.0]
    assert margin.tolist() == [5.0, 3.0, 5.0]
    percent, _ = targets_in_force([], starts)
    assert np.isnan(percent).all()


def test_a_rate_exactly_on_target_is_green() -> None:
    # 57 of 100: computed as 57 / 100 * 100 it would be 56.99999999999999, which is amber against 57.
    statuses = pd.DataFrame(
        {
            "measure": ["first_contact"] * 100,
            "status": ["met"] * 57 + ["missed"] * 43,
            "quarter_start": pd.Timestamp(2020, 4, 1),
        }
    )
    settings = default_settings()
    settings = dataclasses.replace(
        settings, targets={**settings.targets, "first_contact": [Target(date(2000, 1, 1), 57.0)]}
    )
    (only,) = quarterly_compliance(statuses, settings).to_dict("records")
    assert (only["rate"], only["rag"]) == (57.0, "green")


def test_rates_round_half_up_like_excel() -> None:
    # 333 of 400 is 83.25%: Excel's ROUND shows 83.3; round-half-even would show 83.2.
    assert rate_text(333 * 100.0 / 400) == "83.3"
    assert rate_text(float("nan")) == ""
    assert round_rates(pd.Series([83.25, 12.35, 100.0])).tolist() == [83.3, 12.4, 100.0]


def test_a_tile_and_a_table_show_every_rate_alike() -> None:
    """rate_text (tiles, the command line) and round_rates (tables, exports) give the same figure for
    every rate met * 100 / due with up to 400 due: halves included, no disagreement anywhere."""
    due = np.repeat(np.arange(1, 401), np.arange(2, 402))
    met = np.concatenate([np.arange(n + 1) for n in range(1, 401)])
    rates = met * 100.0 / due
    from_tables = [f"{rate:.1f}" for rate in round_rates(pd.Series(rates)).tolist()]
    assert [rate_text(rate) for rate in rates.tolist()] == from_tables


@pytest.mark.parametrize(
    ("rate", "target", "margin", "rag"),
    [
        (90.0, 90.0, 5.0, "green"),
        (100.0, 90.0, 5.0, "green"),
        (89.96, 90.0, 5.0, "amber"),  # shows as 90.0 but is below target: compared unrounded
        (85.0, 90.0, 5.0, "amber"),
        (84.99, 90.0, 5.0, "red"),
        (0.0, 0.0, 5.0, "green"),
        (float("nan"), 90.0, 5.0, "grey"),
        (None, 90.0, 5.0, "grey"),
        (95.0, None, 5.0, "grey"),
    ],
)
def test_rag_for(rate: float | None, target: float | None, margin: float, rag: str) -> None:
    assert rag_for(rate, target, margin) == rag


def test_filtered_and_empty_statuses() -> None:
    settings = default_settings()
    statuses = record_statuses(first_contact_orders(), settings, AS_AT)
    assert quarterly_compliance(statuses.iloc[0:0], settings).empty
    assert list(quarterly_compliance(statuses.iloc[0:0], settings).columns) == list(COMPLIANCE_COLUMNS)
    as_strings = statuses.astype({"measure": "object", "status": "object"})
    pd.testing.assert_frame_equal(
        quarterly_compliance(as_strings, settings), quarterly_compliance(statuses, settings)
    )
