"""Upload: what the loader found is shown, Store changes every page's figures, undo asks first."""

from __future__ import annotations

import io
import re
from datetime import datetime

from openpyxl import Workbook

import store

from .conftest import page, seen

ORDERS_CSV = (
    b"Case Ref,Order Date,Order Type,Requirements,Team,Worker,First Contact\n"
    b"U001,01/04/2020,CPO,Supervision,Alpha,Ann,01/04/2020\n"
    b"U002,01/04/2020,CPO,Supervision,Alpha,Ann,02/04/2020\n"
    b"U003,01/04/2020,CPO,Supervision,Beta,Bob,02/04/2020\n"
    b"U004,01/04/2020,CPO,Supervision,Beta,Bob,09/04/2020\n"
    b"U005,31/02/2020,CPO,Supervision,Beta,Bob,09/04/2020\n"
)


def upload(app, name: str, content: bytes, mime: str = "text/csv"):
    app.file_uploader(key="upload_files").set_value((name, content, mime)).run()
    assert not app.exception, app.exception
    return app


def test_upload_shows_mapping_preview_and_rejected_rows(empty_url, make_app, downloads):
    app = upload(make_app(page("upload")), "orders.csv", ORDERS_CSV)

    assert app.selectbox(key="upload_dataset_0").value == "as recognised"
    assert any("read as **orders**" in markdown.value for markdown in app.markdown)
    mapping, preview, rejects = (frame.value for frame in app.dataframe[:3])
    assert (
        dict(zip(mapping["Header in the file"], mapping["Read as column"], strict=True))["Case Ref"]
        == "case_ref"
    )
    assert list(preview["case_ref"]) == ["U001", "U002", "U003", "U004"]
    assert list(rejects["row"]) == [6]
    assert "orders-rejected-rows.csv" in downloads
    assert b"31/02/2020" in downloads["orders-rejected-rows.csv"]


def test_store_changes_the_overview_at_once(empty_url, make_app):
    app = make_app()
    assert not app.metric  # empty store: no tiles yet

    app.switch_page(page("upload")).run()
    upload(app, "orders.csv", ORDERS_CSV)
    app.button(key="upload_store_0").click().run()

    assert any("stored as upload 1" in seen(success.value) for success in app.success)
    app.switch_page(page("overview")).run()
    tiles = {metric.label: metric.value for metric in app.metric}
    # Due 2 April (1 working day): U001, U002, U003 on time, U004 late -> 3 of 4.
    assert tiles["First contact made on time"] == "75.0%"


def test_storing_the_same_file_twice_says_already_loaded(empty_url, make_app):
    app = upload(make_app(page("upload")), "orders.csv", ORDERS_CSV)
    app.button(key="upload_store_0").click().run()
    app.button(key="upload_store_0").click().run()

    assert any("already loaded (upload 1)" in seen(success.value) for success in app.success)


def test_forcing_a_dataset_rereads_the_file(empty_url, make_app):
    app = upload(make_app(page("upload")), "orders.csv", ORDERS_CSV)
    assert sheet_lines(app) and "read as **orders**" in sheet_lines(app)[0]
    app.selectbox(key="upload_dataset_0").select("audits").run()

    # Read again as audits, the file lacks the audit date and grade: one line says so, and nothing of
    # the orders reading is left to store.
    assert not app.exception
    assert app.selectbox(key="upload_dataset_0").value == "audits"
    (error,) = [seen(error.value) for error in app.error]
    assert error.startswith("orders.csv: ")
    assert "looks like audits but has no audit_date or grade column" in error
    assert not sheet_lines(app)
    assert not app.dataframe
    assert not [button for button in app.button if button.key == "upload_store_0"]
    assert stored_counts(empty_url) == {"orders": 0, "reviews": 0, "audits": 0}


def test_an_unreadable_file_is_a_one_line_error(empty_url, make_app):
    app = upload(make_app(page("upload")), "notes.csv", b"\x00\x01\x02 not a spreadsheet")

    assert len(app.error) == 1
    assert "\n" not in seen(app.error[0].value)
    assert seen(app.error[0].value).startswith("notes.csv:")


