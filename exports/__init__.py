"""CSV/XLSX downloads: neutralised against formula injection, dates as dd/mm/yyyy, descriptive names."""

from exports.naming import export_file_name
from exports.neutralise import FORMULA_TRIGGERS, MAX_CELL_CHARS, neutralise, neutralise_frame
from exports.summary import summary_csv_bytes, summary_xlsx_bytes
from exports.tables import safe_sheet_name, to_csv_bytes, to_xlsx_bytes

__all__ = [
    "FORMULA_TRIGGERS",
    "MAX_CELL_CHARS",
    "export_file_name",
    "neutralise",
    "neutralise_frame",
    "safe_sheet_name",
    "summary_csv_bytes",
    "summary_xlsx_bytes",
    "to_csv_bytes",
    "to_xlsx_bytes",
]
