"""Finding the header row, recognising the dataset from it, and mapping headers to canonical columns
(SPEC 4: first of the first 30 rows with at least two recognised names; synonyms from loaders.schema)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from loaders import limits
from loaders.result import LoadError
from loaders.schema import DATASETS, normalise_header, synonym_index
from loaders.values import visible_controls

REVIEW_COLUMNS = frozenset(
    {"review_due", "review_held", "review_number", "participated", "needs_tool", "recorded"}
)
_INDEXES = {name: synonym_index(dataset) for name, dataset in DATASETS.items()}
_ANY_DATASET = {text: column for index in _INDEXES.values() for text, column in index.items()}
_SHOWN_HEADER_CHARS = 60


@dataclass
class HeaderMatch:
    position: int  # row position in the grid
    dataset: str
    column_map: dict[str, str]  # original header text -> canonical column
    columns: dict[str, int]  # canonical column -> grid column position (grids have columns 0..n-1)
    ignored_columns: list[str]


def shown_header(text: str) -> str:
    return text if len(text) <= _SHOWN_HEADER_CHARS else text[: _SHOWN_HEADER_CHARS - 1] + "…"


def _header_texts(row: pd.Series) -> list[str]:
    """The header cells as text; control characters shown as pictures, since the headers are stored."""
    return ["" if pd.isna(value) else visible_controls(str(value).strip()) for value in row.tolist()]


def find_header_row(cells: pd.DataFrame, dataset: str | None) -> int | None:
    """Position of the first of the first 30 rows with >= 2 recognised column names, else None."""
    index = _INDEXES[dataset] if dataset else _ANY_DATASET
    for position in range(min(limits.HEADER_SEARCH_ROWS, len(cells))):
        names = {normalise_header(text) for text in _header_texts(cells.iloc[position])}
        if len(names & index.keys()) >= 2:
            return position
    return None


def recognise_dataset(headers: list[str]) -> str:
    """Review columns -> reviews; grade and audit date -> audits; otherwise orders (SPEC 4)."""
    normalised = {normalise_header(text) for text in headers}
    reviews = {_INDEXES["reviews"][text] for text in normalised & _INDEXES["reviews"].keys()}
    if reviews & REVIEW_COLUMNS:
        return "reviews"
    audits = {_INDEXES["audits"][text] for text in normalised & _INDEXES["audits"].keys()}
    if {"grade", "audit_date"} <= audits:
        return "audits"
    return "orders"


def match_header(cells: pd.DataFrame, position: int, dataset: str | None, where: str) -> HeaderMatch:
    """Map the header row at `position`; LoadError for duplicate or missing required columns."""
    headers = _header_texts(cells.iloc[position])
    chosen = dataset or recognise_dataset(headers)
    index = _INDEXES[chosen]
    column_map: dict[str, str] = {}
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for position_in_row, text in enumerate(headers):
        if not text:
            continue
        canonical = index.get(normalise_header(text))
        if canonical is None:
            ignored.append(text)
            continue
        if canonical in columns:
            first = headers[columns[canonical]]
            raise LoadError(
                f"{where} has two columns for {canonical}: '{shown_header(first)}' and "
                f"'{shown_header(text)}'; remove or rename one"
            )
        columns[canonical] = position_in_row
        column_map[text] = canonical
    _require_columns(chosen, columns, headers, where)
    return HeaderMatch(position, chosen, column_map, columns, ignored)


def _require_columns(dataset: str, columns: dict[str, int], headers: list[str], where: str) -> None:
    present = set(columns)
    required = set(DATASETS[dataset].required)
    if dataset == "reviews" and {"order_date", "review_number"} <= present:
        required.discard("review_due")  # computed from the schedule (SPEC 2.4)
    missing = [name for name in DATASETS[dataset].column_names if name in required - present]
    if missing:
        needs = " or ".join(missing) + " column"
        if "review_due" in missing:
            needs += " (or order date and review number to compute it)"
        found = ", ".join(f"'{shown_header(text)}'" for text in headers if text) or "nothing"
        raise LoadError(f"{where} looks like {dataset} but has no {needs}; found {found}")
