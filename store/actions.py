"""The improvement action plan as stored: actions, dated progress notes and the history of every change.

Officers and admins edit the plan on the Action plan page; who changed what and when must stay on
record, so each write adds a line to `action_history` in the same transaction, in words a manager can
read ("status: on track -> complete; due date: 31/03/2021 -> 30/04/2021"). History rows are never
changed or deleted, even when an example action is removed.

What an action may hold (statuses, areas, measure ids, lengths) is decided by
`measures.actions.validate_action` before a page calls in here; the store does not import measures
(rooms import only to their left), so it takes any object with the draft's fields (`ActionFields`) and
the database's CHECK constraints are the last line. Every call is one transaction: on a failure nothing is
written and a StoreError says why in one line.

`actions_version` is the plan's own cache key. Action changes do not touch `store.data_version`, which
keys the big record frames: a progress note must not make every page recompute record statuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from store.engine import NOTHING_CHANGED, StoreError, writing
from store.tables import action_history as history_table
from store.tables import action_notes as notes_table
from store.tables import actions as actions_table
from store.tables import utc_now

UK_TIME = ZoneInfo("Europe/London")
COMPLETE = "complete"  # the status whose arrival sets completed_on (measures.actions.COMPLETE)

ACTION_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "improvement_area",
    "measures",
    "owner",
    "start_date",
    "due_date",
    "status",
    "completed_on",
    "is_example",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
NOTE_COLUMNS: tuple[str, ...] = ("id", "action_id", "noted_on", "note", "added_at", "added_by")
HISTORY_COLUMNS: tuple[str, ...] = ("id", "action_id", "title", "changed_at", "changed_by", "change")

# The draft's fields in the order a history line lists them, with the words it uses for each.
_FIELD_WORDS: dict[str, str] = {
    "title": "title",
    "improvement_area": "improvement area",
    "measures": "linked measures",
    "owner": "owner",
    "start_date": "start date",
    "due_date": "due date",
    "status": "status",
    "completed_on": "completed on",
}
_QUOTED = {"title", "owner"}  # free text: quoted, so a title holding " -> " or ";" still reads plainly


class ActionFields(Protocol):
    """What the store needs of an action: `measures.actions.ActionDraft`, already validated."""

    @property
    def title(self) -> str: ...
    @property
    def improvement_area(self) -> str: ...
    @property
    def measures(self) -> tuple[str, ...]: ...
    @property
    def owner(self) -> str: ...
    @property
    def start_date(self) -> date: ...
    @property
    def due_date(self) -> date: ...
    @property
    def status(self) -> str: ...


class ActionNotFound(StoreError):
    """The action asked for is not in the plan (removed, or never there); str() is one plain line."""


def uk_today() -> date:
    """Today in Scotland: a server on UTC would otherwise complete an action "yesterday" after 00:00 BST."""
    return datetime.now(UK_TIME).date()


# --- reading --------------------------------------------------------------------------------------------


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).astype("datetime64[ns]")


def _moments(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def list_actions(engine: Engine) -> pd.DataFrame:
    """Every action in the plan, one row each, oldest first (by id).

    Columns as the table (ACTION_COLUMNS). `measures` is a tuple of measure ids (() when none linked);
    start_date, due_date and completed_on are datetime64[ns] (NaT when not completed); created_at and
    updated_at are UTC datetimes; is_example is bool.
    """
    statement = sa.select(*(actions_table.c[name] for name in ACTION_COLUMNS)).order_by(actions_table.c.id)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=list(ACTION_COLUMNS), dtype="object")
    frame["id"] = frame["id"].astype("int64")
    frame["measures"] = frame["measures"].map(_split_measures).astype("object")
    for column in ("start_date", "due_date", "completed_on"):
        frame[column] = _dates(frame[column])
    for column in ("created_at", "updated_at"):
        frame[column] = _moments(frame[column])
    frame["is_example"] = frame["is_example"].astype(bool)
    return frame


def action_notes(engine: Engine, action_id: int) -> pd.DataFrame:
    """An action's progress notes, newest first (by the date noted, then by when added).

    Columns NOTE_COLUMNS; noted_on datetime64[ns], added_at UTC. Empty for an unknown action.
    """
    statement = (
        sa.select(*(notes_table.c[name] for name in NOTE_COLUMNS))
        .where(notes_table.c.action_id == action_id)
        .order_by(notes_table.c.noted_on.desc(), notes_table.c.id.desc())
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=list(NOTE_COLUMNS), dtype="object")
    frame[["id", "action_id"]] = frame[["id", "action_id"]].astype("int64")
    frame["noted_on"] = _dates(frame["noted_on"])
    frame["added_at"] = _moments(frame["added_at"])
    return frame


def action_history(engine: Engine, action_id: int | None = None) -> pd.DataFrame:
    """The change history, newest first: one action's, or the whole plan's when action_id is None.

    Columns HISTORY_COLUMNS: `title` is the action's current title (None once an example action was
    removed; its removal line names it), changed_at UTC, `change` the words of the change.
    """
    statement = (
        sa.select(
            history_table.c.id,
            history_table.c.action_id,
            actions_table.c.title,
            history_table.c.changed_at,
            history_table.c.changed_by,
            history_table.c.change,
        )
        .select_from(history_table.outerjoin(actions_table, actions_table.c.id == history_table.c.action_id))
        .order_by(history_table.c.id.desc())
    )
    if action_id is not None:
        statement = statement.where(history_table.c.action_id == action_id)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS), dtype="object")
    frame[["id", "action_id"]] = frame[["id", "action_id"]].astype("int64")
    frame["changed_at"] = _moments(frame["changed_at"])
    return frame


def actions_version(engine: Engine) -> str:
    """A short text that changes whenever the plan changes (a cache key for the action list and notes).

    Every write adds a history row and history ids only grow, so the newest history id says it all;
    the action count is added so a store edited behind the app's back still reads differently.
    """
    statement = sa.select(
        sa.select(sa.func.count(actions_table.c.id)).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.max(history_table.c.id), 0)).scalar_subquery(),
    )
    with engine.connect() as connection:
        count, newest = connection.execute(statement).one()
    return f"a{count}-h{newest}"


# --- writing --------------------------------------------------------------------------------------------


def _split_measures(text: object) -> tuple[str, ...]:
    return tuple(part for part in str(text or "").split(",") if part)


def _draft_values(draft: ActionFields) -> dict[str, Any]:
    return {
        "title": draft.title,
        "improvement_area": draft.improvement_area,
        "measures": ",".join(draft.measures),
        "owner": draft.owner,
        "start_date": draft.start_date,
        "due_date": draft.due_date,
        "status": draft.status,
    }


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has its key
    return int(key[0])


def _history(connection: Connection, action_id: int, user: str, change: str, moment: datetime) -> None:
    connection.execute(
        sa.insert(history_table).values(
            action_id=action_id, changed_at=moment, changed_by=user, change=change
        )
    )


def _insert_action(
    connection: Connection,
    values: Mapping[str, Any],
    *,
    user: str,
    is_example: bool,
    completed_on: date | None,
    moment: datetime,
) -> int:
    statement = sa.insert(actions_table).values(
        **values,
        completed_on=completed_on,
        is_example=is_example,
        created_at=moment,
        created_by=user,
        updated_at=moment,
        updated_by=user,
    )
    return _new_id(connection.execute(statement))


def _current(connection: Connection, action_id: int) -> dict[str, Any]:
    row = (
        connection.execute(sa.select(actions_table).where(actions_table.c.id == action_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise ActionNotFound(
            f"action {action_id} is not in the plan (it may have been removed); {NOTHING_CHANGED}"
        )
    return dict(row)


def add_action(engine: Engine, draft: ActionFields, user: str, *, today: date | None = None) -> int:
    """Store a new (validated) action with an "added" history line; returns its id.

    An action added as complete is taken to be completed on `today` (default: today in the UK).
    """
    moment = utc_now()
    values = _draft_values(draft)
    completed_on = (today or uk_today()) if draft.status == COMPLETE else None
    with writing(engine) as connection:
        action_id = _insert_action(
            connection, values, user=user, is_example=False, completed_on=completed_on, moment=moment
        )
        _history(connection, action_id, user, "added", moment)
    return action_id


def _shown(field: str, value: object) -> str:
    """A field's value as a history line shows it: UK dates, quoted free text, "blank" for nothing."""
    if value is None or value == "":
        return "blank"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if field == "measures":
        return ", ".join(_split_measures(value))
    if field in _QUOTED:
        return f'"{value}"'
    return str(value)


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """The fields that differ, in words: 'status: on track -> complete; due date: 31/03/2021 -> 30/04/2021'.

    Empty text when nothing differs. Values are as stored (measures as comma text, dates as dates).
    """
    return "; ".join(
        f"{words}: {_shown(field, before[field])} -> {_shown(field, after[field])}"
        for field, words in _FIELD_WORDS.items()
        if field in after and before[field] != after[field]
    )


