"""Settings: a saved target changes the RAG shown; a bad value is refused with its reason."""

from __future__ import annotations

import store
from measures import MEASURES

from .conftest import page

EDIT_FIRST_CONTACT_TARGET = "settings_targets"  # one table; row 0 is First contact's target


def first_contact_rag(app) -> str:
    """The RAG badge and target under the First contact tile (the first tile on the overview): lines of
    the markdown under its rate."""
    lines = next(markdown.value for markdown in app.markdown if "-badge[" in markdown.value).split("  \n")
    badge = next(line for line in lines if "-badge[" in line)
    target = next(line for line in lines if line.startswith((":small[target ", ":small[no target")))
    return f"{badge} {target.removeprefix(':small[').removesuffix(']')}"


def edit_first_target(app, target: float):
    app.session_state[EDIT_FIRST_CONTACT_TARGET] = {
        "edited_rows": {0: {"target": target}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.button(key="settings_save").click().run()
    assert not app.exception, app.exception
    return app


def test_a_saved_target_changes_the_rag_on_the_overview(demo_url, make_app):
    app = make_app()
    rate = float(app.metric[0].value.rstrip("%"))  # First contact, latest complete quarter
    assert rate <= 97.5

    # Just above the rate: within the 5-point amber margin.
    app.switch_page(page("settings")).run()
    edit_first_target(app, round(rate + 2.5, 1))
    assert any("Settings saved" in success.value for success in app.success)
    app.switch_page(page("overview")).run()
    assert "Amber: near target" in first_contact_rag(app)

    # Well below the rate: green.
    app.switch_page(page("settings")).run()
    edit_first_target(app, 10.0)
    app.switch_page(page("overview")).run()
    assert first_contact_rag(app).startswith(":green-badge[")
    assert "Green: on target" in first_contact_rag(app)
    assert first_contact_rag(app).endswith("target 10%")
    saved = store.load_settings(store.connect(demo_url))
    assert saved["targets"]["first_contact"][0]["target"] == 10.0


def test_an_impossible_target_is_refused_with_its_reason(demo_url, make_app):
    app = make_app(page("settings"))
    edit_first_target(app, 150.0)

    assert [error.value for error in app.error] == [
        "targets.first_contact[0].target: expected a number from 0 to 100"
    ]
    assert store.load_settings(store.connect(demo_url)) == {}


def test_a_local_holiday_can_be_added(demo_url, make_app):
    app = make_app(page("settings"))
    app.session_state["settings_holidays"] = {
        "edited_rows": {},
        "added_rows": [{"date": "2020-09-21"}],
        "deleted_rows": [],
    }
    app.button(key="settings_save").click().run()

    assert not app.error
    assert store.load_settings(store.connect(demo_url))["local_holidays"] == ["2020-09-21"]


def test_all_targets_are_in_one_table_of_measure_target_effective_from_and_amber_margin(demo_url, make_app):
    app = make_app(page("settings"))

    targets = app.dataframe[0].value  # data editors are dataframes to AppTest; the targets come first
    assert list(targets.columns) == ["measure", "target", "effective_from", "amber_margin"]
    assert list(targets["measure"]) == [measure.id for measure in MEASURES]  # one default target each
    assert set(targets.loc[targets["measure"] == "audit_good", "target"]) == {80.0}


def test_a_second_target_row_for_a_measure_is_saved_with_its_date(demo_url, make_app):
    app = make_app(page("settings"))
    app.session_state[EDIT_FIRST_CONTACT_TARGET] = {
        "edited_rows": {},
        "added_rows": [
            {"measure": "first_contact", "target": 95.0, "effective_from": "2020-10-01", "amber_margin": 3.0}
        ],
        "deleted_rows": [],
    }
    app.button(key="settings_save").click().run()

    assert not app.error
    saved = store.load_settings(store.connect(demo_url))["targets"]["first_contact"]
    assert [(t["effective_from"], t["target"], t["amber_margin"]) for t in saved][-1] == (
        "2020-10-01",
        95.0,
        3.0,
    )


def test_disclosure_thresholds_are_saved_and_the_pack_texts_survive_a_save(demo_url, make_app):
    engine = store.connect(demo_url)
    store.save_settings(engine, {"pack_texts": {"finance": "A training budget of £2,000."}}, user="officer")
    app = make_app(page("settings"))
    assert app.number_input(key="settings_disclosure_low").value == 4
    app.number_input(key="settings_disclosure_minimum").set_value(20)
    app.button(key="settings_save").click().run()

    assert not app.error and not app.exception
    saved = store.load_settings(engine)
    assert saved["disclosure"] == {"low_count_max": 4, "min_denominator": 20, "team_min_denominator": 10}
    assert saved["pack_texts"]["finance"] == "A training budget of £2,000."  # a part this page does not edit
