"""Upload: read extracts, show what was found and rejected, store them; upload history with undo."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

import exports
import store
from loaders import DATASET_NAMES, LoadError, ReadResult, ReviewSchedule, SheetResult, read_extract
from pages.ui import common, state

common.require_dashboard_frame()

AS_RECOGNISED = "as recognised"
ALL_SHEETS = "every recognised sheet"
PREVIEW_ROWS = 20
FILE_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv"]


@st.cache_data(show_spinner="Reading the file…", max_entries=16)
def read_upload(
    file_name: str, sha256: str, _content: bytes, dataset: str | None, schedule: ReviewSchedule
) -> ReadResult:
    """The loader's reading of one file, cached on its hash so reruns do not read it again."""
    return read_extract(file_name, _content, dataset=dataset, review_schedule=schedule)


def mapping_table(sheet: SheetResult) -> pd.DataFrame:
    return pd.DataFrame(
        {"Header in the file": list(sheet.column_map), "Read as column": list(sheet.column_map.values())}
    )


def sheet_details(file_name: str, file_index: int, sheet: SheetResult) -> None:
    """What the loader found in one sheet: dataset, header mapping, ignored columns, preview, rejects."""
    where = f"sheet “{sheet.sheet}”" if sheet.sheet else "the file"
    st.markdown(
        f"**{where}**: read as **{sheet.dataset}**, header on row {sheet.header_row}; "
        f"{len(sheet.records):,} rows accepted, {sheet.rejected_row_count:,} rejected, "
        f"{sheet.skipped_rows:,} blank, note or total rows skipped."
    )
    mapping_column, ignored_column = st.columns([2, 1])
    with mapping_column:
        common.show_table(mapping_table(sheet))
    with ignored_column:
        ignored = ", ".join(sheet.ignored_columns) if sheet.ignored_columns else "none"
        st.markdown(f"Columns not recognised (kept aside): {ignored}")
    st.markdown(f"Preview (first {PREVIEW_ROWS} accepted rows)")
    common.show_table(sheet.records.head(PREVIEW_ROWS))
    if len(sheet.rejects):
        st.markdown("Rejected rows and why")
        common.show_table(sheet.rejects, height=240)
        stem = Path(file_name).stem
        suffix = f"-{sheet.sheet}" if sheet.sheet else ""
        data = exports.to_csv_bytes(sheet.rejects)
        st.download_button(
            "Download rejected rows (CSV)",
            data,
            file_name=f"{stem}{suffix}-rejected-rows.csv",
            mime="text/csv",
            key=state.keyed(state.UPLOAD_REJECTS_DOWNLOAD, file=file_index, sheet=sheet.sheet or "csv"),
            # The rejected rows hold case data, so their download is logged like any export.
            on_click=common.log_export,
            args=(f"rejected rows of {file_name}", {"sheet": sheet.sheet}, len(sheet.rejects), "csv", data),
        )


def store_sheets(result: ReadResult, sheets: list[SheetResult]) -> list[str]:
    """Store every shown sheet; one line per sheet saying what happened."""
    lines = []
    for sheet in sheets:
        summary = store.store_sheet(
            common.engine(),
            sheet,
            file_name=result.file_name,
            sha256=result.sha256,
            user=common.current_user(),
        )
        where = f"{result.file_name}" + (f" / {sheet.sheet}" if sheet.sheet else "")
        if summary.already_loaded is not None:
            lines.append(f"{where}: already loaded (upload {summary.already_loaded}); nothing changed.")
        else:
            lines.append(
                f"{where}: stored as upload {summary.upload_id} ({summary.dataset}): "
                f"{summary.new:,} new, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
                f"{summary.rejected:,} rejected."
            )
    return lines


