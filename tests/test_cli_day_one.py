"""The command line as a new user meets it on the first day (issue 8, "Command line"): where the store
is, dates and names typed wrongly, output piped into `head`, and an older extract loaded after a newer one."""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from tests.test_cli import ORDERS_CSV, ROOT, run

# The same three orders as tests/test_cli.py, taken a month earlier: DEMO-001's induction (03/06/2020)
# had not happened yet, so loading this after ORDERS_CSV would change that one record back.
OLDER_ORDERS_CSV = ORDERS_CSV.replace("Report run on 01/07/2020", "Report run on 31/05/2020").replace(
    "26/05/2020,03/06/2020", "26/05/2020,"
)


@pytest.fixture
def stored(capsys, sqlite_url: str, tmp_path: Path) -> str:
    """A store holding ORDERS_CSV (North (demo) and South (demo) teams; data as at 01/07/2020)."""
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    assert run(capsys, sqlite_url, "ingest", str(path))[0] == 0
    return sqlite_url


def subcommand_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command, nested ones included: ("report",), ("users", "add"), ..."""
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                nested = subcommand_paths(child, (*prefix, name))
                paths.extend(nested or [(*prefix, name)])
    return paths


def parser_of(path: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = cli.build_parser()
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


COMMANDS = subcommand_paths(cli.build_parser())


def test_every_command_is_found():
    assert {("report",), ("ingest",), ("users", "add"), ("settings", "set"), ("audit-purge",)} <= set(
        COMMANDS
    )


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_db_may_stand_after_every_subcommand(path):
    parser = parser_of(path)
    db_option = next((a for a in parser._actions if "--db" in a.option_strings), None)
    assert db_option is not None, f"{' '.join(path)} does not take --db after it"
    assert db_option.default is argparse.SUPPRESS  # a --db before the subcommand is kept


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_subcommands_help_describes_its_options(path):
    parser = parser_of(path)
    assert parser.description, f"{' '.join(path)} --help has no description"
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"{' '.join(path)}: {action.option_strings or action.dest} has no help"


def test_db_after_the_subcommand_reaches_the_same_store(capsys, stored):
    code = cli.main(["--user", "tester", "uploads", "--db", stored])
    out = capsys.readouterr().out
    assert code == 0 and "orders.csv" in out


def test_a_missing_sqlite_file_is_refused_unless_ingest_or_demo_creates_it(capsys, tmp_path):
    typo = tmp_path / "compliance.sqlite"
    for command in (["report"], ["uploads"], ["settings", "show"], ["users", "list"], ["due"]):
        code, out, err = run(capsys, f"sqlite:///{typo}", *command)
        assert (code, out) == (4, ""), command
        assert err.strip() == (
            f"error: there is no store at {typo}; check --db, "
            "or create it with `cli.py ingest` or `cli.py demo`"
        )
        assert not typo.exists()

    assert run(capsys, f"sqlite:///{typo}", "demo")[0] == 0
    assert typo.exists()


def test_ingest_creates_the_store_it_is_pointed_at(capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    new_store = tmp_path / "new.sqlite3"
    assert run(capsys, f"sqlite:///{new_store}", "ingest", str(path))[0] == 0
    assert new_store.exists()


def test_an_unreachable_database_is_one_line_naming_no_host_or_password(capsys):
    code, _, err = run(capsys, "postgresql://officer:s3cret-pass@127.0.0.1:1/jsw", "uploads")

    assert code == 5
    assert err.strip() == "error: the database cannot be reached or opened"
    assert "s3cret" not in err and "127.0.0.1" not in err and "officer" not in err


def test_output_piped_into_a_reader_that_stops_ends_quietly(stored):
    reader_gone = subprocess.Popen(
        [sys.executable, "cli.py", "--db", stored, "report", "--as-at", "2020-07-01", "--format", "csv"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader_gone.stdout.close()  # as `| head -0` does, before the report is written
    stderr = reader_gone.stderr.read().decode()
    assert reader_gone.wait(timeout=60) == 0
    assert stderr == ""


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2021-02-30", "30 February 2021 does not exist"),
        ("2021-02-29", "29 February 2021 does not exist"),
        ("2021-13-01", "there is no month 13"),
        ("15/02/2021", "'15/02/2021' is not a date in the form YYYY-MM-DD"),
    ],
)
def test_an_impossible_date_is_named_as_a_person_would_say_it(capsys, stored, typed, said):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--db", stored, "report", "--as-at", typed])
    assert exit_.value.code != 0
    assert capsys.readouterr().err.strip().endswith(said)


def test_2020_02_29_is_a_real_day(capsys, stored):
    assert run(capsys, stored, "report", "--as-at", "2020-02-29")[0] == 0


@pytest.mark.parametrize(
    ("values", "said"),
    [
        (
            ["target", "lscmi", "200", "2020-04-01"],
            "target lscmi 200 2020-04-01: PERCENT must be a number from 0 to 100",
        ),
        (
            ["rule", "lscmi", "-3", "working_days"],
            "rule lscmi -3 working_days: NUMBER must be a whole number from 0 to 999",
        ),
        (
            ["rule", "upw", "3", "working_days"],
            "rule upw 3 working_days: 'upw' is not a timescale measure id",
        ),
        (
            ["review-schedule", "0", "6", "6"],
            "review-schedule 0 6 6: FIRST must be a whole number from 1 to 120",
        ),
        (["holiday", "add", "2021-02-30"], "30 February 2021 does not exist"),
    ],
)
def test_settings_messages_name_the_setting_as_the_user_wrote_it(capsys, stored, values, said):
    code, _, err = run(capsys, stored, "settings", "set", *values)

    assert code == 4
    assert err.strip() == f"error: settings not saved: {said}"
    assert "targets." not in err and "rules." not in err and "[" not in err


def test_an_imported_file_is_named_without_list_positions(capsys, stored, tmp_path):
    settings_file = tmp_path / "targets.toml"
    settings_file.write_text(
        "[[targets.lscmi]]\neffective_from = 2020-04-01\ntarget = 120\n", encoding="utf-8"
    )

    code, _, err = run(capsys, stored, "settings", "import", str(settings_file))

    assert code == 4
    assert (
        err.strip()
        == "error: settings not saved: targets.toml: targets.lscmi target must be a number from 0 to 100"
    )


def test_measure_ids_and_setting_measures_are_matched_in_any_case(capsys, stored):
    code, out, _ = run(
        capsys, stored, "report", "--as-at", "2020-07-01", "--measure", "First_Contact", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(row["measure"], row["met"], row["missed"]) for row in rows] == [
        ("first_contact", "1", "1")
    ]

    assert run(capsys, stored, "spc", "--measure", "INDUCTION", "--as-at", "2020-07-01")[0] == 0
    assert run(capsys, stored, "settings", "set", "target", "LSCMI", "85", "2020-04-01")[0] == 0


def test_a_reversed_quarter_range_exits_4_with_its_reason(capsys, stored):
    code, out, err = run(capsys, stored, "report", "--from", "2020-21 Q4", "--to", "2019-20 Q1")

    assert (code, out) == (4, "")
    assert (
        err.strip() == "error: --from 2020-21 Q4 comes after --to 2019-20 Q1; give the earlier quarter first"
    )


@pytest.mark.parametrize(
    "command",
    [["report"], ["spc", "--measure", "induction"], ["due"]],
    ids=lambda command: command[0],
)
def test_an_unknown_team_exits_4_naming_the_teams_there_are(capsys, stored, command):
    code, out, err = run(capsys, stored, *command, "--as-at", "2020-07-01", "--team", "Nort")

    assert (code, out) == (4, "")
    assert err.strip() == "error: no team called 'Nort'; teams in the store: North (demo), South (demo)"


def test_a_team_is_matched_whatever_its_case_or_spacing(capsys, stored):
    code, out, _ = run(
        capsys,
        stored,
        "report",
        "--as-at",
        "2020-07-01",
        "--team",
        "north  (DEMO)",
        "--measure",
        "induction",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    # North (demo): DEMO-001 missed its induction, DEMO-003 is excluded.
    assert code == 0 and [(row["met"], row["missed"], row["excluded"]) for row in rows] == [("0", "1", "1")]


def test_a_text_file_is_not_a_spreadsheet(capsys, sqlite_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(ORDERS_CSV, encoding="utf-8")  # even holding CSV text, a .txt is refused

    code, _, err = run(capsys, sqlite_url, "ingest", str(notes))

    assert code == 2
    assert err.strip() == (
        "error: notes.txt: not a spreadsheet (expected .xlsx, .xlsm, .xls, .ods, .csv); nothing was stored"
    )


def test_an_older_extract_after_a_newer_one_is_refused_until_allowed(capsys, stored, tmp_path):
    older = tmp_path / "older.csv"
    older.write_text(OLDER_ORDERS_CSV, encoding="utf-8")

    code, out, err = run(capsys, stored, "ingest", str(older))

    assert (code, out) == (4, "")
    assert err.strip() == (
        "error: older.csv: not stored: its data date 31/05/2020 is older than the orders already "
        "stored (data as at 01/07/2020); storing it would change 1 record back to older values. "
        "Run again with --allow-older to store it anyway"
    )
    assert len(run(capsys, stored, "uploads")[1].splitlines()) == 1

    code, out, _ = run(capsys, stored, "ingest", str(older), "--allow-older")
    assert code == 0 and "(0 new / 1 updated / 2 unchanged)" in out


def test_uploads_list_each_uploads_data_date(capsys, stored):
    assert "orders  data as at 2020-07-01  new 3" in run(capsys, stored, "uploads")[1]
