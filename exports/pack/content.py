"""What goes into the quarterly report pack, every table already through disclosure control.

`build_pack` takes record statuses (with the team column), settings, the action plan and the upload
history, and returns a `Pack`: the executive summary, a section per measure (quarterly table, team
table where publishable, drafted narrative, SPC chart figure with suppressed months left out), the
action plan, case-file audit grades, data-quality notes and the disclosure log. The Word and Excel
writers only lay these out; nothing is counted there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import spc_figure
from exports.disclosure import (
    Rate,
    SafeTable,
    TableRules,
    is_low_count,
    level_allowed,
    rate_is_unsafe,
    suppress,
)
from measures import (
    MEASURES,
    parse_quarter,
    quarter_after,
    quarter_label,
    quarterly_compliance,
    spc,
    targets_in_force,
)
from measures.access import SUPPRESSED
from measures.actions import action_table, overdue_first
from measures.narrative import MeasureFigures, change_points, draft_narrative
from measures.settings import Disclosure, Settings
from measures.views import GRADE_COLUMNS, grades_by_quarter, rag_label

QUARTERS_SHOWN = 5  # this quarter and the four before it: the same quarter last year is in view
NO_TEAM = "(no team)"
ALL_TEAMS = "All teams"


@dataclass(frozen=True)
class PackInputs:
    """Everything a pack is made from. `actions` None: the action plan is not available (left out)."""

    quarter: str
    as_at: date
    statuses: pd.DataFrame  # measures.record_statuses output with the team column
    settings: Settings
    actions: pd.DataFrame | None
    rejected_rows: int | None  # rows rejected in the live uploads; None when unknown
    last_uploads: Mapping[str, datetime | None]
    produced_by: str
    produced_at: datetime
    narratives: Mapping[str, str] = field(default_factory=dict)  # measure id -> the user's edited text
    data_date: str | None = None  # "15/02/2021 (from the orders extract uploaded on 16/02/2021)"
    texts: Mapping[str, str] = field(default_factory=dict)  # pack text key -> the user's edited text


@dataclass(frozen=True, eq=False)
class MeasureSection:
    measure: str
    title: str
    quarterly: SafeTable
    teams: SafeTable | None
    team_note: str
    draft: str  # the narrative drafted from the published figures
    narrative: str  # what the pack prints: the user's edit, else the draft
    figure: go.Figure | None
    chart_note: str


@dataclass(frozen=True, eq=False)
class Pack:
    inputs: PackInputs
    summary: SafeTable
    sections: tuple[MeasureSection, ...]
    actions: pd.DataFrame | None
    grades: SafeTable
    data_quality: SafeTable
    notes: tuple[str, ...]  # data-quality notes in words
    texts: dict[str, str]
    omitted: tuple[str, ...] = ()

    @property
    def tables(self) -> tuple[SafeTable, ...]:
        """Every table with figures, in the order the pack prints them."""
        per_measure = [
            table for section in self.sections for table in (section.quarterly, section.teams) if table
        ]
        return (self.summary, *per_measure, self.grades, self.data_quality)

    @property
    def suppressed_cells(self) -> pd.DataFrame:
        """The disclosure log: one row per suppressed cell (table, row, column, reason)."""
        rows = [
            {
                "Table": table.title,
                "Row": cell.row,
                "Column": table.heading(cell.column),
                "Reason": cell.reason,
            }
            for table in self.tables
            for cell in table.cells
        ]
        return pd.DataFrame(rows, columns=["Table", "Row", "Column", "Reason"])


def quarter_end(quarter: str) -> date:
    """The last day of a quarter."""
    return quarter_after(quarter) - timedelta(days=1)


def build_pack(inputs: PackInputs, *, figures: bool = True) -> Pack:
    """The pack's content for `inputs.quarter`; ValueError for a quarter label that cannot be read.

    `figures` False leaves the chart figures out (a page previewing the drafts needs none, and building
    ten plotly figures is most of the time here); the chart notes are still worked out."""
    start = pd.Timestamp(parse_quarter(inputs.quarter))
    settings, thresholds = inputs.settings, inputs.settings.disclosure
    statuses = inputs.statuses
    quarterly = quarterly_compliance(statuses, settings)
    shown_starts = [start - pd.DateOffset(months=3 * back) for back in range(QUARTERS_SHOWN - 1, -1, -1)]
    charts = _spc_charts(statuses, settings, min(inputs.as_at, quarter_end(inputs.quarter)))
    summary = _summary(quarterly, start, charts, settings)
    team_rows = _team_counts(statuses, inputs.quarter)
    sections = []
    for measure in MEASURES:
        mine = quarterly[quarterly["measure"] == measure.id]
        table = _quarterly_table(measure.title, mine, shown_starts, settings)
        teams, team_note = _team_table(measure.title, team_rows[team_rows["measure"] == measure.id], settings)
        figures = _figures(summary, measure.id, inputs.quarter, teams)
        draft = draft_narrative(figures)
        edited = (inputs.narratives.get(measure.id) or "").strip()
        figure, chart_note = _chart(charts[measure.id], measure.title, thresholds, draw=figures)
        sections.append(
            MeasureSection(
                measure.id, measure.title, table, teams, team_note, draft, edited or draft, figure, chart_note
            )
        )
    grades = _grades(statuses, shown_starts, settings)
    quality, notes = _data_quality(statuses, inputs, settings)
    actions = None if inputs.actions is None else action_table(overdue_first(inputs.actions, inputs.as_at))
    omitted = () if actions is not None else ("The improvement action plan is not available in this store.",)
    texts = {
        **settings.pack_texts,
        **{key: value for key, value in inputs.texts.items() if value is not None},
    }
    return Pack(inputs, summary, tuple(sections), actions, grades, quality, tuple(notes), texts, omitted)


# --- the executive summary ------------------------------------------------------------------------------

SUMMARY_RULES = TableRules(
    counts=("met", "due"),
    rates={"rate": Rate("met", "due"), "previous_rate": Rate("previous_met", "previous_due")},
    derived={"change": ("rate", "previous_rate"), "rag": ("rate",)},
)
SUMMARY_COLUMNS: dict[str, str] = {
    "title": "Measure",
    "met": "Met",
    "due": "Due",
    "rate": "Rate %",
    "previous_rate": "Previous quarter %",
    "change": "Change (points)",
    "target": "Target %",
    "rag": "RAG",
    "variation": "Variation",
    "assurance": "Assurance",
}


def _summary(
    quarterly: pd.DataFrame, start: pd.Timestamp, charts: dict[str, spc.SpcChart], settings: Settings
) -> SafeTable:
    ids = [measure.id for measure in MEASURES]
    current = quarterly[quarterly["quarter_start"] == start].set_index("measure").reindex(ids)
    previous = quarterly[quarterly["quarter_start"] == start - pd.DateOffset(months=3)].set_index("measure")
    previous = previous.reindex(ids)
    met = current["met"].fillna(0).astype("int64")
    due = met + current["missed"].fillna(0).astype("int64")
    previous_met = previous["met"].fillna(0).astype("int64")
    previous_due = previous_met + previous["missed"].fillna(0).astype("int64")
    changes = [
        change_points(None if pd.isna(now) else now, None if pd.isna(then) else then)
        for now, then in zip(current["rate"], previous["rate"], strict=True)
    ]
    targets = current["target"].copy()
    missing = targets.isna()
    if missing.any():  # a measure with no record this quarter: still name the target in force
        for measure_id in targets.index[missing]:
            in_force = targets_in_force(
                settings.targets.get(measure_id, []), np.array([start.to_datetime64()])
            )
            targets[measure_id] = in_force[0][0]
    frame = pd.DataFrame(
        {
            "measure": ids,
            "title": [measure.title for measure in MEASURES],
            "met": met.to_numpy(),
            "due": due.to_numpy(),
            "rate": current["rate"].to_numpy(dtype="float64"),
            "previous_met": previous_met.to_numpy(),
            "previous_due": previous_due.to_numpy(),
            "previous_rate": previous["rate"].to_numpy(dtype="float64"),
            "change": np.array([np.nan if change is None else change for change in changes], dtype="float64"),
            "target": targets.to_numpy(dtype="float64"),
            "rag": [rag_label(rag, with_symbol=False) for rag in current["rag"].fillna("grey")],
            "variation": [spc.variation_label(charts[measure_id].variation) for measure_id in ids],
            "assurance": [
                spc.assurance_label(charts[measure_id].assurance, charts[measure_id].chart)
                for measure_id in ids
            ],
        }
    )
    return suppress(
        frame,
        SUMMARY_RULES,
        settings.disclosure,
        title="Executive summary",
        label_column="title",
        published=tuple(SUMMARY_COLUMNS),
        headings=SUMMARY_COLUMNS,
    )


# --- a page per measure ---------------------------------------------------------------------------------

QUARTERLY_RULES = TableRules(
    counts=("met", "missed", "due", "pending", "excluded", "invalid"),
    totals={"due": ("met", "missed")},
    rates={"rate": Rate("met", "due", "missed")},
    derived={"rag": ("rate",)},
)
QUARTERLY_COLUMNS: dict[str, str] = {
    "quarter": "Quarter",
    "met": "Met",
    "missed": "Missed",
    "due": "Due",
    "rate": "Rate %",
    "target": "Target %",
    "rag": "RAG",
    "pending": "Pending",
    "excluded": "Excluded",
    "invalid": "Invalid",
}


def _quarterly_table(
    title: str, rows: pd.DataFrame, starts: list[pd.Timestamp], settings: Settings
) -> SafeTable:
    """The measure's last QUARTERS_SHOWN quarters (a quarter with no records is listed with zeros)."""
    by_start = rows.set_index("quarter_start").reindex(pd.DatetimeIndex(starts))
    counts = {
        name: by_start[name].fillna(0).astype("int64").to_numpy()
        for name in ("met", "missed", "pending", "excluded", "invalid")
    }
    frame = pd.DataFrame(
        {
            "quarter": [quarter_label(day) for day in starts],
            **counts,
            "due": counts["met"] + counts["missed"],
            "rate": by_start["rate"].to_numpy(dtype="float64"),
            "target": by_start["target"].to_numpy(dtype="float64"),
            "rag": [rag_label(rag, with_symbol=False) for rag in by_start["rag"].fillna("grey")],
        }
    )
    return suppress(
        frame,
        QUARTERLY_RULES,
        settings.disclosure,
        title=f"{title}: by quarter",
        label_column="quarter",
        published=tuple(QUARTERLY_COLUMNS),
        headings=QUARTERLY_COLUMNS,
    )


