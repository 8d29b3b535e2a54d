"""Converting record frames between the canonical pandas dtypes and plain values the drivers take.

Canonical dtypes (docs/architecture.md): DATE datetime64[ns], YESNO boolean, INTEGER/GRADE Int64,
TEXT object holding str or None. Dates cross the driver as ISO 'YYYY-MM-DD' text: that is how
SQLAlchemy stores DATE in SQLite, and PostgreSQL casts it to date itself. Everything here works on
whole columns; no per-record Python.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from loaders.schema import KIND_DTYPES, Dataset, Kind


def canonical_frame(records: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The dataset's canonical columns in canonical dtypes; absent columns all-null, extras dropped.

    A column already in its canonical form (as the loaders hand them over) is taken as it is, not
    copied: copy-on-write keeps the two frames apart, and a million records' copy cost the ingest
    about 70 MB while it was written.
    """
    columns: dict[str, pd.Series] = {}
    for column in dataset.columns:
        if column.name in records:
            values = records[column.name]
        else:
            values = pd.Series(None, index=records.index, dtype="object")
        columns[column.name] = _as_kind(values, column.kind)
    return pd.DataFrame(columns, index=records.index, copy=False)


_DAY_TICKS = 86_400 * 10**9  # nanoseconds in a day


def _as_kind(values: pd.Series, kind: Kind) -> pd.Series:
    if kind is Kind.DATE:
        # DATE columns hold days; a stray time of day would make every re-load look like a change.
        if values.dtype == np.dtype("datetime64[ns]") and _whole_days(values.to_numpy()):
            return values
        return pd.to_datetime(values).astype("datetime64[ns]").dt.normalize()
    if kind is Kind.TEXT:
        if _text_or_none(values):
            return values
        return pd.Series(text_values(values), index=values.index, dtype="object")
    return values.astype(KIND_DTYPES[kind])


def _whole_days(dates: np.ndarray) -> bool:
    """Whether every datetime64[ns] is midnight or NaT (normalising would change nothing)."""
    return bool(((dates.view("int64") % _DAY_TICKS == 0) | np.isnat(dates)).all())


def _text_or_none(values: pd.Series) -> bool:
    """Whether an object column holds only str and None already (text_values would copy it unchanged)."""
    if values.dtype != np.dtype(object) or pd.api.types.infer_dtype(values, skipna=True) not in {
        "string",
        "empty",
    }:
        return False
    array = values.to_numpy()
    blanks = array[values.isna().to_numpy()]
    return bool(np.equal(blanks, None).all())


def text_values(values: pd.Series) -> np.ndarray:
    """Object array of str, None where blank (numbers or dates in a text column become their text)."""
    already_text = pd.api.types.infer_dtype(values, skipna=True) in {"string", "empty"}
    converted = (values if already_text else values.astype(str)).to_numpy(dtype=object, copy=True)
    converted[values.isna().to_numpy()] = None
    return converted


def driver_columns(frame: pd.DataFrame, dataset: Dataset) -> dict[str, np.ndarray]:
    """Each canonical column as an object array of str / int / bool / None, ready for executemany."""
    return {column.name: driver_values(frame[column.name], column.kind) for column in dataset.columns}


def iso_date_strings(values: pd.Series) -> np.ndarray:
    """'YYYY-MM-DD' per date, None for NaT. Each distinct day is formatted once (a million records
    span a few thousand days), which also shares one str object per day."""
    codes, days = pd.factorize(values.to_numpy(dtype="datetime64[D]"))
    texts = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D").astype(object)
    return np.append(texts, None)[codes]  # code -1 (NaT) picks the trailing None


def driver_values(values: pd.Series, kind: Kind) -> np.ndarray:
    """One canonical column as a new object array of driver-ready values, None where blank."""
    if kind is Kind.DATE:
        return iso_date_strings(values)
    if kind is Kind.TEXT:
        return text_values(values)
    return values.to_numpy(dtype=object, na_value=None)  # Int64 / boolean -> Python int / bool


def shared_texts(values: np.ndarray) -> np.ndarray:
    """An object array of str / None in which equal texts are one str object, not one per cell.

    A driver hands back a new str for every cell: a million reviews' teams, workers, order types and
    case references were several million strings where a few thousand distinct ones (and the case
    references) would do, about 50 bytes each.
    """
    codes, distinct = pd.factorize(values)
    return np.append(np.asarray(distinct, dtype=object), None)[codes]  # code -1 (None) picks the None


def dates_from_day_numbers(values: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (int or None) -> datetime64[ns], NaT for None; pure numpy, no parsing."""
    days = values.astype("float64")
    missing = np.isnan(days)
    dates = np.where(missing, 0, days).astype("int64").astype("datetime64[D]").astype("datetime64[ns]")
    dates[missing] = np.datetime64("NaT")
    return dates


def frame_from_driver_batches(
    batches: Iterable[list[tuple]], names: list[str], kinds: dict[str, Kind]
) -> pd.DataFrame:
    """Batches of fetched rows -> one frame in canonical dtypes (frame_from_driver_rows, batch by batch).

    Each batch's tuples and cell objects are let go before the next batch is fetched, so the driver's
    Python objects stand for one batch of the table at a time (equal texts are shared within a batch).
    Joining the parts holds their columns twice for a moment.
    """
    parts = []
    for rows in batches:
        parts.append(frame_from_driver_rows(rows, names, kinds))
        del rows  # not held while the next batch is fetched
    if len(parts) == 1:
        return parts[0]
    return pd.concat(parts, ignore_index=True) if parts else frame_from_driver_rows([], names, kinds)


def frame_from_driver_rows(rows: list[tuple], names: list[str], kinds: dict[str, Kind]) -> pd.DataFrame:
    """Fetched rows -> a frame in canonical dtypes.

    Dates arrive as day numbers since 1970-01-01 (cheaper to fetch and convert than text), yes/no as
    0/1 or bool. `kinds` names the canonical columns; any other name (record_id, upload_id) is int64.
    """
    table = np.array(rows, dtype=object).reshape(len(rows), len(names))
    columns: dict[str, pd.Series | np.ndarray] = {}
    for position, name in enumerate(names):
        values = table[:, position]
        kind = kinds.get(name)
        if kind is None:
            columns[name] = values.astype("int64")
        elif kind is Kind.DATE:
            columns[name] = dates_from_day_numbers(values)
        elif kind is Kind.TEXT:
            columns[name] = pd.Series(shared_texts(values), dtype="object")
        else:
            columns[name] = pd.Series(values, dtype="object").astype(KIND_DTYPES[kind])
    return pd.DataFrame(columns)
