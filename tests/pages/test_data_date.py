"""The data's own date (issue 8): after a real upload the pages default to the date the extract was
taken, say so under every title, take another date typed in the sidebar, and an older extract waits
for a confirmation on the Upload page."""

from __future__ import annotations

import csv
import io

import pandas as pd
from streamlit.testing.v1 import AppTest

import store

from .conftest import page, seen

# Taken on Monday 15 February 2021. First contact is due 1 working day after the order:
# - U001, U002: Monday 5 October 2020 (2020-21 Q3), due Tuesday 6 October: U001 met, U002 (8th) missed.
# - U003: Monday 1 February 2021, no contact: due 2 February, before the data date -> missed.
# - U004: Friday 12 February 2021, no contact: due Monday 15 February, the data date -> pending.
#   (As at today instead, U004 would be missed: the first day's "0.0% Red" of issue 8.)
ORDERS_CSV = b"""Orders extract
Report run on 15/02/2021 09:12

Case Ref,Order Date,Order Type,Requirements,Team,First Contact
U001,05/10/2020,CPO,Supervision,Alpha,06/10/2020
U002,05/10/2020,CPO,Supervision,Alpha,08/10/2020
U003,01/02/2021,CPO,Supervision,Beta,
U004,12/02/2021,CPO,Supervision,Beta,
"""
# The same extract as taken a fortnight earlier: U002's first contact not yet recorded, U004 not yet made.
OLDER_CSV = b"""Orders extract
Report run on 01/02/2021 08:00

Case Ref,Order Date,Order Type,Requirements,Team,First Contact
U001,05/10/2020,CPO,Supervision,Alpha,06/10/2020
U002,05/10/2020,CPO,Supervision,Alpha,
U003,01/02/2021,CPO,Supervision,Beta,
"""


