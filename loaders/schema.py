"""The three datasets of SPEC section 2: their canonical columns, value kinds, keys and header synonyms.

Everything downstream (store tables, measures, exports) names columns by the canonical names here,
so this module is the single place a new synonym or column is added.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

import numpy as np
import pandas as pd


class Kind(str, Enum):
    """How a column's cells are parsed and stored."""

    TEXT = "text"  # stripped string; case references stay text so leading zeros survive
    DATE = "date"  # day-first UK dates, Excel dates or serials -> datetime64[ns] at midnight
    INTEGER = "integer"  # whole number -> Int64
    YESNO = "yesno"  # Y/N, Yes/No, True/False, 1/0, ✓/✗ -> nullable boolean
    GRADE = "grade"  # Care Inspectorate 1-6 or its word -> Int64


KindDtype = Literal["object", "datetime64[ns]", "Int64", "boolean"]

# The pandas dtype of each kind in every frame that crosses a room (docs/architecture.md): stated here
# once, for the loaders, the demo data, the store's reads and the tests' hand-built frames.
KIND_DTYPES: dict[Kind, KindDtype] = {
    Kind.TEXT: "object",  # str or None
    Kind.DATE: "datetime64[ns]",  # midnight, no timezone; NaT for blank
    Kind.INTEGER: "Int64",
    Kind.YESNO: "boolean",
    Kind.GRADE: "Int64",
}
# Text: pandas 3 infers its own string dtype (NaN for blank) for any text built without a dtype, so every
# frame or Series of text is built with this one (object holding str or None), as pandas 2 built them.
TEXT_DTYPE: KindDtype = KIND_DTYPES[Kind.TEXT]


def frame_from_arrays(columns: Mapping[str, Any], *, copy: bool = True) -> pd.DataFrame:
    """pd.DataFrame(columns) with a default index, except that numpy object arrays stay TEXT_DTYPE.

    The measures build their frames from numpy arrays; object arrays there hold text (str or None),
    which pandas 3 would otherwise turn into its string dtype.
    """
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=TEXT_DTYPE, copy=copy)
            if isinstance(values, np.ndarray) and values.dtype == object
            else values
            for name, values in columns.items()
        },
        copy=copy,
    )


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _col(name: str, kind: Kind, *synonyms: str, required: bool = False) -> Column:
    return Column(name, kind, required, synonyms)


_TEAM = _col("team", Kind.TEXT, "team", "team name", "service team")
_WORKER = _col(
    "worker",
    Kind.TEXT,
    "worker",
    "allocated worker",
    "responsible officer",
    "case manager",
    "social worker",
)
_ORDER_TYPE = _col("order_type", Kind.TEXT, "order type", "order", "disposal", "sentence type")
_EXCLUSION = _col(
    "exclusion_reason", Kind.TEXT, "exclusion reason", "excluded", "exclusion", "not applicable reason"
)
_CASE_REF_SYNONYMS = (
    "case ref",
    "case reference",
    "case id",
    "client id",
    "person id",
    "carefirst id",
    "service user id",
    "su id",
    "reference",
)
_ORDER_DATE_SYNONYMS = (
    "order date",
    "date of order",
    "sentence date",
    "date of sentence",
    "date imposed",
    "imposition date",
    "order start date",
    "start date",
)

ORDERS = Dataset(
    name="orders",
    columns=(
        _col("case_ref", Kind.TEXT, *_CASE_REF_SYNONYMS, required=True),
        _col("order_date", Kind.DATE, *_ORDER_DATE_SYNONYMS, required=True),
        _ORDER_TYPE,
        _col(
            "requirements",
            Kind.TEXT,
            "requirements",
            "requirement",
            "requirement type",
            "requirement types",
        ),
        _TEAM,
        _WORKER,
        _col(
            "first_contact",
            Kind.DATE,
            "first contact",
            "first contact date",
            "date first seen",
            "first seen",
        ),
        _col(
            "induction",
            Kind.DATE,
            "induction",
            "induction date",
            "first case management meeting",
            "first cmm",
        ),
        _col(
            "upw_start",
            Kind.DATE,
            "upw start",
            "unpaid work start",
            "first work placement",
            "work placement start",
        ),
        _col(
            "lscmi_completed",
            Kind.DATE,
            "lscmi completed",
            "ls/cmi completed",
            "lscmi date",
            "ls/cmi date",
            "lscmi completion date",
            "date lscmi completed",
        ),
        _col(
            "lscmi_version",
            Kind.TEXT,
            "lscmi version",
            "ls/cmi version",
            "assessment version",
            "version",
        ),
        _col(
            "risk_level",
            Kind.TEXT,
            "risk level",
            "lscmi risk level",
            "risk/need level",
            "risk need level",
        ),
        _col(
            "cmp_completed",
            Kind.DATE,
            "cmp completed",
            "cmp date",
            "case management plan completed",
            "case management plan date",
        ),
        _EXCLUSION,
    ),
    natural_key=("case_ref", "order_date", "order_type"),
)

