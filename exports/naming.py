"""File names for downloads that say what the file holds, built only from characters safe everywhere."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM_CHARS = 150  # well inside every file system's 255-byte limit, with room for the extension


def _slug(value: Any) -> str:
    if isinstance(value, datetime | date):
        value = value.strftime("%Y-%m-%d")
    if isinstance(value, list | tuple | set | frozenset):
        return "_".join(part for part in (_slug(item) for item in value) if part)
    text = _UNSAFE.sub("-", str(value).strip())
    return re.sub(r"-{2,}", "-", text).strip("-.")


def export_file_name(what: str, filters: Mapping[str, Any], extension: str) -> str:
    """E.g. "lscmi_statuses_2020-21-Q1_to_2020-21-Q4_North-Team_as-at-2021-03-31.csv".

    `filters` keys "from" and "to" (quarter labels) come first, then every other non-empty filter
    value in the order given, then "as_at". Blank filters and "All" are left out, because a filter
    that does not filter says nothing about the file.
    """
    parts = [_slug(what).replace("-", "_")]
    if filters.get("from") or filters.get("to"):
        parts.append("_to_".join(_slug(filters[key]) for key in ("from", "to") if filters.get(key)))
    for key, value in filters.items():
        if key in ("from", "to", "as_at") or value in (None, "", "All") or value == []:
            continue
        parts.append(_slug(value))
    if filters.get("as_at"):
        parts.append("as-at-" + _slug(filters["as_at"]))
    stem = "_".join(part for part in parts if part)[:MAX_STEM_CHARS].strip("-._") or "export"
    suffix = re.sub(r"[^A-Za-z0-9]", "", extension)
    return f"{stem}.{suffix}" if suffix else stem
