"""Data quality: the records that weaken the figures, listed so they can be put right at source.

SPEC 3.2 sends invalid records ("to" date before "from" date) here. Beside them: exclusions by reason,
the rows live uploads rejected, and blanks that shape the figures (orders with no team, worker or
requirements; reviews past due with nothing held). The sidebar filters apply wherever a record has
the thing filtered on; rejected rows were never stored as records, so the filters do not apply to them,
but a team leader's scope does (only rows naming one of their teams). Every table of case rows is
recorded in the audit trail when first shown in a session, and its rows are not shown if that fails.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import exports
import store
from loaders import DATASET_NAMES
from measures import CAN_BE_INVALID, MEASURES, categories, views
from measures.access import may
from measures.filters import Filters
from pages.ui import data, state
from pages.ui.display import CASES_SHOWN, local_time, show_capped, show_table
from pages.ui.frame import current_person, filters_record, log_export, page_start, record_case_view

# How the invalid records' columns are headed (measures.views.INVALID_RECORD_COLUMNS).
INVALID_COLUMNS: dict[str, str] = {
    "case_ref": "Case ref",
    "measure": "Measure",
    "team": "Team",
    "worker": "Worker",
    "from_date": "From date",
    "to_date": "To date",
    "due_date": "Due date",
}
CATEGORY_NAMES: dict[str, str] = {
    "team": "Team",
    "worker": "Worker",
    "order_type": "Order type",
    "requirements": "Requirements",
    "lscmi_version": "LS/CMI version",
    "risk_level": "Risk level",
    "exclusion_reason": "Exclusion reason",
    "auditor": "Auditor",
}
REJECT_COLUMNS: dict[str, str] = {
    "upload_id": "Upload",
    "file": "File",
    "sheet": "Sheet",
    "row": "Row",
    "column": "Column",
    "reason": "Reason",
}

# Headings short enough for the excluded-records table's narrow measure columns; the page text and the
# measure pages give the full names.
SHORT_HEADINGS: dict[str, str] = {
    "first_contact": "Contact",
    "induction": "Induction",
    "upw_start": "UPW start",
    "lscmi": "LS/CMI",
    "cmp": "Case plan",
    "review_on_time": "Review held",
    "review_recorded": "Written up",
    "review_participation": "Took part",
    "review_needs_tool": "Needs tool",
    "audit_good": "Audit",
}


@st.cache_data(show_spinner=False, max_entries=16)
def invalid_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """Records whose "to" date is before their "from" date, as the filters keep them."""
    columns = ("status", *views.INVALID_RECORD_COLUMNS)
    return views.invalid_records(data.filtered_statuses(url, version, filters, CAN_BE_INVALID, columns))


@st.cache_data(show_spinner=False, max_entries=16)
def exclusions_for(url: str, version: str, filters: Filters) -> pd.DataFrame:
    """Excluded records per reason and measure, as the filters keep them."""
    excluded = data.filtered_statuses(url, version, filters, columns=("measure", "record_id", "status"))
    reasons = {name: data.dataset_for(url, version, name, ("exclusion_reason",)) for name in DATASET_NAMES}
    return views.exclusions_by_reason(excluded, reasons)


@st.cache_data(show_spinner=False, max_entries=8)
def live_rejects(url: str, version: str, scope: tuple[str, ...] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected-row counts per live upload, and the rejected rows themselves (upload, file, sheet, ...).

    Undone uploads are left out: their rows are no longer in any figure. The value of the rejected
    cell is left out too: the reason says what is wrong, and the Upload page showed the value once.
    Within a team scope only rows whose team (as the file gave it) is one of the scope's teams are
    listed and counted; a row with no team is in no scope.
    """
    engine = data.engine_for(url)
    uploads = [info for info in data.uploads_for(url, version) if info.undone_at is None and info.rejected]
    frames = [
        store.rejected_rows(engine, info.id, scope).assign(upload_id=info.id, file=info.file_name)
        for info in uploads
    ]
    rejected = [
        info.rejected if scope is None else int(frame["row"].nunique())
        for info, frame in zip(uploads, frames, strict=True)
    ]
    shown = [position for position, count in enumerate(rejected) if count]
    uploads, frames = [uploads[i] for i in shown], [frames[i] for i in shown]
    counts = pd.DataFrame(
        {
            "Upload": [info.id for info in uploads],
            "When": [local_time(info.uploaded_at) for info in uploads],
            "File": [info.file_name for info in uploads],
            "Sheet": [info.sheet or "" for info in uploads],
            "Dataset": [info.dataset for info in uploads],
            "Rejected rows": [rejected[i] for i in shown],
        }
    )
    rows = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({column: pd.Series(dtype="object") for column in REJECT_COLUMNS})
    )
    return counts, rows[list(REJECT_COLUMNS)].rename(columns=REJECT_COLUMNS)


@st.cache_data(show_spinner=False, max_entries=16)
def gaps_for(url: str, version: str, filters: Filters) -> dict[str, pd.DataFrame]:
    """The cases behind each gap (measures.views.GAP_WHY), as the filters keep them."""
    read = {name: data.dataset_for(url, version, name, columns) for name, columns in views.GAP_READS.items()}
    return views.gap_cases(read, filters)


