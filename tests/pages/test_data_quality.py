"""Data quality: invalid records, exclusions, rejected rows and gaps, each as the store holds them."""

from __future__ import annotations

import io

import pandas as pd

import store
from measures import MEASURES
from pages.ui.frame import GET_STARTED

from .conftest import AS_AT, page, statuses_in_store

# Q001's LS/CMI is dated before its order (invalid); Q003 has no team and no requirements; row 5's
# order date is not a real date (rejected).
EXTRACT = (
    b"Case Ref,Order Date,Order Type,Requirements,Team,Worker,LS/CMI Completed\n"
    b"Q001,01/04/2020,CPO,Supervision,Alpha,Ann,20/03/2020\n"
    b"Q002,01/04/2020,CPO,Supervision,Alpha,Ann,20/04/2020\n"
    b"Q003,02/04/2020,CPO,,,Bob,\n"
    b"Q004,31/02/2020,CPO,Supervision,Alpha,Ann,20/04/2020\n"
)
TITLES = {measure.id: measure.title for measure in MEASURES}
# The measures a record can be invalid for: every timescale but review_on_time (SPEC 3.2).
CAN_BE_INVALID = ("first_contact", "induction", "upw_start", "lscmi", "cmp", "review_recorded")


def table_with(app, column: str) -> pd.DataFrame:
    """The first table on the page with this column heading."""
    tables = [frame.value for frame in app.dataframe if column in frame.value.columns]
    assert tables, f"no table with a {column!r} column"
    return tables[0]


def stored_extract_on_data_quality(make_app):
    app = make_app(page("upload"))
    app.file_uploader(key="upload_files").set_value(("extract.csv", EXTRACT, "text/csv")).run()
    app.button(key="upload_store_0").click().run()
    assert any("stored as upload" in success.value for success in app.success)
    app.switch_page(page("data_quality")).run()
    assert not app.exception, app.exception
    return app


def test_draws_on_demo_data_with_exclusions_and_gaps_as_the_store_holds_them(demo_url, make_app):
    app = make_app(page("data_quality"))

    assert [title.value for title in app.title] == ["Data quality"]
    assert not app.error
    assert not any(GET_STARTED in info.value for info in app.info)
    statuses = statuses_in_store(demo_url)
    excluded = statuses.loc[statuses["status"] == "excluded", "measure"].astype(str).value_counts()
    exclusions = table_with(app, "Exclusion reason")
    assert {measure_id: exclusions[TITLES[measure_id]].sum() for measure_id in excluded.index} == dict(
        excluded
    )
    assert exclusions["Total"].sum() == excluded.sum()
    invalid = statuses.loc[statuses["status"] == "invalid", "case_ref"]
    assert sorted(table_with(app, "From date")["Case ref"]) == sorted(invalid)

    reviews = store.read_dataset(store.connect(demo_url), "reviews")
    not_held = (
        reviews["review_held"].isna()
        & (reviews["review_due"] < pd.Timestamp(AS_AT))
        & reviews["exclusion_reason"].isna()
    )
    gaps = table_with(app, "Gap")
    assert dict(zip(gaps["Gap"], gaps["Records"], strict=True))["Reviews past due with no review held"] == (
        not_held.sum()
    )
    assert not_held.sum() > 0


def test_empty_store_shows_how_to_start(empty_url, make_app):
    app = make_app(page("data_quality"))

    assert not app.error
    assert any(GET_STARTED in info.value for info in app.info)


def test_an_lscmi_dated_before_its_order_is_listed_as_invalid(empty_url, make_app):
    app = stored_extract_on_data_quality(make_app)

    invalid = table_with(app, "From date")
    assert list(invalid["Case ref"]) == ["Q001"]
    assert list(invalid["Measure"]) == ["LS/CMI assessment completed"]
    assert invalid["From date"].iloc[0] == pd.Timestamp("2020-04-01")
    assert invalid["To date"].iloc[0] == pd.Timestamp("2020-03-20")

    statuses = statuses_in_store(empty_url)
    expected = statuses[statuses["status"] == "invalid"]["measure"].astype(str).value_counts()
    counts = table_with(app, "Invalid records")
    shown = dict(zip(counts["Measure"], counts["Invalid records"], strict=True))
    assert shown == {TITLES[measure_id]: int(expected.get(measure_id, 0)) for measure_id in CAN_BE_INVALID}
    assert shown["LS/CMI assessment completed"] == 1


