"""Figures from statuses counted per group (measures.counts) are the figures a pass over the rows gives.

The overview's quarterly table and SPC series come from these counts after a filter change; a manager
must see exactly the numbers the rows give, whatever the quarter range, teams, workers and order types.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from loaders.demo import demo_frames
from measures import default_settings, quarterly_compliance, record_statuses
from measures.counts import monthly_in_filters, options_from_counts, quarterly_in_filters, status_counts
from measures.filters import Filters, filter_options, status_mask
from measures.spc import monthly_counts

AS_AT = date(2021, 2, 15)


@cache
def demo_statuses() -> pd.DataFrame:
    """The demo data's statuses, with a few records made blank in team, worker and order type."""
    frames = {name: frame.copy() for name, frame in demo_frames().items()}
    frames["orders"].loc[frames["orders"].index[:40], "team"] = None
    frames["reviews"].loc[frames["reviews"].index[:40], "worker"] = None
    frames["orders"].loc[frames["orders"].index[40:80], "order_type"] = None
    for frame in frames.values():
        frame["record_id"] = range(1, len(frame) + 1)
    return record_statuses(frames, default_settings(), AS_AT)


def filter_cases() -> list[Filters]:
    statuses = demo_statuses()
    teams = [str(name) for name in statuses["team"].cat.categories]
    workers = [str(name) for name in statuses["worker"].cat.categories]
    types = [str(name) for name in statuses["order_type"].cat.categories]
    return [
        Filters(None, None, (), (), (), AS_AT),
        Filters("2019-20 Q3", "2020-21 Q2", (), (), (), AS_AT),
        Filters(None, "2019-20 Q1", (), (), (), AS_AT),
        Filters(None, None, (teams[0],), (), (), AS_AT),
        Filters("2020-21 Q1", None, tuple(teams[1:3]), (), (), AS_AT),
        Filters(None, None, (), (workers[2], workers[5]), (), AS_AT),
        Filters(None, None, (), (), (types[0],), AS_AT),  # audits stay: they have no order type
        Filters("2019-20 Q4", "2020-21 Q3", (teams[1],), (workers[4],), tuple(types[:2]), AS_AT),
        Filters(None, None, ("No Such Team",), (), (), AS_AT),  # nothing kept
    ]


@pytest.mark.parametrize("filters", filter_cases(), ids=lambda filters: repr(filters[:5]))
def test_quarterly_figures_from_counts_equal_those_from_the_rows(filters: Filters) -> None:
    statuses = demo_statuses()
    counts = status_counts(statuses)
    assert counts is not None
    settings = default_settings()
    expected = quarterly_compliance(statuses[status_mask(statuses, filters)], settings)
    assert_frame_equal(quarterly_in_filters(counts, filters, settings), expected)


@pytest.mark.parametrize("filters", filter_cases(), ids=lambda filters: repr(filters[:5]))
def test_monthly_team_counts_from_counts_equal_those_from_the_rows(filters: Filters) -> None:
    statuses = demo_statuses()
    counts = status_counts(statuses)
    assert counts is not None
    expected = monthly_counts(statuses, status_mask(statuses, filters), by="team")
    assert_frame_equal(monthly_in_filters(counts, filters), expected)


def test_counts_are_refused_where_a_quarter_start_is_not_the_first_day_of_a_quarter() -> None:
    statuses = demo_statuses().copy()
    statuses["quarter_start"] = statuses["quarter_start"] + pd.Timedelta(days=1)
    assert status_counts(statuses) is None


def test_counts_are_refused_where_a_record_counts_outside_its_quarter() -> None:
    statuses = demo_statuses().copy()
    statuses["due_date"] = statuses["due_date"] + pd.Timedelta(days=200)
    assert status_counts(statuses) is None


def test_counts_are_refused_without_categorical_groups() -> None:
    statuses = demo_statuses().astype({"team": object})
    assert status_counts(statuses) is None


def test_a_grouping_column_blank_throughout_is_counted_as_blank() -> None:
    statuses = demo_statuses().copy()
    statuses["order_type"] = pd.Categorical([None] * len(statuses), categories=pd.Index([], dtype=object))
    counts = status_counts(statuses)
    assert counts is not None
    settings = default_settings()
    for filters in (Filters(None, None, (), (), (), AS_AT), Filters(None, None, (), (), ("CPO",), AS_AT)):
        expected = quarterly_compliance(statuses[status_mask(statuses, filters)], settings)
        assert_frame_equal(quarterly_in_filters(counts, filters, settings), expected)


def test_filter_choices_from_counts_are_those_the_rows_give() -> None:
    """Every quarter from the first to the last and only the names some record uses, in the same order;
    a name whose records all went (an unused category) is not offered."""
    statuses = demo_statuses()
    assert options_from_counts(status_counts(statuses)) == filter_options(statuses)
    later = statuses[statuses["quarter_start"] >= pd.Timestamp("2020-01-01")].reset_index(drop=True)
    first_team = later["team"].cat.categories[0]
    later = later[later["team"] != first_team].reset_index(drop=True)
    options = options_from_counts(status_counts(later))
    assert options == filter_options(later)
    assert first_team not in options.teams and options.quarters[0] == "2019-20 Q4"
