"""Audit trail (admins only): who signed in, was refused, saw case rows, uploaded, undid, changed settings
or people, exported or purged, filtered by person, action and date, and exported as CSV.

The trail is append-only (store/audit.py); this page only reads it. Its export is itself recorded.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

import exports
import store
from pages.ui import data, state
from pages.ui.display import local_time, show_capped
from pages.ui.frame import log_export, page_start

EVERYONE = ""
EVERY_ACTION = ""
DEFAULT_DAYS = 30


def shown(rows: pd.DataFrame) -> pd.DataFrame:
    """The trail as the page lists it: newest first, times in UK local time."""
    newest_first = rows.iloc[::-1]
    return pd.DataFrame(
        {
            "When": [local_time(moment) for moment in newest_first["at"]],
            "Who": newest_first["user"].to_numpy(),
            "Action": newest_first["action"].to_numpy(),
            "Detail": newest_first["detail"].to_numpy(),
            "Rows": newest_first["rows"].to_numpy(),
        }
    )


def main() -> None:
    page_start("Audit trail", needs_data=False)
    # Markdown, not a caption: code inside a caption is drawn faded, below the contrast WCAG asks for.
    st.markdown(
        "Every sign-in, sign-out and refusal, every view of case rows (page, filters, rows shown), upload, "
        "undo, settings and people change, export and purge. Nothing here can be changed or deleted; "
        "rows older than the retention period are removed only by `python cli.py audit-purge`, which is "
        "recorded too."
    )
    engine = data.engine()
    person_column, action_column, from_column, to_column = st.columns(4)
    user = person_column.selectbox(
        "Person",
        [EVERYONE, *store.audit_users(engine)],
        format_func=lambda name: name or "Everyone",
        key=state.AUDIT_USER,
    )
    action = action_column.selectbox(
        "Action",
        [EVERY_ACTION, *store.AUDIT_ACTIONS],
        format_func=lambda name: name or "Every action",
        key=state.AUDIT_ACTION,
    )
    today = date.today()
    since = from_column.date_input(
        "From", value=today - timedelta(days=DEFAULT_DAYS), format="DD/MM/YYYY", key=state.AUDIT_FROM
    )
    until = to_column.date_input("To", value=today, format="DD/MM/YYYY", key=state.AUDIT_TO)
    rows = store.list_audit(
        engine, since=since, user=user or None, action=action or None, until=until + timedelta(days=1)
    )
    st.caption(f"{len(rows):,} entries from {since:%d/%m/%Y} to {until:%d/%m/%Y} (UTC days), newest first.")
    show_capped(shown(rows), "entries")
    if rows.empty:
        return
    content = exports.to_csv_bytes(store.audit_csv_frame(rows))
    recorded = {
        "user": user or None,
        "action": action or None,
        "from": since.isoformat(),
        "to": until.isoformat(),
    }
    st.download_button(
        "Download CSV",
        content,
        file_name=exports.export_file_name("audit_trail", recorded, "csv"),
        mime="text/csv",
        key=state.AUDIT_CSV,
        on_click=log_export,
        args=("audit trail", recorded, len(rows), "csv", content),
    )


main()