def test_undo_asks_for_confirmation_first(demo_url, make_app):
    app = make_app(page("upload"))
    engine = store.connect(demo_url)
    orders_upload = next(info.id for info in store.list_uploads(engine) if info.dataset == "orders")
    app.selectbox(key="undo_choice").select(orders_upload).run()

    assert app.button(key="undo_button").disabled  # nothing can be undone until the box is ticked
    assert all(info.undone_at is None for info in store.list_uploads(engine))

    app.checkbox(key="undo_confirm").check().run()
    assert not app.button(key="undo_button").disabled
    app.button(key="undo_button").click().run()

    assert any(f"Upload {orders_upload} undone" in seen(success.value) for success in app.success)
    undone = {info.id for info in store.list_uploads(engine) if info.undone_at is not None}
    assert undone == {orders_upload}
    app.switch_page(page("overview")).run()
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["First contact made on time"] == "no rate"  # the orders are gone from every page


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with one sheet per entry, first row the headers, dates as real Excel dates."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ORDERS_SHEET = [
    ["Case Ref", "Order Date", "Order Type", "Team", "Worker", "First Contact"],
    ["W001", datetime(2020, 4, 1), "CPO", "Alpha", "Ann", datetime(2020, 4, 1)],
    ["W002", datetime(2020, 4, 2), "CPO", "Beta", "Bob", datetime(2020, 4, 9)],
]
AUDITS_SHEET = [
    ["Case Ref", "Audit Date", "Grade", "Auditor"],
    ["W001", datetime(2020, 5, 1), "Good", "Cara"],
    ["W002", datetime(2020, 5, 2), 2, "Cara"],
    ["W003", datetime(2020, 5, 3), "Excellent", "Dan"],
]
# An orders extract that carries the number of the latest review: its headers read as reviews.
ORDERS_WITH_REVIEW_NO = [[*ORDERS_SHEET[0], "Review No"], *([*row, 1] for row in ORDERS_SHEET[1:])]


def stored_counts(url: str) -> dict[str, int]:
    engine = store.connect(url)
    return {name: len(store.read_dataset(engine, name)) for name in ("orders", "reviews", "audits")}


def sheet_lines(app) -> list[str]:
    return [markdown.value for markdown in app.markdown if "read as" in markdown.value]


def test_a_two_sheet_workbook_stores_both_datasets(empty_url, make_app):
    content = workbook({"Orders": ORDERS_SHEET, "Audits": AUDITS_SHEET})
    app = upload(make_app(page("upload")), "extract.xlsx", content, XLSX)

    assert app.selectbox(key="upload_sheet_dataset_0_0").value == "as recognised"
    assert app.selectbox(key="upload_sheet_dataset_0_1").value == "as recognised"
    lines = sheet_lines(app)
    assert len(lines) == 2
    assert "Orders”**: read as **orders**" in lines[0] and "2 rows accepted" in lines[0]
    assert "Audits”**: read as **audits**" in lines[1] and "3 rows accepted" in lines[1]

    app.button(key="upload_store_0").click().run()

    stored = [seen(success.value) for success in app.success]
    assert any(
        "extract.xlsx / Orders: stored as upload" in line and "(orders): 2 new" in line for line in stored
    )
    assert any(
        "extract.xlsx / Audits: stored as upload" in line and "(audits): 3 new" in line for line in stored
    )
    assert stored_counts(empty_url) == {"orders": 2, "reviews": 0, "audits": 3}


def test_changing_one_sheets_dataset_rereads_only_that_sheet(empty_url, make_app):
    content = workbook({"Orders": ORDERS_WITH_REVIEW_NO, "Audits": AUDITS_SHEET})
    app = upload(make_app(page("upload")), "extract.xlsx", content, XLSX)
    assert "read as **reviews**" in sheet_lines(app)[0]  # the Review No column misleads recognition

    app.selectbox(key="upload_sheet_dataset_0_0").select("orders").run()

    lines = sheet_lines(app)
    assert "Orders”**: read as **orders**" in lines[0] and "2 rows accepted" in lines[0]
    assert "Audits”**: read as **audits**" in lines[1]
    app.button(key="upload_store_0").click().run()
    assert stored_counts(empty_url) == {"orders": 2, "reviews": 0, "audits": 3}