TEAM_RULES = TableRules(
    counts=("met", "missed", "due"),
    totals={"due": ("met", "missed")},
    rates={"rate": Rate("met", "due", "missed")},
    total_row=True,
)
TEAM_COLUMNS: dict[str, str] = {
    "team": "Team",
    "met": "Met",
    "missed": "Missed",
    "due": "Due",
    "rate": "Rate %",
}


def _team_counts(statuses: pd.DataFrame, quarter: str) -> pd.DataFrame:
    """Met and missed per measure and team in the quarter (a record with no team is its own group)."""
    in_quarter = statuses[statuses["quarter"] == quarter]
    decided = in_quarter[in_quarter["status"].isin(["met", "missed"])]
    teams = decided["team"].astype("object").fillna(NO_TEAM)
    counts = pd.crosstab(
        [decided["measure"].astype("object"), teams], decided["status"].astype("object")
    ).reindex(columns=["met", "missed"], fill_value=0)
    return counts.reset_index().rename(columns={"team": "team", "measure": "measure"})


def _team_table(title: str, rows: pd.DataFrame, settings: Settings) -> tuple[SafeTable | None, str]:
    """Rule 4: by team only where every team (and the records with none) had the minimum due."""
    thresholds = settings.disclosure
    due = rows["met"] + rows["missed"]
    if rows.empty:
        return None, "No records were due this quarter, so there are no figures by team."
    if not level_allowed("team", due, thresholds):
        return None, (
            f"Figures by team are not published for this measure: a team had fewer than "
            f"{thresholds.team_min_denominator} due this quarter (disclosure control)."
        )
    frame = pd.DataFrame(
        {
            "team": [*rows["team"].astype(str), ALL_TEAMS],
            "met": [*rows["met"].astype("int64"), int(rows["met"].sum())],
            "missed": [*rows["missed"].astype("int64"), int(rows["missed"].sum())],
        }
    )
    frame["due"] = frame["met"] + frame["missed"]
    frame["rate"] = np.where(
        frame["due"] > 0, frame["met"] * 100.0 / frame["due"].where(frame["due"] > 0, 1), np.nan
    )
    table = suppress(
        frame,
        TEAM_RULES,
        thresholds,
        title=f"{title}: by team",
        label_column="team",
        published=tuple(TEAM_COLUMNS),
        headings=TEAM_COLUMNS,
    )
    return table, ""


