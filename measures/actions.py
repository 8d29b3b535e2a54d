"""The improvement action plan: what an action is, which ones are overdue, and where they mark the charts.

The inspection left two improvement areas (SPEC 1). The service answers them with actions, each linked to
the measures it should move; a manager then looks at a measure's chart to see whether the line moved after
an action started or was completed. This module holds the rules of that plan as pure functions: checking
an action before it is stored (store/ trusts what it is given), ordering the overview (overdue first) and
turning actions into dated chart events mapped to financial quarters. No SQL and no Streamlit.

Frames here are `store.list_actions` frames: dates as datetime64 (NaT for blank) and `measures` as a
tuple of measure ids (comma-separated text is accepted too, as a form or a file may give it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from loaders.schema import TEXT_DTYPE
from measures.calendar import as_days
from measures.definitions import MEASURE_IDS, MEASURES
from measures.quarters import quarter_labels_and_starts

ACTION_STATUSES: tuple[str, ...] = ("not started", "on track", "at risk", "complete")
NOT_STARTED = "not started"
COMPLETE = "complete"

ASSESSMENT_AREA = "Assessment and plan timescales"
REVIEWS_AREA = "Quality assurance of reviews and case recording"
# Area name -> the measures that evidence it, in MEASURES order. Derived from the measures' own `area`,
# so a measure added to an area joins its improvement area without anyone retyping ids.
IMPROVEMENT_AREAS: dict[str, tuple[str, ...]] = {
    ASSESSMENT_AREA: tuple(m.id for m in MEASURES if m.area == "assessment"),
    REVIEWS_AREA: tuple(m.id for m in MEASURES if m.area in ("reviews", "quality")),
}

# Long enough for a real action title or role; short enough to stay readable in a table and a history line.
TITLE_MAX_CHARS = 200
OWNER_MAX_CHARS = 100
NOTE_MAX_CHARS = 2000

STARTED = "started"
COMPLETED = "completed"
ANNOTATION_COLUMNS: tuple[str, ...] = ("date", "event", "title")
QUARTER_ANNOTATION_COLUMNS: tuple[str, ...] = ("quarter", "event", "title", "date")
_ANNOTATION_DTYPES: dict[str, str] = {
    "quarter": "object",
    "date": "datetime64[ns]",
    "event": "object",
    "title": "object",
}


class ActionError(ValueError):
    """An action or note that cannot be stored as given; str() is one plain sentence for the form."""


@dataclass(frozen=True)
class ActionDraft:
    """An action as a form gives it, before it is stored: what `store.add_action` / `update_action` take.

    `measures` holds measure ids (MEASURE_IDS); `improvement_area` is a key of IMPROVEMENT_AREAS.
    """

    title: str
    improvement_area: str
    measures: tuple[str, ...]
    owner: str
    start_date: date
    due_date: date
    status: str


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _as_date(value: object, what: str) -> date:
    """A form's or frame's date (date, datetime, pandas Timestamp) as a plain date."""
    if isinstance(value, datetime):  # pd.Timestamp is a datetime; NaT is not
        return value.date()
    if isinstance(value, date):
        return value
    raise ActionError(f"Give the {what}.")


def _one_line(value: object, what: str, limit: int, missing: str) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    if not text:
        raise ActionError(missing)
    if len(text) > limit:
        raise ActionError(f"The {what} is too long: keep it to {limit} characters.")
    if any(ord(character) < 32 or ord(character) == 127 for character in text):
        raise ActionError(f"The {what} must be a single line of plain text.")
    return text


def measure_ids(value: object) -> tuple[str, ...]:
    """Linked measure ids from a tuple or list, or from comma-separated text (as the store keeps them)."""
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, Iterable):
        parts = [str(part) for part in value]
    else:  # None, NaN: no measures linked
        return ()
    return tuple(part.strip() for part in parts if part.strip())


def validate_action(draft: ActionDraft) -> ActionDraft:
    """The draft tidied (text stripped, measures de-duplicated in MEASURES order), or ActionError.

    Checked here rather than in the store so a form can say what is wrong before anything is written.
    An action may link to measures of either area (a performance report serves both) or to none.
    """
    title = _one_line(draft.title, "title", TITLE_MAX_CHARS, "Give the action a title.")
    owner = _one_line(draft.owner, "owner", OWNER_MAX_CHARS, "Name the owner (a role such as Team leader).")
    if draft.improvement_area not in IMPROVEMENT_AREAS:
        raise ActionError(f"Choose one of the improvement areas: {' or '.join(IMPROVEMENT_AREAS)}.")
    linked = measure_ids(draft.measures)
    unknown = [measure for measure in linked if measure not in MEASURE_IDS]
    if unknown:
        raise ActionError(f"There is no measure called {unknown[0]!r}.")
    if draft.status not in ACTION_STATUSES:
        raise ActionError(f"The status must be one of: {', '.join(ACTION_STATUSES)}.")
    start = _as_date(draft.start_date, "start date")
    due = _as_date(draft.due_date, "due date")
    if due < start:
        raise ActionError(f"The due date ({_uk(due)}) is before the start date ({_uk(start)}).")
    return ActionDraft(
        title=title,
        improvement_area=draft.improvement_area,
        measures=tuple(measure for measure in MEASURE_IDS if measure in linked),
        owner=owner,
        start_date=start,
        due_date=due,
        status=draft.status,
    )


def validate_note(note: str) -> str:
    """A progress note tidied (stripped), or ActionError: notes may run to several lines, never empty."""
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        raise ActionError("Write the progress note before saving it.")
    if len(text) > NOTE_MAX_CHARS:
        raise ActionError(f"The note is too long: keep it to {NOTE_MAX_CHARS} characters.")
    if any((ord(character) < 32 and character not in "\n\t") or ord(character) == 127 for character in text):
        raise ActionError("The note holds control characters; type it as plain text.")
    return text


def draft_from_row(row: Mapping[str, object] | pd.Series) -> ActionDraft:
    """A stored action (a row of `store.list_actions`) as a draft, to prefill an edit form."""
    return ActionDraft(
        title=str(row["title"]),
        improvement_area=str(row["improvement_area"]),
        measures=measure_ids(row["measures"]),
        owner=str(row["owner"]),
        start_date=_as_date(row["start_date"], "start date"),
        due_date=_as_date(row["due_date"], "due date"),
        status=str(row["status"]),
    )


def overdue_first(actions: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Actions for the overview: overdue ones first, then by due date, then by title.

    Adds `overdue` (bool: due before `as_at` and not complete; an action due on `as_at` is not yet
    overdue) and `days_overdue` (Int64 calendar days past due, <NA> when not overdue), so a manager sees
    first what has slipped and by how long.
    """
    frame = actions.reset_index(drop=True).copy()
    due = pd.to_datetime(frame["due_date"])
    as_at_stamp = pd.Timestamp(as_at)
    overdue = (due < as_at_stamp) & (frame["status"].astype(str) != COMPLETE)
    frame["overdue"] = overdue.astype(bool)
    frame["days_overdue"] = (as_at_stamp - due).dt.days.where(frame["overdue"]).astype("Int64")
    order = pd.DataFrame(
        {
            "not_overdue": ~frame["overdue"],
            "due": due,
            "title": frame["title"].astype(str).str.casefold(),
        }
    ).sort_values(["not_overdue", "due", "title"], kind="stable", na_position="last")
    return frame.loc[order.index].reset_index(drop=True)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=_ANNOTATION_DTYPES[column]) for column in columns})


