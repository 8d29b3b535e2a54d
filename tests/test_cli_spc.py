"""`cli.py spc` (SPEC 7.1): one measure's SPC points for a scheduled job, worked out by hand.

Seventeen months of orders, ten a month from April 2019 to August 2020, first contact on the order day
(met) or three weeks later (missed): 8 met, then 9, alternately for sixteen months, then 5 in August 2020.
By hand: rates 80, 90, ... 80, 90, 50; mean 1410 / 17 = 82.94; moving ranges fifteen of 10 and one of
40, MR-bar 190 / 16 = 11.875; limits 82.94 -/+ 31.59 = 51.35 and 114.53 (drawn at 100); August's 50 is
below the lower limit: special cause concern; the default target of 90 lies between the limits: hit
and miss.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

import cli

HEADER = "measure,period,met,denominator,rate,chart,centre,lower,upper,flag,rules,variation,assurance"
MET_PER_MONTH = [8, 9] * 8 + [5]


def order_rows() -> list[str]:
    rows = []
    for index, met in enumerate(MET_PER_MONTH):
        year, month = divmod(2019 * 12 + 3 + index, 12)
        day = date(year, month + 1, 10)
        while day.weekday() >= 5:  # a weekday, so the due date is the next working day, same month
            day += timedelta(days=1)
        for number in range(10):
            contact = day if number < met else day + timedelta(days=21)
            rows.append(f"C{index:02d}{number},{day:%d/%m/%Y},CPO,Supervision,North,{contact:%d/%m/%Y}")
    return rows


@pytest.fixture
def store_with_orders(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "orders.csv"
    lines = ["Case Ref,Date of Order,Order Type,Requirements,Team,First Contact", *order_rows()]
    # One South order in April 2019, missed: counted for the service, not for North.
    lines.append("S0001,10/04/2019,CPO,Supervision,South,30/04/2019")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["--db", sqlite_url, "--user", "tester", "ingest", str(path)]) == 0
    capsys.readouterr()
    return sqlite_url


def spc(capsys: pytest.CaptureFixture[str], db: str, *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", db, "spc", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_spc_csv_is_exactly_the_spec_format(capsys, store_with_orders):
    code, out, err = spc(
        capsys, store_with_orders, "--measure", "first_contact", "--as-at", "2020-09-30", "--team", "North"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 1 + 17
    assert lines[1] == "first_contact,2019-04,8,10,80.0,xmr,82.9,51.4,100.0,,,concern,hit_and_miss"
    assert lines[2] == "first_contact,2019-05,9,10,90.0,xmr,82.9,51.4,100.0,,,concern,hit_and_miss"
    assert (
        lines[-1] == "first_contact,2020-08,5,10,50.0,xmr,82.9,51.4,100.0,concern,limit,concern,hit_and_miss"
    )


def test_the_team_filter_ignores_case_and_the_service_counts_every_team(capsys, store_with_orders):
    _, north, _ = spc(
        capsys, store_with_orders, "--measure", "first_contact", "--as-at", "2020-09-30", "--team", "nORTH"
    )
    _, service, _ = spc(capsys, store_with_orders, "--measure", "first_contact", "--as-at", "2020-09-30")
    assert north.splitlines()[1].startswith("first_contact,2019-04,8,10,")
    assert service.splitlines()[1].startswith("first_contact,2019-04,8,11,72.7,")


def test_default_period_is_month_and_only_complete_periods_count(capsys, store_with_orders):
    code, out, _ = spc(capsys, store_with_orders, "--measure", "first_contact", "--as-at", "2020-08-30")
    assert code == 0
    periods = [row["period"] for row in csv.DictReader(io.StringIO(out))]
    assert periods[0] == "2019-04" and periods[-1] == "2020-07"  # August 2020 ends after the as-at date
    assert len(periods) == 16


def test_quarters_make_a_run_chart_without_limits(capsys, store_with_orders):
    code, out, _ = spc(
        capsys,
        store_with_orders,
        "--measure",
        "first_contact",
        "--period",
        "quarter",
        "--as-at",
        "2020-09-30",
        "--team",
        "North",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # 2019-20 Q1: April 8 + May 9 + June 8 = 25 of 30; 2020-21 Q2: July 9 + August 5 = 14 of 20.
    assert [row["period"] for row in rows] == [
        "2019-20 Q1",
        "2019-20 Q2",
        "2019-20 Q3",
        "2019-20 Q4",
        "2020-21 Q1",
        "2020-21 Q2",
    ]
    assert (rows[0]["met"], rows[0]["denominator"], rows[0]["rate"]) == ("25", "30", "83.3")
    assert (rows[-1]["met"], rows[-1]["denominator"], rows[-1]["rate"]) == ("14", "20", "70.0")
    assert {row["chart"] for row in rows} == {"run"}
    assert {row["lower"] for row in rows} == {""} and {row["upper"] for row in rows} == {""}
    assert {row["assurance"] for row in rows} == {""}


def test_json_carries_numbers_and_lists(capsys, store_with_orders):
    code, out, _ = spc(
        capsys,
        store_with_orders,
        "--measure",
        "first_contact",
        "--as-at",
        "2020-09-30",
        "--team",
        "North",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert (document["measure"], document["period"], document["team"]) == ("first_contact", "month", "North")
    last = document["rows"][-1]
    assert last["met"] == 5 and last["denominator"] == 10 and last["rate"] == 50.0
    assert last["flag"] == "concern" and last["rules"] == ["limit"]
    assert document["rows"][0]["flag"] is None and document["rows"][0]["rules"] == []


def test_a_measure_with_no_complete_period_prints_only_the_header(capsys, store_with_orders):
    code, out, _ = spc(capsys, store_with_orders, "--measure", "review_on_time", "--as-at", "2020-09-30")
    assert code == 0
    assert out.splitlines() == [HEADER]


def test_an_unknown_measure_is_refused_in_one_line(capsys, store_with_orders):
    code, _, err = spc(capsys, store_with_orders, "--measure", "nope")
    assert code == 4
    assert err.startswith("error: unknown measure nope; choose from first_contact, induction")
    assert len(err.strip().splitlines()) == 1


def test_db_may_follow_the_subcommand(capsys, store_with_orders):
    code = cli.main(["spc", "--measure", "first_contact", "--as-at", "2020-09-30", "--db", store_with_orders])
    out = capsys.readouterr().out
    assert code == 0 and len(out.splitlines()) == 18


def test_a_rebase_in_the_settings_splits_the_limits(capsys, store_with_orders):
    import store

    engine = store.connect(store_with_orders)
    store.save_settings(
        engine,
        {"rebases": {"first_contact": [{"period": "2020-01", "reason": "new duty system"}]}},
        user="tester",
    )
    _, out, _ = spc(
        capsys, store_with_orders, "--measure", "first_contact", "--as-at", "2020-09-30", "--team", "north"
    )
    rows = {row["period"]: row for row in csv.DictReader(io.StringIO(out))}
    # Before: April to December 2019, five 80s and four 90s -> mean 84.4.
    assert rows["2019-12"]["centre"] == "84.4"
    # From January 2020: 90 80 90 80 90 80 90 50 -> mean 81.25.
    assert rows["2020-01"]["centre"] == "81.3"