def _published_int(table: SafeTable, row: int, column: str) -> int | None:
    value = table.values.at[row, column]
    return None if value == SUPPRESSED or pd.isna(value) else int(value)


def _figures(summary: SafeTable, measure_id: str, quarter: str, teams: SafeTable | None) -> MeasureFigures:
    """The narrative's figures, read from the published tables only (never from the raw counts)."""
    row = int(np.flatnonzero(summary.raw["measure"].to_numpy() == measure_id)[0])
    values = summary.values
    suppressed = values.at[row, "rate"] == SUPPRESSED
    rate = None if suppressed or pd.isna(values.at[row, "rate"]) else float(values.at[row, "rate"])
    previous = values.at[row, "previous_rate"]
    top_team = top_missed = total_missed = None
    if teams is not None:
        team_values = teams.values.iloc[:-1]
        missed = pd.to_numeric(
            team_values["missed"].where(team_values["missed"] != SUPPRESSED), errors="coerce"
        )
        total_missed = _published_int(teams, len(teams.values) - 1, "missed")
        if missed.notna().any() and total_missed:
            best = missed.idxmax()
            top_team, top_missed = str(team_values.at[best, "team"]), int(missed[best])
    return MeasureFigures(
        quarter=quarter,
        met=_published_int(summary, row, "met"),
        due=_published_int(summary, row, "due"),
        rate=rate,
        previous_rate=None if previous == SUPPRESSED or pd.isna(previous) else float(previous),
        target=None if pd.isna(summary.raw.at[row, "target"]) else float(summary.raw.at[row, "target"]),
        missed=total_missed,
        top_team=top_team,
        top_team_missed=top_missed,
        suppressed=bool(suppressed),
    )


