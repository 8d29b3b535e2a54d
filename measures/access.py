"""Who may see and do what: roles, the pages each opens, what each may do, team scope, small numbers.

Pure rules, so the command line, the pages and the tests read one copy. The store keeps people and their
roles (store/people.py); pages/ui/frame.py decides who is at the keyboard and asks here what follows.
Sign-in says who someone is; these rules say what they may see, and they are enforced where the
session's frames are read (pages/ui/data.py), not by hiding widgets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from measures.categories import category_key

ADMIN: Final = "admin"
OFFICER: Final = "officer"
MANAGER: Final = "manager"
TEAM_LEADER: Final = "team_leader"
VIEWER: Final = "viewer"
# Most to least: the order the People page and `cli.py users` offer them in.
ROLES: tuple[str, ...] = (ADMIN, OFFICER, MANAGER, TEAM_LEADER, VIEWER)
ROLE_WORDS: dict[str, str] = {
    ADMIN: "Administrator",
    OFFICER: "Performance / information officer",
    MANAGER: "Service manager",
    TEAM_LEADER: "Team leader (own teams only)",
    VIEWER: "Viewer (service-level figures only)",
}

# Page modules (pages/<name>.py). A page not named here is opened by admins only, so a new page is
# closed to everyone else until someone decides who may see it.
ALL_PAGES: tuple[str, ...] = (
    "overview",
    "due_soon",
    "assessment",
    "reviews",
    "quality",
    "spc_summary",
    "action_plan",
    "data_quality",
    "upload",
    "export",
    "report_pack",
    "settings",
    "people",
    "audit",
)
_ADMIN_ONLY_PAGES = frozenset({"people", "audit"})
_OFFICE_PAGES = frozenset({"upload", "settings"})  # change what the figures are made of
_VIEWER_PAGES = frozenset({"overview", "spc_summary"})  # service-level figures, no case rows
_SERVICE_PAGES = frozenset({"report_pack"})  # the whole service's paper: officers, managers and admins

# What a person may do beyond opening pages.
CAPABILITIES: tuple[str, ...] = ("upload", "undo", "settings", "plan", "export", "people", "audit")
_MAY: dict[str, frozenset[str]] = {
    ADMIN: frozenset(CAPABILITIES),
    OFFICER: frozenset({"upload", "undo", "settings", "plan", "export"}),
    MANAGER: frozenset({"export"}),
    TEAM_LEADER: frozenset({"export"}),
    VIEWER: frozenset(),
}

SMALL_NUMBER_THRESHOLD = 10  # a rate from fewer due records than this is suppressed for viewers
SUPPRESSED = "c"  # how a suppressed figure is shown (the statistical disclosure convention)
DEFAULT_AUDIT_RETENTION_YEARS = 6


class AccessError(ValueError):
    """A person's role or teams cannot be stored as given; str() is one line fit to show a user."""


@dataclass(frozen=True)
class Person:
    """Someone the dashboard knows: who (a lower-cased e-mail or other identity), role, and teams.

    `teams` matters only to team leaders: the teams whose records they see.
    """

    email: str
    role: str
    teams: tuple[str, ...] = ()


def normalise_email(identity: str) -> str:
    """The form an identity is stored and compared in: trimmed, lower-cased."""
    return identity.strip().lower()


