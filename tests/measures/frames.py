"""Small canonical frames for measure tests, shaped as store.read_dataset returns them."""

from __future__ import annotations

from typing import Any

import pandas as pd

from loaders.schema import DATASETS, KIND_DTYPES, Kind


def frame(dataset: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Every canonical column of `dataset` (blank unless given) plus record_id 1, 2, 3..."""
    columns: dict[str, pd.Series] = {"record_id": pd.Series(range(1, len(rows) + 1), dtype="int64")}
    for column in DATASETS[dataset].columns:
        values = [row.get(column.name) for row in rows]
        if column.kind is Kind.DATE:
            columns[column.name] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif column.kind is Kind.TEXT:
            columns[column.name] = pd.Series(values, dtype="object")
        else:
            columns[column.name] = pd.Series(values, dtype=KIND_DTYPES[column.kind])
    return pd.DataFrame(columns)


def orders(*rows: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {"orders": frame("orders", [{"case_ref": f"SYN-{i:03d}", **row} for i, row in enumerate(rows)])}


def reviews(*rows: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {"reviews": frame("reviews", [{"case_ref": f"SYN-{i:03d}", **row} for i, row in enumerate(rows)])}


def audits(*rows: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {"audits": frame("audits", [{"case_ref": f"SYN-{i:03d}", **row} for i, row in enumerate(rows)])}
