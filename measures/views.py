"""The figures behind each view of the dashboard, from statuses and frames: pure pandas, no Streamlit.

Every rule a page shows lives here once, so a test can check it without a browser: the breakdown by
team or worker (the compliance rate and RAG of measures.compliance and measures.targets), days taken,
which cases need attention first, the overview's headline quarter, audit grades, and the data quality
lists (invalid records, exclusions, gaps). Functions take frames (already filtered by
measures.filters), never store URLs, so callers cache them on whatever key they like.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from loaders.schema import GRADE_WORDS, TEXT_DTYPE, frame_from_arrays
from measures.as_at import PARTIAL_WORD, quarter_is_partial
from measures.compliance import compliance_rate, round_rates
from measures.definitions import CAN_BE_INVALID, MEASURES, MEASURES_BY_ID
from measures.filters import DATASET_QUARTER_DATE, Filters, dataset_in_filters
from measures.settings import Rule
from measures.targets import RAG_VALUES, rag_array

COUNT_COLUMNS: tuple[str, ...] = ("met", "missed", "pending", "excluded", "invalid")
MEASURE_TITLES: dict[str, str] = {measure.id: measure.title for measure in MEASURES}

# --- RAG in words -------------------------------------------------------------------------------------

# The words every output uses; colour is never the only signal (charts add colour, tables a symbol).
RAG_WORDS: dict[str, str] = {"green": "Green", "amber": "Amber", "red": "Red", "grey": "No rate"}
RAG_SYMBOLS: dict[str, str] = {"green": "●", "amber": "▲", "red": "■", "grey": "○"}
RAG_MEANINGS: dict[str, str] = {"green": "on target", "amber": "near target", "red": "below target"}


def rag_label(rag: object, *, with_symbol: bool = True) -> str:
    """A RAG rating as tables show it, '● Green: on target'; anything else (a missing rating) is no rate."""
    key = str(rag) if str(rag) in RAG_VALUES else "grey"
    words = f"{RAG_WORDS[key]}: {RAG_MEANINGS[key]}" if key in RAG_MEANINGS else RAG_WORDS[key]
    return f"{RAG_SYMBOLS[key]} {words}" if with_symbol else words


def without_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with categorical columns as plain objects, for tables and files (categories aid caching)."""
    categorical = [column for column, dtype in frame.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)]
    return frame.astype(dict.fromkeys(categorical, "object"))


# --- quarterly figures and breakdowns -----------------------------------------------------------------


