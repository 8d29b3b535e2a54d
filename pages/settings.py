"""Settings: targets with effective dates, timescale rules, local holidays, the review schedule, and for
statistical process control the rule lengths, rebase periods and the national benchmark table.

Edits are checked by measures.settings_from_document (the same gate the command line uses) before they
are stored; a saved change alters data_version, so every page's figures follow at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

import store
from measures import (
    MEASURE_IDS,
    MEASURES_BY_ID,
    RULE_UNITS,
    SettingsError,
    settings_from_document,
    settings_to_document,
)
from measures.settings import DISCLOSURE_RANGES, SPC_LENGTH_RANGE, stamp_rebases
from pages.ui import data, state
from pages.ui.frame import current_user, page_start

# Review schedule parts: (document field, label, widget key).
SCHEDULE_FIELDS = (
    ("first_months", "First review (months after order)", state.SETTINGS_SCHEDULE_FIRST),
    ("second_months", "Second review (months after order)", state.SETTINGS_SCHEDULE_SECOND),
    ("interval_months", "Then every (months)", state.SETTINGS_SCHEDULE_INTERVAL),
)

DISCLOSURE_FIELDS = (
    ("low_count_max", "Counts withheld: 1 to", state.SETTINGS_DISCLOSURE_LOW),
    ("min_denominator", "Percentages need at least", state.SETTINGS_DISCLOSURE_MINIMUM),
    ("team_min_denominator", "Team figures need every team to have", state.SETTINGS_DISCLOSURE_TEAM),
)


def disclosure_editor(document: dict[str, Any]) -> dict[str, int]:
    """The report pack's disclosure control thresholds (inside the form)."""
    st.header("Disclosure control (report pack)")
    st.caption(
        "What leaves the service in the report pack: counts from 1 up to the first number and percentages "
        "of fewer records than the second are withheld as 'c'; figures by team appear only where every team "
        "had the third number due that quarter. Raise them if your information governance asks for more."
    )
    current = document["disclosure"]
    return {
        part: int(
            column.number_input(
                label,
                min_value=DISCLOSURE_RANGES[part][0],
                max_value=DISCLOSURE_RANGES[part][1],
                step=1,
                value=int(current[part]),
                key=key,
            )
        )
        for column, (part, label, key) in zip(st.columns(3), DISCLOSURE_FIELDS, strict=True)
    }


def _cell_date(value: object) -> str | None:
    """A date cell as YYYY-MM-DD text (None for blank) so the settings gate reports bad ones."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell_number(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def _blank_row(row: pd.Series) -> bool:
    return all(value is None or (not isinstance(value, str) and pd.isna(value)) for value in row)


def targets_document(edited: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The edited targets table (a row per measure and effective date) -> the settings document's targets
    part, by measure in the table's order (blank rows dropped; a row without a measure is refused by the
    settings gate under "(blank)")."""
    document: dict[str, list[dict[str, Any]]] = {measure_id: [] for measure_id in MEASURE_IDS}
    for _, row in edited.iterrows():
        if _blank_row(row):
            continue
        entry: dict[str, Any] = {
            "effective_from": _cell_date(row["effective_from"]),
            "target": _cell_number(row["target"]),
        }
        margin = _cell_number(row.get("amber_margin"))
        if margin is not None:
            entry["amber_margin"] = margin
        document.setdefault(_cell_text(row["measure"]) or "(blank)", []).append(entry)
    return document


def rules_document(edited: pd.DataFrame) -> dict[str, dict[str, Any]]:
    document = {}
    for _, row in edited.iterrows():
        number = _cell_number(row["number"])
        document[str(row["measure"])] = {"number": number, "unit": row["unit"]}
    return document


def holidays_document(edited: pd.DataFrame) -> list[str | None]:
    return [_cell_date(value) for value in edited["date"] if _cell_date(value) is not None]


