"""Sidebar filters change the figures; the drill-down lists exactly the cases behind a figure."""

from __future__ import annotations

from measures import quarterly_compliance, settings_from_document

from .conftest import page, statuses_in_store

TEAM = "North Team (demo)"


def trend_table(app):
    """The figures table beside the first measure's trend chart (the first table on the page)."""
    return app.dataframe[0].value


def expected_quarterly(url, measure, team=None):
    statuses = statuses_in_store(url)
    if team:
        statuses = statuses[statuses["team"] == team]
    table = quarterly_compliance(statuses, settings_from_document({}))
    return table[table["measure"] == measure].reset_index(drop=True)


def shown_quarters(quarters) -> list[str]:
    """Quarter labels as the table shows them as at 30/04/2021: 2021-22 Q1 (April-June) has not finished."""
    return [f"{quarter} (partial)" if quarter == "2021-22 Q1" else quarter for quarter in quarters]


def test_team_filter_changes_the_table_beside_the_chart(demo_url, make_app):
    app = make_app(page("assessment"))
    everyone = trend_table(app)
    expected_all = expected_quarterly(demo_url, "first_contact")
    assert list(everyone["Quarter"]) == shown_quarters(expected_all["quarter"])
    assert list(everyone["Met"]) == list(expected_all["met"])

    app.multiselect(key="team").select(TEAM).run()
    one_team = trend_table(app)

    expected_team = expected_quarterly(demo_url, "first_contact", TEAM)
    assert list(one_team["Met"]) == list(expected_team["met"])
    assert list(one_team["Missed"]) == list(expected_team["missed"])
    assert one_team["Met"].sum() < everyone["Met"].sum()


def test_filters_come_from_the_url(demo_url, make_app):
    app = make_app(page("assessment"), team=TEAM, **{"from": "2020-21 Q1"})

    assert app.multiselect(key="team").value == [TEAM]
    table = trend_table(app)
    expected = expected_quarterly(demo_url, "first_contact", TEAM)
    expected = expected[expected["quarter"] >= "2020-21 Q1"]
    assert list(table["Quarter"]) == shown_quarters(expected["quarter"])
    assert list(table["Met"]) == list(expected["met"])


def test_filters_stay_put_across_pages(demo_url, make_app):
    app = make_app(page("assessment"))
    app.multiselect(key="team").select(TEAM).run()
    app.switch_page(page("reviews")).run()

    assert app.multiselect(key="team").value == [TEAM]


def test_drilldown_lists_exactly_the_cases_behind_a_figure(demo_url, make_app):
    app = make_app(page("assessment"))
    app.selectbox(key="assessment_first_contact_drill_quarter").select("2020-21 Q2").run()
    app.selectbox(key="assessment_first_contact_drill_status").select("missed").run()

    cases = app.dataframe[-1].value
    statuses = statuses_in_store(demo_url)
    behind = statuses[
        (statuses["measure"] == "first_contact")
        & (statuses["quarter"] == "2020-21 Q2")
        & (statuses["status"] == "missed")
    ]
    assert sorted(cases["case_ref"]) == sorted(behind["case_ref"])
    table = trend_table(app).set_index("Quarter")
    assert len(cases) == table.loc["2020-21 Q2", "Missed"]


def test_drilldown_puts_overdue_and_due_soon_cases_first(demo_url, make_app):
    # As at the demo's last day, some cases are still open: missed ones are overdue, pending ones due soon.
    app = make_app(page("assessment"), as_at="2021-03-31")
    app.radio(key="assessment_measure").set_value("lscmi").run()
    app.selectbox(key="assessment_lscmi_drill_quarter").select("All quarters").run()

    attention = list(app.dataframe[-1].value["attention"])
    first_other = next(index for index, flag in enumerate(attention) if flag not in ("overdue", "due soon"))
    assert "overdue" in attention[:first_other]
    assert all(flag not in ("overdue", "due soon") for flag in attention[first_other:])
    assert attention[:first_other] == sorted(attention[:first_other], key=["overdue", "due soon"].index)


def test_clicking_a_quarter_on_the_chart_lists_its_cases(demo_url, make_app):
    app = make_app(page("assessment"))
    app.session_state["assessment_first_contact_trend_chart"] = {
        "selection": {"points": [{"x": "2019-20 Q3", "customdata": ["2019-20 Q3"]}], "box": [], "lasso": []}
    }
    app.run()

    assert app.selectbox(key="assessment_first_contact_drill_quarter").value == "2019-20 Q3"
    cases = app.dataframe[-1].value
    statuses = statuses_in_store(demo_url)
    behind = statuses[
        (statuses["measure"] == "first_contact")
        & (statuses["quarter"] == "2019-20 Q3")
        & (statuses["status"] == "missed")  # the drill-down's status opens on "missed"
    ]
    assert sorted(cases["case_ref"]) == sorted(behind["case_ref"])