def with_partial(quarterly: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """`quarterly_compliance` rows with `partial`: True for a quarter not finished by the as-at date,
    which every chart and table then marks (measures.as_at.quarter_is_partial)."""
    return quarterly.assign(partial=quarter_is_partial(quarterly["quarter_start"], as_at))


def quarterly_figures(quarterly: pd.DataFrame) -> pd.DataFrame:
    """`quarterly_compliance` rows as pages and exports show them: titles, counts, rounded rate, RAG words.

    With a `partial` column (`with_partial`), an unfinished quarter reads "2020-21 Q4 (partial)".
    """
    quarters = quarterly["quarter"].astype(str)
    if "partial" in quarterly.columns:
        partial = quarterly["partial"].astype(bool)
        quarters = quarters.where(~partial, quarters + f" ({PARTIAL_WORD})")
    table = pd.DataFrame(
        {
            "Measure": quarterly["measure"].map(MEASURE_TITLES),
            "Quarter": quarters,
            **{column.capitalize(): quarterly[column].astype("int64") for column in COUNT_COLUMNS},
            "Rate %": round_rates(quarterly["rate"]),
            "Target %": quarterly["target"].astype("float64").round(1),
            "RAG": quarterly["rag"].map(rag_label),
        }
    )
    return table.reset_index(drop=True)


def quarterly_summary(quarterly: pd.DataFrame) -> pd.DataFrame:
    """The quarterly table the IJB sees (issue 8): measure, quarter (partial ones marked), met, missed,
    pending, excluded, invalid, rate, target and RAG in words, without the table symbols."""
    table = quarterly_figures(quarterly)
    table["RAG"] = quarterly["rag"].map(lambda rag: rag_label(rag, with_symbol=False)).to_numpy()
    return table


def summary_notes(filters: Filters, data_date: str | None) -> list[tuple[str, str]]:
    """What the quarterly summary file says above its table: the data's date and every filter, so the
    file read on its own is never misleading. `data_date` is e.g. "15/02/2021 (from the orders extract
    uploaded on 16/02/2021 09:12)"."""

    def chosen(names: tuple[str, ...]) -> str:
        return ", ".join(names) if names else "all"

    return [
        ("Quarterly summary", "Justice social work compliance against targets, per measure and quarter"),
        ("Data as at", data_date or "no upload states the date of its data"),
        ("Figures as at", f"{filters.as_at:%d/%m/%Y}"),
        ("Quarters", f"{filters.from_quarter or 'the first'} to {filters.to_quarter or 'the last'}"),
        ("Teams", chosen(filters.teams)),
        ("Workers", chosen(filters.workers)),
        ("Order types", chosen(filters.order_types)),
        ("Partial quarters", "marked (partial): not finished by the figures' date, so they can still move"),
    ]


def latest_complete_quarter(quarterly: pd.DataFrame, as_at: date) -> str | None:
    """The latest quarter with records that has finished by the as-at date (None when none has): where
    a drill-down opens."""
    quarter, complete = headline_quarter(quarterly, as_at)
    return quarter if complete else None


def latest_target(quarterly: pd.DataFrame) -> tuple[float, float]:
    """(target, amber margin) of one measure's latest quarter: what judges a breakdown over the range."""
    latest = quarterly.sort_values("quarter_start", kind="stable").iloc[-1]
    return float(latest["target"]), float(latest["amber_margin"])


def breakdown(statuses: pd.DataFrame, by: str, target: float, amber_margin: float) -> pd.DataFrame:
    """Counts per status, rate (rounded) and RAG (against `target`) per value of the column `by`.

    A blank value is its own group, "(blank)". The RAG is judged on the unrounded rate, as quarterly.
    """
    groups = statuses[by].astype("object").fillna("(blank)")
    counts = pd.crosstab(groups, statuses["status"].astype("object"))
    counts = counts.reindex(columns=list(COUNT_COLUMNS), fill_value=0)
    rate = compliance_rate(counts["met"].to_numpy(), counts["missed"].to_numpy())
    rag = rag_array(rate, np.full(len(rate), target), np.full(len(rate), amber_margin))
    table = counts.assign(
        rate=round_rates(pd.Series(rate, index=counts.index)),
        rag=pd.Series(rag, index=counts.index, dtype=TEXT_DTYPE),
    ).reset_index(names="group")
    # every group is named ("(blank)" included), so the cast has no blank to turn into NaN
    return table.astype({"group": TEXT_DTYPE}).sort_values("group", kind="stable").reset_index(drop=True)


# --- days taken ----------------------------------------------------------------------------------------

_DAYS_PER_UNIT: dict[str, int] = {"calendar_days": 1, "weeks": 7, "calendar_months": 30}


def rule_limit(rule: Rule) -> tuple[int, str]:
    """The timescale in the unit days_taken is counted in: working days, else calendar days (a month ~30)."""
    if rule.unit == "working_days":
        return rule.number, "working days"
    return rule.number * _DAYS_PER_UNIT[rule.unit], "calendar days"


def days_tail(limit: int) -> int:
    """Days from which the long tail is pooled into one "or more" bar and row, so a few outliers don't
    squash the histogram: 3 x the limit, at least the limit + 10."""
    return max(3 * limit, limit + 10)


def pooled_days(days: pd.Series, limit: int) -> pd.Series:
    """Days taken as the histogram and its table count them: every negative as -1 (before the start or
    the due date), everything from `days_tail` as the tail."""
    return days.clip(lower=-1, upper=days_tail(limit))


def days_labels(days: pd.Series, limit: int, early_is_met: bool) -> pd.Series:
    """Pooled days in words: '21 or more' for the tail, 'before due' / 'before start' for -1."""
    labels = days.astype("int64").astype(str).astype(object)
    labels[days == days_tail(limit)] = f"{days_tail(limit)} or more"
    labels[days == -1] = "before due" if early_is_met else "before start"
    return labels


def days_taken_counts(statuses: pd.DataFrame, limit: int, early_is_met: bool) -> pd.DataFrame:
    """Records per number of days taken (both dates known, excluded left out), each within or over `limit`,
    pooled exactly as the histogram draws them (`pooled_days`), with the same labels.

    A negative count is a "to" date before the "from" date: met where early is met, else invalid.
    """
    days = statuses.loc[statuses["status"] != "excluded", "days_taken"].dropna().astype("int64")
    counts = pooled_days(days, limit).value_counts().sort_index()
    taken = counts.index.to_numpy()
    early = "early (met)" if early_is_met else "invalid (before the start date)"
    timescale = np.select([taken < 0, taken <= limit], [early, "within"], default="over").astype(object)
    return frame_from_arrays(
        {
            "days_taken": days_labels(pd.Series(taken), limit, early_is_met).to_numpy(dtype=object),
            "records": counts.to_numpy(),
            "timescale": timescale,
        }
    )


# --- the cases behind a figure ------------------------------------------------------------------------

DUE_SOON_DAYS = 14  # a pending case due within this many days of the as-at date is "due soon"
STATUS_ORDER: tuple[str, ...] = ("missed", "pending", "met", "excluded", "invalid")
CASE_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "team",
    "worker",
    "order_type",
    "from_date",
    "due_date",
    "to_date",
    "status",
    "days_taken",
)


