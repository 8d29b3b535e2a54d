"""Statutory reviews: held on time, recorded on time, the person's participation and the needs tool."""

from pages.ui.measure_view import render_area

render_area(
    "reviews",
    "Statutory reviews",
    "Reviews held by their due date and recorded in time count in the quarter of the due date; "
    "participation and the needs review tool count reviews held, in the quarter they were held.",
)
