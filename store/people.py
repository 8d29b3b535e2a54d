"""People the dashboard knows, with their role and (for team leaders) their teams.

Signing in says who someone is; this table says what they may do (measures.access holds the rules).
Someone signed in but not listed here sees the "no access yet" page. Every change is recorded in the
audit trail in the same transaction. The store does not import measures (rooms import leftwards), so
roles are checked against the table's own CHECK list; pages and the command line check them first with
measures.access.checked_person, for a friendlier message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from store.audit import record_event
from store.engine import StoreError, writing
from store.tables import ROLE_VALUES, people, utc_now

ADMIN_ROLE = "admin"


class PeopleError(StoreError):
    """A change to the people list that cannot be made; str() is one plain line."""


@dataclass(frozen=True)
class PersonRecord:
    """One person as stored: the identity they sign in with (lower-cased), role, teams, who added them."""

    email: str
    role: str
    teams: tuple[str, ...]
    added_at: datetime
    added_by: str


def _identity(email: str) -> str:
    return email.strip().lower()


def _teams_text(teams: tuple[str, ...]) -> str:
    return json.dumps(list(teams), ensure_ascii=False)


def _teams_from_text(text: str) -> tuple[str, ...]:
    """A JSON list; comma-separated text as well, for a row typed into the database by hand."""
    stripped = (text or "").strip()
    if not stripped:
        return ()
    if stripped.startswith("["):
        try:
            values = json.loads(stripped)
        except ValueError:
            values = []
        return tuple(str(value).strip() for value in values if str(value).strip())
    return tuple(part.strip() for part in stripped.split(",") if part.strip())


def _record(row: sa.Row) -> PersonRecord:
    return PersonRecord(row.email, row.role, _teams_from_text(row.teams), row.added_at, row.added_by)


def list_people(engine: Engine) -> list[PersonRecord]:
    """Everyone with a role, by e-mail."""
    with engine.connect() as connection:
        rows = connection.execute(sa.select(people).order_by(people.c.email)).all()
    return [_record(row) for row in rows]


def get_person(engine: Engine, email: str) -> PersonRecord | None:
    """The person signing in with this identity (any case), or None when they have no role."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(people).where(people.c.email == _identity(email))).one_or_none()
    return None if row is None else _record(row)


def _admins_left(connection: Connection, without: str) -> int:
    statement = sa.select(sa.func.count()).where(people.c.role == ADMIN_ROLE, people.c.email != without)
    return int(connection.execute(statement).scalar() or 0)


def _teams_words(teams: tuple[str, ...]) -> str:
    return ", ".join(teams) if teams else "none"


def add_person(
    engine: Engine, email: str, role: str, teams: tuple[str, ...] | list[str], by: str
) -> PersonRecord:
    """Give someone a role (and teams), or change theirs; recorded as a "people" audit event.

    Saving what is already stored changes nothing and records nothing. The last admin cannot be given
    another role: nobody could manage people any more.
    """
    identity = _identity(email)
    if not identity:
        raise PeopleError("give the person's sign-in e-mail address")
    if role not in ROLE_VALUES:
        raise PeopleError(f"unknown role {role!r}; choose one of {', '.join(ROLE_VALUES)}")
    team_tuple = tuple(team.strip() for team in teams if team.strip())
    with writing(engine) as connection:
        existing = connection.execute(sa.select(people).where(people.c.email == identity)).one_or_none()
        if existing is None:
            connection.execute(
                sa.insert(people).values(
                    email=identity, role=role, teams=_teams_text(team_tuple), added_at=utc_now(), added_by=by
                )
            )
            detail = f"added {identity} as {role}; teams: {_teams_words(team_tuple)}"
        else:
            before = _record(existing)
            changes = []
            if before.role != role:
                if before.role == ADMIN_ROLE and not _admins_left(connection, identity):
                    raise PeopleError(f"{identity} is the only admin; make someone else admin first")
                changes.append(f"role {before.role} -> {role}")
            if before.teams != team_tuple:
                changes.append(f"teams {_teams_words(before.teams)} -> {_teams_words(team_tuple)}")
            if not changes:
                return before
            connection.execute(
                sa.update(people)
                .where(people.c.email == identity)
                .values(role=role, teams=_teams_text(team_tuple), added_at=utc_now(), added_by=by)
            )
            detail = f"changed {identity}: " + "; ".join(changes)
        record_event(connection, by, "people", detail)
        row = connection.execute(sa.select(people).where(people.c.email == identity)).one()
    return _record(row)


def remove_person(engine: Engine, email: str, by: str) -> None:
    """Take someone's role away (they then see the "no access yet" page); recorded. The last admin stays."""
    identity = _identity(email)
    with writing(engine) as connection:
        existing = connection.execute(sa.select(people).where(people.c.email == identity)).one_or_none()
        if existing is None:
            raise PeopleError(f"{identity or email!r} has no role to remove")
        if existing.role == ADMIN_ROLE and not _admins_left(connection, identity):
            raise PeopleError(f"{identity} is the only admin; make someone else admin first")
        connection.execute(sa.delete(people).where(people.c.email == identity))
        record_event(connection, by, "people", f"removed {identity} (was {existing.role})")