def order_cases(cases: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Cases needing action first: overdue (missed, still open), then due soon, then the rest.

    Adds an `attention` column in words, so the order never relies on colour. Due soon: pending and
    due on or before as-at + DUE_SOON_DAYS.
    """
    missed = cases["status"].eq("missed")
    overdue = missed & cases["to_date"].isna()
    soon = pd.Timestamp(as_at) + pd.Timedelta(days=DUE_SOON_DAYS)
    due_soon = cases["status"].eq("pending") & (cases["due_date"] <= soon)
    attention = pd.Series("", index=cases.index, dtype="object")
    attention[missed] = "missed"
    attention[overdue] = "overdue"
    attention[due_soon] = "due soon"
    rank = attention.map({"overdue": 0, "due soon": 1, "missed": 2}).fillna(3)
    status_rank = cases["status"].astype("object").map({s: i for i, s in enumerate(STATUS_ORDER)})
    ordered = cases.assign(attention=attention, _rank=rank, _status_rank=status_rank)
    ordered = ordered.sort_values(["_rank", "_status_rank", "due_date", "case_ref"], kind="stable")
    return ordered.drop(columns=["_rank", "_status_rank"])


# A proportion measure has no due date, so nothing in it is overdue: a record that does not meet it is
# "below good" (an audit graded 3 or lower) or "not evidenced" (a review without the yes recorded).
NOT_MET_WORDS: dict[str, str] = {"audit_good": "below good"}
NOT_EVIDENCED = "not evidenced"
PROPORTION_CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "reviews": ("case_ref", "team", "worker", "order_type", "from_date", "status"),
    "audits": ("case_ref", "team", "worker", "from_date", "grade", "status"),
}


def order_proportion_cases(cases: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """A proportion measure's records, those that do not meet it first (then by case ref), each saying
    why in `attention`."""
    missed = cases["status"].eq("missed")
    attention = pd.Series("", index=cases.index, dtype="object")
    attention[missed] = NOT_MET_WORDS.get(measure_id, NOT_EVIDENCED)
    status_rank = cases["status"].astype("object").map({s: i for i, s in enumerate(STATUS_ORDER)})
    ordered = cases.assign(attention=attention, _status_rank=status_rank)
    ordered = ordered.sort_values(["_status_rank", "case_ref"], kind="stable")
    return ordered.drop(columns=["_status_rank"])


def cases_behind(
    statuses: pd.DataFrame,
    quarter: str | None,
    status: str | None,
    as_at: date,
    limit: int,
    measure_id: str | None = None,
) -> tuple[int, pd.DataFrame]:
    """The records behind one figure (None = every quarter / status): how many, and the first `limit`
    of them in attention order.

    For a proportion measure (`measure_id`) the list has the columns that mean something for it (an
    audit's grade; no due date, "to" date or days taken) and its attention words say why a record does
    not meet it, never "overdue".
    """
    rows = statuses
    if quarter:
        rows = rows[rows["quarter"] == quarter]
    if status:
        rows = rows[rows["status"] == status]
    measure = MEASURES_BY_ID.get(measure_id or "")
    if measure is not None and measure.kind == "proportion":
        columns = PROPORTION_CASE_COLUMNS[measure.dataset]
        cases = without_categories(rows[[column for column in columns if column in rows.columns]])
        return len(cases), order_proportion_cases(cases, measure.id).head(limit).reset_index(drop=True)
    cases = without_categories(rows[[column for column in CASE_COLUMNS if column in rows.columns]])
    return len(cases), order_cases(cases, as_at).head(limit).reset_index(drop=True)


# --- the overview's headline --------------------------------------------------------------------------


def headline_quarter(quarterly: pd.DataFrame, as_at: date) -> tuple[str | None, bool]:
    """(quarter, complete): the last quarter with records whose last day is on or before the as-at date
    (measures.as_at.quarter_is_partial); failing that,
    the quarter in progress on the as-at date (complete False); (None, False) when nothing had started."""
    if quarterly.empty:
        return None, False
    starts = quarterly["quarter_start"]
    complete = quarterly[~quarter_is_partial(starts, as_at)]
    if not complete.empty:
        return _latest_quarter(complete), True
    started = quarterly[starts <= pd.Timestamp(as_at)]
    if started.empty:
        return None, False
    return _latest_quarter(started), False


def _latest_quarter(quarterly: pd.DataFrame) -> str:
    return str(quarterly["quarter"].iloc[int(quarterly["quarter_start"].to_numpy().argmax())])


def headline_rows(quarterly: pd.DataFrame, quarter: str, measure_ids: list[str]) -> pd.DataFrame:
    """Per measure (index): the quarter's figures, the previous quarter's rate and the change in points."""
    start = quarterly.loc[quarterly["quarter"] == quarter, "quarter_start"].iloc[0]
    previous_start = start - pd.DateOffset(months=3)
    current: pd.DataFrame = quarterly[quarterly["quarter_start"] == start].set_index("measure")
    previous = quarterly[quarterly["quarter_start"] == previous_start].set_index("measure")["rate"]
    rows = current.reindex(measure_ids)
    rows["previous_rate"] = previous.reindex(measure_ids)
    rows["change"] = rows["rate"] - rows["previous_rate"]
    return rows


def headline_table(rows: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """`headline_rows` as the overview lists them beside its tiles (a measure with no records counts 0)."""
    return pd.DataFrame(
        {
            "Measure": [MEASURES_BY_ID[measure_id].title for measure_id in rows.index],
            "Quarter": quarter,
            **{
                column.capitalize(): _headline_counts(rows, column) for column in ("met", "missed", "pending")
            },
            "Rate %": round_rates(rows["rate"]).to_numpy(),
            "Previous quarter %": round_rates(rows["previous_rate"]).to_numpy(),
            "Change (points)": rows["change"].round(1).to_numpy(),
            "Target %": rows["target"].to_numpy(),
            "RAG": rows["rag"].map(rag_label).to_numpy(),
        }
    )


def _headline_counts(rows: pd.DataFrame, column: str) -> np.ndarray:
    """A count column for the table: a measure with no records counts 0; a count suppressed for small
    numbers (measures.access.suppress_small) stays blank rather than reading as 0."""
    counts = rows[column].fillna(0).astype("int64")
    if "suppressed" not in rows.columns:
        return counts.to_numpy()
    hidden = rows["suppressed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return counts.astype("Int64").mask(hidden).to_numpy(dtype=object)


def rate_histories(
    quarterly: pd.DataFrame, quarter: str, measure_ids: list[str], quarters: int
) -> dict[str, list[float]]:
    """Each measure's rounded rates in its last `quarters` quarters to `quarter`, oldest first (no-rate
    quarters left out; a measure with none has an empty list). One pass for all the tiles: a filter of
    the quarterly table per tile cost the overview 12 ms a load at national scale."""
    start = quarterly.loc[quarterly["quarter"] == quarter, "quarter_start"].iloc[0]
    wanted = quarterly["measure"].isin(measure_ids) & (quarterly["quarter_start"] <= start)
    recent = quarterly.loc[wanted, ["measure", "quarter_start", "rate"]].sort_values(
        "quarter_start", kind="stable"
    )
    recent = recent.groupby("measure", sort=False, observed=True).tail(quarters).dropna(subset=["rate"])
    histories: dict[str, list[float]] = {measure_id: [] for measure_id in measure_ids}
    for measure_id, rate in zip(
        recent["measure"].tolist(), round_rates(recent["rate"]).tolist(), strict=True
    ):
        histories[measure_id].append(rate)
    return histories


# --- audit grades -------------------------------------------------------------------------------------

GRADE_COLUMNS: list[str] = [f"{grade} {GRADE_WORDS[grade]}" for grade in sorted(GRADE_WORDS, reverse=True)]


def grades_by_quarter(audit_statuses: pd.DataFrame, as_at: date | None = None) -> pd.DataFrame:
    """How many audits got each grade, per quarter of the audit date (best grade first), and in all.

    With `as_at`, a quarter not finished by then reads "2020-21 Q4 (partial)"."""
    graded = audit_statuses.dropna(subset=["grade"])
    grade_names = graded["grade"].astype("int64").map(lambda grade: f"{grade} {GRADE_WORDS[grade]}")
    counts = pd.crosstab(graded["quarter"].astype(str), grade_names)
    counts = counts.reindex(columns=GRADE_COLUMNS, fill_value=0)
    counts.columns.name = None
    counts["Audits"] = counts.sum(axis=1)
    table = counts.reset_index(names="Quarter")
    if as_at is not None and not table.empty:
        starts = graded.groupby(graded["quarter"].astype(str))["quarter_start"].first()
        partial = quarter_is_partial(starts.reindex(table["Quarter"]).reset_index(drop=True), as_at)
        table["Quarter"] = table["Quarter"].where(~partial, table["Quarter"] + f" ({PARTIAL_WORD})")
    return table


# --- data quality -------------------------------------------------------------------------------------

INVALID_RECORD_COLUMNS: tuple[str, ...] = (
    "case_ref",
    "measure",
    "team",
    "worker",
    "from_date",
    "to_date",
    "due_date",
)


def invalid_records(statuses: pd.DataFrame) -> pd.DataFrame:
    """Records whose "to" date is before their "from" date, by measure (titled), oldest first."""
    invalid = statuses.loc[statuses["status"] == "invalid", list(INVALID_RECORD_COLUMNS)]
    invalid = invalid.sort_values(["measure", "from_date", "case_ref"], kind="stable")
    invalid = without_categories(invalid)
    return invalid.assign(measure=invalid["measure"].map(MEASURE_TITLES)).reset_index(drop=True)


def invalid_counts(invalid: pd.DataFrame) -> pd.DataFrame:
    """Invalid records per measure, every measure that can have them listed (0 says it was checked)."""
    titles = [MEASURE_TITLES[measure_id] for measure_id in CAN_BE_INVALID]
    counts = invalid["measure"].value_counts().reindex(titles, fill_value=0)
    return pd.DataFrame({"Measure": titles, "Invalid records": counts.to_numpy(dtype="int64")})


def exclusions_by_reason(statuses: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Excluded records per exclusion reason (rows) and measure (titled columns), most common reason first.

    An excluded order counts once under each measure it would otherwise count in, as on the measure
    pages; the reason comes from the record in `frames` (statuses carry only its id).
    """
    excluded = statuses.loc[statuses["status"] == "excluded", ["measure", "record_id"]]
    parts = []
    for dataset, frame in frames.items():
        if "exclusion_reason" not in frame.columns or frame.empty:
            continue
        rows = excluded[excluded["measure"].isin([m.id for m in MEASURES if m.dataset == dataset])]
        reasons = frame.set_index("record_id")["exclusion_reason"]
        parts.append(
            pd.DataFrame(
                {
                    "reason": reasons.reindex(rows["record_id"]).astype("object").str.strip().to_numpy(),
                    "measure": rows["measure"].astype("object").to_numpy(),
                }
            )
        )
    pairs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if pairs.empty:
        return pd.DataFrame(columns=["Exclusion reason", "Total"])
    table = pairs.groupby(["reason", "measure"]).size().unstack(fill_value=0)
    table = table[[measure.id for measure in MEASURES if measure.id in table.columns]]
    table.columns = [MEASURE_TITLES[measure_id] for measure_id in table.columns]
    table.insert(0, "Total", table.sum(axis=1))
    table = table.sort_values("Total", ascending=False, kind="stable")
    return table.reset_index(names="Exclusion reason")


def is_blank(column: pd.Series) -> pd.Series:
    """Blank as the measures see it: missing, or nothing but spaces."""
    return column.isna() | column.astype("object").astype(str).str.strip().eq("")


# Each blank that weakens the figures, and why it does.
GAP_WHY: dict[str, str] = {
    "Orders with no team": "Left out of every team's breakdown and of a team filter.",
    "Orders with no worker": "Left out of every worker's breakdown and of a worker filter.",
    "Orders with no requirements": (
        "Requirements unknown, so every measure applies: unpaid work start, LS/CMI and CMP are all "
        "counted, and may be missed when the order has no such requirement."
    ),
    "Reviews past due with no review held": (
        "Missed on time, and absent from review recording, participation and needs tool until a held "
        "date is recorded (excluded reviews are left out)."
    ),
}
# The columns a gap's cases are listed with, as headed on the page.
GAP_CASE_COLUMNS: dict[str, dict[str, str]] = {
    "orders": {
        "case_ref": "Case ref",
        "order_date": "Order date",
        "order_type": "Order type",
        "requirements": "Requirements",
        "team": "Team",
        "worker": "Worker",
    },
    "reviews": {
        "case_ref": "Case ref",
        "review_due": "Review due",
        "review_number": "Review number",
        "order_type": "Order type",
        "team": "Team",
        "worker": "Worker",
    },
}
# Every column gap_cases reads of each dataset: the cases' columns, the filters' and the gaps' own.
GAP_READS: dict[str, tuple[str, ...]] = {
    dataset: tuple(
        dict.fromkeys(
            [*columns, DATASET_QUARTER_DATE[dataset], "team", "worker", "order_type"]
            + (["review_held", "exclusion_reason"] if dataset == "reviews" else [])
        )
    )
    for dataset, columns in GAP_CASE_COLUMNS.items()
}


def gap_cases(frames: dict[str, pd.DataFrame], filters: Filters) -> dict[str, pd.DataFrame]:
    """The cases behind each gap of GAP_WHY, oldest first, as the filters keep them.

    A review is past due when its due date is before the as-at date.
    """
    orders = dataset_in_filters(frames["orders"], "orders", filters)
    reviews = dataset_in_filters(frames["reviews"], "reviews", filters)
    not_held = (
        reviews["review_held"].isna()
        & (reviews["review_due"] < pd.Timestamp(filters.as_at))
        & is_blank(reviews["exclusion_reason"])
    )
    chosen = {
        "Orders with no team": ("orders", orders, is_blank(orders["team"])),
        "Orders with no worker": ("orders", orders, is_blank(orders["worker"])),
        "Orders with no requirements": ("orders", orders, is_blank(orders["requirements"])),
        "Reviews past due with no review held": ("reviews", reviews, not_held),
    }
    return {
        title: frame.loc[keep, list(GAP_CASE_COLUMNS[dataset])]
        .sort_values([DATASET_QUARTER_DATE[dataset], "case_ref"], kind="stable")
        .rename(columns=GAP_CASE_COLUMNS[dataset])
        .reset_index(drop=True)
        for title, (dataset, frame, keep) in chosen.items()
    }
