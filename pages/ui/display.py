"""How the pages show things: values from files as plain text, RAG ratings, rates, times and tables.

Streamlit renders markdown in st.markdown, headers, alerts and widget labels, so a header such as
``![i](https://example.org/h.png)`` would make every viewer's browser fetch that address, and
``:red[...]`` or ``[link](...)`` would be drawn as markup: `plain` shows such a value as typed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import streamlit as st

from measures import rate_text
from measures.views import rag_label

# CommonMark lets any ASCII punctuation be escaped with a backslash; these are the ones Streamlit's
# markdown, its directives (:red[...], :material/...:) and its LaTeX ($...$) give a meaning to.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GitHub-flavoured markdown turns bare addresses into links whatever is escaped: "https://…", "www.…"
# and "name@host.tld". An invisible word joiner inside each pattern leaves the text as typed, unlinked.
_AUTOLINKS = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")
_WORD_JOINER = "\u2060"

# Colour-blind safe: every badge's icon has its own shape, and its words say the rating.
RAG_BADGES: dict[str, tuple[str, str]] = {
    "green": ("green", ":material/check_circle:"),
    "amber": ("orange", ":material/change_history:"),
    "red": ("red", ":material/cancel:"),
    "grey": ("gray", ":material/radio_button_unchecked:"),
}
BREAKDOWNS: dict[str, str] = {
    "team": "Team",
    "worker": "Worker",
    "order_type": "Order type",
    "lscmi_version": "LS/CMI version",
    "risk_level": "Risk level",
}
ColumnWidth = Literal["small", "medium", "large"] | int
PREVIEW_WIDTH = 920  # px a preview's columns share in the main area at 1400 px
PREVIEW_COLUMN_WIDTH = 90  # px: a dd/mm/yyyy date fits; longer text wraps
PREVIEW_WIDE_COLUMNS: dict[str, int] = {"case_ref": 120}  # a case reference should not break
WRAPPED_ROW_HEIGHT = 68  # px: over Streamlit's 4rem, so text wraps, and room for three short lines
CASES_SHOWN = 5_000  # a browser table of millions of rows helps nobody; the Export page has them all
UK_TIME = ZoneInfo("Europe/London")


def plain(value: object) -> str:
    """`value` as literal text inside markdown: special characters escaped, no links, on one line."""
    text = _AUTOLINKS.sub(_WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def rag_badge_markdown(rag: object) -> str:
    """The RAG rating as a coloured badge whose icon shape and words carry it without colour, as the
    markdown st.badge draws (for a line of a tile's markdown)."""
    colour, icon = RAG_BADGES.get(str(rag), RAG_BADGES["grey"])
    return f":{colour}-badge[{icon} {rag_label(rag, with_symbol=False)}]"


def svg_markdown(svg: str, alt: str) -> str:
    """An SVG drawing as a markdown image, carried in the page itself (a data address, no request)."""
    address = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
    return f"![{plain(alt)}]({address})"


def format_rate(rate: object) -> str:
    """'87.5%', or 'no rate' when nothing was due (SPEC 3.2: no rate when the denominator is 0)."""
    return "no rate" if rate is None or pd.isna(rate) else f"{rate_text(rate)}%"


def format_change(change: object) -> str | None:
    """A change of rate as '+2.5 points'; None when there is nothing to compare with."""
    return None if change is None or pd.isna(change) else f"{change:+.1f} points"


def format_target(target: object) -> str:
    """'target 90%', or 'no target'."""
    return "no target" if target is None or pd.isna(target) else f"target {float(target):g}%"


def local_time(moment: datetime | None) -> str:
    """A stored UTC time as UK local time, dd/mm/yyyy hh:mm ('' for none)."""
    if moment is None or pd.isna(moment):
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(UK_TIME):%d/%m/%Y %H:%M}"


def show_table(
    frame: pd.DataFrame,
    *,
    key: str | None = None,
    height: int | str = "auto",
    labels: Mapping[str, str] | None = None,
    widths: Mapping[str, ColumnWidth] | None = None,
    wrap: bool = False,
) -> None:
    """A table without the index, dates shown the UK way (dd/mm/yyyy), blank cells blank (never "None").

    `labels` gives columns the names a person reads ("Case ref" for case_ref) without renaming the data;
    `widths` sizes columns ("small", "medium", "large" or pixels) so a wide table fits its container;
    `wrap` makes rows tall enough for long text to wrap in its column (Streamlit wraps above 4rem).
    """
    labels, widths = labels or {}, widths or {}
    config: dict[str, object] = {}
    for column, dtype in frame.dtypes.items():
        name = str(column)
        label, width = labels.get(name, name), widths.get(name)
        if pd.api.types.is_datetime64_any_dtype(dtype):
            config[name] = st.column_config.DateColumn(label, format="DD/MM/YYYY", width=width)
        elif name in labels or name in widths:
            config[name] = st.column_config.Column(label, width=width)
    st.dataframe(
        frame,
        hide_index=True,
        key=key,
        height=height,
        column_config=config,
        placeholder="",
        row_height=WRAPPED_ROW_HEIGHT if wrap else None,
    )


def show_preview(preview: pd.DataFrame) -> None:
    """Rows of a dataset (an export's or an upload's) at a readable width: as many columns as fit the main
    area at 1400 px, with human names (files keep the canonical ones), and the columns left out named."""
    widths = {
        str(name): PREVIEW_WIDE_COLUMNS.get(str(name), PREVIEW_COLUMN_WIDTH) for name in preview.columns
    }
    fits = int(np.searchsorted(np.cumsum(list(widths.values())), PREVIEW_WIDTH, side="right"))
    shown, rest = list(preview.columns[:fits]), [str(column) for column in preview.columns[fits:]]
    show_table(
        preview[shown],
        labels={str(name): str(name).replace("_", " ").capitalize() for name in shown},
        widths={str(name): widths[str(name)] for name in shown},
        wrap=True,
    )
    if rest:
        st.caption(f"The files also hold {len(rest)} more columns: {', '.join(rest)}.")


def show_capped(frame: pd.DataFrame, what: str) -> None:
    """A table of at most CASES_SHOWN rows, saying when more exist."""
    if len(frame) > CASES_SHOWN:
        st.caption(f"The first {CASES_SHOWN:,} of {len(frame):,} {what}.")
    show_table(frame.head(CASES_SHOWN))
