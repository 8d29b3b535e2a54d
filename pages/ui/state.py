"""Every st.session_state key the dashboard uses, in one place so pages never disagree on a spelling.

The shared filter keys double as URL query-parameter names (the sidebar widgets are bound to the URL),
so they are short and readable: a link such as ``?team=North&from=2020-21+Q1`` opens the same view.
Widget keys are also the stable handles the browser tests drive.
"""

from __future__ import annotations

# Resolved once per session by dashboard.py.
STORE_URL = "store_url"
# Read once per rerun by dashboard.py and held only while that run's page runs (pages.ui.data.data_version).
DATA_VERSION = "data_version"
# True only while dashboard.py is running a page inside its frame (filters drawn, navigation set).
FRAMED_BY_DASHBOARD = "framed_by_dashboard"

# Who is at the keyboard and what they see: set by dashboard.py at the start of every run (issue 7).
PERSON = "person"  # measures.access.Person, or None before sign-in / without a role
TEAM_SCOPE = "team_scope"  # the teams the person sees; None: every team (pages.ui.data.current_scope)
SUPPRESS_SMALL = "suppress_small"  # True for viewers: small numbers suppressed in the figures
CURRENT_PAGE = "current_page"  # the page module dashboard.py is running, checked again by page_start
SIGN_IN_RECORDED = "sign_in_recorded"  # the audit trail has this session's sign-in
REFUSALS_RECORDED = "refusals_recorded"  # refusals already in the audit trail this session
CASE_VIEWS_RECORDED = "case_views_recorded"  # (page, filters) views of case rows already recorded
SIGN_IN_BUTTON = "sign_in"
SIGN_OUT_BUTTON = "sign_out"

# Shared sidebar filters (bound to query parameters).
FILTER_FROM_QUARTER = "from"
FILTER_TO_QUARTER = "to"
FILTER_TEAMS = "team"
FILTER_WORKERS = "worker"
FILTER_ORDER_TYPES = "order_type"
FILTER_AS_AT = "as_at"

# Overview: whether an area's expanders are open ({area}: the improvement area). Tracked, so a closed
# expander's table is neither worked out nor drawn (a table drawn hidden still costs the browser).
OVERVIEW_FIGURES_OPEN = "overview_{area}_figures_open"
OVERVIEW_ACTIONS_OPEN = "overview_{area}_actions_open"

# Measure detail pages (assessment, reviews, quality): one set per page, prefixed with the page's area.
MEASURE_CHOICE = "{area}_measure"
TREND_CHART = "{area}_{measure}_trend_chart"
BREAKDOWN_CHART = "{area}_{measure}_breakdown_chart"
DAYS_CHART = "{area}_{measure}_days_chart"
CASES_TABLE = "{area}_{measure}_cases"
GRADES_CHART = "quality_grades_chart"
BREAKDOWN_BY = "{area}_{measure}_breakdown_by"
DRILL_QUARTER = "{area}_{measure}_drill_quarter"
DRILL_STATUS = "{area}_{measure}_drill_status"
DRILL_LAST_CLICK = "{area}_{measure}_drill_last_click"
SUMMARY_DOWNLOAD = "{area}_{measure}_summary"  # + "_csv" / "_xlsx": the quarterly summary's buttons

# Upload page.
UPLOAD_FILES = "upload_files"
UPLOAD_DATASET = "upload_dataset_{file}"
UPLOAD_SHEET = "upload_sheet_{file}"
# A multi-sheet workbook's dataset choice per sheet; {sheet} is the sheet's position among those recognised.
UPLOAD_SHEET_DATASET = "upload_sheet_dataset_{file}_{sheet}"
UPLOAD_STORE = "upload_store_{file}"
# An extract older than the stored data, held until confirmed: {file} is its sha256 (kept across reruns).
UPLOAD_OLDER = "upload_older_{file}"
UPLOAD_STORE_OLDER = "upload_store_older_{file}"
UPLOAD_RESULTS = "upload_results"
UPLOAD_REJECTS_DOWNLOAD = "upload_rejects_{file}_{sheet}"
UNDO_CHOICE = "undo_choice"
UNDO_CONFIRM = "undo_confirm"
UNDO_BUTTON = "undo_button"
UNDO_RESULT = "undo_result"
REMOVE_DEMO_CONFIRM = "remove_demo_confirm"
REMOVE_DEMO_BUTTON = "remove_demo_button"

