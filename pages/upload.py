"""Upload: read extracts, show what was found and rejected, store them; upload history with undo.

The dataset is recognised from the headers and can be changed (SPEC 4): for a CSV or a workbook with
one recognised sheet, once for the file; for a workbook of several recognised sheets, per sheet, since
one workbook often holds orders on one sheet and audits or reviews on another.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import exports
import store
from loaders import (
    DATASET_NAMES,
    LoadError,
    ReadResult,
    ReviewSchedule,
    SheetResult,
    read_extract_isolated,
)
from loaders.data_date import data_date
from pages.ui import data, state
from pages.ui.display import local_time, plain, show_preview, show_table
from pages.ui.frame import USER_ERRORS, current_user, log_export, page_start, run_guarded

AS_RECOGNISED = "as recognised"
ALL_SHEETS = "every recognised sheet"
PREVIEW_ROWS = 20
FILE_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv"]


@st.cache_data(show_spinner="Reading the file…", max_entries=16)
def read_upload(
    file_name: str,
    sha256: str,
    _content: bytes,
    dataset: str | None,
    sheet: str | None,
    schedule: ReviewSchedule,
) -> ReadResult:
    """The loader's reading of a file (or one sheet of it), cached on its hash so reruns do not read again.

    Read in a memory- and time-limited child process: a crafted file is refused in one line, and the
    server, this session and every other user carry on.
    """
    return read_extract_isolated(file_name, _content, dataset=dataset, sheet=sheet, review_schedule=schedule)


def mapping_table(sheet: SheetResult) -> pd.DataFrame:
    return pd.DataFrame(
        {"Header in the file": list(sheet.column_map), "Read as column": list(sheet.column_map.values())}
    )


def sheet_details(file_name: str, file_index: int, sheet: SheetResult) -> None:
    """What the loader found in one sheet: dataset, header mapping, ignored columns, preview, rejects."""
    where = f"sheet “{plain(sheet.sheet)}”" if sheet.sheet else "the file"
    st.markdown(
        f"**{where}**: read as **{sheet.dataset}**, header on row {sheet.header_row}; "
        f"{len(sheet.records):,} rows accepted, {sheet.rejected_row_count:,} rejected, "
        f"{sheet.skipped_rows:,} blank, note or total rows skipped."
    )
    st.caption(data_date_words(sheet))
    mapping_column, ignored_column = st.columns([2, 1])
    with mapping_column:
        show_table(mapping_table(sheet))
    with ignored_column:
        ignored = ", ".join(map(plain, sheet.ignored_columns)) if sheet.ignored_columns else "none"
        st.markdown(f"Columns not recognised (kept aside): {ignored}")
    st.markdown(f"Preview (first {PREVIEW_ROWS} accepted rows)")
    # Columns the file did not fill are left out of the preview (they are all blank), then as many as fit.
    show_preview(sheet.records.head(PREVIEW_ROWS).dropna(axis="columns", how="all"))
    if len(sheet.rejects):
        st.markdown("Rejected rows and why")
        show_table(sheet.rejects, height=240)
        stem = Path(file_name).stem
        suffix = f"-{sheet.sheet}" if sheet.sheet else ""
        content = exports.to_csv_bytes(sheet.rejects)
        st.download_button(
            "Download rejected rows (CSV)",
            content,
            file_name=f"{stem}{suffix}-rejected-rows.csv",
            mime="text/csv",
            key=state.keyed(state.UPLOAD_REJECTS_DOWNLOAD, file=file_index, sheet=sheet.sheet or "csv"),
            # The rejected rows hold case data, so their download is logged like any export.
            on_click=log_export,
            args=(
                f"rejected rows of {file_name}",
                {"sheet": sheet.sheet},
                len(sheet.rejects),
                "csv",
                content,
            ),
        )


def data_date_words(sheet: SheetResult) -> str:
    """Which date the upload will be known by, and where it came from (SPEC 4)."""
    taken = data_date(sheet.report_date, sheet.records, sheet.dataset, date.today())
    if taken is None:
        return "No data date: the sheet has no dates of things that happened."
    source = "its title rows" if sheet.report_date is not None else "the latest date in it"
    return f"Data as at {taken:%d/%m/%Y} (from {source})."


NOT_STORED = "✗ "  # marks a result line that reports a failure
HELD_BACK = "⚠ "  # marks a result line about an older extract waiting for a confirmation


def store_sheets(
    file_name: str, sha256: str, sheets: list[SheetResult], *, allow_older: bool = False
) -> list[str]:
    """Store every shown sheet, each in its own transaction; one line per sheet saying what happened.

    While another upload holds the store this one queues, and says so. If a sheet cannot be stored (the
    store stayed busy, the disk is full), the lines say which sheets were stored before it
    and that the rest were not, rather than losing what already happened. A sheet older than the stored
    data that would change records back is held until the user confirms (`allow_older`).
    """
    lines = []
    queue_notice = st.empty()

    def show_queued(seconds: float) -> None:
        queue_notice.info(f"Another upload is being stored; this one is queued ({seconds:.0f} s so far)…")

    for position, sheet in enumerate(sheets):
        where = f"{file_name}" + (f" / {sheet.sheet}" if sheet.sheet else "")
        try:
            summary = store.store_sheet(
                data.engine(),
                sheet,
                file_name=file_name,
                sha256=sha256,
                user=current_user(),
                on_wait=show_queued,
                refuse_older=not allow_older,
            )
        except store.OlderExtract as error:
            st.session_state[state.keyed(state.UPLOAD_OLDER, file=sha256)] = f"{where}: {error}"
            lines.append(f"{HELD_BACK}{where}: not stored yet: {error}. Confirm below to store it anyway.")
            break
        except USER_ERRORS as error:
            not_stored = ", ".join(s.sheet or file_name for s in sheets[position:])
            lines.append(f"{NOT_STORED}{where}: {error}. Not stored: {not_stored}.")
            break
        if summary.already_loaded is not None:
            lines.append(f"{where}: already loaded (upload {summary.already_loaded}); nothing changed.")
        else:
            lines.append(
                f"{where}: stored as upload {summary.upload_id} ({summary.dataset}): "
                f"{summary.new:,} new, {summary.updated:,} updated, {summary.unchanged:,} unchanged, "
                f"{summary.rejected:,} rejected."
            )
    return lines


class Extract(NamedTuple):
    """One uploaded file, read once from the uploader and passed to the functions that show it."""

    index: int  # position among the uploaded files; part of its widget keys
    name: str
    content: bytes
    sha256: str
    schedule: ReviewSchedule

    def read(self, dataset: str | None = None, sheet: str | None = None) -> ReadResult:
        return read_upload(self.name, self.sha256, self.content, dataset, sheet, self.schedule)


def named_sheets(read: ReadResult | LoadError) -> list[str]:
    return [] if isinstance(read, LoadError) else [sheet.sheet for sheet in read.sheets if sheet.sheet]


def file_sheets(
    extract: Extract, recognised: ReadResult | LoadError, columns: list[DeltaGenerator]
) -> list[SheetResult] | None:
    """A CSV or a one-sheet workbook: one dataset choice for the file. None when it cannot be read."""
    dataset_column, sheet_column = columns
    dataset = dataset_column.selectbox(
        "Dataset",
        [AS_RECOGNISED, *DATASET_NAMES],
        key=state.keyed(state.UPLOAD_DATASET, file=extract.index),
        help="Recognised from the headers; choose another to read the file as that dataset.",
    )
    try:
        result = recognised if dataset == AS_RECOGNISED else extract.read(dataset)
    except LoadError as error:
        result = error
    if isinstance(result, LoadError):
        st.error(plain(f"{extract.name}: {result}"))
        return None
    sheets = result.sheets
    names = named_sheets(result)
    if len(names) > 1:  # a forced dataset can make more sheets readable than were recognised
        chosen = sheet_column.selectbox(
            "Sheet", [ALL_SHEETS, *names], key=state.keyed(state.UPLOAD_SHEET, file=extract.index)
        )
        if chosen != ALL_SHEETS:
            sheets = [sheet for sheet in sheets if sheet.sheet == chosen]
    elif names:
        sheet_column.markdown(f"Sheet: **{names[0]}**")
    for sheet in sheets:
        sheet_details(extract.name, extract.index, sheet)
    return sheets


def workbook_sheets(
    extract: Extract, recognised: ReadResult, columns: list[DeltaGenerator]
) -> list[SheetResult]:
    """A workbook of several recognised sheets: each shown sheet has its own dataset choice.

    A sheet whose dataset is changed is read again on its own; if it cannot be read as that dataset
    the reason is shown and only that sheet is left out of Store.
    """
    note_column, sheet_column = columns
    note_column.markdown("Several sheets: the dataset of each is shown below, and can be changed.")
    chosen = sheet_column.selectbox(
        "Sheet",
        [ALL_SHEETS, *named_sheets(recognised)],
        key=state.keyed(state.UPLOAD_SHEET, file=extract.index),
    )
    readable = []
    for position, found in enumerate(recognised.sheets):
        if chosen not in (ALL_SHEETS, found.sheet):
            continue
        dataset = st.selectbox(
            f"Dataset of sheet “{plain(found.sheet)}”",
            [AS_RECOGNISED, *DATASET_NAMES],
            format_func=lambda choice, found=found: (
                f"{AS_RECOGNISED} ({found.dataset})" if choice == AS_RECOGNISED else choice
            ),
            key=state.keyed(state.UPLOAD_SHEET_DATASET, file=extract.index, sheet=position),
            help="Recognised from the sheet's headers; choose another to read the sheet as that dataset.",
        )
        sheet = found
        if dataset not in (AS_RECOGNISED, found.dataset):
            try:
                sheet = extract.read(dataset, found.sheet).sheets[0]
            except LoadError as error:
                st.error(plain(f"{extract.name}, sheet “{found.sheet}”: {error}"))
                continue
        sheet_details(extract.name, extract.index, sheet)
        readable.append(sheet)
    return readable


def one_file(extract: Extract) -> None:
    """One uploaded file: what was found in it, the dataset choices, and its Store button."""
    st.subheader(plain(extract.name))
    columns = st.columns(2)
    try:
        recognised: ReadResult | LoadError = extract.read()
    except LoadError as error:
        recognised = error
    if isinstance(recognised, ReadResult):
        for problem in recognised.unread_sheets:
            st.warning(plain(f"{problem}; that sheet will not be stored."), icon=":material/warning:")
    if isinstance(recognised, ReadResult) and len(named_sheets(recognised)) > 1:
        sheets = workbook_sheets(extract, recognised, columns)
    else:
        sheets = file_sheets(extract, recognised, columns)
    if sheets is None:
        return
    store_key = state.keyed(state.UPLOAD_STORE, file=extract.index)
    if st.button("Store", key=store_key, type="primary", disabled=not sheets):
        lines = run_guarded(lambda: store_sheets(extract.name, extract.sha256, sheets))
        if lines:
            st.session_state[state.UPLOAD_RESULTS] = lines
            st.rerun()
    older_anyway(extract, sheets)


def older_anyway(extract: Extract, sheets: list[SheetResult]) -> None:
    """The confirm step for an extract older than the stored data: what it would change back, and a
    second button to store it all the same (SPEC 2: a later upload replaces values)."""
    held = state.keyed(state.UPLOAD_OLDER, file=extract.sha256)
    if held not in st.session_state:
        return
    st.warning(plain(f"{st.session_state[held]}."), icon=":material/history:")
    if st.button(
        "Store it anyway (older values replace newer ones)",
        key=state.keyed(state.UPLOAD_STORE_OLDER, file=extract.index),
    ):
        del st.session_state[held]
        lines = run_guarded(lambda: store_sheets(extract.name, extract.sha256, sheets, allow_older=True))
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
        summary = store.undo_upload(data.engine(), int(upload_id), user=current_user())
    except (store.UndoError, store.StoreError) as error:
        st.session_state[state.UNDO_RESULT] = ("error", str(error))
        return
    st.session_state[state.UNDO_CONFIRM] = False
    st.session_state[state.UNDO_RESULT] = (
        "success",
        f"Upload {upload_id} undone: {summary.new:,} records removed, {summary.updated:,} restored.",
    )


# Pixel widths that fit the history's ten columns in the main area at 1400 px; long names wrap.
HISTORY_WIDTHS: dict[str, int] = {
    "Upload": 55,
    "Status": 120,
    "When": 120,
    "Who": 80,
    "File": 130,
    "Dataset": 70,
    "Data as at": 85,
    "New": 55,
    "Updated": 65,
    "Unchanged": 75,
    "Rejected": 65,
}


def upload_status(upload: store.UploadInfo) -> str:
    """'Live', or 'Undone 01/12/2026 09:12', with '(demo)' for demonstration data: read first in the row."""
    status = "Live" if upload.undone_at is None else f"Undone {local_time(upload.undone_at)}"
    return f"{status} (demo)" if upload.is_demo else status


def history_table(uploads: list[store.UploadInfo]) -> pd.DataFrame:
    """The upload history as the page lists it, newest first, whether each is live or undone up front."""
    return pd.DataFrame(
        {
            "Upload": [u.id for u in uploads],
            "Status": [upload_status(u) for u in uploads],
            "When": [local_time(u.uploaded_at) for u in uploads],
            "Who": [u.user for u in uploads],
            "File": [u.file_name + (f" ({u.sheet})" if u.sheet else "") for u in uploads],
            "Dataset": [u.dataset for u in uploads],
            "Data as at": [u.data_date for u in uploads],
            "New": [u.new for u in uploads],
            "Updated": [u.updated for u in uploads],
            "Unchanged": [u.unchanged for u in uploads],
            "Rejected": [u.rejected for u in uploads],
        }
    )


def remove_demo_clicked() -> None:
    """Undo every live demo upload, newest first, in the button's callback (figures fresh on the rerun)."""
    if not st.session_state.get(state.REMOVE_DEMO_CONFIRM):
        st.session_state[state.UNDO_RESULT] = ("warning", "Tick the confirmation box first.")
        return
    demo = [u for u in store.list_uploads(data.engine()) if u.is_demo and u.undone_at is None]
    removed = 0
    for upload in demo:
        try:
            store.undo_upload(data.engine(), upload.id, user=current_user())
        except (store.UndoError, store.StoreError) as error:
            st.session_state[state.UNDO_RESULT] = (
                "error",
                f"{removed} of {len(demo)} demo uploads removed; upload {upload.id} was not: {error}",
            )
            return
        removed += 1
    st.session_state[state.REMOVE_DEMO_CONFIRM] = False
    st.session_state[state.UNDO_RESULT] = ("success", f"Demo data removed: {removed} demo uploads undone.")


