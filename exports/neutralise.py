"""Formula-injection defence for exported cells (security notes section 2.3).

Uploaded spreadsheets are stored exactly as received; only what leaves the dashboard is neutralised.
A text cell that starts with = + - @ or a tab/CR/LF could run as a formula when a manager opens the
export in Excel, so it gets a leading apostrophe. Control characters are stripped *first*: otherwise
"\\x0b=1+1" would pass the check and become "=1+1" once Excel drops the invisible character.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from loaders.limits import MAX_CELL_CHARS  # Excel's own limit for one cell, read and written alike

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# openpyxl's ILLEGAL_CHARACTERS_RE (C0 controls except tab, LF, CR) plus the other code points XML 1.0
# forbids and lone surrogates, which cannot be written as UTF-8.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MAY_HOLD_TEXT = {"string", "mixed", "mixed-integer", "empty"}  # what .str accepts, bytes aside
_STARTS_WITH_TRIGGER = re.compile("[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def neutralise(value: Any) -> Any:
    """A text value made safe to open in a spreadsheet; numbers, dates and blanks come back unchanged."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS.sub("", value)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


def _neutralise_series(values: pd.Series) -> pd.Series:
    """Vectorised `neutralise` for an object column that may mix text with numbers, dates and None."""
    if pd.api.types.infer_dtype(values, skipna=True) not in _MAY_HOLD_TEXT:
        return values  # no text at all (e.g. only numbers): the .str accessor would refuse it
    text = values.str.replace(ILLEGAL_CHARACTERS, "", regex=True)  # NaN wherever the value is not text
    is_text = text.notna()
    if not is_text.any():
        return values
    triggered = text.str.match(_STARTS_WITH_TRIGGER).eq(True)  # NaN (not text) -> False
    text = text.where(~triggered, "'" + text).str.slice(0, MAX_CELL_CHARS)
    return text.where(is_text, values).astype(object)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text column and every column header neutralised (headers come from uploads too)."""
    result = frame.copy()
    for position, dtype in enumerate(result.dtypes):
        if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype):
            column = result.iloc[:, position].astype(object)
            result.isetitem(position, _neutralise_series(column))
    result.columns = [neutralise(str(name)) for name in result.columns]
    return result