def test_the_invalid_list_follows_the_team_filter(empty_url, make_app):
    app = stored_extract_on_data_quality(make_app)
    app.multiselect(key="team").select("Alpha").run()
    assert list(table_with(app, "From date")["Case ref"]) == ["Q001"]

    app.multiselect(key="team").set_value([]).run()
    app.multiselect(key="worker").select("Bob").run()
    counts = table_with(app, "Invalid records")
    assert counts["Invalid records"].sum() == 0


def test_a_rejected_row_is_listed_with_its_row_and_reason_and_downloads_are_logged(
    empty_url, make_app, downloads
):
    app = stored_extract_on_data_quality(make_app)

    per_upload = table_with(app, "Rejected rows")
    assert list(per_upload["Upload"]) == [1]
    assert list(per_upload["Rejected rows"]) == [1]
    rows = table_with(app, "Reason")
    assert list(rows["Row"]) == [5]
    assert list(rows["Column"]) == ["order_date"]
    assert "not a real date" in rows["Reason"].iloc[0]

    downloaded = pd.read_csv(io.BytesIO(downloads["rejected_rows.csv"]), dtype=str, encoding="utf-8-sig")
    assert list(downloaded["Row"]) == ["5"]
    assert list(downloaded["File"]) == ["extract.csv"]
    button = next(button for button in app.get("download_button") if button.key == "data_quality_rejects_csv")
    button.click().run()
    log = store.list_exports(store.connect(empty_url))
    assert list(log["what"]) == ["rejected rows of live uploads"]
    assert list(log["rows"]) == [1]


def test_an_undone_upload_has_no_rejected_rows_listed(demo_url, make_app):
    app = stored_extract_on_data_quality(make_app)
    engine = store.connect(demo_url)
    extract_upload = next(info.id for info in store.list_uploads(engine) if info.file_name == "extract.csv")
    assert list(table_with(app, "Rejected rows")["Upload"]) == [extract_upload]

    store.undo_upload(engine, extract_upload, user="test")
    app.run()

    assert not any("Rejected rows" in frame.value.columns for frame in app.dataframe)
    assert any("No live upload has rejected rows" in markdown.value for markdown in app.markdown)


def test_gaps_count_orders_without_team_or_requirements(empty_url, make_app):
    app = stored_extract_on_data_quality(make_app)

    gaps = table_with(app, "Gap")
    counts = dict(zip(gaps["Gap"], gaps["Records"], strict=True))
    assert counts["Orders with no team"] == 1
    assert counts["Orders with no worker"] == 0
    assert counts["Orders with no requirements"] == 1
    assert counts["Reviews past due with no review held"] == 0
    cases = [frame.value for frame in app.dataframe if "Requirements" in frame.value.columns]
    assert all(list(frame["Case ref"]) == ["Q003"] for frame in cases)
    assert len(cases) == 2  # one list per gap that has cases


# Two spellings of one team and of one LS/CMI version; case references in two formats.
SPELLINGS = (
    b"Case Ref,Order Date,Order Type,Requirements,Team,LS/CMI Version\n"
    b"CF-001,01/04/2020,CPO,Supervision,East Team,Full\n"
    b"CF-002,01/04/2020,CPO,Supervision,East  Team,full\n"
    b"cf-003,01/04/2020,CPO,Supervision,East Team,Full\n"
)


def test_values_written_two_ways_and_mixed_reference_formats_are_listed(empty_url, make_app):
    app = make_app(page("upload"))
    app.file_uploader(key="upload_files").set_value(("spellings.csv", SPELLINGS, "text/csv")).run()
    app.button(key="upload_store_0").click().run()
    app.switch_page(page("data_quality")).run()
    assert not app.exception, app.exception

    variants = table_with(app, "Shown as")
    assert variants[["Column", "Shown as", "Spellings", "Records"]].values.tolist() == [
        ["LS/CMI version", "Full", "“Full” (2); “full” (1)", 3],
        ["Team", "East Team", "“East Team” (2); “East  Team” (1)", 3],
    ]
    formats = table_with(app, "Format")
    assert formats.values.tolist() == [["AA-9", 2, "CF-001"], ["aa-9", 1, "cf-003"]]
    # Everywhere else the team is one group: one choice in the sidebar.
    assert app.sidebar.multiselect(key="team").options == ["East Team"]
