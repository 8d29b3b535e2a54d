"""Cell values -> canonical typed columns, one whole column at a time (no per-row Python loops).

Every parser returns the typed values and, for each bad cell, the reason the row is rejected. Cells
arrive as python-calamine gives them (str, float, int, bool, date, datetime, time, timedelta) or, from
CSV, as text. Day-first UK dates only, with strict formats: 31/02/2020 is rejected, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from loaders import limits
from loaders.schema import GRADE_WORDS, TEXT_DTYPE, Kind

# Words that mean "no value" in any column (SPEC 4), compared stripped and lower-cased. "#n/a" is
# Excel's lookup-failure value, which extracts built with VLOOKUP carry.
NA_WORDS = frozenset({"", "n/a", "na", "n/k", "-", "none", "not known", "unknown", "#n/a"})

DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d-%m-%y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
_EXCEL_EPOCH = "1899-12-30"  # serial 1 = 31/12/1899 in Excel's 1900 system (leap-year bug included)
_LARGEST_SERIAL = 2_958_465  # 31/12/9999
_DATE_SHAPE = re.compile(r"^\d{1,4}\s*[/.\- ]\s*(\d{1,2}|[A-Za-z]{3,9})\s*[/.\- ]\s*\d{1,4}")
_NUMBER_TEXT = r"^[+-]?\d+(\.\d+)?$"
_WHOLE_NUMBER_TEXT = r"^[+-]?\d+(\.0*)?$"
_YES = frozenset({"y", "yes", "true", "1", "1.0", "✓", "✔"})
_NO = frozenset({"n", "no", "false", "0", "0.0", "✗", "✘"})
_GRADE_TEXT = {re.sub(r"[^a-z]", "", word.lower()): number for number, word in GRADE_WORDS.items()} | {
    text: number for number in GRADE_WORDS for text in (str(number), f"{number}.0")
}
_MOMENT_TYPES = (dt.datetime, dt.date, pd.Timestamp)
# C0 control characters and DEL, except tab and line breaks (a note may hold them). PostgreSQL refuses NUL
# in text, and none of them belongs in a case reference, name or date, so a cell holding one is rejected.
_CONTROLS = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]))
_CONTROL_PATTERN = f"[{re.escape(_CONTROLS)}]"
_CONTROL_BYTES = _CONTROLS.encode("ascii")
# Each shown as its Unicode "control picture" (NUL -> U+2400, DEL -> U+2421): a rejection can show the
# cell, and the store and the log never receive the control itself.
_CONTROL_PICTURES = str.maketrans(
    {char: chr(0x2400 + (0x21 if char == "\x7f" else ord(char))) for char in _CONTROLS}
)


@dataclass
class Cells:
    """One column's raw cells sorted by what they hold. Masks are numpy bool arrays over the rows.

    Extract columns repeat themselves (a few thousand dates, a handful of teams, yes/no), so a column is
    classified and parsed once per distinct value (`distinct`) and the results are spread back to the
    rows through `codes`: a million-row column costs little more than its distinct values.
    """

    raw: pd.Series
    is_text: npt.NDArray[np.bool_]  # a non-blank string
    is_number: npt.NDArray[np.bool_]  # int or float (not bool), not NaN
    is_bool: npt.NDArray[np.bool_]
    is_moment: npt.NDArray[np.bool_]  # date or datetime
    blank: npt.NDArray[np.bool_]  # None, NaN, empty, whitespace or an NA word
    distinct: Cells | None = None  # the same, one entry per distinct value (None: not factorised)
    codes: np.ndarray | None = None  # row -> position in `distinct`
    stripped: pd.Series | None = None  # `text`, once built

    @classmethod
    def of(cls, raw: pd.Series) -> Cells:
        raw = raw.reset_index(drop=True)
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=False)
        # Hashing makes True == 1 == 1.0 one value; a column holding booleans is classified row by row.
        if len(uniques) * 2 > len(raw) or any(isinstance(value, bool | np.bool_) for value in uniques):
            return cls._classify(raw)
        distinct = cls._classify(pd.Series(uniques, dtype=object))
        return cls(
            raw=raw,
            is_text=distinct.is_text[codes],
            is_number=distinct.is_number[codes],
            is_bool=distinct.is_bool[codes],
            is_moment=distinct.is_moment[codes],
            blank=distinct.blank[codes],
            distinct=distinct,
            codes=codes,
        )

    @classmethod
    def _classify(cls, raw: pd.Series) -> Cells:
        types = raw.map(type)
        is_str = types.isin([str]).to_numpy()
        stripped = raw[is_str].str.strip()
        na_word = stripped.str.lower().isin(NA_WORDS).to_numpy()
        is_text = is_str.copy()
        is_text[np.flatnonzero(is_str)[na_word]] = False
        is_bool = types.isin([bool, np.bool_]).to_numpy()
        is_number = types.isin([float, int, np.float64, np.int64]).to_numpy(copy=True)  # written below
        is_number[is_number] = raw[is_number].notna().to_numpy()  # NaN is blank
        is_moment = types.isin(_MOMENT_TYPES).to_numpy()
        is_empty = is_str | types.isin([type(None), float, np.float64]).to_numpy()
        filled = is_text | is_bool | is_number | is_moment | ~is_empty
        return cls(raw, is_text, is_number, is_bool, is_moment, ~filled, stripped=stripped[~na_word])

    @property
    def text(self) -> pd.Series:
        """Stripped strings at `is_text` positions only, indexed by row.

        A factorised column builds them on first use: its parsers read `distinct`, so a million-row
        column never holds them (16 MB each: 180 MB of a reviews extract's peak while it is read).
        """
        if self.stripped is None:
            assert self.distinct is not None and self.codes is not None  # only a factorised column waits
            distinct_text = np.full(len(self.distinct.raw), None, dtype=object)
            distinct_text[self.distinct.is_text] = self.distinct.text.to_numpy(dtype=object)
            rows = np.flatnonzero(self.is_text)
            self.stripped = pd.Series(distinct_text[self.codes[rows]], index=rows, dtype=object)
        return self.stripped

    @property
    def is_other(self) -> npt.NDArray[np.bool_]:
        """Filled cells of no expected type (a time of day, a duration)."""
        return ~(self.blank | self.is_text | self.is_number | self.is_bool | self.is_moment)

    def shown(self, mask: np.ndarray) -> pd.Series:
        """The cells at `mask` as a person would read them, for a rejection message."""
        values = self.raw[mask]
        texts = values.map(_shown_text)
        return texts.str.slice(0, 200).astype(TEXT_DTYPE)  # every cell shows as text: no blank to lose


def _shown_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return visible_controls(value.strip())
    return str(value)


def visible_controls(text: str) -> str:
    """`text` with each control character replaced by its visible picture (NUL -> "␀"), for showing."""
    return text.translate(_CONTROL_PICTURES)


def _holding_controls(text: pd.Series) -> np.ndarray:
    """Mask of the strings holding a control character; one scan of them all when none does (usual)."""
    joined = "".join(text.to_numpy(dtype=object)).encode("utf-8", "surrogatepass")
    if len(joined.translate(None, _CONTROL_BYTES)) == len(joined):
        return np.zeros(len(text), dtype=bool)
    return text.str.contains(_CONTROL_PATTERN, regex=True).to_numpy(dtype=bool)


@dataclass
class Parsed:
    values: pd.Series  # canonical dtype (docs/architecture.md)
    problems: pd.Series  # object: the rejection reason where a cell is bad, else None


def parse_column(cells: Cells, kind: Kind, column: str) -> Parsed:
    """Typed values of one column and a reason for every cell that cannot be read as its kind."""
    parser = {
        Kind.TEXT: _parse_text,
        Kind.DATE: _parse_date,
        Kind.YESNO: _parse_yes_no,
        Kind.GRADE: _parse_grade,
        Kind.INTEGER: _parse_integer,
    }[kind]
    if cells.distinct is not None:
        assert cells.codes is not None  # set together with `distinct`
        distinct = parse_column(cells.distinct, kind, column)
        return Parsed(
            distinct.values.take(cells.codes).reset_index(drop=True),
            pd.Series(distinct.problems.to_numpy(dtype=object)[cells.codes], dtype=object),
        )
    values, problems = parser(cells, column)
    too_long = np.zeros(len(cells.raw), dtype=bool)
    too_long[cells.is_text] = (cells.text.str.len() > limits.MAX_CELL_CHARS).to_numpy()
    if too_long.any():
        problems[too_long] = f"{column}: text is longer than {limits.MAX_CELL_CHARS:,} characters"
    controls = np.zeros(len(cells.raw), dtype=bool)
    controls[cells.is_text] = _holding_controls(cells.text)
    if controls.any():
        problems[controls] = _reasons(cells, controls, column, "contains a control character")
    return Parsed(values, pd.Series(problems, dtype=object))


def _no_problems(size: int) -> np.ndarray:
    return np.full(size, None, dtype=object)


def _reasons(cells: Cells, mask: np.ndarray, column: str, what: str) -> np.ndarray:
    """f"{column}: '{value}' {what}" for the cells at mask, built as one vectorised string operation."""
    return (column + ": '" + cells.shown(mask) + "' " + what).to_numpy(dtype=object)


def _parse_text(cells: Cells, column: str) -> tuple[pd.Series, np.ndarray]:
    values = np.full(len(cells.raw), None, dtype=object)
    values[cells.is_text] = cells.text.to_numpy(dtype=object)
    numbers = cells.raw[cells.is_number].astype(float)
    whole = (numbers % 1 == 0).to_numpy()
    number_positions = np.flatnonzero(cells.is_number)
    # A case reference typed as a number (412.0 in Excel) is the text "412".
    values[number_positions[whole]] = numbers[whole].astype(np.int64).astype(str).to_numpy(dtype=object)
    values[number_positions[~whole]] = numbers[~whole].astype(str).to_numpy(dtype=object)
    others = cells.is_bool | cells.is_moment | cells.is_other
    if others.any():
        values[others] = cells.shown(others).to_numpy(dtype=object)
    return pd.Series(values, dtype=object), _no_problems(len(values))


def _serials_to_dates(serials: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Excel serial day numbers -> (datetime64[ns] at midnight, mask of serials out of Excel's range)."""
    numbers = serials.astype(float).to_numpy()
    out_of_range = ~((numbers >= 0) & (numbers <= _LARGEST_SERIAL))
    days = np.floor(np.where(out_of_range, 0, numbers)).astype(np.int64)
    dates = (np.datetime64(_EXCEL_EPOCH, "ns") + days.astype("timedelta64[D]")).astype("datetime64[ns]")
    dates[out_of_range] = np.datetime64("NaT")
    return dates, out_of_range


def _parse_date(cells: Cells, column: str) -> tuple[pd.Series, np.ndarray]:
    size = len(cells.raw)
    values = np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]")
    not_dates = cells.is_bool | cells.is_other
    out_of_range = np.zeros(size, dtype=bool)
    if cells.is_moment.any():
        moments = pd.to_datetime(cells.raw[cells.is_moment], errors="coerce")
        values[cells.is_moment] = moments.dt.normalize().to_numpy()
        # A real date cell beyond pandas' range (31/12/9999, 01/01/0001) comes back NaT: out of range.
        out_of_range[np.flatnonzero(cells.is_moment)[moments.isna().to_numpy()]] = True
    if cells.is_number.any():
        dates, bad = _serials_to_dates(cells.raw[cells.is_number])
        values[cells.is_number] = dates
        not_dates[np.flatnonzero(cells.is_number)[bad]] = True

    text_positions = np.flatnonzero(cells.is_text)
    text = cells.text.reset_index(drop=True)
    serial_text = text.str.match(_NUMBER_TEXT).to_numpy()
    if serial_text.any():
        dates, bad = _serials_to_dates(text[serial_text])
        values[text_positions[serial_text]] = dates
        not_dates[text_positions[serial_text][bad]] = True
    remaining = text[~serial_text]
    for date_format in DATE_FORMATS:
        if remaining.empty:
            break
        parsed = pd.to_datetime(remaining, format=date_format, errors="coerce")
        found = parsed.notna().to_numpy()
        values[text_positions[remaining.index[found]]] = parsed[found].dt.normalize().to_numpy()
        remaining = remaining[~found]
    problems = _no_problems(size)
    unreadable = np.zeros(size, dtype=bool)
    unreadable[text_positions[remaining.index]] = True
    looks_like_date = np.zeros(size, dtype=bool)
    looks_like_date[text_positions[remaining.index]] = remaining.str.match(_DATE_SHAPE).to_numpy()
    # Years past pandas' datetime range (2262) fail to parse; they are out of range, not impossible.
    year = remaining.str.extract(r"(?<!\d)(\d{4})(?!\d)", expand=False).astype(float)
    out_of_range[text_positions[remaining.index]] = (year > limits.LATEST_DATE.year).to_numpy()
    unreadable &= ~out_of_range
    if unreadable.any():
        problems[unreadable & looks_like_date] = _reasons(
            cells, unreadable & looks_like_date, column, "is not a real date"
        )
        problems[unreadable & ~looks_like_date] = _reasons(
            cells, unreadable & ~looks_like_date, column, "is not a date (day/month/year expected)"
        )
    if not_dates.any():
        problems[not_dates] = _reasons(cells, not_dates, column, "is not a date")
        values[not_dates] = np.datetime64("NaT")
    as_series = pd.Series(values, dtype="datetime64[ns]")
    earliest, latest = pd.Timestamp(limits.EARLIEST_DATE), pd.Timestamp(limits.LATEST_DATE)
    implausible = (
        out_of_range | (as_series.notna() & ((as_series < earliest) | (as_series > latest))).to_numpy()
    )
    if implausible.any():
        window = f"{limits.EARLIEST_DATE:%d/%m/%Y}-{limits.LATEST_DATE:%d/%m/%Y}"
        problems[implausible] = _reasons(
            cells, implausible, column, f"is outside the plausible range {window}"
        )
        as_series[implausible] = pd.NaT
    return as_series, problems


