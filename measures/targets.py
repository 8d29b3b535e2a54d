"""Which target judges a quarter, and the red / amber / green / grey rating (SPEC 3.5).

A quarter is judged against the target in force on its first day: the target with the latest
effective_from on or before that day. A quarter that starts before every target's date is judged
against the earliest target, so early data is never left without one.

The unrounded rate is compared with the target: 89.96% is amber against a 90% target even though
it shows as 90.0%, because the rounding is only for display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from measures.settings import Target

RAG_VALUES: tuple[str, ...] = ("green", "amber", "red", "grey")


def targets_in_force(targets: Sequence[Target], quarter_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(target, amber_margin) float arrays for many quarter starts (datetime64[D]); NaN with no targets."""
    count = len(quarter_starts)
    if not targets:
        return np.full(count, np.nan), np.full(count, np.nan)
    ordered = sorted(targets, key=lambda target: target.effective_from)
    effective = np.array([target.effective_from for target in ordered], dtype="datetime64[D]")
    position = np.clip(np.searchsorted(effective, quarter_starts, side="right") - 1, 0, None)
    percent = np.array([target.target for target in ordered], dtype=float)
    margin = np.array([target.amber_margin for target in ordered], dtype=float)
    return percent[position], margin[position]


def rag_for(rate: float | None, target: float | None, amber_margin: float = 5.0) -> str:
    """'green' at or above target, 'amber' within the margin below, 'red' below that, 'grey' with no rate."""
    return str(rag_array(np.array([_or_nan(rate)]), np.array([_or_nan(target)]), np.array([amber_margin]))[0])


def rag_array(rates: np.ndarray, targets: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """Vectorised `rag_for`; a missing rate or target gives grey."""
    rates, targets, margins = (np.asarray(values, dtype=float) for values in (rates, targets, margins))
    known = ~(np.isnan(rates) | np.isnan(targets))
    return np.select(
        [~known, rates >= targets, rates >= targets - margins],
        ["grey", "green", "amber"],
        default="red",
    ).astype(object)


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)
