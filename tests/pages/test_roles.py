"""Roles through the one identity seam (pages.ui.frame.resolve_access), driven as AppTest signs people in.

`app.secrets["auth"]` turns sign-in on; `app.user` carries the identity provider's claims; people get
roles with store.add_person, as an admin would. A team leader's scope must hold on every data page: the
filter choices, the figures, the cases, data quality and its rejected rows, the export and the worklist,
whatever the URL asks for. Opening a page by its address is simulated as the browser does it: the
navigation resolves the address to a registered page (hidden, and refusing, when the role lacks it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

import store
from measures import MEASURES, quarterly_compliance, settings_from_document
from measures.filters import Filters, status_mask
from pages.ui.frame import HOW_TO_SIGN_IN, SIGN_IN_OFF
from tests.store.sheets import make_sheet, sha_of

from .conftest import AS_AT, open_overview_figures, page, statuses_in_store

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "dashboard",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
NORTH, SOUTH = "North Team (demo)", "South Team (demo)"
PEOPLE = {
    "admin@council.gov.uk": ("admin", ()),
    "officer@council.gov.uk": ("officer", ()),
    "manager@council.gov.uk": ("manager", ()),
    "north.lead@council.gov.uk": ("team_leader", (NORTH,)),
    "viewer@council.gov.uk": ("viewer", ()),
}
EVERY_PAGE = {
    "overview",
    "spc_summary",
    "due_soon",
    "assessment",
    "reviews",
    "quality",
    "action_plan",
    "data_quality",
    "upload",
    "export",
    "report_pack",
    "settings",
    "people",
    "audit",
}
VISIBLE = {
    "admin": EVERY_PAGE,
    "officer": EVERY_PAGE - {"people", "audit"},
    "manager": EVERY_PAGE - {"upload", "settings", "people", "audit"},
    "team_leader": EVERY_PAGE - {"upload", "settings", "people", "audit", "report_pack"},
    "viewer": {"overview", "spc_summary"},
}
LEADER = "north.lead@council.gov.uk"


@pytest.fixture
def people(demo_url: str) -> str:
    engine = store.connect(demo_url)
    for email, (role, teams) in PEOPLE.items():
        store.add_person(engine, email, role, teams, "setup")
    return demo_url


@pytest.fixture
def signed_in(entry_script: Path) -> Callable[..., AppTest]:
    """An AppTest with sign-in on, as `email` (None: signed out), at the fixed as-at date."""

    def make(email: str | None, page_name: str | None = None, **query: str) -> AppTest:
        app = AppTest.from_file(str(entry_script), default_timeout=60)
        app.secrets["auth"] = AUTH
        app.user = (
            {"is_logged_in": False} if email is None else {"is_logged_in": True, "email": email, "sub": "x"}
        )
        app.query_params["as_at"] = AS_AT.isoformat()
        for name, value in query.items():
            app.query_params[name] = value
        app.run()
        if page_name:
            app.switch_page(page(page_name)).run()
        assert not app.exception, app.exception
        return app

    return make


def visible_pages(app: AppTest) -> set[str]:
    """The pages in the navigation menu (hidden, refusing pages are registered without a script)."""
    return {
        Path(info["script_path"]).stem for info in app._registered_pages.values() if info.get("script_path")
    }


def open_address(app: AppTest, url_path: str) -> AppTest:
    """Open a page by its address, as typing it into the browser does: the navigation resolves it."""
    matches = [key for key, info in app._registered_pages.items() if info.get("url_pathname") == url_path]
    assert matches, f"no page registered at /{url_path}"
    app._page_hash = matches[0]
    return app.run()


def trail(url: str, action: str | None = None) -> pd.DataFrame:
    return store.list_audit(store.connect(url), action=action)


def texts(app: AppTest) -> str:
    parts = [
        element.value
        for kind in ("markdown", "caption", "title", "error", "info")
        for element in app.get(kind)
    ]
    return "\n".join(str(part) for part in parts)


# --- local mode -----------------------------------------------------------------------------------


def test_local_mode_is_an_admin_and_every_page_says_sign_in_is_off(demo_url, make_app):
    app = make_app()
    assert visible_pages(app) == EVERY_PAGE
    for name in sorted(EVERY_PAGE):
        app.switch_page(page(name)).run()
        assert not app.exception, (name, app.exception)
        assert SIGN_IN_OFF in [caption.value for caption in app.caption], name
    assert trail(demo_url, "sign_in").empty is not False  # local mode has nobody to sign in


def test_local_mode_reachable_from_other_machines_shows_no_data(demo_url, make_app):
    config.set_option("server.address", "0.0.0.0")
    try:
        app = make_app()
    finally:
        config.set_option("server.address", "127.0.0.1")
    assert [title.value for title in app.title] == ["Sign-in is off"]
    assert HOW_TO_SIGN_IN in texts(app)
    assert not app.metric and not app.dataframe and not app.sidebar.get("multiselect")


# --- signing in -------------------------------------------------------------------------------------


def test_signed_out_sees_the_sign_in_button_and_nothing_else(people, signed_in):
    app = signed_in(None)
    assert [button.label for button in app.button] == ["Sign in"]
    assert not app.metric and not app.dataframe and not app.sidebar.get("selectbox")
    assert visible_pages(app) == set()


def test_signed_in_without_a_role_sees_how_to_ask_and_the_attempt_is_recorded(people, signed_in):
    app = signed_in("Stranger@Council.gov.uk")
    app.run()  # a rerun in the same session is not a second attempt
    assert [title.value for title in app.title] == ["No access yet"]
    assert "python cli.py users add stranger@council.gov.uk --role ROLE" in texts(app)
    assert not app.metric and not app.dataframe and visible_pages(app) == set()
    refused = trail(people, "access_refused")
    assert refused[["user", "detail"]].values.tolist() == [
        ["stranger@council.gov.uk", "signed in with no role"]
    ]


@pytest.mark.parametrize("email", list(PEOPLE))
def test_each_role_sees_exactly_its_pages_in_the_navigation(people, signed_in, email):
    app = signed_in(email.upper())  # the provider's case does not matter
    role = PEOPLE[email][0]
    assert visible_pages(app) == VISIBLE[role]
    assert not any(SIGN_IN_OFF in caption.value for caption in app.caption)
    assert any(email in caption.value for caption in app.sidebar.caption)


def test_sign_in_is_recorded_once_a_session_and_sign_out_before_the_session_ends(people, signed_in):
    app = signed_in("manager@council.gov.uk")
    app.run()
    assert trail(people, "sign_in")["user"].tolist() == ["manager@council.gov.uk"]

    app.button(key="sign_out").click().run()

    assert trail(people, "sign_out")["user"].tolist() == ["manager@council.gov.uk"]
    assert [button.label for button in app.button] == ["Sign in"]  # st.logout ended the signed-in session


@pytest.mark.parametrize(
    ("email", "address"),
    [
        (LEADER, "upload"),
        (LEADER, "people"),
        ("manager@council.gov.uk", "settings"),
        ("officer@council.gov.uk", "audit"),
        ("viewer@council.gov.uk", "assessment"),
        ("viewer@council.gov.uk", "export"),
    ],
)
def test_a_page_the_role_lacks_refuses_when_opened_by_address_and_is_recorded(
    people, signed_in, email, address
):
    app = open_address(signed_in(email), address)
    assert not app.exception
    assert [error.value for error in app.error] == [
        "You do not have access to this page. An administrator can change your role on the People page."
    ]
    assert not app.dataframe and not app.metric and not app.get("file_uploader")
    refused = trail(people, "access_refused")
    assert refused[["user", "detail"]].values.tolist() == [[email, f"page {address} refused"]]


# --- a team leader's scope, on every page ----------------------------------------------------------


def leader_filters(app: AppTest) -> Filters:
    """The sidebar's default filters as the app shows them (quarters from the scope's options)."""
    quarters = app.sidebar.selectbox(key="from").options
    return Filters(quarters[0], quarters[-1], (), (), (), AS_AT)


def test_a_team_leaders_filter_choices_hold_only_their_teams(people, signed_in):
    app = signed_in(LEADER)
    choices = {widget.label: widget.options for widget in app.sidebar.multiselect}
    assert choices["Team"] == [NORTH]
    statuses = statuses_in_store(people)
    north_workers = sorted(statuses.loc[statuses["team"] == NORTH, "worker"].dropna().unique())
    assert choices["Worker"] == north_workers


def test_a_team_leaders_overview_figures_are_their_teams_figures(people, signed_in):
    app = signed_in(LEADER)
    statuses = statuses_in_store(people)
    settings = settings_from_document(store.load_settings(store.connect(people)))
    filters = leader_filters(app)
    north = statuses[statuses["team"] == NORTH]
    tables = open_overview_figures(app).dataframe
    table = next(frame.value for frame in tables if "Met" in frame.value.columns)
    quarter = table["Quarter"].iloc[0]

    def met(rows: pd.DataFrame) -> list[int]:
        figures = quarterly_compliance(rows[status_mask(rows, filters)], settings)
        in_quarter = figures[figures["quarter"] == quarter].set_index("measure")["met"]
        titles = {measure.title: measure.id for measure in MEASURES}
        return [int(in_quarter.get(titles[title], 0)) for title in table["Measure"]]

    assert table["Met"].tolist() == met(north)
    assert table["Met"].tolist() != met(statuses)  # not the whole service's


def test_a_team_leaders_cases_data_quality_and_worklist_hold_only_their_team(people, signed_in):
    app = signed_in(LEADER, "assessment")
    cases = app.dataframe[-1].value
    assert len(cases) and set(cases["team"]) == {NORTH}

    app.switch_page(page("due_soon")).run()
    for frame in app.dataframe:
        if "Team" in frame.value.columns:
            assert set(frame.value["Team"].dropna()) <= {NORTH}

    app.switch_page(page("data_quality")).run()
    shown = [
        frame.value
        for frame in app.dataframe
        if "Team" in frame.value.columns or "team" in frame.value.columns
    ]
    assert shown
    for frame in shown:
        column = "Team" if "Team" in frame.columns else "team"
        assert set(frame[column].dropna()) <= {NORTH}

    views = trail(people, "view_cases")
    assert set(views["user"]) == {LEADER}
    assert any("assessment page" in detail for detail in views["detail"])
    assert (views["rows"] > 0).all()


def test_a_url_naming_another_team_shows_nothing_of_it(people, signed_in):
    app = signed_in(LEADER, "assessment", team=SOUTH)
    assert SOUTH not in app.sidebar.multiselect(key="team").options
    for frame in app.dataframe:
        for column in ("team", "Team", "group"):
            if column in frame.value.columns:
                assert SOUTH not in set(frame.value[column].astype(str))
    app.switch_page(page("export")).run()
    app.selectbox(key="export_what").select("orders").run()
    assert SOUTH not in set(app.dataframe[-1].value["team"])


def test_a_team_leaders_export_holds_only_their_team_and_is_recorded(people, signed_in, downloads):
    app = signed_in(LEADER, "export")
    app.selectbox(key="export_what").select("orders").run()
    app.button(key="export_prepare").click().run()
    app.get("download_button")[0].click().run()

    (content,) = [data for name, data in downloads.items() if name.endswith(".csv")]
    rows = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str)
    orders = store.read_dataset(store.connect(people), "orders")
    assert len(rows) == int((orders["team"] == NORTH).sum())
    assert set(rows["team"]) == {NORTH}
    exported = trail(people, "export")
    assert exported["user"].tolist() == [LEADER] and exported["rows"].tolist() == [len(rows)]


def test_a_team_leader_sees_only_rejected_rows_naming_their_team(people, signed_in):
    sheet = make_sheet("orders", [{"case_ref": "R1", "order_date": "2020-04-01", "team": NORTH}])
    sheet.rejects = pd.DataFrame(
        {
            "sheet": [None] * 3,
            "row": [3, 4, 5],
            "column": ["order_date"] * 3,
            "value": ["x"] * 3,
            "reason": ["order_date: 'x' is not a date (day/month/year expected)"] * 3,
            "team": [NORTH, SOUTH, None],
        }
    )
    store.store_sheet(store.connect(people), sheet, file_name="mixed.csv", sha256=sha_of("mixed"), user="o")

    def rejected(app: AppTest) -> list[int]:
        frame = next(frame.value for frame in app.dataframe if "Reason" in frame.value.columns)
        return frame["Row"].tolist()

    assert rejected(signed_in(LEADER, "data_quality")) == [3]
    assert rejected(signed_in("manager@council.gov.uk", "data_quality")) == [3, 4, 5]


# --- viewers ----------------------------------------------------------------------------------------


def test_a_viewer_has_no_team_worker_or_order_type_filters_and_small_numbers_are_suppressed(
    empty_url, signed_in
):
    engine = store.connect(empty_url)
    store.add_person(engine, "viewer@council.gov.uk", "viewer", (), "setup")
    store.add_person(engine, "manager@council.gov.uk", "manager", (), "setup")
    orders = [
        {"case_ref": f"V{number}", "order_date": "2020-04-06", "team": "North", "first_contact": "2020-04-07"}
        for number in range(4)
    ]
    store.store_sheet(engine, make_sheet("orders", orders), file_name="o.csv", sha256=sha_of("o"), user="o")

    viewer = signed_in("viewer@council.gov.uk", team="North")
    assert not viewer.sidebar.get("multiselect")
    assert "Service-level figures" in texts(viewer)
    tiles = {metric.label: metric.value for metric in viewer.metric}
    assert tiles["First contact made on time"] == "no rate"  # 4 due: suppressed
    tables = open_overview_figures(viewer).dataframe
    table = next(frame.value for frame in tables if "Met" in frame.value.columns)
    first_contact = table[table["Measure"].str.startswith("First contact")].iloc[0]
    assert pd.isna(first_contact["Met"]) and pd.isna(first_contact["Rate %"])  # blank, not 0
    manager = signed_in("manager@council.gov.uk")
    assert {metric.label: metric.value for metric in manager.metric}["First contact made on time"] == "100.0%"


def test_a_manager_reads_the_action_plan_but_does_not_change_it(people, signed_in):
    manager = signed_in("manager@council.gov.uk", "action_plan")
    assert not manager.get("form") and not manager.main.get("text_input")  # the sidebar's As at aside
    officer = signed_in("officer@council.gov.uk", "action_plan")
    assert officer.main.get("text_input")


# --- the admin pages --------------------------------------------------------------------------------


def test_an_admin_adds_a_team_leader_on_the_people_page_and_it_is_recorded(people, signed_in):
    app = signed_in("admin@council.gov.uk", "people")
    app.text_input(key="people_email").input("New.Lead@Council.gov.uk")
    app.selectbox(key="people_role").select("team_leader")
    app.multiselect(key="people_teams").select(SOUTH)
    app.button(key="people_save").click().run()
    assert not app.exception, app.exception

    person = store.get_person(store.connect(people), "new.lead@council.gov.uk")
    assert (person.role, person.teams) == ("team_leader", (SOUTH,))
    changes = trail(people, "people")
    assert changes.iloc[-1]["user"] == "admin@council.gov.uk"
    assert "added new.lead@council.gov.uk as team_leader" in changes.iloc[-1]["detail"]


def test_the_audit_page_filters_and_exports_the_trail_through_the_logged_export(people, signed_in, downloads):
    signed_in("manager@council.gov.uk", "assessment")
    app = signed_in("admin@council.gov.uk", "audit")
    app.selectbox(key="audit_user").select("manager@council.gov.uk").run()
    listed = app.dataframe[-1].value
    assert set(listed["Who"]) == {"manager@council.gov.uk"}
    assert {"sign_in", "view_cases"} <= set(listed["Action"])

    app.get("download_button")[0].click().run()
    (content,) = [
        data for name, data in downloads.items() if name.startswith("audit_trail") and "manager" in name
    ]
    exported = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str)
    assert list(exported.columns) == ["at", "user", "action", "detail", "rows"]
    assert set(exported["user"]) == {"manager@council.gov.uk"}
    last = trail(people, "export").iloc[-1]
    assert last["user"] == "admin@council.gov.uk" and json.loads(last["detail"])["what"] == "audit trail"


@pytest.mark.parametrize(
    "page_name", ["overview", "spc_summary", "assessment", "reviews", "quality", "due_soon"]
)
def test_no_table_on_a_team_leaders_page_names_another_team(people, signed_in, page_name):
    app = signed_in(LEADER, page_name)
    others = {"South Team (demo)", "East Team (demo)", "Throughcare (demo)"}
    for frame in app.dataframe:
        for column in frame.value.columns:
            if str(column).lower() in {"team", "group"}:
                assert not others & set(frame.value[column].astype(str)), (page_name, column)
    assert not any(other in texts(app) for other in others)