def chart_annotations(actions: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """Dated events of the actions linked to one measure: (date, event "started"/"completed", title).

    "started" is the start date of an action that has started (status other than not started), so a
    planned start is not drawn as if it had happened; "completed" is the day it was completed. Ordered by
    date, started before completed on the same day, then title.
    """
    if actions.empty:
        return _empty(ANNOTATION_COLUMNS)
    linked = actions[actions["measures"].map(lambda value: measure_id in measure_ids(value))]
    started = linked[linked["status"].astype(str) != NOT_STARTED]
    events = pd.concat(
        [
            pd.DataFrame(
                {"date": pd.to_datetime(started["start_date"]), "event": STARTED, "title": started["title"]}
            ),
            pd.DataFrame(
                {"date": pd.to_datetime(linked["completed_on"]), "event": COMPLETED, "title": linked["title"]}
            ),
        ],
        ignore_index=True,
    )
    events = events[events["date"].notna()].astype(
        {"date": "datetime64[ns]", "event": object, "title": object}
    )
    events["_event_order"] = events["event"].map({STARTED: 0, COMPLETED: 1})
    events = events.sort_values(["date", "_event_order", "title"], kind="stable")
    return events[list(ANNOTATION_COLUMNS)].reset_index(drop=True)


def quarter_annotations(
    annotations: pd.DataFrame, quarter_labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """Chart events with the financial quarter each falls in: (quarter, event, title, date).

    An event counts in the quarter of its date (SPEC 3.4: 31/12/2020 is "2020-21 Q3", 01/01/2021 is
    "2020-21 Q4"). Given the quarters a chart shows (`quarter_labels`), events in other quarters are left
    out, since a category axis cannot place them, and the rest follow the chart's quarter order, then date.
    """
    frame = annotations.reset_index(drop=True)
    if frame.empty:
        return _empty(QUARTER_ANNOTATION_COLUMNS)
    dates = pd.to_datetime(frame["date"])
    labels, _starts = quarter_labels_and_starts(as_days(dates))
    result = pd.DataFrame(
        {
            "quarter": pd.Series(labels.astype(object), index=frame.index, dtype=TEXT_DTYPE),
            "event": frame["event"].astype(object),
            "title": frame["title"].astype(object),
            "date": dates.astype("datetime64[ns]"),
        }
    )
    result = result[result["quarter"].notna()]
    if quarter_labels is not None:
        position = {label: index for index, label in enumerate(quarter_labels)}
        result = result[result["quarter"].isin(list(position))]
        result = result.assign(_position=result["quarter"].map(position)).sort_values(
            ["_position", "date"], kind="stable"
        )
    return result[list(QUARTER_ANNOTATION_COLUMNS)].reset_index(drop=True)


def action_table(actions: pd.DataFrame) -> pd.DataFrame:
    """An `overdue_first` frame as the pages show it: words for columns, measures by title, blanks blank.

    "Overdue" says by how long ("12 days"), so the slipped actions read without colour.
    """
    titles = {measure.id: measure.title for measure in MEASURES}
    overdue = actions["days_overdue"]
    # What a manager scans for first (status, due, how late) comes before the longer texts, so a
    # narrow screen cuts off the measures, not the status.
    return pd.DataFrame(
        {
            "Action": actions["title"],
            "Status": actions["status"].astype(str).str.capitalize(),
            "Due": pd.to_datetime(actions["due_date"]),
            "Overdue": overdue.map(lambda days: "" if pd.isna(days) else f"{int(days)} days", na_action=None),
            "Owner": actions["owner"],
            "Start": pd.to_datetime(actions["start_date"]),
            "Completed on": pd.to_datetime(actions["completed_on"]),
            "Improvement area": actions["improvement_area"],
            "Measures": actions["measures"].map(
                lambda value: "; ".join(titles[i] for i in measure_ids(value))
            ),
        }
    )