# Export page.
EXPORT_WHAT = "export_what"
EXPORT_MEASURES = "export_measures"
EXPORT_PREPARE = "export_prepare"
EXPORT_PREPARED = "export_prepared"
EXPORT_CSV = "export_csv"
EXPORT_XLSX = "export_xlsx"

# Data quality page.
DATA_QUALITY_REJECTS_DOWNLOAD = "data_quality_rejects_csv"

# Settings page.
SETTINGS_TARGETS = "settings_targets"
SETTINGS_RULES = "settings_rules"
SETTINGS_HOLIDAYS = "settings_holidays"
SETTINGS_SCHEDULE_FIRST = "settings_schedule_first"
SETTINGS_SCHEDULE_SECOND = "settings_schedule_second"
SETTINGS_SCHEDULE_INTERVAL = "settings_schedule_interval"
SETTINGS_FORM = "settings_form"
SETTINGS_SAVE = "settings_save"
SETTINGS_SAVED = "settings_saved"

# Action plan page.
PLAN_ADD_FORM = "plan_add_form"
PLAN_CHOICE = "plan_choice"
PLAN_EDIT_FORM = "plan_edit_form_{action}"
PLAN_NOTE_FORM = "plan_note_form_{action}"
PLAN_REMOVE_EXAMPLES = "plan_remove_examples"
PLAN_MESSAGE = "plan_message"

# People page (admins).
PEOPLE_EMAIL = "people_email"
PEOPLE_ROLE = "people_role"
PEOPLE_TEAMS = "people_teams"
PEOPLE_NEW_TEAMS = "people_new_teams"
PEOPLE_FORM = "people_form"
PEOPLE_SAVE = "people_save"
PEOPLE_REMOVE_CHOICE = "people_remove_choice"
PEOPLE_REMOVE_CONFIRM = "people_remove_confirm"
PEOPLE_REMOVE = "people_remove"
PEOPLE_MESSAGE = "people_message"

# Audit page (admins).
AUDIT_USER = "audit_user"
AUDIT_ACTION = "audit_action"
AUDIT_FROM = "audit_from"
AUDIT_TO = "audit_to"
AUDIT_CSV = "audit_csv"

# Due soon page.
DUE_WITHIN = "due_within"
DUE_WORKER = "due_worker"
DUE_CSV = "due_csv"
DUE_XLSX = "due_xlsx"

# Statistical process control (issue 9): the measure pages' SPC and funnel, the SPC summary, settings.
# A link to a measure's page carries the measure in this query parameter; the page selects it and drops it.
MEASURE_QUERY = "measure"
SPC_PERIOD = "{area}_{measure}_spc_period"
SPC_VIEW = "{area}_{measure}_spc_view"
SPC_CHART = "{area}_{measure}_spc_chart"
FUNNEL_CHART = "{area}_{measure}_funnel_chart"
SPC_SUMMARY_PERIOD = "spc_summary_period"
SPC_SUMMARY_TABLE = "spc_summary_table"
SETTINGS_SPC_SHIFT = "settings_spc_shift"
SETTINGS_SPC_TREND = "settings_spc_trend"
SETTINGS_SPC_SCREEN = "settings_spc_screen"
SETTINGS_REBASES = "settings_rebases"
SETTINGS_BENCHMARKS = "settings_benchmarks"
SETTINGS_DISCLOSURE_LOW = "settings_disclosure_low"
SETTINGS_DISCLOSURE_MINIMUM = "settings_disclosure_minimum"
SETTINGS_DISCLOSURE_TEAM = "settings_disclosure_team"

# Report pack page (issue 11).
PACK_QUARTER = "pack_quarter"
PACK_NARRATIVE = "pack_narrative_{measure}_{quarter}"
PACK_TEXT = "pack_text_{key}"
PACK_SAVE_TEXTS = "pack_save_texts"
PACK_GENERATE = "pack_generate"
PACK_FILES = "pack_files"
PACK_DOCX = "pack_docx"
PACK_XLSX = "pack_xlsx"
PACK_MESSAGE = "pack_message"


def keyed(template: str, **parts: object) -> str:
    """A per-item key from a template above; the parts are made safe for keys and URLs."""
    return template.format(**{name: _slug(value) for name, value in parts.items()})


def _slug(value: object) -> str:
    text = str(value).strip().lower()
    return "".join(char if char.isalnum() else "_" for char in text)
