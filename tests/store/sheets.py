"""Hand-built loader output (SheetResult) in the canonical shape of docs/architecture.md.

Synthetic values only. Rows are dicts of canonical column -> value; dates as 'YYYY-MM-DD' text.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from loaders.result import REJECT_COLUMNS, SheetResult, empty_rejects
from loaders.schema import DATASETS, KIND_DTYPES, Kind


def canonical_records(dataset: str, rows: list[dict]) -> pd.DataFrame:
    schema = DATASETS[dataset]
    given = pd.DataFrame(rows)
    columns = {}
    for column in schema.columns:
        values = given[column.name] if column.name in given else pd.Series([None] * len(given), dtype=object)
        if column.kind is Kind.DATE:
            columns[column.name] = pd.to_datetime(values).astype("datetime64[ns]")
        elif column.kind is Kind.TEXT:
            columns[column.name] = values.astype(object).where(values.notna(), None)
        else:
            columns[column.name] = values.astype(object).astype(KIND_DTYPES[column.kind])
    frame = pd.DataFrame(columns)
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def make_sheet(
    dataset: str, rows: list[dict], *, sheet: str | None = None, rejects: list[dict] | None = None
) -> SheetResult:
    reject_frame = pd.DataFrame(rejects, columns=REJECT_COLUMNS) if rejects else empty_rejects()
    return SheetResult(
        sheet=sheet,
        dataset=dataset,
        header_row=1,
        column_map={},
        ignored_columns=[],
        records=canonical_records(dataset, rows),
        rejects=reject_frame,
    )


def sha_of(label: str) -> str:
    """A stand-in for the sha256 of a file's bytes."""
    return hashlib.sha256(label.encode()).hexdigest()


ORDER_ROWS = [
    {
        "case_ref": "00412",
        "order_date": "2020-04-01",
        "order_type": "CPO",
        "team": "North",
        "requirements": "Supervision; Unpaid Work",
        "first_contact": "2020-04-02",
    },
    {"case_ref": "00413", "order_date": "2020-05-11", "order_type": None, "team": "South"},
    {
        "case_ref": "00414",
        "order_date": "2020-06-15",
        "order_type": "DTTO",
        "team": "North",
        "lscmi_completed": "2020-07-01",
        "risk_level": "High",
    },
]

REVIEW_ROWS = [
    {
        "case_ref": "R-001",
        "review_due": "2020-07-01",
        "review_number": 1,
        "review_held": "2020-06-30",
        "participated": True,
        "needs_tool": False,
        "team": "North",
    },
    {
        "case_ref": "R-002",
        "review_due": "2020-08-01",
        "review_number": 2,
        "participated": None,
        "needs_tool": None,
        "team": "South",
    },
]

AUDIT_ROWS = [
    {"case_ref": "A-001", "audit_date": "2020-09-01", "grade": 5, "auditor": "Auditor One"},
    {"case_ref": "A-002", "audit_date": "2020-09-02", "grade": 2, "auditor": None},
]