# --- charts ---------------------------------------------------------------------------------------------


def _spc_charts(statuses: pd.DataFrame, settings: Settings, as_at: date) -> dict[str, spc.SpcChart]:
    """Each measure's monthly SPC chart as at the end of the pack's quarter (service level)."""
    counts = spc.period_counts(spc.monthly_counts(statuses), "month", as_at)
    return spc.spc_for_measures(counts, settings, "month")


def _chart(
    chart: spc.SpcChart, title: str, thresholds: Disclosure, *, draw: bool
) -> tuple[go.Figure | None, str]:
    """The chart's figure with every month whose rate would be suppressed left out (rule 5), and a note."""
    if chart.count == 0:
        return None, "No complete month with records yet: no chart."
    met, denominator = chart.arrays["met"], chart.arrays["denominator"]
    unsafe = rate_is_unsafe(met, denominator, thresholds)
    periods = [str(period) for period in chart.arrays["period"]]
    note = ""
    if unsafe.all():
        return None, "Every month's figure is suppressed by disclosure control: no chart."
    if unsafe.any():
        kept = ~unsafe
        arrays = {name: values[kept] for name, values in chart.arrays.items()}
        left_out = [period for period, hide in zip(periods, unsafe, strict=True) if hide]
        note = f"Months left out by disclosure control (too few records): {', '.join(left_out)}."
        chart = dataclasses.replace(chart, arrays=arrays)
    if not draw:
        return None, note
    figure = spc_figure(chart, title)
    figure.update_xaxes(categoryarray=periods)
    return figure, note