def invalid_section(url: str, version: str, filters: Filters) -> None:
    st.subheader("Invalid records")
    st.markdown(
        'A record is invalid when its "to" date is earlier than its "from" date (for example an '
        "LS/CMI completed before the order date). It counts in no rate until it is corrected."
    )
    invalid = invalid_for(url, version, filters)
    show_table(views.invalid_counts(invalid))
    if invalid.empty:
        st.markdown("No invalid records match the filters.")
        return
    st.markdown("The cases")
    if record_case_view(
        "Data quality: invalid records", filters_record(filters), min(len(invalid), CASES_SHOWN)
    ):
        show_capped(invalid.rename(columns=INVALID_COLUMNS), "invalid records")


def exclusions_section(url: str, version: str, filters: Filters) -> None:
    st.subheader("Excluded records")
    table = exclusions_for(url, version, filters)
    if table.empty:
        st.markdown("No excluded records match the filters.")
        return
    st.markdown(
        "Records with an exclusion reason leave every rate's denominator. An excluded order counts "
        "once under each measure it would otherwise count in."
    )
    # A column per measure, narrow enough for all ten at 1400 px: headed by a short word (SHORT_HEADINGS).
    show_table(
        table,
        labels={measure.title: SHORT_HEADINGS[measure.id] for measure in MEASURES},
        widths={measure.title: 72 for measure in MEASURES} | {"Exclusion reason": 150, "Total": 60},
    )


def rejects_section(url: str, version: str) -> None:
    st.subheader("Rejected rows of live uploads")
    counts, rows = live_rejects(url, version, data.current_scope())
    if counts.empty:
        st.markdown("No live upload has rejected rows.")
        return
    st.markdown(
        "Rows an upload could not store, with the spreadsheet row and the reason. Correct them in the "
        "case management system and upload the extract again. The sidebar filters do not apply."
    )
    show_table(counts)
    if not record_case_view("Data quality: rejected rows", {}, min(len(rows), CASES_SHOWN)):
        return
    with st.expander(f"The rejected rows and why ({len(rows):,} lines)"):
        show_capped(rows, "problems")
    person = current_person()
    if person is None or not may(person, "export"):
        return
    content = exports.to_csv_bytes(rows)
    st.download_button(
        "Download rejected rows (CSV)",
        content,
        file_name=exports.export_file_name("rejected_rows", {}, "csv"),
        mime="text/csv",
        key=state.DATA_QUALITY_REJECTS_DOWNLOAD,
        # The rows name cases, so their download is logged like any export.
        on_click=log_export,
        args=("rejected rows of live uploads", {}, len(rows), "csv", content),
    )


def gaps_section(url: str, version: str, filters: Filters) -> None:
    st.subheader("Gaps that weaken the figures")
    found = gaps_for(url, version, filters)
    show_table(
        pd.DataFrame(
            {
                "Gap": list(found),
                "Records": [len(cases) for cases in found.values()],
                "Why it matters": [views.GAP_WHY[title] for title in found],
            }
        ),
        widths={"Gap": 220, "Records": 80, "Why it matters": 600},
        wrap=True,
    )
    for title, cases in found.items():
        if len(cases) and record_case_view(
            f"Data quality: {title}", filters_record(filters), min(len(cases), CASES_SHOWN)
        ):
            with st.expander(f"{title} ({len(cases):,})"):
                show_capped(cases, "records")


@st.cache_data(show_spinner=False, max_entries=8)
def spellings_for(url: str, version: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values written in several ways, and the shapes case references take (when more than one)."""
    frames = {
        name: data.dataset_for(url, version, name, (*categories.CATEGORY_COLUMNS.get(name, ()), "case_ref"))
        for name in DATASET_NAMES
    }
    return categories.spelling_variants(frames), categories.case_ref_formats(frames)


def spellings_section(url: str, version: str) -> None:
    st.subheader("Values written in more than one way")
    variants, formats = spellings_for(url, version)
    st.caption(
        "Spellings that differ only in capitals or spaces are counted as one group everywhere, under the "
        "most used spelling. Correcting them at source keeps the extracts consistent. Every stored record "
        "is checked; the sidebar filters do not apply."
    )
    if variants.empty:
        st.markdown("Every team, worker, order type and other category is written one way.")
    else:
        named = variants.assign(column=variants["column"].map(CATEGORY_NAMES).fillna(variants["column"]))
        show_table(named.rename(columns=str.capitalize))
    if formats.empty:
        st.markdown("Case references are all written in one format.")
        return
    st.markdown(
        f"Case references are written in {len(formats)} formats (A a capital letter, a a small letter, "
        "9 a number of any length). The same person under two formats is counted twice."
    )
    if record_case_view("Data quality: case reference formats", {}, len(formats)):
        show_table(formats.rename(columns=str.capitalize))


def main() -> None:
    start = page_start("Data quality")
    if start is None:
        return
    st.markdown(
        "Records that weaken the figures, so they can be corrected at source. The sidebar filters "
        "apply: invalid and excluded records fall in the quarter they are due, as on the measure pages; "
        "orders in the quarter of the order date and reviews in the quarter of their due date."
    )
    invalid_section(start.url, start.version, start.filters)
    exclusions_section(start.url, start.version, start.filters)
    rejects_section(start.url, start.version)
    gaps_section(start.url, start.version, start.filters)
    spellings_section(start.url, start.version)


main()