def _lookup_text(
    cells: Cells, mapping: Mapping[str, object], normalise: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(values at text positions via mapping, mask of text positions with no mapping)."""
    keys = cells.text.str.lower()
    if normalise:
        keys = keys.str.replace(normalise, "", regex=True)
    mapped = keys.map(mapping)
    unmapped = np.zeros(len(cells.raw), dtype=bool)
    unmapped[np.flatnonzero(cells.is_text)[mapped.isna().to_numpy()]] = True
    return mapped.to_numpy(dtype=object), unmapped


def _parse_yes_no(cells: Cells, column: str) -> tuple[pd.Series, np.ndarray]:
    values = pd.Series(pd.NA, index=range(len(cells.raw)), dtype="boolean")
    mapped, bad = _lookup_text(cells, {word: True for word in _YES} | {word: False for word in _NO})
    values[cells.is_text & ~bad] = mapped[~pd.isna(mapped)].astype(bool)
    values[cells.is_bool] = cells.raw[cells.is_bool].astype(bool).to_numpy()
    numbers = cells.raw[cells.is_number].astype(float).to_numpy()
    number_positions = np.flatnonzero(cells.is_number)
    yes_no_number = np.isin(numbers, (0.0, 1.0))
    values[number_positions[yes_no_number]] = numbers[yes_no_number] == 1.0
    bad[number_positions[~yes_no_number]] = True
    bad |= cells.is_moment | cells.is_other
    problems = _no_problems(len(values))
    if bad.any():
        problems[bad] = _reasons(cells, bad, column, "is not yes or no")
        values[bad] = pd.NA
    return values, problems


def _whole_numbers(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """(Int64-ready float values, mask of bad cells) from numbers and number text."""
    size = len(cells.raw)
    values = np.full(size, np.nan)
    bad = cells.is_bool | cells.is_moment | cells.is_other
    values[cells.is_number] = cells.raw[cells.is_number].astype(float).to_numpy()
    text_positions = np.flatnonzero(cells.is_text)
    numeric_text = cells.text.str.match(_WHOLE_NUMBER_TEXT).to_numpy()
    values[text_positions[numeric_text]] = cells.text[numeric_text].astype(float).to_numpy()
    bad[text_positions[~numeric_text]] = True
    fractional = np.isfinite(values) & (values % 1 != 0)
    return np.where(fractional, np.nan, values), bad | fractional


def _parse_integer(cells: Cells, column: str) -> tuple[pd.Series, np.ndarray]:
    """Whole numbers within the column's plausible range: anything beyond it (a 20-digit slip) would
    overflow Int64, the store's INTEGER column or the review due date arithmetic."""
    values, bad = _whole_numbers(cells)
    low, high = limits.WHOLE_NUMBER_RANGES.get(column, limits.WHOLE_NUMBER_RANGE)
    with np.errstate(invalid="ignore"):
        implausible = ~bad & ~np.isnan(values) & ((values < low) | (values > high))
    problems = _no_problems(len(values))
    if bad.any():
        problems[bad] = _reasons(cells, bad, column, "is not a whole number")
    if implausible.any():
        what = f"is not a plausible {column.replace('_', ' ')} ({low:,} to {high:,})"
        problems[implausible] = _reasons(cells, implausible, column, what)
    values[bad | implausible] = np.nan
    return pd.Series(values).astype("Int64"), problems


def _parse_grade(cells: Cells, column: str) -> tuple[pd.Series, np.ndarray]:
    size = len(cells.raw)
    values = np.full(size, np.nan)
    mapped, bad = _lookup_text(cells, _GRADE_TEXT, normalise=r"[^a-z0-9.]")
    values[cells.is_text & ~bad] = mapped[~pd.isna(mapped)].astype(float)
    numbers = cells.raw[cells.is_number].astype(float).to_numpy()
    on_scale = np.isin(numbers, tuple(float(grade) for grade in GRADE_WORDS))
    values[np.flatnonzero(cells.is_number)[on_scale]] = numbers[on_scale]
    bad[np.flatnonzero(cells.is_number)[~on_scale]] = True
    bad |= cells.is_bool | cells.is_moment | cells.is_other
    problems = _no_problems(size)
    if bad.any():
        problems[bad] = _reasons(
            cells,
            bad,
            column,
            "is not a grade (1-6 or Excellent, Very Good, Good, Adequate, Weak, Unsatisfactory)",
        )
        values[bad] = np.nan
    return pd.Series(values).astype("Int64"), problems
