"""Report pack: the quarterly paper for the IJB / Quarterly Performance Service Review in one click.

Pick the quarter, read the executive summary, edit each measure's drafted narrative and the cover
report's texts, then generate the Word pack and its Excel annex. Everything in them has passed the
disclosure control (exports.disclosure); the pack is built from the whole service's records (the
sidebar's team, worker and order type filters and quarter range do not apply; its as-at date does).
Generating a pack is recorded in the export log and the audit trail.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import streamlit as st

import exports
import store
from exports.disclosure import DisclosureError
from exports.pack import Pack, PackInputs, build_pack, pack_docx, pack_xlsx, quarter_end
from exports.pack.cells import text_frame
from exports.pack.images import ChartSession
from exports.pack.source import PACK_WHAT, record_pack, rejected_in_live_uploads
from measures import SettingsError, settings_from_document, settings_to_document
from measures.access import may
from measures.pack_texts import PACK_HEADER_FIELDS, PACK_IMPLICATIONS, PACK_SECTIONS
from pages.ui import data, state
from pages.ui.display import ColumnWidth, show_table
from pages.ui.frame import current_person, current_user, page_start, run_guarded

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TEXT_FIELDS = (*PACK_HEADER_FIELDS, *PACK_SECTIONS, *PACK_IMPLICATIONS)


def default_quarter(quarters: list[str], as_at: date) -> int:
    """The latest quarter that ended by the as-at date (else the latest there is)."""
    complete = [index for index, quarter in enumerate(quarters) if quarter_end(quarter) <= as_at]
    return complete[-1] if complete else len(quarters) - 1


def pack_inputs(url: str, version: str, quarter: str, as_at: date) -> PackInputs:
    return PackInputs(
        quarter=quarter,
        as_at=as_at,
        statuses=data.statuses_for(url, version, as_at),
        settings=data.settings_for(url, version),
        actions=store.list_actions(data.engine()),
        rejected_rows=rejected_in_live_uploads(data.uploads_for(url, version)),
        last_uploads=data.last_uploads_for(url, version),
        produced_by=current_user(),
        produced_at=datetime.now(UTC),
    )


@st.cache_resource(show_spinner="Drafting the pack…", max_entries=4)
def draft_pack(url: str, version: str, quarter: str, as_at: date) -> Pack:
    """The pack as drafted from the figures (no edits, no chart figures), shared read-only."""
    return build_pack(pack_inputs(url, version, quarter, as_at), figures=False)


def text_key(key: str) -> str:
    return state.keyed(state.PACK_TEXT, key=key)


def narrative_key(measure: str, quarter: str) -> str:
    return state.keyed(state.PACK_NARRATIVE, measure=measure, quarter=quarter)


def edited_texts() -> dict[str, str]:
    return {key: str(st.session_state.get(text_key(key)) or "") for key, _ in TEXT_FIELDS}


def save_default_texts(url: str, version: str) -> None:
    """Officers and admins keep their edits of the cover report's texts as the defaults (settings)."""
    document = settings_to_document(data.settings_for(url, version))
    document["pack_texts"] = edited_texts()
    try:
        settings = settings_from_document(document)
    except SettingsError as error:
        st.session_state[state.PACK_MESSAGE] = ("error", str(error))
        return
    saved = run_guarded(
        lambda: store.save_settings(data.engine(), settings_to_document(settings), user=current_user())
        or True
    )
    if saved:
        st.session_state[state.PACK_MESSAGE] = ("success", "Texts saved as the defaults for every pack.")


