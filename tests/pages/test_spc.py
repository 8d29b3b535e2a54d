"""SPC on the pages (issue 9): icons on the overview tiles, the SPC summary and its matrix, the measure
pages' SPC chart and funnel, rebasing and the national benchmark table on the Settings page.

The SPC summary is run through dashboard.py's navigation: until dashboard.py lists the page, the entry
script here adds it (and leaves the list alone once it is there).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import store
from measures import MEASURE_IDS, MEASURES_BY_ID, default_settings, spc

from .conftest import AS_AT, DASHBOARD, page, seen, statuses_in_store

SPC_PAGE = page("spc_summary")
ENTRY_WITH_SPC = f"""
import runpy
import streamlit as st

_navigation = st.navigation


def _with_spc_summary(pages, *args, **options):
    pages = list(pages)
    if not any(getattr(p, "url_path", "") == "spc_summary" for p in pages):
        pages.append(st.Page({SPC_PAGE!r}, title="SPC summary", icon=":material/monitoring:"))
    return _navigation(pages, *args, **options)


st.navigation = _with_spc_summary
runpy.run_path({str(DASHBOARD)!r}, run_name="__main__")
"""


@pytest.fixture(scope="session")
def spc_entry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spc_entry") / "entry.py"
    path.write_text(ENTRY_WITH_SPC, encoding="utf-8")
    return path


@pytest.fixture
def spc_app(spc_entry: Path) -> Callable[..., AppTest]:
    def make(page_path: str | None = None) -> AppTest:
        app = AppTest.from_file(str(spc_entry), default_timeout=30)
        app.query_params["as_at"] = AS_AT.isoformat()
        app.run()
        if page_path:
            app.switch_page(page_path).run()
        assert not app.exception, app.exception
        return app

    return make


def expected_charts(url: str, period: str = "month") -> dict[str, spc.SpcChart]:
    """Every measure's chart worked out from the store directly, independent of the pages' caches."""
    settings = default_settings()
    counts = spc.period_counts(spc.monthly_counts(statuses_in_store(url)), period, AS_AT)
    return spc.spc_for_measures(counts, settings, period)


def icons(app: AppTest) -> list[str]:
    """The markdown of every SPC icon (a material icon with its words) on the page, in order: a line of
    its own (a tile's lines are one markdown block)."""
    words = (*spc.VARIATION_WORDS.values(), *spc.ASSURANCE_WORDS.values())
    return [
        line
        for markdown in app.markdown
        for line in markdown.value.split("  \n")
        if ":material/" in line and any(word in line for word in words)
    ]


def test_every_overview_tile_shows_variation_and_assurance_as_icon_and_words(demo_url, make_app):
    app = make_app()
    expected = expected_charts(demo_url)
    tile_order = list(MEASURE_IDS)  # the two areas list them in SPEC order
    shown = icons(app)
    assert len(shown) == 2 * len(tile_order)  # variation, assurance per tile
    for index, measure_id in enumerate(tile_order):
        chart = expected[measure_id]
        variation, assurance = shown[2 * index], shown[2 * index + 1]
        assert spc.VARIATION_WORDS[str(chart.variation)] in variation, measure_id
        words = spc.ASSURANCE_WORDS[chart.assurance or spc.NO_ASSURANCE]
        assert words in assurance, measure_id
    assert any("Special cause concern" in icon for icon in shown)
    assert any("Hit and miss" in icon for icon in shown)


def test_spc_summary_lists_every_measure_with_both_icons_and_the_national_comparison(demo_url, spc_app):
    app = spc_app(SPC_PAGE)
    assert [title.value for title in app.title] == ["SPC summary"]
    table = app.dataframe[0].value.set_index("Measure")
    expected = expected_charts(demo_url)
    assert list(table.index) == [MEASURES_BY_ID[measure_id].title for measure_id in MEASURE_IDS]
    for measure_id, chart in expected.items():
        row = table.loc[MEASURES_BY_ID[measure_id].title]
        assert row["Variation"] == spc.variation_label(chart.variation)
        assert row["Assurance"] == spc.assurance_label(chart.assurance, chart.chart)
        assert row["Points"] == len(chart.points)
    upw = table.loc[MEASURES_BY_ID["upw_start"].title, "National comparison"]
    assert upw.startswith("service ") and upw.endswith(", Scotland 49.3% (2020-21)")
    assert table.loc[MEASURES_BY_ID["lscmi"].title, "National comparison"] == ""


def test_the_matrix_places_each_measure_once_and_links_to_its_page(demo_url, spc_app):
    app = spc_app(SPC_PAGE)
    links = [
        link
        for link in app.page_link
        if link.proto.page in ("assessment", "reviews", "quality")  # the pages' URL paths
    ]
    # The label is the plain name; the help gives the full title and the id the command line uses.
    helps = [link.proto.help for link in links]
    assert sorted(helps) == sorted(
        f"{MEASURES_BY_ID[measure_id].title} (measure id `{measure_id}`)" for measure_id in MEASURE_IDS
    )
    lscmi = next(link for link in links if "`lscmi`" in link.proto.help)
    assert lscmi.value == "Risk assessment (LS/CMI) on time"
    assert lscmi.proto.page == "assessment" and lscmi.proto.query_string == "measure=lscmi"
    audit = next(link for link in links if "`audit_good`" in link.proto.help)
    assert audit.value == "Audit graded good or better"
    assert audit.proto.page == "quality" and audit.proto.query_string == ""
    headings = " ".join(markdown.value for markdown in app.markdown)
    for words in (*spc.VARIATION_WORDS.values(), *spc.ASSURANCE_WORDS.values()):
        assert words in headings


def test_a_link_from_the_matrix_opens_the_measure_it_names(demo_url, make_app):
    app = make_app()
    app.query_params["measure"] = "lscmi"
    app.switch_page(page("assessment")).run()
    assert not app.exception
    assert app.radio(key="assessment_measure").value == "lscmi"
    assert "measure" not in app.query_params  # the user's next choice is theirs
    app.radio(key="assessment_measure").set_value("cmp").run()
    assert app.radio(key="assessment_measure").value == "cmp"


def test_the_measure_page_draws_the_spc_chart_with_its_table_and_a_p_chart_one_click_away(demo_url, make_app):
    app = make_app(page("assessment"))
    expected = expected_charts(demo_url)["first_contact"]
    points = app.table[0].value
    assert len(points) == len(expected.points) == 25
    assert list(points.columns)[:5] == ["Period", "Met", "Counted", "Rate %", "Centre %"]
    assert "Signal" in points.columns

    app.segmented_control(key="assessment_first_contact_spc_period").set_value("quarter").run()
    quarterly = app.table[0].value
    assert len(quarterly) == 8 and "Median %" in quarterly.columns
    assert any("Run chart: 8 quarterly points" in caption.value for caption in app.caption)

    app.segmented_control(key="assessment_first_contact_spc_view").set_value("p").run()
    assert "Small numbers" in app.table[0].value.columns


def test_the_team_breakdown_has_a_funnel_plot_and_says_who_is_outside_it(demo_url, make_app):
    app = make_app(page("assessment"))
    charts = app.get("plotly_chart")
    assert len(charts) >= 4  # trend, SPC, breakdown bars, funnel (then days taken)
    assert any(caption.value.startswith("Funnel plot:") for caption in app.caption)


def save_settings_with(app: AppTest, **edits: dict) -> AppTest:
    for key, value in edits.items():
        app.session_state[key] = value
    app.button(key="settings_save").click().run()
    assert not app.exception, app.exception
    return app


def added(*rows: dict) -> dict:
    return {"edited_rows": {}, "added_rows": list(rows), "deleted_rows": []}


def test_a_rebase_set_on_settings_splits_the_limits_records_who_and_is_annotated(demo_url, make_app):
    app = make_app(page("settings"))
    rebase = {"measure": "upw_start", "period": "2020-21 Q2", "reason": "action plan started 2020-21 Q2"}
    save_settings_with(app, settings_rebases=added(rebase))
    assert not app.error, [error.value for error in app.error]

    saved = store.load_settings(store.connect(demo_url))["rebases"]["upw_start"]
    assert [(entry["period"], entry["reason"]) for entry in saved] == [("2020-21 Q2", rebase["reason"])]
    assert saved[0]["set_by"]  # who set it
    assert saved[0]["set_on"] == date.today().isoformat()

    app.switch_page(page("assessment")).run()
    app.radio(key="assessment_measure").set_value("upw_start").run()
    points = app.table[0].value.set_index("Period")
    assert points.loc["2020-06", "Centre %"] != points.loc["2020-07", "Centre %"]  # two segments
    assert points.loc["2019-04", "Centre %"] == points.loc["2020-06", "Centre %"]
    notes = [seen(caption.value) for caption in app.caption]
    assert any(
        note.startswith("New limits from 2020-07: action plan started 2020-21 Q2, set by ") for note in notes
    )

    # Saving again without touching the rebase keeps who set it and when.
    app.switch_page(page("settings")).run()
    save_settings_with(app)
    again = store.load_settings(store.connect(demo_url))["rebases"]["upw_start"]
    assert again == saved


def test_a_rebase_with_a_bad_period_is_refused_with_its_reason(demo_url, make_app):
    app = make_app(page("settings"))
    rebase = {"measure": "upw_start", "period": "2020-21 Q5", "reason": "x"}
    save_settings_with(app, settings_rebases=added(rebase))
    assert [error.value for error in app.error] == [
        "rebases.upw_start[0].period: expected a month (2020-10) or a quarter (2020-21 Q3)"
    ]
    assert store.load_settings(store.connect(demo_url)) == {}


def test_the_benchmark_table_is_seeded_editable_and_drawn_with_its_source(demo_url, make_app, spc_app):
    app = make_app(page("settings"))
    figure = {
        "measure": "lscmi",
        "label": "Scotland",
        "year": "2020-21",
        "rate": 66.6,
        "source": "Test table 1",
    }
    save_settings_with(app, settings_benchmarks=added(figure))
    assert not app.error, [error.value for error in app.error]
    benchmarks = store.load_settings(store.connect(demo_url))["benchmarks"]
    assert len(benchmarks) == len(default_settings().benchmarks) + 1  # the seeded figures kept

    summary = spc_app(SPC_PAGE).dataframe[0].value.set_index("Measure")
    assert summary.loc[MEASURES_BY_ID["lscmi"].title, "National comparison"].endswith(
        "Scotland 66.6% (2020-21)"
    )

    app.switch_page(page("assessment")).run()
    app.radio(key="assessment_measure").set_value("lscmi").run()
    assert any(seen(caption.value) == "National figures: Test table 1." for caption in app.caption)
    assert any("Scotland 66.6% (2020-21)" in seen(markdown.value) for markdown in app.markdown)


def test_a_benchmark_without_a_source_is_refused(demo_url, make_app):
    app = make_app(page("settings"))
    figure = {"measure": "lscmi", "label": "Scotland", "year": "2020-21", "rate": 66.6, "source": None}
    save_settings_with(app, settings_benchmarks=added(figure))
    assert [error.value for error in app.error] == ["benchmarks[23].source: must not be blank"]
