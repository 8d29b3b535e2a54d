"""Finding the header row, recognising the dataset, mapping synonyms, and choosing sheets."""

from __future__ import annotations

from datetime import datetime

import pytest

from loaders import LoadError, read_extract
from tests.loaders import build

D = datetime(2020, 2, 3)


def _read(rows, **options):
    return read_extract("extract.xlsx", build.xlsx(rows), **options)


def test_header_below_titles_merged_cells_blank_rows_and_columns():
    rows = [
        [None, "Justice social work: orders report"],
        [None, "Report run on 03/02/2020"],
        [],
        [None, "Client ID", "Date of Sentence (dd/mm/yyyy)", "  LS/CMI  completed ", "Notes"],
        [None, "A1", D, D, "free text"],
    ]
    (sheet,) = read_extract("orders.xlsx", build.xlsx(rows, merges=["B1:E1"])).sheets
    assert sheet.header_row == 4
    assert sheet.column_map == {
        "Client ID": "case_ref",
        "Date of Sentence (dd/mm/yyyy)": "order_date",
        "LS/CMI  completed": "lscmi_completed",
    }
    assert sheet.ignored_columns == ["Notes"]
    assert sheet.records["lscmi_completed"].tolist() == [D]
    assert sheet.records["source_row"].tolist() == [5]


def test_header_after_row_30_is_not_found():
    rows = [[f"title {i}"] for i in range(30)] + [["Case Ref", "Order Date"], ["A1", D]]
    with pytest.raises(LoadError, match="no sheet has recognisable column headers"):
        _read(rows)


@pytest.mark.parametrize(
    ("headers", "dataset"),
    [
        (["Case Ref", "Order Date", "Order Type"], "orders"),
        (["Case Ref", "Review Due", "Review Held"], "reviews"),
        (["Case Ref", "Order Date", "Review No"], "reviews"),
        (["Case Ref", "Date of Audit", "Overall Grade", "Auditor"], "audits"),
        (["Case Ref", "Grade", "Team"], "orders"),  # grade without an audit date is not an audit
    ],
)
def test_dataset_is_recognised_from_the_headers(headers, dataset):
    values = {"Grade": 4, "Overall Grade": 4, "Review No": 1}
    row = [
        values.get(header, D if "Date" in header or "Due" in header or "Held" in header else "x")
        for header in headers
    ]
    if dataset == "orders" and "Order Date" not in headers:
        with pytest.raises(LoadError, match="looks like orders but has no order_date column"):
            _read([headers, row])
        return
    assert _read([headers, row]).sheets[0].dataset == dataset


def test_dataset_can_be_forced_and_headers_then_match_that_dataset_only():
    rows = [["Case Ref", "Date of Audit", "Grade", "Review Due"], ["A1", D, "Good", D]]
    (sheet,) = _read(rows, dataset="audits").sheets
    assert sheet.dataset == "audits"
    assert sheet.ignored_columns == ["Review Due"]
    assert sheet.records["grade"].tolist() == [4]


def test_two_headers_for_one_column_are_refused_naming_both():
    with pytest.raises(LoadError) as caught:
        _read([["Case Ref", "Order Date", "Start Date"], ["A1", D, D]])
    assert str(caught.value) == (
        "sheet 'Orders' of 'extract.xlsx' has two columns for order_date: 'Order Date' and 'Start Date'; "
        "remove or rename one"
    )


def test_a_missing_required_column_is_named_with_what_was_found():
    with pytest.raises(LoadError) as caught:
        _read([["Case Ref", "Order Type", "Team"], ["A1", "CPO", "North"]])
    message = str(caught.value)
    assert "has no order_date column" in message
    assert "found 'Case Ref', 'Order Type', 'Team'" in message


def test_reviews_without_due_date_or_what_computes_it_are_refused():
    with pytest.raises(LoadError, match=r"no review_due column \(or order date and review number"):
        _read([["Case Ref", "Review Held", "Order Date"], ["A1", D, D]])


def test_every_recognised_sheet_is_offered_and_one_can_be_picked():
    orders = [["Case Ref", "Order Date"], ["A1", D]]
    audits = [["Case Ref", "Audit Date", "Grade"], ["A1", D, 5]]
    content = build.xlsx(
        [["Lookup list"], ["North"]],
        title="Notes",
        more={"Orders": orders, "Audits": audits, "Old": orders},
        hidden=["Old"],
    )
    result = read_extract("book.xlsx", content)
    assert [(sheet.sheet, sheet.dataset) for sheet in result.sheets] == [
        ("Orders", "orders"),
        ("Audits", "audits"),
    ]
    (picked,) = read_extract("book.xlsx", content, sheet="Old").sheets  # hidden sheets only when named
    assert picked.sheet == "Old"
    with pytest.raises(LoadError) as caught:
        read_extract("book.xlsx", content, sheet="Reviews")
    assert (
        str(caught.value)
        == "'book.xlsx' has no sheet called 'Reviews'; its sheets are 'Notes', 'Orders', 'Audits', 'Old'"
    )
    with pytest.raises(LoadError, match=r"sheet 'Notes' of 'book\.xlsx' has no recognisable column headers"):
        read_extract("book.xlsx", content, sheet="Notes")


def test_a_sheet_with_a_broken_header_does_not_hide_a_good_one():
    content = build.xlsx(
        [["Team", "Worker"], ["North", "Ann"]],
        title="Staff",
        more={"Orders": [["Case Ref", "Order Date"], ["A1", D]]},
    )
    result = read_extract("b.xlsx", content)
    assert [sheet.sheet for sheet in result.sheets] == ["Orders"]
    # ... and the user is told which sheet was left out, and why.
    (unread,) = result.unread_sheets
    assert "sheet 'Staff' of 'b.xlsx'" in unread and "has no case_ref or order_date column" in unread
    only_broken = build.xlsx([["Team", "Worker"], ["North", "Ann"]], title="Staff")
    with pytest.raises(LoadError, match="has no case_ref or order_date column"):
        read_extract("b.xlsx", only_broken)


def test_header_text_with_nbsp_underscores_and_case_matches():
    (sheet,) = _read([["CASE\u00a0REF", "order_date"], ["A1", D]]).sheets
    assert set(sheet.column_map.values()) == {"case_ref", "order_date"}


def test_a_very_long_header_is_kept_aside_and_shortened_in_messages():
    long_header = "Notes " + "x" * 5000
    (sheet,) = _read([["Case Ref", "Order Date", long_header], ["A1", D, "n"]]).sheets
    assert sheet.ignored_columns == [long_header]
    with pytest.raises(LoadError) as caught:
        _read([["Case Ref", "Team", long_header], ["A1", "North", "n"]])
    assert len(str(caught.value)) < 300