def update_action(
    engine: Engine,
    action_id: int,
    draft: ActionFields,
    user: str,
    *,
    completed_on: date | None = None,
    today: date | None = None,
) -> None:
    """Save an edited (validated) action, writing one history line naming exactly the fields that changed.

    When the status becomes complete, completed_on is set to `completed_on` if given, else to `today`
    (default: today in the UK); when it leaves complete, completed_on is cleared. An action that stays
    complete keeps its date unless `completed_on` gives another. Nothing changed: nothing is written, no
    history line. ActionNotFound when the action is not in the plan.
    """
    moment = utc_now()
    after: dict[str, Any] = _draft_values(draft)
    with writing(engine) as connection:
        before = _current(connection, action_id)
        if draft.status != COMPLETE:
            after["completed_on"] = None
        elif before["status"] != COMPLETE:
            after["completed_on"] = completed_on or today or uk_today()
        else:
            after["completed_on"] = completed_on or before["completed_on"]
        change = describe_changes(before, after)
        if not change:
            return
        connection.execute(
            sa.update(actions_table)
            .where(actions_table.c.id == action_id)
            .values(**after, updated_at=moment, updated_by=user)
        )
        _history(connection, action_id, user, change, moment)


def add_note(engine: Engine, action_id: int, noted_on: date, note: str, user: str) -> int:
    """Add a dated progress note (validated with measures.actions.validate_note) to an action; its id.

    The history says a note was added and for which date; the note's own text stays in action_notes.
    """
    moment = utc_now()
    with writing(engine) as connection:
        _current(connection, action_id)
        inserted = connection.execute(
            sa.insert(notes_table).values(
                action_id=action_id, noted_on=noted_on, note=note, added_at=moment, added_by=user
            )
        )
        note_id = _new_id(inserted)
        _history(connection, action_id, user, f"progress note added, dated {noted_on:%d/%m/%Y}", moment)
    return note_id