def one_file(file_index: int, uploaded: object, schedule: ReviewSchedule) -> None:
    content: bytes = uploaded.getvalue()
    sha256 = hashlib.sha256(content).hexdigest()
    st.subheader(uploaded.name)
    dataset_column, sheet_column = st.columns(2)
    dataset = dataset_column.selectbox(
        "Dataset",
        [AS_RECOGNISED, *DATASET_NAMES],
        key=state.keyed(state.UPLOAD_DATASET, file=file_index),
        help="Recognised from the headers; choose another to read the file as that dataset.",
    )
    try:
        result = read_upload(
            uploaded.name, sha256, content, None if dataset == AS_RECOGNISED else dataset, schedule
        )
    except LoadError as error:
        st.error(f"{uploaded.name}: {error}")
        return
    sheets = result.sheets
    names = [sheet.sheet for sheet in sheets if sheet.sheet]
    if len(names) > 1:
        chosen = sheet_column.selectbox(
            "Sheet", [ALL_SHEETS, *names], key=state.keyed(state.UPLOAD_SHEET, file=file_index)
        )
        if chosen != ALL_SHEETS:
            sheets = [sheet for sheet in sheets if sheet.sheet == chosen]
    elif names:
        sheet_column.markdown(f"Sheet: **{names[0]}**")
    for sheet in sheets:
        sheet_details(uploaded.name, file_index, sheet)
    if st.button("Store", key=state.keyed(state.UPLOAD_STORE, file=file_index), type="primary"):
        lines = common.run_guarded(lambda: store_sheets(result, sheets))
        if lines:
            st.session_state[state.UPLOAD_RESULTS] = lines
            st.rerun()


def undo_clicked() -> None:
    """Undo runs in the button's callback, before the next run draws anything, so every figure is fresh."""
    upload_id = st.session_state.get(state.UNDO_CHOICE)
    if not st.session_state.get(state.UNDO_CONFIRM) or upload_id is None:
        st.session_state[state.UNDO_RESULT] = ("warning", "Tick the confirmation box first.")
        return
    try:
        summary = store.undo_upload(common.engine(), int(upload_id), user=common.current_user())
    except (store.UndoError, store.StoreBusy) as error:
        st.session_state[state.UNDO_RESULT] = ("error", str(error))
        return
    st.session_state[state.UNDO_CONFIRM] = False
    st.session_state[state.UNDO_RESULT] = (
        "success",
        f"Upload {upload_id} undone: {summary.new:,} records removed, {summary.updated:,} restored.",
    )


def history() -> None:
    st.header("Upload history")
    uploads = store.list_uploads(common.engine())
    if not uploads:
        st.caption("Nothing uploaded yet.")
        return
    table = pd.DataFrame(
        {
            "Upload": [u.id for u in uploads],
            "When": [common.local_time(u.uploaded_at) for u in uploads],
            "Who": [u.user for u in uploads],
            "File": [u.file_name for u in uploads],
            "Sheet": [u.sheet or "" for u in uploads],
            "Dataset": [u.dataset for u in uploads],
            "New": [u.new for u in uploads],
            "Updated": [u.updated for u in uploads],
            "Unchanged": [u.unchanged for u in uploads],
            "Rejected": [u.rejected for u in uploads],
            "Demo data": ["yes" if u.is_demo else "no" for u in uploads],
            "Undone": [common.local_time(u.undone_at) for u in uploads],
        }
    )
    common.show_table(table)
    live = {u.id: u for u in uploads if u.undone_at is None}
    if not live:
        return
    st.subheader("Undo an upload")
    st.selectbox(
        "Upload to undo",
        list(live),
        format_func=lambda upload_id: f"{upload_id}: {live[upload_id].file_name} ({live[upload_id].dataset})",
        key=state.UNDO_CHOICE,
    )
    confirmed = st.checkbox(
        "Yes, take this upload back: its new records go and the records it changed return to their "
        "earlier values.",
        key=state.UNDO_CONFIRM,
    )
    st.button("Undo upload", key=state.UNDO_BUTTON, disabled=not confirmed, on_click=undo_clicked)


def main() -> None:
    st.title("Upload")
    for line in st.session_state.pop(state.UPLOAD_RESULTS, []):
        st.success(line)
    undo_result = st.session_state.pop(state.UNDO_RESULT, None)
    if undo_result:
        kind, message = undo_result
        getattr(st, kind)(message)
    st.markdown(
        "Drop one or more extracts from the case management system (Excel, OpenDocument or CSV). "
        "Nothing is stored until you press **Store**; rows with problems are listed with the reason."
    )
    files = st.file_uploader(
        "Spreadsheet extracts", type=FILE_TYPES, accept_multiple_files=True, key=state.UPLOAD_FILES
    )
    url, version = common.store_url(), common.data_version()
    schedule = common.settings_for(url, version).review_schedule
    for file_index, uploaded in enumerate(files or []):
        with st.container(border=True):
            one_file(file_index, uploaded, schedule)
    history()


main()
