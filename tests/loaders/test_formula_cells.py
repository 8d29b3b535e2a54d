"""A formula saved without its value (as scripts write them) rejects its row; it is never read as blank."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook

from loaders import read_extract


def workbook_with_formulas() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Reviews"
    sheet.append(["Case Ref", "Review Due", "Review Held", "Notes"])
    sheet.append(["F001", datetime(2020, 7, 1), datetime(2020, 6, 30), "fine"])
    sheet.append(["F002", datetime(2020, 7, 1), "=B3-1", "fine"])  # held date is a formula, no value
    sheet.append(["F003", datetime(2020, 7, 1), datetime(2020, 7, 2), '=A4&"!"'])  # ignored column
    content = io.BytesIO()
    book.save(content)  # openpyxl stores formulas without their results
    return content.getvalue()


def test_a_recognised_formula_cell_without_a_value_rejects_its_row_naming_the_column():
    (sheet,) = read_extract("reviews.xlsx", workbook_with_formulas()).sheets

    assert list(sheet.records["case_ref"]) == ["F001", "F003"]
    (reject,) = sheet.rejects.to_dict("records")
    assert (reject["sheet"], reject["row"], reject["column"]) == ("Reviews", 3, "review_held")
    assert "formula with no saved value" in reject["reason"]