# --- the example plan ------------------------------------------------------------------------------------

EXAMPLE_SUFFIX = " (example)"
EXAMPLE_NOTE = (
    "Example action, added with the demo data to show how the plan works: "
    "replace it with the service's own actions (remove the example plan, then add them)."
)
_ASSESSMENT = "Assessment and plan timescales"  # measures.actions.ASSESSMENT_AREA
_REVIEWS = "Quality assurance of reviews and case recording"  # measures.actions.REVIEWS_AREA


def _month(anchor: date, months: int, day: int = 1) -> date:
    """Day `day` of the month `months` after the month holding `anchor`."""
    index = anchor.year * 12 + anchor.month - 1 + months
    return date(index // 12, index % 12 + 1, day)


def _month_end(anchor: date, months: int) -> date:
    return _month(anchor, months + 1) - timedelta(days=1)


def example_plan(today: date) -> list[dict[str, Any]]:
    """The example plan, dated around `today` so it falls inside the demo data (three years up to today).

    Each entry: the draft's fields, status, completed_on and notes [(noted_on, text)]. Months are counted
    from `today`'s month: two actions done about two years ago, two running (one overdue and at risk),
    one running to after today, one not started yet. Owners are roles, never names.
    """

    def m(months: int, day: int = 1) -> date:
        return _month(today, months, day)

    def end(months: int) -> date:
        return _month_end(today, months)

    plan: list[dict[str, Any]] = [
        {
            "title": "Weekly LS/CMI due-date list to team leaders",
            "improvement_area": _ASSESSMENT,
            "measures": ("lscmi", "cmp"),
            "owner": "Performance and information officer",
            "start_date": m(-27),
            "due_date": end(-25),
            "status": "complete",
            "completed_on": m(-25, 14),
            "notes": [
                (
                    m(-26, 6),
                    "First list sent: orders with no LS/CMI by day 20 are flagged to the team leader.",
                ),
                (
                    m(-25, 14),
                    "The list now runs every Monday from the case management system. Action closed.",
                ),
            ],
        },
        {
            "title": "Case management plan template and 20-working-day reminder",
            "improvement_area": _ASSESSMENT,
            "measures": ("cmp",),
            "owner": "Justice social work team leader",
            "start_date": m(-24),
            "due_date": end(-20),
            "status": "complete",
            "completed_on": m(-19, 9),
            "notes": [
                (m(-22, 12), "Template agreed with staff; the reminder is being set up in the case system."),
                (m(-19, 9), "Reminder live for all teams a month late (system change queue). Action closed."),
            ],
        },
        {
            "title": "Quarterly statutory review audit by team leaders",
            "improvement_area": _REVIEWS,
            "measures": ("review_on_time", "review_recorded", "review_participation", "review_needs_tool"),
            "owner": "Service manager, justice social work",
            "start_date": m(-21),
            "due_date": end(2),
            "status": "on track",
            "completed_on": None,
            "notes": [
                (
                    m(-18, 3),
                    "First audit: 20 reviews sampled; participation and the needs review tool weakest.",
                ),
                (m(-3, 5), "Audit done each quarter since; findings go to the team leaders' meeting."),
            ],
        },
        {
            "title": "Case recording standards briefing and practice guidance",
            "improvement_area": _REVIEWS,
            "measures": ("review_recorded", "audit_good"),
            "owner": "Practice development officer",
            "start_date": m(-12),
            "due_date": end(-2),
            "status": "at risk",
            "completed_on": None,
            "notes": [
                (m(-9, 16), "Practice guidance drafted and shared with team leaders for comment."),
                (m(-2, 20), "Two of four briefings held; the rest delayed by staff vacancies."),
            ],
        },
        {
            "title": "Monthly performance report to service managers",
            "improvement_area": _ASSESSMENT,
            "measures": ("lscmi", "cmp", "review_on_time", "audit_good"),
            "owner": "Performance and information officer",
            "start_date": m(-9),
            "due_date": end(3),
            "status": "on track",
            "completed_on": None,
            "notes": [(m(-8, 4), "First monthly report taken at the service managers' meeting.")],
        },
        {
            "title": "Needs review tool refresher for case-holding staff",
            "improvement_area": _REVIEWS,
            "measures": ("review_needs_tool",),
            "owner": "Learning and development lead",
            "start_date": m(1),
            "due_date": end(4),
            "status": "not started",
            "completed_on": None,
            "notes": [(m(0), "Sessions booked with learning and development for next month.")],
        },
    ]
    for action in plan:
        action["title"] += EXAMPLE_SUFFIX
        action["notes"].append((today, EXAMPLE_NOTE))
    return plan


def seed_example_plan(engine: Engine, user: str, *, today: date | None = None) -> int:
    """Add the example plan when the plan is empty (the demo fill calls this); returns how many added.

    Every example action is marked is_example, its title ends "(example)" and a note dated `today`
    says it is an example to replace. A plan holding any action is left alone (0), so the example never
    mixes with the service's own actions. Dates run around `today` (default: today in the UK).
    """
    day = today or uk_today()
    moment = utc_now()
    with writing(engine) as connection:
        if connection.execute(sa.select(actions_table.c.id).limit(1)).first() is not None:
            return 0
        plan = example_plan(day)
        for action in plan:
            fields = {name: action[name] for name in _FIELD_WORDS if name != "completed_on"}
            fields["measures"] = ",".join(fields["measures"])
            action_id = _insert_action(
                connection,
                fields,
                user=user,
                is_example=True,
                completed_on=action["completed_on"],
                moment=moment,
            )
            _history(connection, action_id, user, "added with the example plan", moment)
            connection.execute(
                sa.insert(notes_table),
                [
                    {
                        "action_id": action_id,
                        "noted_on": noted_on,
                        "note": text,
                        "added_at": moment,
                        "added_by": user,
                    }
                    for noted_on, text in action["notes"]
                ],
            )
    return len(plan)


def remove_example_plan(engine: Engine, user: str) -> int:
    """Remove every example action and its notes; returns how many were removed.

    The service's own actions stay. Each removal adds a history line naming the action, so the history
    (which is never deleted) still says what was there.
    """
    moment = utc_now()
    with writing(engine) as connection:
        examples = connection.execute(
            sa.select(actions_table.c.id, actions_table.c.title)
            .where(actions_table.c.is_example.is_(True))
            .order_by(actions_table.c.id)
        ).all()
        ids = [row.id for row in examples]
        if not ids:
            return 0
        connection.execute(sa.delete(notes_table).where(notes_table.c.action_id.in_(ids)))
        connection.execute(sa.delete(actions_table).where(actions_table.c.id.in_(ids)))
        for row in examples:
            _history(connection, row.id, user, f'removed with the example plan: "{row.title}"', moment)
    return len(ids)
