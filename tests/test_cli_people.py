"""`cli.py users`, `audit` and `audit-purge` (SPEC 7.4), as an administrator or a scheduled job runs them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

import cli
import store
from store.tables import audit_log
from tests.test_cli import ORDERS_CSV


def run(
    capsys: pytest.CaptureFixture[str], db: str, *args: str, user: str = "tester"
) -> tuple[int, str, str]:
    code = cli.main(["--db", db, "--user", user, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_first_admin_is_added_from_the_command_line_and_listed(capsys, sqlite_url):
    code, _, err = run(capsys, sqlite_url, "users", "list")
    assert code == 4 and "there is no store at" in err  # listing never creates a store by a typing slip
    import store

    store.connect(sqlite_url)
    code, out, _ = run(capsys, sqlite_url, "users", "list")
    assert code == 0 and "python cli.py users add EMAIL --role admin" in out

    assert run(capsys, sqlite_url, "users", "add", "Boss@Council.gov.uk", "--role", "admin")[0] == 0
    code, out, _ = run(
        capsys,
        sqlite_url,
        "users",
        "add",
        "tl@council.gov.uk",
        "--role",
        "team_leader",
        "--team",
        "North",
        "South",
    )
    assert code == 0 and out.strip() == "tl@council.gov.uk is team_leader for North, South"
    assert (
        run(
            capsys, sqlite_url, "users", "add", "tl@council.gov.uk", "--role", "team_leader", "--team", "East"
        )[0]
        == 0
    )

    code, out, _ = run(capsys, sqlite_url, "users", "list")
    lines = out.splitlines()
    assert lines[0].startswith("boss@council.gov.uk  admin  (added ")
    assert lines[1].startswith("tl@council.gov.uk  team_leader  teams: East  (added ")
    assert "by tester" in lines[1]


def test_users_refuses_what_cannot_work_in_one_line_exit_4(capsys, sqlite_url):
    code, _, err = run(capsys, sqlite_url, "users", "add", "t@x.org", "--role", "team_leader")
    assert (code, err.strip()) == (4, "error: a team leader needs at least one team (--team NAME)")
    run(capsys, sqlite_url, "users", "add", "a@x.org", "--role", "admin")
    code, _, err = run(capsys, sqlite_url, "users", "remove", "a@x.org")
    assert code == 4 and "only admin" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, sqlite_url, "users", "remove", "ghost@x.org")
    assert code == 4 and "no role" in err
    with pytest.raises(SystemExit):  # argparse: an unknown role is a usage error
        cli.main(["--db", sqlite_url, "users", "add", "a@x.org", "--role", "boss"])


def test_db_may_follow_the_subcommand(capsys, sqlite_url):
    code = cli.main(["users", "add", "a@x.org", "--role", "viewer", "--db", sqlite_url])
    capsys.readouterr()
    assert code == 0
    assert [person.email for person in store.list_people(store.connect(sqlite_url))] == ["a@x.org"]


def test_audit_csv_is_spec_7_4_oldest_first_in_utc(capsys, sqlite_url, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    run(capsys, sqlite_url, "users", "add", "a@x.org", "--role", "admin", user="installer")
    run(capsys, sqlite_url, "ingest", str(orders), user="officer@x.org")
    run(capsys, sqlite_url, "due", "--as-at", "2020-06-30", "--format", "csv", user="officer@x.org")

    code, out, _ = run(capsys, sqlite_url, "audit", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert out.splitlines()[0] == "at,user,action,detail,rows"
    assert [(row["user"], row["action"]) for row in rows] == [
        ("installer", "people"),
        ("officer@x.org", "upload"),
        ("officer@x.org", "export"),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["at"]) for row in rows)
    assert [row["at"] for row in rows] == sorted(row["at"] for row in rows)
    assert rows[0]["rows"] == "" and rows[1]["rows"] == "3"  # three orders stored, one rejected
    assert "DEMO-00" not in out  # case references never reach the trail

    code, out, _ = run(
        capsys, sqlite_url, "audit", "--format", "csv", "--user", "OFFICER@x.org", "--action", "upload"
    )
    assert [row["action"] for row in csv.DictReader(io.StringIO(out))] == ["upload"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    code, out, _ = run(capsys, sqlite_url, "audit", "--since", tomorrow)
    assert (code, out.strip()) == (0, "No audit entries for this selection.")
    code, out, _ = run(capsys, sqlite_url, "audit")
    assert out.splitlines()[0].endswith("installer  people  added a@x.org as admin; teams: none")


def test_audit_csv_neutralises_formula_triggers(capsys, sqlite_url):
    store.record_event(store.connect(sqlite_url), "=HYPERLINK(1)", "sign_in", "+signed in")
    _, out, _ = run(capsys, sqlite_url, "audit", "--format", "csv")
    assert "'=HYPERLINK(1)" in out and "'+signed in" in out


def _old_entry(url: str, days_ago: int) -> None:
    with store.connect(url).begin() as connection:
        connection.execute(
            sa.insert(audit_log).values(
                at=datetime.now(UTC) - timedelta(days=days_ago),
                user="old",
                action="sign_in",
                detail="",
                rows=None,
            )
        )


def test_audit_purge_keeps_the_retention_period_and_is_recorded(capsys, sqlite_url, monkeypatch):
    _old_entry(sqlite_url, 7 * 366)
    _old_entry(sqlite_url, 5 * 366)

    code, out, _ = run(capsys, sqlite_url, "audit-purge", user="dpo@x.org")  # default: 6 years
    assert code == 0 and out.startswith("1 audit entries from before ")
    trail = store.list_audit(store.connect(sqlite_url))
    assert trail["user"].tolist() == ["old", "dpo@x.org"]
    assert (trail.iloc[-1]["action"], trail.iloc[-1]["rows"]) == ("audit_purge", 1)

    monkeypatch.setenv(cli.RETENTION_ENVIRONMENT, "4")
    assert run(capsys, sqlite_url, "audit-purge")[1].startswith("1 audit entries")
    assert run(capsys, sqlite_url, "audit-purge", "--older-than-years", "10")[1].startswith("0 audit entries")
    monkeypatch.setenv(cli.RETENTION_ENVIRONMENT, "soon")
    code, _, err = run(capsys, sqlite_url, "audit-purge")
    assert code == 4 and cli.RETENTION_ENVIRONMENT in err


def test_a_year_back_from_29_february_is_28_february():
    assert cli.years_before(date(2024, 2, 29), 6) == date(2018, 2, 28)
    assert cli.years_before(date(2024, 3, 1), 6) == date(2018, 3, 1)
