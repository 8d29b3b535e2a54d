"""The data's own date on every page (issue 8): the default as-at date, the sidebar box that sets it,
and the line under each title saying how current the figures are.

The default as-at date is the newest data date among the live uploads (pages.ui.data.default_as_at),
today only for an empty store. The box is typed text that applies on Enter (Streamlit's date picker commits a
typed date only when the field loses focus); left blank it follows the data, so an upload moves it.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from measures.as_at import AsAtError, parse_as_at
from pages.ui import data, state
from pages.ui.display import local_time


def typed_as_at() -> str:
    return str(st.session_state.get(state.FILTER_AS_AT) or "").strip()


def current_as_at(url: str, version: str) -> date:
    """The as-at date in force: the one typed in the sidebar when it is a date, else the default."""
    text = typed_as_at()
    if text:
        try:
            return parse_as_at(text)
        except AsAtError:
            pass
    return data.default_as_at(url, version)


def as_at_box(where: DeltaGenerator, notices: DeltaGenerator, url: str, version: str) -> date:
    """The "As at" box, drawn in `where`; returns the date in force. A date that cannot be read is named
    in `notices` (seen while the box is out of sight, as in the closed Filters popover) and the default
    stays in force."""
    default = data.default_as_at(url, version)
    where.text_input(
        "As at (dd/mm/yyyy)",
        key=state.FILTER_AS_AT,
        bind="query-params",
        placeholder=f"{default:%d/%m/%Y} (the data's date)",
        help=(
            "The report date: a case with nothing recorded is missed once its due date has passed. Blank: "
            "the date of the newest data uploaded. Type another date and press Enter."
        ),
    )
    text = typed_as_at()
    if text:
        try:
            return parse_as_at(text)
        except AsAtError as error:
            notices.error(f"{error}; showing {default:%d/%m/%Y}.")
    return default


def data_date_text(url: str, version: str) -> str | None:
    """ "15/02/2021 (from the orders extract uploaded on 16/02/2021 09:12)"; None when no upload has a
    data date."""
    newest = data.newest_data_for(url, version)
    if newest is None or newest.data_date is None:
        return None
    source = "the demo data" if newest.is_demo else f"the {newest.dataset} extract"
    return f"{newest.data_date:%d/%m/%Y} (from {source} uploaded on {local_time(newest.uploaded_at)})"


def data_date_line(url: str, version: str, as_at: date) -> str | None:
    """ "Data as at 15/02/2021 (from the orders extract uploaded on 16/02/2021 09:12)." None when no
    upload has a data date. When another as-at date is chosen, the line says both."""
    newest = data.newest_data_for(url, version)
    text = data_date_text(url, version)
    if newest is None or text is None:
        return None
    line = f"Data as at {text}"
    if as_at != newest.data_date:
        line += f"; figures as at {as_at:%d/%m/%Y}, the date chosen in the sidebar"
    return line + "."