def remove_demo_section(live: list[store.UploadInfo]) -> None:
    """One confirmed action that takes all the demonstration data out (each demo upload undone)."""
    demo = [u for u in live if u.is_demo]
    if not demo:
        return
    st.subheader("Remove demo data")
    st.markdown(
        f"The store holds {len(demo)} demo uploads ({', '.join(sorted({u.dataset for u in demo}))}). "
        "Removing them takes every synthetic record out; your own uploads stay."
    )
    confirmed = st.checkbox("Yes, remove all the demo data.", key=state.REMOVE_DEMO_CONFIRM)
    st.button(
        "Remove demo data",
        key=state.REMOVE_DEMO_BUTTON,
        disabled=not confirmed,
        on_click=remove_demo_clicked,
        type="primary",
    )


def history(url: str, version: str) -> None:
    st.header("Upload history")
    uploads = data.uploads_for(url, version)
    if not uploads:
        st.caption("Nothing uploaded yet.")
        return
    live = {u.id: u for u in uploads if u.undone_at is None}
    remove_demo_section(list(live.values()))
    show_table(history_table(uploads), widths=HISTORY_WIDTHS, wrap=True)
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
    start = page_start("Upload", needs_data=False)
    for line in st.session_state.pop(state.UPLOAD_RESULTS, []):
        if line.startswith(NOT_STORED):
            st.error(plain(line.removeprefix(NOT_STORED)))
        elif line.startswith(HELD_BACK):
            st.warning(plain(line.removeprefix(HELD_BACK)))
        else:
            st.success(plain(line))
    undo_result = st.session_state.pop(state.UNDO_RESULT, None)
    if undo_result:
        kind, message = undo_result
        getattr(st, kind)(plain(message))
    st.markdown(
        "Drop one or more extracts from the case management system (Excel, OpenDocument or CSV). "
        "Nothing is stored until you press **Store**; rows with problems are listed with the reason."
    )
    files = st.file_uploader(
        "Spreadsheet extracts", type=FILE_TYPES, accept_multiple_files=True, key=state.UPLOAD_FILES
    )
    schedule = data.settings_for(start.url, start.version).review_schedule
    for file_index, uploaded in enumerate(files or []):
        content = uploaded.getvalue()
        extract = Extract(file_index, uploaded.name, content, hashlib.sha256(content).hexdigest(), schedule)
        with st.container(border=True):
            one_file(extract)
    history(start.url, start.version)


main()
