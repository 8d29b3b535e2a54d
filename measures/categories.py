"""Category values that differ only in case or spacing are one group (issue 8).

Extracts typed by hand hold "Full" and "full", "East Team" and "East  Team": the same team, version or
order type, which a breakdown must not split. Two spellings are the same value when they match after
casefolding and collapsing runs of white space (`category_key`). The group is shown under its most
frequent spelling, ties going to the spelling that sorts first (so "Full" beats "full"), with white space
collapsed (docs/decisions.md). The data quality page lists every group with more than one spelling, and
the case references whose shapes differ (letters and digits laid out differently), which usually means
two systems or hands wrote them.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd

# The text columns a manager groups or filters by, per dataset (case_ref is an identity, never grouped).
CATEGORY_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": (
        "team",
        "worker",
        "order_type",
        "requirements",
        "lscmi_version",
        "risk_level",
        "exclusion_reason",
    ),
    "reviews": ("team", "worker", "order_type", "exclusion_reason"),
    "audits": ("team", "worker", "auditor"),
}
_SPACES = re.compile(r"\s+")
VARIANT_COLUMNS = ["column", "shown as", "spellings", "records"]
FORMAT_COLUMNS = ["format", "records", "example"]


def category_key(text: str) -> str:
    """What two spellings of one value share: casefolded, white space collapsed and trimmed."""
    return _SPACES.sub(" ", text).strip().casefold()


def tidy_spelling(text: str) -> str:
    """A spelling as shown: runs of white space collapsed and trimmed, case kept."""
    return _SPACES.sub(" ", text).strip()


def canonical_spellings(uniques: np.ndarray, counts: np.ndarray) -> npt.NDArray[np.object_]:
    """For each distinct spelling, the spelling its group is shown under.

    `uniques` are distinct non-blank strings and `counts` how many records use each. The group's most
    used spelling wins; a tie goes to the spelling that sorts first. Runs over distinct values only.
    """
    if len(uniques) == 0:
        return np.empty(0, dtype=object)
    frame = pd.DataFrame(
        {
            "spelling": pd.Series(uniques, dtype=object),
            "key": pd.Series([category_key(str(value)) for value in uniques], dtype=object),
            "count": np.asarray(counts, dtype=np.int64),
        }
    )
    ranked = frame.sort_values(["key", "count", "spelling"], ascending=[True, False, True], kind="stable")
    winners = ranked.drop_duplicates("key").set_index("key")["spelling"].map(tidy_spelling)
    return frame["key"].map(winners).to_numpy(dtype=object)


def spelling_variants(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every value written in more than one way: column, the spelling shown, the spellings found
    (most used first, with their record counts) and the records in the group, across all datasets."""
    rows = []
    for column in sorted({name for names in CATEGORY_COLUMNS.values() for name in names}):
        parts = [
            frame[column].dropna().astype(str)
            for dataset, frame in frames.items()
            if column in CATEGORY_COLUMNS.get(dataset, ()) and column in frame.columns
        ]
        values = pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype=object)
        if values.empty:
            continue
        counts = values.value_counts()
        spellings = pd.DataFrame({"spelling": counts.index.astype(object), "count": counts.to_numpy()})
        spellings["shown"] = canonical_spellings(
            spellings["spelling"].to_numpy(dtype=object), spellings["count"].to_numpy(dtype=np.int64)
        )
        for shown, group in spellings.groupby("shown", sort=True):
            if len(group) < 2:
                continue
            ordered = group.sort_values(["count", "spelling"], ascending=[False, True])
            listed = "; ".join(
                f"“{spelling}” ({count})"
                for spelling, count in ordered[["spelling", "count"]].itertuples(index=False)
            )
            rows.append((column, shown, listed, int(group["count"].sum())))
    return pd.DataFrame(rows, columns=VARIANT_COLUMNS).astype({"records": "int64"})


def reference_format(references: pd.Series) -> pd.Series:
    """A case reference's shape: a capital letter as A, a small one as a, a run of digits (any length)
    as 9, other characters as they are. "DEMO-00001" and "DEMO-12" share "AAAA-9"; "demo-1" does not."""
    letters = references.str.replace(
        r"[^\W\d_]", lambda match: "A" if match[0].isupper() else "a", regex=True
    )
    return letters.str.replace(r"\d+", "9", regex=True)


def case_ref_formats(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shapes case references are written in, when there is more than one (else empty): format,
    records and one example of each, most used first. "00412" and "412" or "CF-412" and "cf412" are
    the same person only if the service says so; the page lists them for someone to check."""
    parts = [
        frame["case_ref"].dropna().astype(str) for frame in frames.values() if "case_ref" in frame.columns
    ]
    references = pd.concat(parts, ignore_index=True) if parts else pd.Series(dtype=object)
    if references.empty:
        return pd.DataFrame(columns=FORMAT_COLUMNS)
    # Each distinct reference is shaped once (a person's reviews share their order's reference: a
    # national store holds 1.2 million references and a fifth as many distinct ones), in order of first
    # appearance, so a format's first distinct reference is its first record's.
    codes, uniques = pd.factorize(references)
    distinct = pd.Series(uniques, dtype=references.dtype)
    shapes = pd.DataFrame(
        {
            "format": reference_format(distinct),
            "records": np.bincount(codes, minlength=len(distinct)),
            "example": distinct,
        }
    )
    table = (
        shapes.groupby("format", sort=False)
        .agg(records=("records", "sum"), example=("example", "first"))
        .reset_index()
        .sort_values(["records", "format"], ascending=[False, True], kind="stable")
    )
    if len(table) < 2:
        return pd.DataFrame(columns=FORMAT_COLUMNS)
    return table[FORMAT_COLUMNS].reset_index(drop=True).astype({"records": "int64"})
