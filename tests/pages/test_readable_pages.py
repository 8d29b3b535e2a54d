"""Issue 8, readable pages: what a new user reads on each page at first sight.

Plain measure names on the tiles (ids in the help), the full "since the previous quarter", and the active
filters in one line under every page's title, so a screenshot says what it shows.
"""

from __future__ import annotations

import pytest

import store
from measures import MEASURES

from .conftest import page, seen

FIGURE_PAGES = ("overview", "spc_summary", "assessment", "reviews", "quality", "data_quality", "export")


def test_every_tile_has_its_plain_name_with_the_full_title_and_id_in_its_help(demo_url, make_app):
    app = make_app()

    assert [metric.label for metric in app.metric] == [measure.plain_name for measure in MEASURES]
    names = {markdown.value: markdown.proto.help for markdown in app.markdown if markdown.proto.help}
    audit = names["**Audit graded good or better**"]  # the name over the tile, where its help shows
    assert "Case recording audit graded Good or better" in audit
    assert "`audit_good`" in audit


def test_the_change_on_a_tile_says_since_the_previous_quarter_in_full(demo_url, make_app):
    app = make_app()

    changes = [metric for metric in app.metric if metric.delta]
    said = [markdown.value for markdown in app.markdown if "since the previous quarter]" in markdown.value]
    assert changes, "the demo's tiles show changes"
    assert len(said) == len(changes)


@pytest.mark.parametrize("name", FIGURE_PAGES)
def test_every_page_of_figures_states_its_filters_under_the_title(demo_url, make_app, name):
    app = make_app(page(name), team="North Team (demo)")

    assert app.caption[0].value == (
        "Filters: 2019-20 Q1 to 2021-22 Q1; team North Team (demo); all workers; all order types; "
        "as at 30/04/2021"
    )


def test_the_worklist_leaves_the_quarter_range_out_of_its_filters_line(demo_url, make_app):
    app = make_app(page("due_soon"))

    assert app.caption[0].value == "Filters: all teams; all workers; all order types; as at 30/04/2021"


def test_the_audit_case_list_shows_each_grade_and_calls_a_low_one_below_good(demo_url, make_app):
    app = make_app(page("quality"))
    app.selectbox(key="quality_audit_good_drill_status").set_value("All statuses").run()

    cases = app.dataframe[-1].value
    assert list(cases.columns) == ["case_ref", "team", "worker", "from_date", "grade", "status", "attention"]
    below = cases[cases["grade"] < 4]
    assert len(below) and set(below["attention"]) == {"below good"}
    assert set(cases.loc[cases["grade"] >= 4, "attention"]) == {""}
    assert "overdue" not in set(cases["attention"])


def test_removing_the_demo_data_is_one_confirmed_action_and_the_history_says_undone(demo_url, make_app):
    app = make_app(page("upload"))
    engine = store.connect(demo_url)
    assert app.button(key="remove_demo_button").disabled  # nothing happens until the box is ticked

    app.checkbox(key="remove_demo_confirm").check().run()
    app.button(key="remove_demo_button").click().run()

    assert any("Demo data removed: 3 demo uploads undone" in seen(s.value) for s in app.success)
    assert all(info.undone_at is not None for info in store.list_uploads(engine))
    history = app.dataframe[-1].value
    assert all(status.startswith("Undone ") and status.endswith("(demo)") for status in history["Status"])
    assert not app.get("warning") or not any("Demo data" in w.value for w in app.warning)
    app.switch_page(page("overview")).run()
    assert "No data yet" in " ".join(info.value for info in app.info)
