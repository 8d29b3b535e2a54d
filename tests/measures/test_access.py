"""Roles, pages, capabilities, team scope and small-number suppression (measures.access)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from measures.access import (
    ALL_PAGES,
    CAPABILITIES,
    ROLES,
    AccessError,
    Person,
    checked_person,
    identity_from_claims,
    in_scope,
    may,
    may_open,
    pages_for,
    suppress_small,
    team_scope,
)

ADMIN = Person("a@x.org", "admin")
OFFICER = Person("o@x.org", "officer")
MANAGER = Person("m@x.org", "manager")
LEADER = Person("t@x.org", "team_leader", ("North",))
VIEWER = Person("v@x.org", "viewer")


@pytest.mark.parametrize(
    ("claims", "identity"),
    [
        (
            {"email": "Ann.Smith@Council.GOV.uk", "preferred_username": "x", "sub": "y"},
            "ann.smith@council.gov.uk",
        ),
        (
            {"email": "", "preferred_username": "Ann@Tenant.onmicrosoft.com", "sub": "y"},
            "ann@tenant.onmicrosoft.com",
        ),
        ({"sub": "00u1ABC"}, "00u1abc"),
        ({"name": "Ann"}, None),
        ({"email": None, "sub": "  "}, None),
    ],
)
def test_identity_is_email_else_preferred_username_else_sub_lower_cased(claims, identity):
    assert identity_from_claims(claims) == identity


def test_each_role_opens_exactly_its_pages():
    everything = set(ALL_PAGES)
    assert set(pages_for(ADMIN)) == everything
    assert set(pages_for(OFFICER)) == everything - {"people", "audit"}
    assert set(pages_for(MANAGER)) == everything - {"upload", "settings", "people", "audit"}
    assert set(pages_for(LEADER)) == set(pages_for(MANAGER)) - {"report_pack"}  # the whole service's paper
    assert set(pages_for(VIEWER)) == {"overview", "spc_summary"}


def test_an_unknown_page_is_for_admins_only():
    assert may_open(ADMIN, "new_page")
    assert not any(may_open(person, "new_page") for person in (OFFICER, MANAGER, LEADER, VIEWER))


def test_capabilities_follow_the_issue_table():
    assert all(may(ADMIN, capability) for capability in CAPABILITIES)
    assert {c for c in CAPABILITIES if may(OFFICER, c)} == {"upload", "undo", "settings", "plan", "export"}
    assert {c for c in CAPABILITIES if may(MANAGER, c)} == {"export"}
    assert {c for c in CAPABILITIES if may(LEADER, c)} == {"export"}
    assert not any(may(VIEWER, c) for c in CAPABILITIES)
    assert not may(Person("x@x.org", "no such role"), "export")


def test_only_team_leaders_are_scoped():
    assert [team_scope(person) for person in (ADMIN, OFFICER, MANAGER, VIEWER)] == [None] * 4
    assert team_scope(LEADER) == ("North",)


def test_checked_person_normalises_and_refuses_what_cannot_work():
    assert checked_person(" Ann@X.ORG ", "team_leader", [" North ", "north", "", "South"]) == Person(
        "ann@x.org", "team_leader", ("North", "South")
    )
    assert checked_person("b@x.org", "manager", ["North"]).teams == ()  # teams matter to team leaders only
    for email, role, teams in (("a b@x.org", "admin", []), ("", "admin", []), ("c@x.org", "boss", [])):
        with pytest.raises(AccessError):
            checked_person(email, role, teams)
    with pytest.raises(AccessError, match="at least one team"):
        checked_person("t@x.org", "team_leader", [" "])
    assert ROLES[0] == "admin"


@pytest.mark.parametrize("categorical", [False, True])
def test_in_scope_matches_teams_case_insensitively_and_never_a_blank_team(categorical):
    teams = pd.Series(["North", "south", None, "East", "NORTH"], dtype="category" if categorical else object)
    assert in_scope(teams, None).tolist() == [True] * 5
    assert in_scope(teams, ("north", "South")).tolist() == [True, True, False, False, True]
    assert in_scope(teams, ()).tolist() == [False] * 5
    assert in_scope(teams.iloc[:0], ("North",)).tolist() == []


def test_small_rates_are_suppressed_with_their_counts_and_rag():
    rows = pd.DataFrame(
        {
            "measure": ["a", "a", "a"],
            "met": [3, 9, 0],
            "missed": [1, 1, 0],
            "pending": [2, 0, 4],
            "excluded": [0, 0, 0],
            "invalid": [0, 0, 0],
            "rate": [75.0, 90.0, np.nan],
            "rag": ["red", "green", "grey"],
        }
    )
    shown = suppress_small(rows)
    assert shown["suppressed"].tolist() == [True, False, False]
    assert pd.isna(shown.loc[0, "rate"]) and shown.loc[0, "rag"] == "grey"
    assert shown.loc[0, ["met", "missed", "pending"]].isna().all()
    assert shown.loc[1, "rate"] == 90.0 and shown.loc[1, "met"] == 9  # 10 due: shown
    assert shown.loc[2, "pending"] == 4  # nothing due: no rate anyway, nothing to hide
    assert rows.loc[0, "rate"] == 75.0  # the input is left alone