REVIEWS = Dataset(
    name="reviews",
    columns=(
        _col("case_ref", Kind.TEXT, *_CASE_REF_SYNONYMS, required=True),
        # Required in the store; a loader computes it from order_date + review_number when absent (SPEC 2.4).
        _col("review_due", Kind.DATE, "review due", "review due date", "due date", "date due", required=True),
        _col("order_date", Kind.DATE, *_ORDER_DATE_SYNONYMS),
        _col("review_number", Kind.INTEGER, "review number", "review no", "review"),
        _ORDER_TYPE,
        _TEAM,
        _WORKER,
        _col(
            "review_held",
            Kind.DATE,
            "review held",
            "date held",
            "review date",
            "actual review date",
            "held",
        ),
        _col(
            "participated",
            Kind.YESNO,
            "participated",
            "service user participated",
            "su participated",
            "attended",
            "service user attended",
        ),
        _col(
            "needs_tool",
            Kind.YESNO,
            "needs tool",
            "needs review tool",
            "cj needs review",
            "needs review completed",
        ),
        _col("recorded", Kind.DATE, "recorded", "date recorded", "record completed", "minute recorded"),
        _EXCLUSION,
    ),
    natural_key=("case_ref", "review_due"),
)

AUDITS = Dataset(
    name="audits",
    columns=(
        _col("case_ref", Kind.TEXT, *_CASE_REF_SYNONYMS, required=True),
        _col("audit_date", Kind.DATE, "audit date", "date audited", "date of audit", required=True),
        _col("grade", Kind.GRADE, "grade", "overall grade", "evaluation", "audit grade", required=True),
        _col("auditor", Kind.TEXT, "auditor", "audited by", "reviewer"),
        _TEAM,
        _WORKER,
    ),
    natural_key=("case_ref", "audit_date"),
)

DATASETS: dict[str, Dataset] = {dataset.name: dataset for dataset in (ORDERS, REVIEWS, AUDITS)}
DATASET_NAMES: tuple[str, ...] = tuple(DATASETS)

# Care Inspectorate six-point scale (SPEC 2.3).
GRADE_WORDS: dict[int, str] = {
    6: "Excellent",
    5: "Very Good",
    4: "Good",
    3: "Adequate",
    2: "Weak",
    1: "Unsatisfactory",
}

RISK_LEVELS: tuple[str, ...] = ("Very Low", "Low", "Medium", "High", "Very High")

_TRAILING_DATE_FORMAT = re.compile(r"\(\s*d{1,2}\s*[/.-]\s*m{1,2}\s*[/.-]\s*y{2,4}\s*\)\s*$", re.I)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(text: object) -> str:
    """Header text reduced to lower-case letters and digits, without a trailing "(dd/mm/yyyy)".

    "LS/CMI Completed (dd/mm/yyyy)", "lscmi_completed" and " LSCMI completed " all become
    "lscmicompleted", which is how SPEC section 4 says headers match.
    """
    value = "" if text is None else str(text)
    value = _TRAILING_DATE_FORMAT.sub("", value.strip())
    return _NON_ALNUM.sub("", value.lower())


def synonym_index(dataset: Dataset) -> dict[str, str]:
    """Normalised header -> canonical column for one dataset (canonical names match too)."""
    index: dict[str, str] = {}
    for column in dataset.columns:
        for text in (column.name, *column.synonyms):
            index.setdefault(normalise_header(text), column.name)
    return index
