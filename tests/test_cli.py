"""The command line of SPEC section 6, driven as a performance officer or a scheduled job would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).resolve().parents[1]

# Three orders in 2020-21 Q1 (April-June 2020). Monday 25 May 2020 was the Spring bank holiday.
# - DEMO-001: Friday 22 May; first contact due Tuesday 26 May (the Monday is a holiday) -> met on 26 May.
#   Induction due 5 working days on: 26, 27, 28, 29 May, 1 June -> 1 June; held 3 June -> missed.
# - DEMO-002: Wednesday 1 April; first contact 3 April (due 2 April) -> missed; induction 8 April
#   (due 8 April) -> met.
# - DEMO-003: excluded (transferred in) -> excluded for both measures.
# - row 5 has a date that does not exist -> rejected with its row number.
ORDERS_CSV = """Justice social work - order milestones
Report run on 01/07/2020

Case Ref,Date of Order,Order Type,Requirements,Team,First Contact,Induction Date,Exclusion Reason
DEMO-001,22/05/2020,CPO,Supervision,North (demo),26/05/2020,03/06/2020,
DEMO-002,01/04/2020,CPO,Supervision,South (demo),03/04/2020,08/04/2020,
DEMO-003,15/04/2020,CPO,Supervision,North (demo),,,Transferred in
DEMO-004,31/02/2020,CPO,Supervision,North (demo),,,
"""


def run(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", db, "--user", "tester", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def existing_store(sqlite_url: str) -> str:
    """An empty store that exists (commands other than ingest and demo refuse a missing SQLite file)."""
    import store

    store.connect(sqlite_url)
    return sqlite_url


@pytest.fixture
def orders_csv(tmp_path: Path) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return path


def test_ingest_reports_counts_and_writes_rejected_rows(capsys, sqlite_url, orders_csv, tmp_path):
    rejects = tmp_path / "rejects.csv"
    code, out, err = run(capsys, sqlite_url, "ingest", str(orders_csv), "--rejects", str(rejects))

    assert code == 0, err
    assert "orders.csv: orders: 3 rows stored (3 new / 0 updated / 0 unchanged), 1 rejected" in out
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert [(row["file"], row["row"], row["column"]) for row in rows] == [("orders.csv", "8", "order_date")]
    assert "31/02/2020" in rows[0]["value"]
    assert "not a real date" in rows[0]["reason"]


def test_ingesting_the_same_file_twice_changes_nothing(capsys, sqlite_url, orders_csv):
    run(capsys, sqlite_url, "ingest", str(orders_csv))
    code, out, _ = run(capsys, sqlite_url, "ingest", str(orders_csv))

    assert code == 0
    assert "already loaded as upload 1; nothing changed" in out
    _, uploads, _ = run(capsys, sqlite_url, "uploads")
    assert len(uploads.strip().splitlines()) == 1


def test_unreadable_file_exits_2_with_one_line_and_stores_nothing(capsys, sqlite_url, orders_csv, tmp_path):
    fake = tmp_path / "orders.xlsx"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)

    code, _, err = run(capsys, sqlite_url, "ingest", str(orders_csv), str(fake))

    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: orders.xlsx:")
    assert "Traceback" not in err
    _, uploads, _ = run(capsys, sqlite_url, "uploads")
    assert uploads.strip() == "No uploads yet."  # the readable file was not stored either


def test_uploads_lists_history_and_undo_takes_an_upload_back(capsys, sqlite_url, orders_csv, tmp_path):
    run(capsys, sqlite_url, "ingest", str(orders_csv))
    newer = tmp_path / "orders_july.csv"
    newer.write_text(ORDERS_CSV.replace("03/06/2020", "01/06/2020"), encoding="utf-8")
    code, out, _ = run(capsys, sqlite_url, "ingest", str(newer))
    assert "(0 new / 1 updated / 2 unchanged)" in out

    _, uploads, _ = run(capsys, sqlite_url, "uploads")
    lines = uploads.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["2", "1"]  # newest first, each line starts with its id
    assert "tester" in lines[0] and "orders_july.csv" in lines[0]
    assert "new 0 / updated 1 / unchanged 2 / rejected 1" in lines[0]

    before = _csv_report(capsys, sqlite_url, "--measure", "induction")
    assert before[0]["met"] == "2"  # the corrected induction date made DEMO-001 on time
    code, out, err = run(capsys, sqlite_url, "undo", "2")
    assert code == 0, err
    assert "1 records restored" in out
    after = _csv_report(capsys, sqlite_url, "--measure", "induction")
    assert (after[0]["met"], after[0]["missed"]) == ("1", "1")

    code, _, err = run(capsys, sqlite_url, "undo", "2")
    assert code == 4 and "already" in err


def _csv_report(capsys, db: str, *extra: str) -> list[dict[str, str]]:
    code, out, err = run(capsys, db, "report", "--as-at", "2020-07-01", "--format", "csv", *extra)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_report_csv_is_exactly_the_spec_format(capsys, sqlite_url, orders_csv):
    run(capsys, sqlite_url, "ingest", str(orders_csv))
    code, out, _ = run(
        capsys,
        sqlite_url,
        "report",
        "--as-at",
        "2020-07-01",
        "--format",
        "csv",
        "--measure",
        "first_contact",
        "induction",
    )

    assert code == 0
    assert out.splitlines() == [
        "measure,quarter,met,missed,pending,excluded,invalid,rate,target,rag",
        "first_contact,2020-21 Q1,1,1,0,1,0,50.0,90,red",
        "induction,2020-21 Q1,1,1,0,1,0,50.0,90,red",
    ]


def test_report_filters_by_team_and_quarter_and_speaks_json(capsys, sqlite_url, orders_csv):
    run(capsys, sqlite_url, "ingest", str(orders_csv))

    north = _csv_report(capsys, sqlite_url, "--measure", "first_contact", "--team", "North (demo)")
    assert [(row["met"], row["missed"], row["excluded"]) for row in north] == [("1", "0", "1")]
    assert north[0]["rag"] == "green"
    assert _csv_report(capsys, sqlite_url, "--from", "2020-21 Q2") == []

    code, out, _ = run(
        capsys, sqlite_url, "report", "--as-at", "2020-07-01", "--format", "json", "--measure", "cmp"
    )
    assert code == 0
    document = json.loads(out)
    assert document["rows"][0]["measure"] == "cmp"
    assert document["rows"][0]["missed"] == 2  # no CMP recorded, 28 days passed for both live orders


def test_settings_change_the_report(capsys, sqlite_url, orders_csv):
    run(capsys, sqlite_url, "ingest", str(orders_csv))
    code, _, err = run(capsys, sqlite_url, "settings", "set", "target", "first_contact", "50", "2020-04-01")
    assert code == 0, err

    rows = _csv_report(capsys, sqlite_url, "--measure", "first_contact")
    assert (rows[0]["target"], rows[0]["rag"]) == ("50", "green")

    code, _, err = run(capsys, sqlite_url, "settings", "set", "target", "first_contact", "150", "2020-04-01")
    assert code == 4 and "settings not saved" in err


def test_demo_fills_an_empty_store_and_refuses_one_with_real_uploads(
    capsys, sqlite_url, orders_csv, tmp_path
):
    code, out, _ = run(capsys, sqlite_url, "demo")
    assert code == 0
    assert "synthetic records stored" in out
    _, uploads, _ = run(capsys, sqlite_url, "uploads")
    assert uploads.count("(demo)") == 3

    real_store = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    run(capsys, real_store, "ingest", str(orders_csv))
    code, _, err = run(capsys, real_store, "demo")
    assert code == 4 and "real uploads" in err


def test_a_real_process_prints_no_traceback(sqlite_url, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "cli.py", "--db", sqlite_url, "ingest", str(empty)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: empty.csv:")


def test_rejects_are_written_even_when_the_file_was_already_loaded(capsys, sqlite_url, orders_csv, tmp_path):
    run(capsys, sqlite_url, "ingest", str(orders_csv))
    rejects = tmp_path / "again.csv"
    code, out, _ = run(capsys, sqlite_url, "ingest", str(orders_csv), "--rejects", str(rejects))

    assert code == 0 and "already loaded" in out
    rows = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert [row["row"] for row in rows] == ["8"]


def test_a_bad_number_in_settings_is_refused_in_one_line(capsys, existing_store):
    code, _, err = run(capsys, existing_store, "settings", "set", "target", "lscmi", "abc", "2020-04-01")

    assert code == 4
    assert err.strip() == "error: 'abc' is not a number"


def test_settings_import_merges_a_toml_file_part_by_part(capsys, existing_store, tmp_path):
    sqlite_url = existing_store
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(
        'local_holidays = [2021-04-05]\n[rules.lscmi]\nnumber = 20\nunit = "working_days"\n', encoding="utf-8"
    )
    code, _, err = run(capsys, sqlite_url, "settings", "import", str(settings_file))
    assert code == 0, err

    _, out, _ = run(capsys, sqlite_url, "settings", "show")
    document = json.loads(out)
    assert document["rules"]["lscmi"] == {"number": 20, "unit": "working_days"}
    assert document["rules"]["induction"] == {"number": 5, "unit": "working_days"}  # untouched rule kept
    assert document["local_holidays"] == ["2021-04-05"]


def test_a_recognised_sheet_that_cannot_be_read_is_named_not_silently_dropped(capsys, sqlite_url, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    orders = workbook.active
    orders.title = "Orders"
    orders.append(["Case Ref", "Order Date"])
    orders.append(["DEMO-9", "01/04/2020"])
    reviews = workbook.create_sheet("Reviews")
    reviews.append(["Case Ref", "Review Held", "Participated"])  # no due date, nor order date + number
    reviews.append(["DEMO-9", "01/07/2020", "Yes"])
    path = tmp_path / "book.xlsx"
    workbook.save(path)

    code, out, err = run(capsys, sqlite_url, "ingest", str(path))

    assert code == 0
    assert "book.xlsx [Orders]: orders: 1 rows stored" in out
    assert "warning: sheet 'Reviews' of 'book.xlsx'" in err and "that sheet was not stored" in err


def test_an_unchanged_file_offered_again_is_not_even_parsed(capsys, sqlite_url, orders_csv, monkeypatch):
    import loaders

    run(capsys, sqlite_url, "ingest", str(orders_csv))

    def must_not_parse(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(loaders, "read_extract", must_not_parse)
    code, out, err = run(capsys, sqlite_url, "ingest", str(orders_csv))
    assert code == 0, err
    assert "already loaded as upload 1; nothing changed" in out


def test_a_db_in_a_missing_folder_is_refused_and_nothing_is_created(capsys, tmp_path, orders_csv):
    missing = tmp_path / "typo-folder"
    code, _out, err = run(capsys, f"sqlite:///{missing / 'store.sqlite3'}", "ingest", str(orders_csv))

    assert code == cli.EXIT_STORE_FAILED
    assert err.startswith("error: the store's folder") and "does not exist" in err
    assert len(err.strip().splitlines()) == 1
    assert not missing.exists()


def test_a_store_that_cannot_be_written_is_one_line_and_exit_5(capsys, existing_store, orders_csv):
    sqlite_url = existing_store
    path = sqlite_url.removeprefix("sqlite:///")
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"

    code, _out, err = run(capsys, read_only, "ingest", str(orders_csv))

    assert code == cli.EXIT_STORE_FAILED
    assert err == "error: the store is read-only; nothing was changed\n"
    assert run(capsys, sqlite_url, "uploads")[1] == "No uploads yet.\n"


def halves_csv(tmp_path: Path) -> Path:
    """First contact in 2020-21 Q1: 333 of 400 on time (83.25%); in Q2: 1 of 16 (6.25%).

    Orders on Wednesday 1 April 2020 are due Thursday 2 April; on Wednesday 1 July, due Thursday 2 July.
    """
    lines = ["Case Ref,Order Date,First Contact"]
    lines += [f"H{n:04d},01/04/2020,{'02/04/2020' if n < 333 else '10/04/2020'}" for n in range(400)]
    lines += [f"J{n:04d},01/07/2020,{'02/07/2020' if n < 1 else '10/07/2020'}" for n in range(16)]
    path = tmp_path / "halves.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_report_format_rounds_halves_up_as_the_pages_do(capsys, sqlite_url, tmp_path):
    assert run(capsys, sqlite_url, "ingest", str(halves_csv(tmp_path)))[0] == 0
    report = ("report", "--as-at", "2021-03-31", "--measure", "first_contact")

    csv_out = run(capsys, sqlite_url, *report, "--format", "csv")[1]
    json_out = json.loads(run(capsys, sqlite_url, *report, "--format", "json")[1])
    table_out = run(capsys, sqlite_url, *report, "--format", "table")[1]

    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [(row["quarter"], row["met"], row["missed"], row["rate"]) for row in rows] == [
        ("2020-21 Q1", "333", "67", "83.3"),
        ("2020-21 Q2", "1", "15", "6.3"),
    ]
    assert [row["rate"] for row in json_out["rows"]] == [83.3, 6.3]
    assert "83.3" in table_out and "6.3" in table_out
    assert "83.2" not in table_out and "6.2 " not in table_out


def test_a_workbook_crafted_to_crash_the_reader_is_one_line_and_exit_2(capsys, sqlite_url, tmp_path):
    from tests.e2e.test_hostile_files import crash_workbook

    crash = tmp_path / "crash.xlsx"
    crash.write_bytes(crash_workbook())

    code, out, err = run(capsys, sqlite_url, "ingest", str(crash))

    assert code == cli.EXIT_UNREADABLE
    assert err.startswith("error: crash.xlsx: 'crash.xlsx'") and err.endswith("; nothing was stored\n")
    assert len(err.splitlines()) == 1 and out == ""


def test_due_lists_open_cases_in_the_spec_csv_and_logs_the_export(capsys, sqlite_url, orders_csv):
    import store

    run(capsys, sqlite_url, "ingest", str(orders_csv))
    # As at Tuesday 2 June 2020: DEMO-002's LS/CMI and plan were due Wednesday 29 April (28 days after
    # 1 April) and are still open. Working days from 29 April to 2 June: 29, 30 April, the 19 working
    # days of May (less Friday 8 and Monday 25, both bank holidays in 2020) and 1 June -> 22 overdue.
    code, out, err = run(capsys, sqlite_url, "due", "--as-at", "2020-06-02", "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "measure,case_ref,order_date,review_due,team,worker,due_date,working_days_left",
        "lscmi,DEMO-002,2020-04-01,,South (demo),,2020-04-29,-22",
        "cmp,DEMO-002,2020-04-01,,South (demo),,2020-04-29,-22",
    ]
    logged = store.list_exports(store.connect(sqlite_url))
    assert (logged.loc[0, "what"], logged.loc[0, "rows"], logged.loc[0, "user"]) == (
        "Worklist (cli.py due)",
        2,
        "tester",
    )

    # 13 working days on from 2 June is Friday 19 June, when DEMO-001's LS/CMI and plan fall due.
    code, out, _ = run(
        capsys, sqlite_url, "due", "--as-at", "2020-06-02", "--within", "13", "--team", "north (DEMO)"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Due within 13 working days of 02/06/2020, overdue first: 2 open"
    assert [line.split()[:3] for line in lines[3:]] == [
        ["19/06/2020", "13", "LS/CMI"],
        ["19/06/2020", "13", "Case"],
    ]
    assert all("DEMO-001" in line for line in lines[3:])


def test_due_refuses_a_negative_reach_in_one_line(capsys, sqlite_url):
    code, _, err = run(capsys, sqlite_url, "due", "--within", "-1")
    assert code == 4
    assert err.strip() == "error: --within must be 0 or more working days"
