"""Upload: what the loader found is shown, Store changes every page's figures, undo asks first."""

from __future__ import annotations

import store

from .conftest import page

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

    assert any("stored as upload 1" in success.value for success in app.success)
    app.switch_page(page("overview")).run()
    tiles = {metric.label: metric.value for metric in app.metric}
    # Due 2 April (1 working day): U001, U002, U003 on time, U004 late -> 3 of 4.
    assert tiles["First contact"] == "75.0%"


def test_storing_the_same_file_twice_says_already_loaded(empty_url, make_app):
    app = upload(make_app(page("upload")), "orders.csv", ORDERS_CSV)
    app.button(key="upload_store_0").click().run()
    app.button(key="upload_store_0").click().run()

    assert any("already loaded (upload 1)" in success.value for success in app.success)


def test_forcing_a_dataset_rereads_the_file(empty_url, make_app):
    app = upload(make_app(page("upload")), "orders.csv", ORDERS_CSV)
    app.selectbox(key="upload_dataset_0").select("audits").run()

    # Read as audits, the file lacks the audit date and grade: the loader says so, nothing crashes.
    assert app.error or any("read as **audits**" in markdown.value for markdown in app.markdown)
    assert not app.exception


def test_an_unreadable_file_is_a_one_line_error(empty_url, make_app):
    app = upload(make_app(page("upload")), "notes.csv", b"\x00\x01\x02 not a spreadsheet")

    assert len(app.error) == 1
    assert "\n" not in app.error[0].value
    assert app.error[0].value.startswith("notes.csv:")


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

    assert any(f"Upload {orders_upload} undone" in success.value for success in app.success)
    undone = {info.id for info in store.list_uploads(engine) if info.undone_at is not None}
    assert undone == {orders_upload}
    app.switch_page(page("overview")).run()
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["First contact"] == "no rate"  # the orders are gone from every page
