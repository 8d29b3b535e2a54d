"""Measures: pure functions from canonical record frames to statuses, quarterly rates and RAG ratings.

No SQL and no Streamlit here; see SPEC section 3 and docs/architecture.md. `measures.filters` (the
shared filters) and `measures.views` (the figures behind each page) are imported by module.
"""

from measures.calendar import WorkingCalendar, scottish_bank_holidays, working_calendar
from measures.compliance import COMPLIANCE_COLUMNS, quarterly_compliance, rate_text, round_rates
from measures.definitions import (
    CAN_BE_INVALID,
    MEASURE_IDS,
    MEASURES,
    MEASURES_BY_ID,
    STATUSES,
    MeasureDef,
)
from measures.quarters import parse_quarter, quarter_after, quarter_label, quarter_start, quarters_between
from measures.settings import (
    RULE_UNITS,
    SETTING_FORMS,
    Rule,
    SettingFormError,
    Settings,
    SettingsError,
    Target,
    apply_setting,
    default_settings,
    merge_documents,
    settings_from_document,
    settings_to_document,
    toml_document,
)
from measures.statuses import STATUS_COLUMNS, record_statuses
from measures.targets import RAG_VALUES, rag_for, targets_in_force

__all__ = [
    "CAN_BE_INVALID",
    "COMPLIANCE_COLUMNS",
    "MEASURES",
    "MEASURES_BY_ID",
    "MEASURE_IDS",
    "RAG_VALUES",
    "RULE_UNITS",
    "SETTING_FORMS",
    "STATUSES",
    "STATUS_COLUMNS",
    "MeasureDef",
    "Rule",
    "SettingFormError",
    "Settings",
    "SettingsError",
    "Target",
    "WorkingCalendar",
    "apply_setting",
    "default_settings",
    "merge_documents",
    "parse_quarter",
    "quarter_after",
    "quarter_label",
    "quarter_start",
    "quarterly_compliance",
    "quarters_between",
    "rag_for",
    "rate_text",
    "record_statuses",
    "round_rates",
    "scottish_bank_holidays",
    "settings_from_document",
    "settings_to_document",
    "targets_in_force",
    "toml_document",
    "working_calendar",
]
