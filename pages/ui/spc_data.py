"""Cached SPC figures for the pages (measures.spc), on top of the record statuses pages.ui.data keeps.

The one pass over the millions of status rows is `monthly_counts_for` (per filters); everything after it
works on a few hundred counts, so a period or chart switch costs next to nothing. Keys are (store URL,
data version, filters, ...) as everywhere: a settings change (a rebase, a benchmark, a rule length)
changes the data version, so every chart follows at once.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from measures import spc
from measures.counts import monthly_in_filters
from measures.filters import Filters
from measures.settings import Benchmark
from pages.ui import data

TEAM = "team"


@st.cache_data(show_spinner=False, max_entries=16)
def monthly_counts_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """Met and missed per measure, month and team of the records the filters keep (one pass: the series
    sum the teams, the team funnel sums the months), from the statuses counted per group where there are
    such counts (a sum, not a pass over the rows)."""
    counts = data.status_counts_for(url, version, filters.as_at)
    if counts is not None:
        return monthly_in_filters(counts, filters)
    statuses = data.statuses_for(url, version, filters.as_at)
    by = TEAM if TEAM in statuses.columns else None
    return spc.monthly_counts(statuses, data.kept_rows(url, version, filters), by=by)


@st.cache_data(show_spinner=False, max_entries=32)
def period_counts_for(url: str, version: str, filters: Filters, period: str) -> pd.DataFrame:
    """Every measure's complete months or quarters with a denominator (SPEC 7.1)."""
    return spc.period_counts(monthly_counts_for(url, version, filters), period, filters.as_at)


@st.cache_data(show_spinner=False, max_entries=32)
def charts_for(url: str, version: str, filters: Filters, period: str) -> dict[str, spc.SpcChart]:
    """The XmR or run chart of every measure, with its variation and assurance."""
    counts = period_counts_for(url, version, filters, period)
    return spc.spc_for_measures(counts, data.settings_for(url, version), period)


@st.cache_data(show_spinner=False, max_entries=32)
def p_chart_for(url: str, version: str, filters: Filters, period: str, measure_id: str) -> spc.SpcChart:
    """One measure's p-chart view of the same points."""
    counts = period_counts_for(url, version, filters, period)
    settings = data.settings_for(url, version)
    return spc.p_chart(
        counts[counts["measure"] == measure_id],
        measure=measure_id,
        period=period,
        targets=settings.targets.get(measure_id, []),
        rebases=settings.rebases.get(measure_id, []),
        rules=settings.spc,
    )


def benchmarks_of(url: str, version: str, measure_id: str) -> list[Benchmark]:
    """The national figures of one measure from the settings' benchmark table."""
    return [b for b in data.settings_for(url, version).benchmarks if b.measure == measure_id]


@st.cache_data(show_spinner=False, max_entries=32)
def benchmark_lines_for(
    url: str, version: str, filters: Filters, period: str, measure_id: str
) -> pd.DataFrame:
    """The national figures in force at each of the measure's points (for the chart's benchmark line)."""
    chart = charts_for(url, version, filters, period)[measure_id]
    starts = chart.points["period_start"].to_numpy()
    return spc.benchmark_lines(starts, benchmarks_of(url, version, measure_id))


@st.cache_data(show_spinner=False, max_entries=32)
def summary_for(url: str, version: str, filters: Filters, period: str) -> pd.DataFrame:
    """Every measure's chart, last point, icons and national comparison (measures.spc.spc_summary)."""
    counts = period_counts_for(url, version, filters, period)
    texts = spc.benchmark_comparisons(counts, data.settings_for(url, version), filters.as_at)
    return spc.spc_summary(charts_for(url, version, filters, period), texts)


@st.cache_data(show_spinner=False, max_entries=64)
def funnel_for(url: str, version: str, filters: Filters, measure_id: str, by: str) -> spc.Funnel:
    """Each group's rate against its denominator over the filtered records, as the breakdown counts them
    (teams from the monthly counts already made; any other grouping from the measure's statuses)."""
    monthly = monthly_counts_for(url, version, filters)
    if by == TEAM and "group" in monthly.columns:
        groups = spc.group_totals(monthly[monthly["measure"] == measure_id])
    else:
        groups = spc.group_counts(data.measure_statuses(url, version, filters, measure_id), by)
    return spc.funnel(groups[groups["measure"] == measure_id])