def generate(url: str, version: str, draft: Pack) -> None:
    """Build the pack with the page's edits, draw its charts, write both files, record it."""
    narratives = {
        section.measure: str(st.session_state.get(narrative_key(section.measure, draft.inputs.quarter)) or "")
        for section in draft.sections
    }
    session = ChartSession()  # Chromium starts while the pack is built
    inputs = dataclasses.replace(
        pack_inputs(url, version, draft.inputs.quarter, draft.inputs.as_at),
        narratives=narratives,
        texts=edited_texts(),
    )
    with st.spinner("Drawing the charts and writing the pack…"):
        try:
            pack = build_pack(inputs)
        except BaseException:
            session.close()
            raise
        images = session.render({s.measure: s.figure for s in pack.sections if s.figure is not None})
        try:
            files = {"docx": pack_docx(pack, images), "xlsx": pack_xlsx(pack)}
        except DisclosureError as error:
            st.session_state[state.PACK_MESSAGE] = ("error", f"The pack was not written: {error}")
            st.session_state.pop(state.PACK_FILES, None)
            return
    cells = len(pack.suppressed_cells)
    if not run_guarded(lambda: record_pack(data.engine(), inputs, "docx+xlsx", files["docx"], cells) or True):
        return  # not recorded, so not offered
    st.session_state[state.PACK_FILES] = {
        "signature": (version, inputs.quarter, inputs.as_at),
        "files": files,
        "left_out": images.left_out,
        "cells": cells,
    }


def downloads(quarter: str, as_at: date, version: str) -> None:
    made = st.session_state.get(state.PACK_FILES)
    if not made or made["signature"] != (version, quarter, as_at):
        return
    st.success(f"Pack generated for {quarter}: {made['cells']} figures withheld by disclosure control.")
    if made["left_out"]:
        st.warning(f"The charts were left out: {made['left_out']}. The tables are all there.")
    filters = {"quarter": quarter, "as_at": as_at}
    columns = st.columns(2)
    for column, file_format, key, label in (
        (columns[0], "docx", state.PACK_DOCX, "Download the Word pack"),
        (columns[1], "xlsx", state.PACK_XLSX, "Download the Excel annex"),
    ):
        name = exports.export_file_name("report_pack", filters, file_format)
        column.download_button(
            label, made["files"][file_format], file_name=name, mime=MIME[file_format], key=key
        )
        column.caption(name)


def main() -> None:
    start = page_start("Report pack")
    if start is None:
        return
    url, version, filters = start
    as_at = filters.as_at
    message = st.session_state.pop(state.PACK_MESSAGE, None)
    if message:
        getattr(st, message[0])(message[1])
    quarters = data.filter_options_for(url, version, as_at).quarters
    if not quarters:
        st.info("No quarter holds records yet.")
        return
    quarter = st.selectbox(
        "Quarter", quarters, index=default_quarter(quarters, as_at), key=state.PACK_QUARTER
    )
    st.caption(
        f"The whole service's figures for {quarter}, as at {as_at:%d/%m/%Y} (the sidebar's as-at date; its "
        "other filters do not apply). Counts of 1 to 4 and percentages of small groups are withheld as 'c' "
        "(disclosure control); figures by team appear only where every team had enough records."
    )
    draft = draft_pack(url, version, quarter, as_at)
    st.subheader("Executive summary")
    summary = text_frame(draft.summary)
    # Every figure column narrow so the whole summary fits beside the sidebar (nothing cut off at 1400 px).
    widths: dict[str, ColumnWidth] = {str(column): "small" for column in summary.columns}
    widths[str(summary.columns[0])] = "medium"  # the measure's name wraps
    show_table(summary, widths=widths, wrap=True)

    st.subheader("Narratives")
    st.caption("Drafted from the published figures. Edit them here before generating; Word edits come after.")
    for section in draft.sections:
        st.text_area(
            section.title, value=section.draft, key=narrative_key(section.measure, quarter), height=90
        )

    st.subheader("Cover report")
    with st.expander("Header, purpose, recommendations, background, implications and directions"):
        for key, label in TEXT_FIELDS:
            st.text_area(
                label,
                value=draft.texts.get(key, ""),
                key=text_key(key),
                height=68 if key in dict(PACK_HEADER_FIELDS) else 120,
            )
        person = current_person()
        if person is not None and may(person, "settings"):
            st.button(
                "Save these texts as the defaults",
                key=state.PACK_SAVE_TEXTS,
                on_click=save_default_texts,
                args=(url, version),
            )

    if st.button("Generate pack", key=state.PACK_GENERATE, type="primary", icon=":material/description:"):
        generate(url, version, draft)
        message = st.session_state.pop(state.PACK_MESSAGE, None)
        if message:
            getattr(st, message[0])(message[1])
    downloads(quarter, as_at, version)
    st.caption(f"Each pack generated is recorded in the export log and audit trail as “{PACK_WHAT}”.")


main()
