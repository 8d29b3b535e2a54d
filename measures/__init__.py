"""Measures: pure functions from canonical record frames to statuses, quarterly rates and RAG ratings.

No SQL and no Streamlit here; see SPEC section 3 and docs/architecture.md.
"""

from measures.calendar import WorkingCalendar, scottish_bank_holidays, working_calendar
from measures.compliance import COMPLIANCE_COLUMNS, quarterly_compliance, rate_text, round_rates
from measures.definitions import MEASURE_IDS, MEASURES, MEASURES_BY_ID, STATUSES, MeasureDef
from measures.quarters import parse_quarter, quarter_label, quarter_of, quarter_start
from measures.settings import (
    RULE_UNITS,
    Rule,
    Settings,
    SettingsError,
    Target,
    default_settings,
    settings_from_document,
    settings_from_toml,
    settings_to_document,
    toml_document,
)
from measures.statuses import STATUS_COLUMNS, record_statuses
from measures.targets import RAG_VALUES, rag_for, targets_in_force

__all__ = [
    "COMPLIANCE_COLUMNS",
    "MEASURES",
    "MEASURES_BY_ID",
    "MEASURE_IDS",
    "RAG_VALUES",
    "RULE_UNITS",
    "STATUSES",
    "STATUS_COLUMNS",
    "MeasureDef",
    "Rule",
    "Settings",
    "SettingsError",
    "Target",
    "WorkingCalendar",
    "default_settings",
    "parse_quarter",
    "quarter_label",
    "quarter_of",
    "quarter_start",
    "quarterly_compliance",
    "rag_for",
    "rate_text",
    "record_statuses",
    "round_rates",
    "scottish_bank_holidays",
    "settings_from_document",
    "settings_from_toml",
    "settings_to_document",
    "targets_in_force",
    "toml_document",
    "working_calendar",
]