def test_a_sheet_that_cannot_be_read_as_the_chosen_dataset_is_left_out(empty_url, make_app):
    content = workbook({"Orders": ORDERS_SHEET, "Audits": AUDITS_SHEET})
    app = upload(make_app(page("upload")), "extract.xlsx", content, XLSX)

    app.selectbox(key="upload_sheet_dataset_0_1").select("reviews").run()

    assert len(app.error) == 1
    assert seen(app.error[0].value).startswith("extract.xlsx, sheet “Audits”:")
    assert [line.split("**: ")[0] for line in sheet_lines(app)] == ["**sheet “Orders”"]
    app.button(key="upload_store_0").click().run()
    assert stored_counts(empty_url) == {"orders": 2, "reviews": 0, "audits": 0}


def test_a_one_sheet_workbook_keeps_one_dataset_choice_for_the_file(empty_url, make_app):
    content = workbook({"Audits": AUDITS_SHEET})
    app = upload(make_app(page("upload")), "audits.xlsx", content, XLSX)

    assert app.selectbox(key="upload_dataset_0").value == "as recognised"
    assert not [box for box in app.selectbox if box.key.startswith("upload_sheet_dataset_")]
    assert "Sheet: **Audits**" in [markdown.value for markdown in app.markdown]
    assert "read as **audits**" in sheet_lines(app)[0]


def test_a_recognised_sheet_that_cannot_be_read_is_named_on_the_page(empty_url, make_app):
    broken_reviews = [["Case Ref", "Review Held", "Participated"], ["W001", datetime(2020, 7, 1), "Yes"]]
    content = workbook({"Orders": ORDERS_SHEET, "Reviews": broken_reviews})
    app = upload(make_app(page("upload")), "extract.xlsx", content, XLSX)

    warnings = [seen(warning.value) for warning in app.warning if "Reviews" in seen(warning.value)]
    assert len(warnings) == 1 and "that sheet will not be stored" in warnings[0]
    app.button(key="upload_store_0").click().run()
    assert stored_counts(empty_url) == {"orders": 2, "reviews": 0, "audits": 0}


def test_a_busy_store_mid_workbook_says_what_was_stored_and_what_was_not(empty_url, make_app, monkeypatch):
    real_store_sheet = store.store_sheet

    def busy_for_audits(engine, sheet, **kwargs):
        if sheet.dataset == "audits":
            raise store.StoreBusy("the store is busy with another upload; try again in a moment")
        return real_store_sheet(engine, sheet, **kwargs)

    monkeypatch.setattr(store, "store_sheet", busy_for_audits)
    content = workbook({"Orders": ORDERS_SHEET, "Audits": AUDITS_SHEET})
    app = upload(make_app(page("upload")), "extract.xlsx", content, XLSX)
    app.button(key="upload_store_0").click().run()

    assert any("extract.xlsx / Orders: stored as upload" in seen(success.value) for success in app.success)
    (error,) = [seen(error.value) for error in app.error]
    assert "busy" in error and "Not stored: Audits" in error
    assert stored_counts(empty_url) == {"orders": 2, "reviews": 0, "audits": 0}


HOSTILE_NAME = "[click](https://evil.example/file).csv"
HOSTILE_CSV = (
    b"Case Ref,Order Date,Team,![i](https://evil.example/h.png)\n"
    b"H001,01/04/2020,:red[North],x\n"
    b"H002,31/02/2020,<a href='https://evil.example'>click me</a>,y\n"
)
_LINK_OR_IMAGE = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def _shown_texts(app) -> list[str]:
    """Every piece of markdown the page drew: text, headings, alerts and widget labels."""
    elements = [*app.markdown, *app.subheader, *app.caption, *app.error, *app.warning, *app.success]
    return [element.value for element in elements] + [box.label for box in app.selectbox]


def test_names_and_headers_from_a_file_are_shown_as_text_never_as_markup(empty_url, make_app):
    app = upload(make_app(page("upload")), HOSTILE_NAME, HOSTILE_CSV)

    texts = _shown_texts(app)
    assert not [text for text in texts if _LINK_OR_IMAGE.search(text)]  # no link, no image fetched
    assert not [text for text in texts if re.search(r"(?<!\\):red(?<!\\)\[", text)]
    shown = [seen(text) for text in texts]
    assert HOSTILE_NAME in shown  # the file's name, as typed
    assert any("![i](https://evil.example/h.png)" in text for text in shown)  # the ignored header