def fresh_app(entry_script) -> AppTest:
    """The dashboard as a new user opens it: no as-at date in the link."""
    app = AppTest.from_file(str(entry_script), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def store_file(app: AppTest, name: str, content: bytes) -> AppTest:
    app.switch_page(page("upload")).run()
    app.file_uploader(key="upload_files").set_value((name, content, "text/csv")).run()
    app.button(key="upload_store_0").click().run()
    assert not app.exception, app.exception
    return app


def captions(app: AppTest) -> list[str]:
    return [seen(caption.value) for caption in app.caption]


def test_after_a_real_upload_every_page_defaults_to_the_data_date(empty_url, entry_script):
    app = fresh_app(entry_script)
    store_file(app, "orders.csv", ORDERS_CSV)

    app.switch_page(page("overview")).run()

    assert app.text_input(key="as_at").value == ""  # blank: following the data
    assert app.text_input(key="as_at").placeholder == "15/02/2021 (the data's date)"
    line = next(text for text in captions(app) if text.startswith("Data as at"))
    assert line.startswith("Data as at 15/02/2021 (from the orders extract uploaded on ")
    assert any(markdown.value == "Latest complete quarter: **2020-21 Q3**" for markdown in app.markdown)
    tiles = {metric.label: metric.value for metric in app.metric}
    assert tiles["First contact made on time"] == "50.0%"  # 1 of 2
    for other in ("assessment", "export", "data_quality", "upload"):
        app.switch_page(page(other)).run()
        assert any(text.startswith("Data as at 15/02/2021") for text in captions(app)), other


def test_a_date_typed_in_the_sidebar_applies_and_the_line_says_both(empty_url, entry_script):
    app = store_file(fresh_app(entry_script), "orders.csv", ORDERS_CSV)
    app.switch_page(page("overview")).run()

    app.text_input(key="as_at").set_value("01/04/2021").run()  # Enter: the text box commits

    assert any(
        text.startswith("Data as at 15/02/2021")
        and text.endswith("; figures as at 01/04/2021, the date chosen in the sidebar.")
        for text in captions(app)
    )
    assert any(text.startswith("As at 01/04/2021.") for text in captions(app))
    # 2020-21 Q4 ended on 31 March: now complete, and U003 and U004 are both missed: 0 of 2.
    assert any(markdown.value == "Latest complete quarter: **2020-21 Q4**" for markdown in app.markdown)
    assert {metric.label: metric.value for metric in app.metric}["First contact made on time"] == "0.0%"


def test_a_date_that_does_not_exist_is_named_and_the_data_date_stays(empty_url, entry_script):
    app = store_file(fresh_app(entry_script), "orders.csv", ORDERS_CSV)
    app.switch_page(page("overview")).run()

    app.text_input(key="as_at").set_value("30/02/2021").run()

    assert [error.value for error in app.sidebar.error] == [
        "30 February 2021 does not exist; showing 15/02/2021."
    ]
    assert any(text.startswith("As at 15/02/2021.") for text in captions(app))


def test_an_empty_store_defaults_to_today_and_says_no_data_date(empty_url, entry_script):
    from datetime import date

    app = fresh_app(entry_script)

    assert app.text_input(key="as_at").placeholder == f"{date.today():%d/%m/%Y} (the data's date)"
    assert not any(text.startswith("Data as at") for text in captions(app))


def test_an_older_extract_waits_for_a_confirmation_saying_what_it_changes_back(empty_url, entry_script):
    app = store_file(fresh_app(entry_script), "orders.csv", ORDERS_CSV)

    store_file(app, "older.csv", OLDER_CSV)

    assert "Data as at 01/02/2021 (from its title rows)." in captions(app)  # said before storing
    warnings = [seen(warning.value) for warning in app.warning]
    # By hand: U002 would lose its first contact; U001 and U003 are unchanged -> 1 record changed back.
    expected = (
        "older.csv: its data date 01/02/2021 is older than the orders already stored (data as at "
        "15/02/2021); storing it would change 1 record back to older values"
    )
    assert any(warning.startswith(expected) for warning in warnings), warnings
    history = app.dataframe[-1].value
    assert list(history["File"]) == ["orders.csv"]  # nothing stored yet

    app.button(key="upload_store_older_0").click().run()

    assert any("stored as upload 2" in seen(success.value) for success in app.success)
    history = app.dataframe[-1].value
    assert list(history["File"]) == ["older.csv", "orders.csv"]
    assert [f"{day:%d/%m/%Y}" for day in history["Data as at"]] == ["01/02/2021", "15/02/2021"]


def summary_rows(content: bytes) -> tuple[dict[str, str], pd.DataFrame]:
    """The notes above a quarterly summary CSV, and its table."""
    lines = content.decode("utf-8-sig").split("\r\n")
    blank = lines.index("")
    notes = dict(next(csv.reader([line])) for line in lines[:blank])
    table = pd.read_csv(io.StringIO("\n".join(lines[blank + 1 :])), dtype=str, keep_default_na=False)
    return notes, table


def test_the_quarterly_summary_carries_the_filters_and_the_data_date(empty_url, entry_script, downloads):
    app = store_file(fresh_app(entry_script), "orders.csv", ORDERS_CSV)
    app.switch_page(page("export")).run()
    app.multiselect(key="team").select("Beta").run()
    app.selectbox(key="export_what").select("quarterly summary").run()
    app.button(key="export_prepare").click().run()
    assert not app.exception, app.exception

    name = next(name for name in downloads if name.endswith(".csv"))
    assert name == "quarterly_summary_Beta_as-at-2021-02-15.csv"
    notes, table = summary_rows(downloads[name])
    assert notes["Data as at"].startswith("15/02/2021 (from the orders extract uploaded on ")
    assert (notes["Figures as at"], notes["Teams"], notes["Workers"]) == ("15/02/2021", "Beta", "all")
    # Beta: U003 missed, U004 pending, both first contact in 2020-21 Q4, which ends on 31 March.
    first_contact = table[table["Measure"] == "First contact"]
    assert first_contact[["Quarter", "Met", "Missed", "Pending", "Rate %", "RAG"]].values.tolist() == [
        ["2020-21 Q4 (partial)", "0", "1", "1", "0.0", "Red: below target"]
    ]
    app.get("download_button")[0].click().run()
    log = store.list_exports(store.connect(empty_url))
    assert list(log["what"]) == ["quarterly summary"]
    assert log["filters"].iloc[0]["team"] == ["Beta"]


def test_each_measure_page_offers_its_quarterly_summary(empty_url, entry_script, downloads):
    app = store_file(fresh_app(entry_script), "orders.csv", ORDERS_CSV)
    app.switch_page(page("assessment")).run()

    button = app.get("download_button")
    keys = [element.proto.id for element in button]
    assert keys and any("assessment_first_contact_summary_csv" in key for key in keys)
    name = "quarterly_summary_first_contact_as-at-2021-02-15.csv"
    notes, table = summary_rows(downloads[name])
    assert notes["Teams"] == "all"
    assert table[["Quarter", "Met", "Missed", "Pending"]].values.tolist() == [
        ["2020-21 Q3", "1", "1", "0"],
        ["2020-21 Q4 (partial)", "0", "1", "1"],
    ]
