"""Any frame to an Arrow IPC file and back with the very dtypes it had: the disk copy a computed frame
(the dashboard's record statuses) keeps between server starts.

Arrow has no categorical, nullable-integer or "object holding str / None" dtype of pandas's, so each
column's pandas dtype is written into the file's metadata and put back on reading: categoricals as
dictionaries (categories, their order and their own dtype kept: object or str), text as a dictionary
of its distinct values (one str object per distinct value on reading, None where blank),
datetime64[ns] as its int64 ticks (NaT is the int64 minimum, so no null mask is needed and no value is
converted), nullable integers and booleans as values plus a null mask, numpy numbers as they are.
A file is written under a temporary name and renamed into place, so another process sees a whole file
or none. `load_frame` returns None for a file that has gone, is damaged or holds a dtype it does not
know: the caller computes afresh.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

_DTYPES_KEY = b"pandas_dtypes"


def _column(values: pd.Series) -> tuple[pa.Array, str]:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # codes at the width pandas keeps them (int8 for up to 127 categories), so reading maps them
        # in place instead of copying a wider index into a narrower one
        array = pa.DictionaryArray.from_arrays(
            pa.array(np.asarray(values.cat.codes), mask=values.isna().to_numpy()),
            pa.array(dtype.categories.to_numpy(), from_pandas=True),
        )
        kind = "ordered-category" if dtype.ordered else "category"
        return array, f"{kind}[{dtype.categories.dtype}]"  # object categories stay object, str stay str
    if dtype == np.dtype(object) or isinstance(dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values)  # None -> code -1
        indices = pa.array(codes.astype("int32"), mask=codes < 0)
        return pa.DictionaryArray.from_arrays(
            indices, pa.array(uniques.astype(object), type=pa.string())
        ), "text"
    if dtype == np.dtype("datetime64[ns]"):
        return pa.array(values.to_numpy().view("int64")), "datetime64[ns]"
    if isinstance(dtype, pd.Int64Dtype | pd.BooleanDtype):
        numbers = values.array
        return pa.array(numbers.to_numpy(dtype=dtype.numpy_dtype, na_value=0), mask=numbers.isna()), str(
            dtype
        )
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        return pa.array(values.to_numpy()), str(dtype)
    raise TypeError(f"column {values.name!r}: no Arrow form for dtype {dtype}")


def save_frame(path: Path, frame: pd.DataFrame) -> None:
    """Write the frame (index dropped) to `path` atomically; the folder is made readable by its owner
    only. OSError and Arrow errors reach the caller, which decides whether a failure matters."""
    arrays, dtypes = {}, {}
    for name in frame.columns:
        arrays[name], dtypes[name] = _column(frame[name])
    table = pa.table(arrays).replace_schema_metadata({_DTYPES_KEY: json.dumps(dtypes).encode()})
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _restored(column: pa.ChunkedArray, dtype: str) -> object:
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    # "category[object]": a categorical and its categories' own dtype ("category" alone in older files)
    kind, _, categories_dtype = dtype.removesuffix("]").partition("[")
    if kind in ("category", "ordered-category", "text"):
        indices = array.indices
        # without blanks the codes are the mapped file itself (read-only, as the cached frames are)
        codes = (indices if indices.null_count == 0 else indices.fill_null(-1)).to_numpy(zero_copy_only=False)
        names = array.dictionary.to_numpy(zero_copy_only=False).astype(object)
        if kind == "text":  # object holding str / None, stated (pandas 3 would infer a string dtype)
            return pd.Series(np.append(names, None)[codes], dtype="object")  # code -1: the trailing None
        # pandas 3 would infer str categories from any text: an older file's, with no dtype written
        categories = pd.Index(names, dtype=categories_dtype) if categories_dtype else names
        return pd.Categorical.from_codes(
            codes,
            dtype=pd.CategoricalDtype(categories, ordered=kind == "ordered-category"),  # type: ignore[arg-type]
        )
    if dtype == "datetime64[ns]":
        return array.to_numpy(zero_copy_only=False).view("datetime64[ns]")
    nulls = array.is_null().to_numpy(zero_copy_only=False)
    if dtype == "Int64":
        # the values as mapped, blanks included: what lies under the null mask is never read, and filling
        # the blanks first would copy millions of rows (the statuses' days_taken and grade)
        values = np.frombuffer(array.buffers()[1], dtype="int64", count=array.offset + len(array))
        return pd.arrays.IntegerArray(values[array.offset :], nulls)
    if dtype == "boolean":
        return pd.arrays.BooleanArray(array.fill_null(False).to_numpy(zero_copy_only=False), nulls)
    return array.to_numpy(zero_copy_only=False).astype(dtype, copy=False)


def load_frame(path: Path, columns: Collection[str] | None = None) -> pd.DataFrame | None:
    """The frame `save_frame` wrote, same columns and dtypes (of `columns` only, in the file's order, when
    given: the others are never decoded); None when it cannot be read or lacks a column asked for."""
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
            dtypes = json.loads((table.schema.metadata or {})[_DTYPES_KEY])
            names = table.column_names
            if columns is not None:
                if not set(columns) <= set(names):
                    return None
                names = [name for name in names if name in columns]
            restored = {name: _restored(table.column(name), dtypes[name]) for name in names}
        return pd.DataFrame(restored, copy=False)
    except (OSError, pa.ArrowException, KeyError, ValueError, TypeError, AttributeError):
        return None
