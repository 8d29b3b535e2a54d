"""CSV bytes -> Grid: UTF-8 (BOM or not) else strict Windows-1252, delimiter sniffed from the header area,
every cell kept as text so leading zeros and "N/A" survive until validation decides what they mean."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from loaders import limits
from loaders.grid import Grid
from loaders.result import LoadError

_DELIMITERS = (",", ";", "\t")  # preference order when counts tie
_QUOTED = re.compile(r'"[^"]*"')
_UTF8_BOM = b"\xef\xbb\xbf"


def decode_text(file_name: str, content: bytes) -> str:
    """UTF-8 (the BOM is dropped), else Windows-1252; strict both ways, so no silent mojibake."""
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise LoadError(
            f"'{file_name}' is neither UTF-8 nor Windows-1252 text: save it as 'CSV UTF-8'"
        ) from error


def sniff_delimiter(text: str) -> str:
    """The delimiter used most on any one line of the header area (title rows have few, the header many)."""
    sample_lines = _QUOTED.sub("", text[: 64 * 1024]).splitlines()[: limits.HEADER_SEARCH_ROWS]
    best = max(
        _DELIMITERS,
        key=lambda delimiter: max((line.count(delimiter) for line in sample_lines), default=0),
    )
    return best


def read_csv_grid(file_name: str, content: bytes) -> Grid:
    text = decode_text(file_name, content)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise LoadError(
            f"'{file_name}' could not be read as CSV: a field is malformed or far too long"
        ) from error
    field_counts = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    cells = pd.DataFrame(records, dtype=object) if records else pd.DataFrame(dtype=object)
    return Grid(sheet=None, cells=cells, excel_rows=_physical_lines(cells, text), field_counts=field_counts)


def _physical_lines(cells: pd.DataFrame, text: str) -> np.ndarray:
    """Line number each record starts on: a quoted field with embedded newlines spans several lines."""
    line_count = text.count("\n") + (0 if text.endswith("\n") else 1)
    if line_count == len(cells):  # no field holds a newline: record i is on line i (the usual case)
        return np.arange(1, len(cells) + 1, dtype=np.int64)
    extra_lines = np.zeros(len(cells), dtype=np.int64)
    for column in cells.columns:
        values = cells[column]
        has_newline = values.str.contains("\n", regex=False, na=False).to_numpy()
        if has_newline.any():
            extra_lines[has_newline] += values[has_newline].str.count("\n").to_numpy(dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(extra_lines)[:-1])) if len(cells) else extra_lines
    return np.arange(1, len(cells) + 1, dtype=np.int64) + before
