"""Export: the file holds exactly the filtered rows, formulas are neutralised, the download is logged."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

import store

from .conftest import page, statuses_in_store
from .test_rounding import store_halves

FORMULA = '=HYPERLINK("http://example.invalid","click")'
ORDERS_CSV = (
    "Case Ref,Order Date,Order Type,Team,Worker,First Contact\n"
    f'X001,01/04/2020,CPO,Alpha,"{FORMULA.replace(chr(34), chr(34) * 2)}",02/04/2020\n'
    "X002,02/04/2020,CPO,Alpha,Ann,03/04/2020\n"
    "X003,03/04/2020,CPO,Beta,Bob,06/04/2020\n"
).encode()


def store_orders(make_app):
    app = make_app(page("upload"))
    app.file_uploader(key="upload_files").set_value(("orders.csv", ORDERS_CSV, "text/csv")).run()
    app.button(key="upload_store_0").click().run()
    assert not app.exception, app.exception
    return app


def file_ending(downloads: dict[str, bytes], extension: str) -> tuple[str, bytes]:
    names = [name for name in downloads if name.endswith(extension)]
    assert len(names) == 1, names
    return names[0], downloads[names[0]]


def test_export_holds_the_filtered_rows_with_formulas_neutralised(empty_url, make_app, downloads):
    app = store_orders(make_app)
    app.switch_page(page("export")).run()
    app.selectbox(key="export_what").select("orders").run()
    app.multiselect(key="team").select("Alpha").run()

    assert [metric.value for metric in app.metric] == ["2"]
    app.button(key="export_prepare").click().run()

    csv_name, csv_bytes = file_ending(downloads, ".csv")
    assert "orders" in csv_name
    exported = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, encoding="utf-8-sig")
    assert sorted(exported["case_ref"]) == ["X001", "X002"]
    formula_cell = exported.loc[exported["case_ref"] == "X001", "worker"].iloc[0]
    assert not formula_cell.startswith("=")
    assert FORMULA in formula_cell

    _, xlsx_bytes = file_ending(downloads, ".xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_bytes)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, body = values[0], values[1:]
    assert len(body) == 2
    worker = header.index("worker")
    assert all(row[worker] is None or not str(row[worker]).startswith("=") for row in body)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_each_download_is_recorded_with_who_what_and_filters(empty_url, make_app, downloads):
    app = store_orders(make_app)
    app.switch_page(page("export")).run()
    app.selectbox(key="export_what").select("orders").run()
    app.multiselect(key="team").select("Beta").run()
    app.button(key="export_prepare").click().run()
    app.get("download_button")[0].click().run()

    log = store.list_exports(store.connect(empty_url))
    assert len(log) == 1
    entry = log.iloc[0]
    assert entry["rows"] == 1
    assert entry["user"] == "local user"  # sign-in is off in these tests: local mode
    assert "Beta" in str(entry["filters"])


def test_measure_statuses_export_counts_the_chosen_measures(demo_url, make_app):
    app = make_app(page("export"))
    app.selectbox(key="export_what").select("measure statuses").run()
    app.multiselect(key="export_measures").set_value(["audit_good"]).run()

    statuses = statuses_in_store(demo_url)
    expected = int((statuses["measure"] == "audit_good").sum())
    assert [metric.value for metric in app.metric] == [f"{expected:,}"]


SUMMARY_NOTES = 8  # note rows above the quarterly summary's table (measures.views.summary_notes)


def test_quarterly_summary_export_rounds_halves_up_in_csv_and_xlsx(empty_url, make_app, downloads):
    store_halves(empty_url)  # 333 of 400 on time in 2020-21 Q1 (83.25%), 1 of 16 in Q2 (6.25%)
    app = make_app(page("export"), **{"from": "2020-21 Q1", "to": "2020-21 Q2"})
    app.selectbox(key="export_what").select("quarterly summary").run()
    app.button(key="export_prepare").click().run()
    assert not app.exception, app.exception

    csv_name, csv_bytes = file_ending(downloads, ".csv")
    assert csv_name.startswith("quarterly_summary_2020-21-Q1_to_2020-21-Q2")
    exported = pd.read_csv(io.BytesIO(csv_bytes), dtype=str, encoding="utf-8-sig", skiprows=SUMMARY_NOTES + 1)
    first_contact = exported[exported["Measure"] == "First contact"]
    assert list(first_contact["Quarter"]) == ["2020-21 Q1", "2020-21 Q2"]
    assert list(first_contact["Met"]) == ["333", "1"]
    assert list(first_contact["Rate %"]) == ["83.3", "6.3"]
    assert list(first_contact["RAG"]) == ["Red: below target", "Red: below target"]

    _, xlsx_bytes = file_ending(downloads, ".xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx_bytes)).active.iter_rows(values_only=True))
    header = list(rows[SUMMARY_NOTES + 1])
    rates = {
        row[header.index("Quarter")]: row[header.index("Rate %")]
        for row in rows[SUMMARY_NOTES + 2 :]
        if row[header.index("Measure")] == "First contact"
    }
    assert rates == {"2020-21 Q1": 83.3, "2020-21 Q2": 6.3}

    app.get("download_button")[0].click().run()
    log = store.list_exports(store.connect(empty_url))
    assert list(log["what"]) == ["quarterly summary"]
