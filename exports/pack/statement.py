"""The pack's statement of the disclosure control applied, in words, with the thresholds in force."""

from __future__ import annotations

from exports.pack.content import Pack


def disclosure_statement(pack: Pack) -> str:
    """Paragraphs (blank-line separated) for the Word pack; the annex's SDC sheet lists the same facts."""
    rules = pack.inputs.settings.disclosure
    low = f"1 to {rules.low_count_max}"
    cells = len(pack.suppressed_cells)
    return (
        f"Figures are published at service level. Figures by team are shown only for a measure where every "
        f"team (and the records with no team) had at least {rules.team_min_denominator} due that quarter; "
        "no figure is given for an individual worker.\n\n"
        f"A count of {low} is shown as 'c' (0 is shown). A percentage is shown as 'c' when fewer than "
        f"{rules.min_denominator} records are behind it, or when the number met or missed is {low}, so that "
        "0% or 100% of a small group is never revealed; the counts behind it are then withheld too. Where a "
        "withheld figure could be worked out from a total, the next smallest figure is withheld as well, and "
        "a change or RAG rating worked out from a withheld rate is withheld with it. Figures may therefore "
        "not add up.\n\n"
        "Charts leave out the months whose figure would be withheld, and say which.\n\n"
        f"{cells} figure{'' if cells == 1 else 's'} in this pack {'is' if cells == 1 else 'are'} withheld. "
        f"Produced by {pack.inputs.produced_by} on {pack.inputs.produced_at:%d/%m/%Y at %H:%M} (UTC); the "
        "Excel annex lists every withheld figure and why."
    )
