"""The report pack's drafted narrative: what a measure's figures say this quarter, in one sentence.

"86.0% (74 of 86) in 2020-21 Q3, down 4.3 points; below the 90% target; 9 of the 12 missed were in
East Team." Pure: it is given only figures that may be published (the caller has applied disclosure
control, and passes None for anything suppressed), and rounds as every output does (halves up, one
decimal). The user edits the draft before the pack is generated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from measures.compliance import rate_text, round_rates


@dataclass(frozen=True)
class MeasureFigures:
    """One measure's published figures for a quarter; None where a figure is suppressed or absent."""

    quarter: str
    met: int | None
    due: int | None
    rate: float | None
    previous_rate: float | None
    target: float | None
    missed: int | None = None
    top_team: str | None = None  # the team with the most missed, when figures by team are published
    top_team_missed: int | None = None
    suppressed: bool = False  # the quarter's rate is withheld by disclosure control


def _present(value: float | int | None) -> bool:
    return value is not None and not pd.isna(value)


def change_points(rate: float | None, previous_rate: float | None) -> float | None:
    """This quarter's rate less the previous one, in points, from the rates as printed (rounded half up),
    so a reader subtracting the two printed figures gets the printed change. None without both."""
    if not (_present(rate) and _present(previous_rate)):
        return None
    assert rate is not None and previous_rate is not None
    printed = round_rates(pd.Series(np.array([rate, previous_rate], dtype="float64")))
    return round(float(printed.iloc[0]) - float(printed.iloc[1]), 1)


def change_text(change: float | None) -> str:
    """'up 2.5 points', 'down 4.3 points', 'unchanged'; '' without a change."""
    if change is None:
        return ""
    if change == 0:
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {abs(change):.1f} point{'' if abs(change) == 1 else 's'}"


def target_text(rate: float, target: float | None) -> str:
    """Where the rate stands against the target in force (judged on the unrounded rate, as the RAG is;
    the summary table's RAG says whether a rate below target is within the amber margin)."""
    if target is None or pd.isna(target):
        return "no target is set"
    return f"meeting the {target:g}% target" if rate >= target else f"below the {target:g}% target"


def draft_narrative(figures: MeasureFigures) -> str:
    """The drafted sentence for one measure and quarter, from published figures only."""
    if figures.suppressed:
        return (
            f"The figure for {figures.quarter} is not published: too few records to show without risk of "
            "identifying people (disclosure control)."
        )
    if not _present(figures.rate) or not _present(figures.met) or not _present(figures.due):
        return f"No records were due in {figures.quarter}, so there is no rate."
    assert figures.rate is not None and figures.met is not None and figures.due is not None
    opening = f"{rate_text(figures.rate)}% ({figures.met:,} of {figures.due:,}) in {figures.quarter}"
    change = change_text(change_points(figures.rate, figures.previous_rate))
    parts = [f"{opening}, {change}" if change else opening]
    parts.append(target_text(figures.rate, figures.target))
    if (
        figures.top_team
        and _present(figures.top_team_missed)
        and _present(figures.missed)
        and (figures.top_team_missed or 0) > 0
    ):
        parts.append(
            f"{figures.top_team_missed:,} of the {figures.missed:,} missed were in {figures.top_team}"
        )
    return "; ".join(parts) + "."
