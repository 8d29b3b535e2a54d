"""Every page draws without an exception, on demo data and on an empty store."""

from __future__ import annotations

import base64
import re

import pytest

import store
from measures import MEASURES_BY_ID
from measures.actions import IMPROVEMENT_AREAS
from pages.ui.frame import GET_STARTED

from .conftest import open_overview_figures, page, seen

PAGES = {
    page("overview"): "Overview",
    page("due_soon"): "Due soon",
    page("assessment"): "Assessment timescales",
    page("reviews"): "Statutory reviews",
    page("quality"): "Case recording quality",
    page("action_plan"): "Action plan",
    page("data_quality"): "Data quality",
    page("upload"): "Upload",
    page("export"): "Export",
    page("settings"): "Settings",
}
DATA_PAGES = [
    page("overview"),
    page("due_soon"),
    page("assessment"),
    page("reviews"),
    page("quality"),
    page("data_quality"),
    page("export"),
]


@pytest.mark.parametrize("page", list(PAGES))
def test_page_draws_on_demo_data(demo_url, make_app, page):
    app = make_app(page)

    assert [title.value for title in app.title] == [PAGES[page]]
    assert not app.error
    assert not any(GET_STARTED in info.value for info in app.info)


@pytest.mark.parametrize("page", DATA_PAGES)
def test_empty_store_shows_how_to_start_not_an_error(empty_url, make_app, page):
    app = make_app(page)

    assert not app.error
    assert any(GET_STARTED in info.value for info in app.info)


def test_upload_and_settings_pages_work_on_an_empty_store(empty_url, make_app):
    upload = make_app(page("upload"))
    assert upload.get("file_uploader")
    assert not upload.error

    settings = make_app(page("settings"))
    assert settings.button(key="settings_save") is not None
    assert not settings.error


def test_demo_data_banner_on_the_overview(demo_url, make_app):
    app = make_app()

    assert any("Demo data" in warning.value for warning in app.warning)


def test_overview_shows_one_tile_per_measure_in_two_improvement_areas(demo_url, make_app):
    app = make_app()

    assert [header.value for header in app.subheader] == [
        "Improvement area 1: assessment and case management plan timescales",
        "Improvement area 2: quality assurance of statutory reviews and case recording",
    ]
    assert len(app.metric) == 10
    assert "Latest complete quarter: **2020-21 Q4**" in [markdown.value for markdown in app.markdown]


def test_the_figures_behind_the_tiles_are_drawn_when_opened(demo_url, make_app):
    app = make_app()
    assert [expander.label for expander in app.expander] == ["Figures behind these tiles"] * 2
    assert not app.dataframe  # closed: no table worked out or drawn

    tables = open_overview_figures(app).dataframe
    assert [list(table.value["Measure"]) for table in tables] == [
        [MEASURES_BY_ID[measure_id].title for measure_id in measure_ids]
        for measure_ids in IMPROVEMENT_AREAS.values()
    ]


def test_each_tile_draws_its_trend_as_an_image_with_words_for_it(demo_url, make_app):
    app = make_app()

    details = [markdown.value for markdown in app.markdown if "-badge[" in markdown.value]
    assert len(details) == 10
    image = re.search(r"!\[(.*?)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", details[0])
    assert image, details[0]
    alt = "First contact made on time: rate in the last 8 quarters against the target."
    assert seen(image.group(1)) == alt
    assert base64.b64decode(image.group(2)).decode().startswith("<svg")


def test_overview_never_calls_an_unfinished_quarter_complete(demo_url, make_app):
    # The demo starts in April 2019: on 15 May 2019 no quarter has ended yet.
    app = make_app(as_at="2019-05-15")

    markdown = [element.value for element in app.markdown]
    assert not any("Latest complete quarter" in text for text in markdown)
    assert "No quarter has ended by the as-at date; showing **2019-20 Q1**, still in progress." in markdown


@pytest.mark.parametrize("page", [page("assessment"), page("overview"), page("data_quality")])
def test_a_rerun_asks_the_store_for_its_data_version_once(demo_url, make_app, monkeypatch, page):
    app = make_app(page)
    queries = []
    real_data_version = store.data_version
    monkeypatch.setattr(store, "data_version", lambda engine: queries.append(1) or real_data_version(engine))

    app.run()

    assert not app.exception
    assert len(queries) == 1