# --- audit grades and data quality ----------------------------------------------------------------------


def _grades(statuses: pd.DataFrame, starts: list[pd.Timestamp], settings: Settings) -> SafeTable:
    audits = statuses[statuses["measure"] == "audit_good"]
    table = grades_by_quarter(audits).set_index("Quarter")
    labels = [quarter_label(day) for day in starts]
    table = table.reindex(labels).fillna(0).astype("int64").reset_index(names="Quarter")
    rules = TableRules(counts=(*GRADE_COLUMNS, "Audits"), totals={"Audits": tuple(GRADE_COLUMNS)})
    return suppress(
        table,
        rules,
        settings.disclosure,
        title="Case-file audit grades",
        label_column="Quarter",
        published=tuple(table.columns),
    )


def _data_quality(
    statuses: pd.DataFrame, inputs: PackInputs, settings: Settings
) -> tuple[SafeTable, list[str]]:
    in_quarter = statuses[statuses["quarter"] == inputs.quarter]
    counts = pd.crosstab(in_quarter["measure"].astype("object"), in_quarter["status"].astype("object"))
    ids = [measure.id for measure in MEASURES]
    counts = counts.reindex(index=ids, columns=["pending", "excluded", "invalid"], fill_value=0).fillna(0)
    frame = pd.DataFrame(
        {
            "Measure": [measure.title for measure in MEASURES],
            "Pending": counts["pending"].astype("int64").to_numpy(),
            "Excluded": counts["excluded"].astype("int64").to_numpy(),
            "Invalid": counts["invalid"].astype("int64").to_numpy(),
        }
    )
    rules = TableRules(counts=("Pending", "Excluded", "Invalid"))
    table = suppress(
        frame,
        rules,
        settings.disclosure,
        title="Data quality",
        label_column="Measure",
        published=tuple(frame.columns),
    )
    notes = [
        "Invalid: the end date is before the start date (left out of the rate; listed on the Data quality "
        "page). Excluded: an exclusion reason is recorded. Pending: not yet due, nothing recorded.",
    ]
    if inputs.rejected_rows is not None:
        rejected = inputs.rejected_rows
        shown = SUPPRESSED if is_low_count(np.array([rejected]), settings.disclosure)[0] else f"{rejected:,}"
        notes.append(f"Rows rejected when the extracts were read (all live uploads): {shown}.")
    uploads = [
        f"{dataset} {moment:%d/%m/%Y}"
        for dataset, moment in inputs.last_uploads.items()
        if moment is not None
    ]
    if uploads:
        notes.append(f"Last upload of each dataset: {', '.join(uploads)}.")
    happened = statuses["to_date"].where(statuses["to_date"] <= pd.Timestamp(inputs.as_at))
    latest = happened.max()
    if inputs.data_date is not None:
        notes.append(f"Data date: {inputs.data_date}.")
    elif pd.notna(latest):
        notes.append(f"Data date (the latest event recorded in the records): {latest:%d/%m/%Y}.")
    notes.append(f"Figures as at {inputs.as_at:%d/%m/%Y}.")
    return table, notes
