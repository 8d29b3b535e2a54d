"""Which orders a requirement-specific measure applies to (SPEC 3.2, "applies when").

The requirements cell is free text ("Supervision; Unpaid Work", "Offender Supervision + UPW"). A
measure applies when a word-bounded phrase of its requirement appears, case-insensitively; a blank
cell (or an absent column) means the requirements are unknown and the measure applies. Matching
whole phrases rather than splitting first gives the same answer for every separator SPEC lists
(`;` `,` `/` `+` " and ") and also copes with ones it does not.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

UNPAID_WORK = re.compile(r"\b(?:unpaid\s+work|upw|other\s+activity)\b", re.IGNORECASE)
SUPERVISION = re.compile(r"\bsupervision\b", re.IGNORECASE)  # also matches "offender supervision"

REQUIREMENT_PATTERNS: dict[str, re.Pattern[str]] = {
    "upw_start": UNPAID_WORK,
    "lscmi": SUPERVISION,
    "cmp": SUPERVISION,
}


def requirement_applies(requirements: pd.Series | None, pattern: re.Pattern[str], length: int) -> np.ndarray:
    """Boolean array: the requirement text matches `pattern`, or is blank / absent (unknown).

    Vectorised over distinct texts: an extract has a handful of requirement combinations however
    many orders it holds, so each is matched once.
    """
    if requirements is None:
        return np.ones(length, dtype=bool)
    codes, texts = pd.factorize(requirements, use_na_sentinel=True)
    verdicts = np.array(
        [_blank(text) or bool(pattern.search(str(text))) for text in texts] + [True], dtype=bool
    )
    return verdicts[codes]  # the sentinel -1 picks the trailing True: a blank cell applies


def _blank(text: object) -> bool:
    return not isinstance(text, str) or not text.strip()
