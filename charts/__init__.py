"""Pure plotly figure builders for the pages (no Streamlit here, so every chart is testable on its own)."""

from charts.breakdown import breakdown_bar
from charts.distributions import days_taken_histogram, grade_distribution
from charts.layout import NO_RECORDS, no_records_figure
from charts.palette import GRADE_COLOURS, GRADE_LABELS, RAG_COLOURS, RAG_WORDS
from charts.spc import funnel_figure, spc_figure
from charts.trend import compliance_trend, sparkline

__all__ = [
    "GRADE_COLOURS",
    "GRADE_LABELS",
    "NO_RECORDS",
    "RAG_COLOURS",
    "RAG_WORDS",
    "breakdown_bar",
    "compliance_trend",
    "days_taken_histogram",
    "funnel_figure",
    "grade_distribution",
    "no_records_figure",
    "sparkline",
    "spc_figure",
]
