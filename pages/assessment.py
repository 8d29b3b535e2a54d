"""Assessment timescales: first contact, induction, unpaid work start, LS/CMI and case management plan."""

from pages.ui.measure_view import render_area

render_area(
    "assessment",
    "Assessment timescales",
    "Each order's milestones against their timescales from the order date. A record counts in the "
    "quarter of its due date; excluded orders are listed but left out of the rate.",
)
