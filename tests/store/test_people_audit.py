"""People and the audit trail in the store, on SQLite and PostgreSQL.

The trail is append-only in the database itself; every change the store makes writes its audit row in
the same transaction (a failed upload writes none); the purge is the one deletion, and it is recorded.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

import store.ingest
import store.settings_store
from store import (
    PeopleError,
    StoreError,
    add_person,
    get_person,
    list_audit,
    list_people,
    purge_audit,
    record_event,
    record_export,
    rejected_rows,
    remove_person,
    save_settings,
    store_sheet,
    undo_upload,
)
from store.tables import audit_log
from tests.store.sheets import ORDER_ROWS, make_sheet, sha_of


class Boom(RuntimeError):
    pass


def _actions(engine) -> list[str]:
    return list_audit(engine)["action"].tolist()


# --- people ------------------------------------------------------------------------------------------


def test_people_are_added_changed_and_removed_by_lower_cased_email_and_each_change_is_recorded(engine):
    added = add_person(
        engine, " Ann@Council.GOV.uk ", "team_leader", ["North", "South"], "boss@council.gov.uk"
    )
    assert (added.email, added.role, added.teams) == ("ann@council.gov.uk", "team_leader", ("North", "South"))
    assert get_person(engine, "ANN@council.gov.uk") == added
    assert get_person(engine, "nobody@council.gov.uk") is None

    add_person(engine, "ann@council.gov.uk", "team_leader", ["North", "South"], "boss")  # the same: no change
    add_person(engine, "ann@council.gov.uk", "manager", [], "boss")
    assert get_person(engine, "ann@council.gov.uk").role == "manager"
    remove_person(engine, "Ann@council.gov.uk", "boss")
    assert list_people(engine) == []

    trail = list_audit(engine)
    assert trail["action"].tolist() == ["people"] * 3
    assert trail["user"].tolist() == ["boss@council.gov.uk", "boss", "boss"]
    assert trail["detail"].tolist() == [
        "added ann@council.gov.uk as team_leader; teams: North, South",
        "changed ann@council.gov.uk: role team_leader -> manager; teams North, South -> none",
        "removed ann@council.gov.uk (was manager)",
    ]


def test_the_last_admin_cannot_be_removed_or_demoted(engine):
    add_person(engine, "admin@x.org", "admin", [], "cli")
    with pytest.raises(PeopleError, match="only admin"):
        remove_person(engine, "admin@x.org", "cli")
    with pytest.raises(PeopleError, match="only admin"):
        add_person(engine, "admin@x.org", "viewer", [], "cli")
    add_person(engine, "second@x.org", "admin", [], "admin@x.org")
    remove_person(engine, "admin@x.org", "second@x.org")
    assert [person.email for person in list_people(engine)] == ["second@x.org"]


def test_an_unknown_role_or_person_is_refused_and_nothing_recorded(engine):
    with pytest.raises(PeopleError):
        add_person(engine, "a@x.org", "superuser", [], "cli")
    with pytest.raises(PeopleError):
        remove_person(engine, "ghost@x.org", "cli")
    assert _actions(engine) == []


def test_teams_written_by_hand_as_comma_text_are_read(engine):
    add_person(engine, "t@x.org", "team_leader", ["North"], "cli")
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE people SET teams = 'North, South Team' WHERE email = 't@x.org'"))
    assert get_person(engine, "t@x.org").teams == ("North", "South Team")


# --- the audit trail is append-only ------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_audit_rows(engine):
    record_event(engine, "ann@x.org", "sign_in", "signed in as manager")
    for statement in (
        sa.update(audit_log).values(user="someone else"),
        sa.delete(audit_log),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    assert list_audit(engine)["user"].tolist() == ["ann@x.org"]


def test_postgresql_refuses_truncate_and_an_update_even_while_purging(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE and SET LOCAL are PostgreSQL's")
    record_event(engine, "ann@x.org", "sign_in", "signed in")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.exec_driver_sql("TRUNCATE audit_log")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL jsw.audit_purge = 'on'")
        connection.execute(sa.update(audit_log).values(detail="rewritten"))
    assert list_audit(engine)["detail"].tolist() == ["signed in"]


def test_an_unknown_action_is_refused(engine):
    with pytest.raises(StoreError, match="unknown audit action"):
        record_event(engine, "ann@x.org", "delete_everything", "")


def _old_row(engine, user: str, action: str, days_ago: int) -> None:
    """An entry written `days_ago` days ago (inserting is allowed; only changing and deleting are not)."""
    with engine.begin() as connection:
        connection.execute(
            sa.insert(audit_log).values(
                at=datetime.now(UTC) - timedelta(days=days_ago),
                user=user,
                action=action,
                detail="",
                rows=None,
            )
        )


def test_the_purge_removes_only_old_rows_and_records_itself(engine):
    _old_row(engine, "old@x.org", "sign_in", 7 * 366)
    _old_row(engine, "old@x.org", "sign_out", 7 * 366)
    _old_row(engine, "new@x.org", "sign_in", 5 * 366)
    cut_off = datetime.now(UTC).date() - timedelta(days=6 * 366)

    removed = purge_audit(engine, cut_off, "admin@x.org")

    trail = list_audit(engine)
    assert removed == 2
    assert trail["user"].tolist() == ["new@x.org", "admin@x.org"]
    purge = trail.iloc[-1]
    assert (purge["action"], purge["rows"]) == ("audit_purge", 2)
    assert cut_off.isoformat() in purge["detail"]
    # The purge's permission ended with its transaction.
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(sa.delete(audit_log))


def test_list_audit_filters_by_time_person_and_action_oldest_first(engine):
    record_event(engine, "Ann@x.org", "sign_in", "signed in")
    record_event(engine, "bob@x.org", "export", "{}", rows=12)
    record_event(engine, "ann@x.org", "view_cases", "{}", rows=3)

    everything = list_audit(engine)
    assert everything["action"].tolist() == ["sign_in", "export", "view_cases"]
    assert everything["at"].dt.tz is not None
    assert list_audit(engine, user="ANN@x.org")["action"].tolist() == ["sign_in", "view_cases"]
    assert list_audit(engine, action="export")["rows"].tolist() == [12]
    assert list_audit(engine, since=date.today() + timedelta(days=1)).empty
    assert list_audit(engine, until=date.today() - timedelta(days=1)).empty
    assert pd.isna(everything.loc[0, "rows"])


# --- every change records itself, in its own transaction ----------------------------------------------


def test_an_upload_an_undo_settings_and_an_export_each_write_their_audit_row(engine):
    summary = store_sheet(
        engine, make_sheet("orders", ORDER_ROWS), file_name="a.csv", sha256=sha_of("a"), user="o@x"
    )
    undo_upload(engine, summary.upload_id, user="o@x")
    save_settings(engine, {}, user="o@x")
    record_export(
        engine,
        user="m@x",
        what="orders",
        filters={"team": ["North"]},
        rows=7,
        file_format="csv",
        sha256="f" * 64,
    )

    trail = list_audit(engine)
    assert trail["action"].tolist() == ["upload", "undo", "settings", "export"]
    assert trail["user"].tolist() == ["o@x", "o@x", "o@x", "m@x"]
    assert trail["rows"].tolist() == [len(ORDER_ROWS), len(ORDER_ROWS), pd.NA, 7]
    upload = json.loads(trail.loc[0, "detail"])
    assert (upload["file"], upload["dataset"], upload["new"]) == ("a.csv", "orders", len(ORDER_ROWS))
    export = json.loads(trail.loc[3, "detail"])
    assert (export["what"], export["filters"], export["format"]) == ("orders", {"team": ["North"]}, "csv")
    assert "00412" not in " ".join(trail["detail"])  # case references never reach the trail


def test_a_failed_upload_writes_no_audit_row(engine, monkeypatch):
    def fail(*args, **kwargs):
        raise Boom("disk on fire")

    monkeypatch.setattr(store.ingest, "write_holdings", fail)
    with pytest.raises(Boom):
        store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="a", sha256=sha_of("a"), user="o@x")
    assert _actions(engine) == []


def test_a_failing_audit_write_takes_the_upload_back_with_it(engine, monkeypatch):
    def fail(*args, **kwargs):
        raise Boom("audit table unavailable")

    monkeypatch.setattr(store.ingest, "record_event", fail)
    with pytest.raises(Boom):
        store_sheet(engine, make_sheet("orders", ORDER_ROWS), file_name="a", sha256=sha_of("a"), user="o@x")
    assert store.list_uploads(engine) == []
    assert store.read_dataset(engine, "orders").empty


def test_a_failed_settings_save_writes_no_audit_row(engine, monkeypatch):
    monkeypatch.setattr(store.settings_store, "utc_now", lambda: (_ for _ in ()).throw(Boom()))
    with pytest.raises(Boom):
        save_settings(engine, {}, user="o@x")
    assert _actions(engine) == []


def test_rejected_rows_keep_their_team_so_a_scope_sees_only_its_own(engine):
    sheet = make_sheet("orders", ORDER_ROWS)
    sheet.rejects = pd.DataFrame(
        {
            "sheet": [None, None, None],
            "row": [7, 8, 9],
            "column": ["order_date"] * 3,
            "value": ["x", "y", "z"],
            "reason": ["not a date"] * 3,
            "team": ["North", "south", None],
        }
    )
    upload = store_sheet(engine, sheet, file_name="a", sha256=sha_of("a"), user="o@x").upload_id

    assert rejected_rows(engine, upload)["row"].tolist() == [7, 8, 9]
    assert rejected_rows(engine, upload, ("north", "South"))["row"].tolist() == [7, 8]
    assert rejected_rows(engine, upload, ("East",)).empty
    assert list(rejected_rows(engine, upload, ("North",)).columns) == [
        "sheet",
        "row",
        "column",
        "value",
        "reason",
    ]