def identity_from_claims(claims: Mapping[str, object]) -> str | None:
    """Who the identity provider says this is: the `email` claim, else `preferred_username`, else `sub`.

    Lower-cased, because Entra ID and Google differ in the case they send an address in, and the People
    list must match it whichever way it arrives. None when the provider sent none of the three.
    """
    for claim in ("email", "preferred_username", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return normalise_email(value)
    return None


def checked_person(email: str, role: str, teams: Iterable[str]) -> Person:
    """A Person from what an admin typed: role known, teams trimmed and de-duplicated (first kept).

    A team leader with no team would see nothing at all: refused, so the mistake shows when made.
    """
    identity = normalise_email(email)
    if not identity or any(char.isspace() for char in identity):
        raise AccessError("give the person's sign-in e-mail address, without spaces")
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    kept: list[str] = []
    for team in teams:
        name = team.strip()
        if name and name.casefold() not in {seen.casefold() for seen in kept}:
            kept.append(name)
    if role == TEAM_LEADER and not kept:
        raise AccessError("a team leader needs at least one team (--team NAME)")
    return Person(identity, role, tuple(kept) if role == TEAM_LEADER else ())


def pages_for(person: Person) -> tuple[str, ...]:
    """The page modules this person may open, in navigation order."""
    return tuple(name for name in ALL_PAGES if may_open(person, name))


def may_open(person: Person, page: str) -> bool:
    """Whether the person may open a page (by module name); unknown pages are for admins only."""
    if person.role == ADMIN:
        return True
    if page not in ALL_PAGES or page in _ADMIN_ONLY_PAGES:
        return False
    if person.role == OFFICER:
        return True
    if person.role in (MANAGER, TEAM_LEADER):
        return page not in _OFFICE_PAGES and not (person.role == TEAM_LEADER and page in _SERVICE_PAGES)
    return person.role == VIEWER and page in _VIEWER_PAGES


def may(person: Person, capability: str) -> bool:
    """Whether the person may do something: upload, undo, settings, plan, export, people or audit."""
    return capability in _MAY.get(person.role, frozenset())


def team_scope(person: Person) -> tuple[str, ...] | None:
    """The teams whose records the person sees: None for every team, else the team leader's teams."""
    return tuple(person.teams) if person.role == TEAM_LEADER else None


def filters_sidebar(person: Person) -> bool:
    """Whether the sidebar offers team, worker and order type filters (viewers see the service only)."""
    return person.role != VIEWER


def suppresses_small_numbers(person: Person) -> bool:
    return person.role == VIEWER


def in_scope(teams: pd.Series, scope: tuple[str, ...] | None) -> np.ndarray:
    """Which rows' team is one of the scope's teams (case-insensitive); every row when scope is None.

    A blank team is in no scope: a record nobody can place in a team is not a team leader's to see.
    Categorical columns are matched on their categories, so millions of rows cost one code lookup each.
    """
    if scope is None:
        return np.ones(len(teams), dtype=bool)
    wanted = {category_key(team) for team in scope}  # "East  Team" is East Team's (measures.categories)
    if isinstance(teams.dtype, pd.CategoricalDtype):
        categories = teams.cat.categories
        hits = np.fromiter((category_key(str(name)) in wanted for name in categories), bool, len(categories))
        codes = teams.cat.codes.to_numpy()
        return np.where(codes >= 0, hits[np.maximum(codes, 0)], False) if len(categories) else codes >= 0
    values = teams.to_numpy(dtype=object)
    return np.fromiter(
        (isinstance(value, str) and category_key(value) in wanted for value in values), bool, len(values)
    )


def suppress_small(rows: pd.DataFrame, threshold: int = SMALL_NUMBER_THRESHOLD) -> pd.DataFrame:
    """Quarterly rows with every rate from fewer than `threshold` due records suppressed.

    A rate of met / (met + missed) from a handful of people can identify them: where met + missed is
    1 to threshold - 1 the rate, its RAG and the counts behind it are blanked (RAG grey), and
    `suppressed` is True, so the tiles show no rate and the table blanks rather than implying zero.
    A denominator of 0 has no rate anyway and is left as it is.
    """
    denominator = rows["met"].fillna(0) + rows["missed"].fillna(0)
    hidden = ((denominator > 0) & (denominator < threshold)).to_numpy()
    shown = rows.copy()
    shown["suppressed"] = hidden
    if not hidden.any():
        return shown
    shown.loc[hidden, "rate"] = np.nan
    shown.loc[hidden, "rag"] = "grey"
    for column in ("met", "missed", "pending", "excluded", "invalid"):
        if column in shown.columns:
            shown[column] = shown[column].astype("Int64")
            shown.loc[hidden, column] = pd.NA
    return shown