def _cell_text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def rebases_document(edited: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """The rebase table -> the document's rebases part, by measure (blank rows dropped; who set each one
    is added by measures.settings.stamp_rebases)."""
    document: dict[str, list[dict[str, Any]]] = {}
    for _, row in edited.iterrows():
        if _blank_row(row[["measure", "period", "reason"]]):
            continue
        measure = _cell_text(row["measure"]) or "(blank)"
        entry = {"period": _cell_text(row["period"]) or "", "reason": _cell_text(row["reason"]) or ""}
        document.setdefault(measure, []).append(entry)
    return document


def benchmarks_document(edited: pd.DataFrame) -> list[dict[str, Any]]:
    """The benchmark table -> the document's benchmarks part (blank rows dropped)."""
    return [
        {
            "measure": _cell_text(row["measure"]),
            "label": _cell_text(row["label"]) or "",
            "year": _cell_text(row["year"]),
            "rate": _cell_number(row["rate"]),
            "source": _cell_text(row["source"]) or "",
        }
        for _, row in edited.iterrows()
        if not _blank_row(row)
    ]


def measure_title(measure_id: object) -> str:
    return MEASURES_BY_ID[str(measure_id)].title if str(measure_id) in MEASURES_BY_ID else str(measure_id)


def spc_editors(document: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The SPC settings: rule lengths and screening, rebases, national benchmarks (inside the form)."""
    st.header("Statistical process control")
    st.caption(
        "How special causes are found (NHS England's Making Data Count defaults: 7 and 7, no screening)."
    )
    rules = document["spc"]
    low, high = SPC_LENGTH_RANGE
    shift_column, trend_column, screen_column = st.columns(3)
    edited_rules = {
        "shift_length": shift_column.number_input(
            "Shift: points in a row on one side of the centre",
            min_value=low,
            max_value=high,
            step=1,
            value=int(rules["shift_length"]),
            key=state.SETTINGS_SPC_SHIFT,
        ),
        "trend_length": trend_column.number_input(
            "Trend: points in a row each rising or falling",
            min_value=low,
            max_value=high,
            step=1,
            value=int(rules["trend_length"]),
            key=state.SETTINGS_SPC_TREND,
        ),
        "screen_moving_ranges": screen_column.checkbox(
            "Screen out outlying moving ranges",
            value=bool(rules["screen_moving_ranges"]),
            key=state.SETTINGS_SPC_SCREEN,
            help="Leave out moving ranges of 3.267 times the mean or more before setting the limits "
            "(NHSRplotthedots does; MDC's own tools do not).",
        ),
    }

    st.subheader("Rebasing")
    st.caption(
        "A new baseline for a measure's limits from a month (2020-10) or a quarter (2020-21 Q3), after a "
        "known change such as an action plan starting. Say why: the reason is written on the chart, and "
        "who set it and when are recorded."
    )
    rows = [
        {
            **entry,
            "measure": measure_id,
            "set_on": date.fromisoformat(entry["set_on"]) if entry["set_on"] else None,
        }
        for measure_id, entries in document["rebases"].items()
        for entry in entries
    ]
    rebases = pd.DataFrame(rows, columns=["measure", "period", "reason", "set_by", "set_on"]).astype(object)
    edited_rebases = st.data_editor(
        rebases,
        num_rows="dynamic",
        hide_index=True,
        placeholder="",
        key=state.SETTINGS_REBASES,
        disabled=["set_by", "set_on"],
        column_config={
            "measure": st.column_config.SelectboxColumn(
                "Measure", options=list(MEASURE_IDS), format_func=measure_title, required=True, width="medium"
            ),
            "period": st.column_config.TextColumn("From (month or quarter)", required=True),
            "reason": st.column_config.TextColumn("Reason", required=True, width="large"),
            "set_by": st.column_config.TextColumn("Set by"),
            "set_on": st.column_config.DateColumn("Set on", format="DD/MM/YYYY"),
        },
    )

    st.subheader("National benchmarks")
    st.caption(
        "National figures drawn beside a measure's rate, with their source. Seeded with the Scottish "
        "Government's justice social work statistics; correct them or add later years here."
    )
    benchmarks = pd.DataFrame(document["benchmarks"], columns=["measure", "label", "year", "rate", "source"])
    edited_benchmarks = st.data_editor(
        benchmarks,
        num_rows="dynamic",
        hide_index=True,
        placeholder="",
        key=state.SETTINGS_BENCHMARKS,
        column_config={
            "measure": st.column_config.SelectboxColumn(
                "Measure", options=list(MEASURE_IDS), format_func=measure_title, required=True
            ),
            "label": st.column_config.TextColumn("Label", help="e.g. Scotland, or Scotland (DTTO)"),
            "year": st.column_config.TextColumn("Year", help="Financial year, e.g. 2019-20", required=True),
            "rate": st.column_config.NumberColumn("Rate %", min_value=0, max_value=100, required=True),
            "source": st.column_config.TextColumn("Source", required=True, width="large"),
        },
    )
    return edited_rules, edited_rebases, edited_benchmarks


def targets_editor(targets: dict[str, list[dict[str, Any]]]) -> pd.DataFrame:
    """Every measure's targets in one table: measure, target, effective from and amber margin, so a
    manager sees and edits them all at once (add a row with a later date for a new target)."""
    table = pd.DataFrame(
        [
            {
                "measure": measure_id,
                "target": float(target["target"]),
                "effective_from": date.fromisoformat(target["effective_from"]),
                "amber_margin": float(target["amber_margin"]),
            }
            for measure_id in MEASURE_IDS
            for target in targets.get(measure_id, [])
        ],
        columns=["measure", "target", "effective_from", "amber_margin"],
    )
    return st.data_editor(
        table,
        num_rows="dynamic",
        hide_index=True,
        key=state.SETTINGS_TARGETS,
        placeholder="",
        column_config={
            "measure": st.column_config.SelectboxColumn(
                "Measure", options=list(MEASURE_IDS), format_func=measure_title, required=True, width="large"
            ),
            "target": st.column_config.NumberColumn("Target %", min_value=0, max_value=100, required=True),
            "effective_from": st.column_config.DateColumn(
                "Effective from", format="DD/MM/YYYY", required=True
            ),
            "amber_margin": st.column_config.NumberColumn(
                "Amber margin (points)", min_value=0, max_value=100
            ),
        },
    )


def main() -> None:
    start = page_start("Settings", needs_data=False)
    saved = st.session_state.pop(state.SETTINGS_SAVED, None)
    if saved:
        st.success(saved)
    document = settings_to_document(data.settings_for(start.url, start.version))
    st.markdown(
        "Targets apply from their effective date: a quarter is judged against the target in force on its "
        "first day. Changes are checked before they are saved and change the figures on every page."
    )
    with st.form(state.SETTINGS_FORM, border=False):
        st.header("Targets")
        st.caption(
            "One row per measure and effective date. A new target: add a row with the date it starts. "
            "Amber: within this many points below the target."
        )
        edited_targets = targets_editor(document["targets"])

        st.header("Timescale rules")
        rules = pd.DataFrame(
            [
                {
                    "measure": measure_id,
                    "title": MEASURES_BY_ID[measure_id].title,
                    "number": rule["number"],
                    "unit": rule["unit"],
                }
                for measure_id, rule in document["rules"].items()
            ]
        )
        edited_rules = st.data_editor(
            rules,
            hide_index=True,
            key=state.SETTINGS_RULES,
            disabled=["measure", "title"],
            column_config={
                "measure": st.column_config.TextColumn("Measure id"),
                "title": st.column_config.TextColumn("Measure"),
                "number": st.column_config.NumberColumn("Within", min_value=0, step=1, required=True),
                "unit": st.column_config.SelectboxColumn("Unit", options=list(RULE_UNITS), required=True),
            },
        )

        st.header("Local holidays")
        st.caption("The council's own non-working days, on top of Scottish bank holidays.")
        holidays = pd.DataFrame(
            {
                "date": pd.Series(
                    [date.fromisoformat(day) for day in document["local_holidays"]], dtype="object"
                )
            }
        )
        edited_holidays = st.data_editor(
            holidays,
            num_rows="dynamic",
            hide_index=True,
            placeholder="",
            key=state.SETTINGS_HOLIDAYS,
            column_config={"date": st.column_config.DateColumn("Date", format="DD/MM/YYYY")},
        )

        st.header("Review schedule")
        st.caption(
            "Used to work out a review's due date when an extract has no due date column. It applies to "
            "reviews loaded after the change; due dates already stored stay as they were."
        )
        schedule = document["review_schedule"]
        edited_schedule = {
            part: column.number_input(label, min_value=1, step=1, value=int(schedule[part]), key=key)
            for column, (part, label, key) in zip(st.columns(3), SCHEDULE_FIELDS, strict=True)
        }
        edited_spc, edited_rebases, edited_benchmarks = spc_editors(document)
        edited_disclosure = disclosure_editor(document)
        submitted = st.form_submit_button("Save settings", key=state.SETTINGS_SAVE, type="primary")

    if not submitted:
        return
    new_document = {
        **document,  # parts this page does not edit (the report pack's texts and thresholds) are kept
        "rules": rules_document(edited_rules),
        "targets": targets_document(edited_targets),
        "local_holidays": holidays_document(edited_holidays),
        "review_schedule": edited_schedule,
        "spc": edited_spc,
        "rebases": stamp_rebases(
            document["rebases"], rebases_document(edited_rebases), user=current_user(), today=date.today()
        ),
        "benchmarks": benchmarks_document(edited_benchmarks),
        "disclosure": edited_disclosure,
    }
    try:
        settings = settings_from_document(new_document)
        store.save_settings(data.engine(), settings_to_document(settings), user=current_user())
    except (SettingsError, store.StoreBusy) as error:
        st.error(str(error))
        return
    st.session_state[state.SETTINGS_SAVED] = "Settings saved; every page now uses them."
    st.rerun()


main()
