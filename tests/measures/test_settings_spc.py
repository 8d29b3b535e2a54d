"""The SPC parts of the settings document: rule lengths, rebases (with who set them) and national figures."""

from __future__ import annotations

import json
from datetime import date

import pytest

from measures import (
    SettingsError,
    default_settings,
    merge_documents,
    settings_from_document,
    settings_to_document,
)
from measures.settings import Benchmark, Rebase, SpcRules, rebase_start, stamp_rebases


def test_defaults_follow_mdc_and_seed_the_scottish_government_figures() -> None:
    settings = default_settings()
    assert settings.spc == SpcRules(shift_length=7, trend_length=7, screen_moving_ranges=False)
    assert settings.rebases == {}
    upw = {b.year: b for b in settings.benchmarks if b.measure == "upw_start"}
    assert upw["2019-20"].rate == 72.7 and upw["2020-21"].rate == 49.3 and upw["2014-15"].rate == 72.7
    assert "2020-21, Table 13" in upw["2019-20"].source
    assert upw["2018-19"].source.endswith("2018-19, Table 18")
    labels = {(b.measure, b.label) for b in settings.benchmarks}
    assert labels == {
        ("first_contact", "Scotland (CPO)"),
        ("first_contact", "Scotland (DTTO)"),
        ("induction", "Scotland (CPO)"),
        ("induction", "Scotland (DTTO)"),
        ("upw_start", "Scotland"),
    }
    assert len(settings.benchmarks) == 7 + 3 + 3 + 5 + 5


def test_spc_parts_round_trip_through_json() -> None:
    document = {
        "spc": {"shift_length": 6, "trend_length": 8, "screen_moving_ranges": True},
        "rebases": {
            "lscmi": [
                {
                    "period": "2020-21 q3",
                    "reason": "  action plan\nstarted ",
                    "set_by": "a@b.org",
                    "set_on": "2021-01-04",
                },
                {"period": "2019-10", "reason": "new team"},
            ]
        },
        "benchmarks": [{"measure": "lscmi", "year": "2019-20", "rate": 70, "source": "Table 1"}],
    }
    settings = settings_from_document(document)
    assert settings.spc == SpcRules(6, 8, True)
    assert settings.rebases["lscmi"] == [
        Rebase(date(2019, 10, 1), "2019-10", "new team", "", None),
        Rebase(date(2020, 10, 1), "2020-21 Q3", "action plan started", "a@b.org", date(2021, 1, 4)),
    ]
    assert settings.benchmarks == [Benchmark("lscmi", "2019-20", 70.0, "Table 1", "Scotland")]
    stored = json.loads(json.dumps(settings_to_document(settings)))
    assert settings_from_document(stored) == settings


def test_an_emptied_benchmark_table_stays_empty() -> None:
    assert settings_from_document({"benchmarks": []}).benchmarks == []
    assert settings_from_document({}).benchmarks == default_settings().benchmarks


@pytest.mark.parametrize(
    ("period", "start", "text"),
    [
        ("2020-10", date(2020, 10, 1), "2020-10"),
        ("2020-21 Q3", date(2020, 10, 1), "2020-21 Q3"),
        ("2020-21 Q4", date(2021, 1, 1), "2020-21 Q4"),
        ("2021-04-01", date(2021, 4, 1), "2021-04"),
        (date(2021, 4, 1), date(2021, 4, 1), "2021-04"),
    ],
)
def test_a_rebase_starts_at_a_month_or_a_quarter(period, start, text) -> None:
    assert rebase_start(period) == (start, text)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"spc": {"shift_length": 4}}, "spc.shift_length: expected a whole number from 5 to 10"),
        ({"spc": {"trend_length": 7.5}}, "spc.trend_length: expected a whole number from 5 to 10"),
        ({"spc": {"screen_moving_ranges": "yes"}}, "spc.screen_moving_ranges: expected true or false"),
        ({"spc": {"rule": 1}}, "spc.rule: unknown field"),
        ({"rebases": {"nope": []}}, "rebases.nope: unknown measure id"),
        (
            {"rebases": {"cmp": [{"period": "2020-13", "reason": "x"}]}},
            "rebases.cmp[0].period: expected a month (2020-10) or a quarter (2020-21 Q3)",
        ),
        (
            {"rebases": {"cmp": [{"period": "2020-10-15", "reason": "x"}]}},
            "rebases.cmp[0].period: a rebase starts on the first day of a month or quarter",
        ),
        (
            {"rebases": {"cmp": [{"period": "2020-10", "reason": " "}]}},
            "rebases.cmp[0].reason: must not be blank",
        ),
        (
            {
                "rebases": {
                    "cmp": [{"period": "2020-10", "reason": "a"}, {"period": "2020-21 Q3", "reason": "b"}]
                }
            },
            "rebases.cmp: two rebases start in the same period",
        ),
        ({"benchmarks": {}}, "benchmarks: expected a list of national figures"),
        (
            {"benchmarks": [{"measure": "x", "year": "2019-20", "rate": 1, "source": "s"}]},
            "benchmarks[0].measure: 'x' is not a measure id",
        ),
        (
            {"benchmarks": [{"measure": "cmp", "year": "2019-21", "rate": 1, "source": "s"}]},
            "benchmarks[0].year: expected a financial year such as 2019-20",
        ),
        (
            {"benchmarks": [{"measure": "cmp", "year": "2019-20", "rate": 101, "source": "s"}]},
            "benchmarks[0].rate: expected a number from 0 to 100",
        ),
        (
            {"benchmarks": [{"measure": "cmp", "year": "2019-20", "rate": 1, "source": ""}]},
            "benchmarks[0].source: must not be blank",
        ),
        (
            {
                "benchmarks": [
                    {"measure": "cmp", "year": "2019-20", "rate": 1, "source": "s"},
                    {"measure": "cmp", "year": "2019-20", "rate": 2, "source": "t", "label": "Scotland"},
                ]
            },
            "benchmarks[1]: cmp already has a Scotland figure for 2019-20",
        ),
    ],
)
def test_bad_spc_settings_are_refused_in_one_line(document, message) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_document(document)
    assert str(raised.value).startswith(message)


def test_stamping_records_who_set_a_new_or_changed_rebase_and_keeps_an_unchanged_one() -> None:
    previous = {
        "cmp": [{"period": "2020-10", "reason": "plan", "set_by": "first@x.org", "set_on": "2021-01-04"}]
    }
    edited = {
        "cmp": [
            {"period": "2020-10", "reason": "plan"},  # as it was (the table does not send set_by back)
            {"period": "2021-01", "reason": "new duty rota"},  # new
        ],
        "lscmi": [{"period": "2020-21 Q3", "reason": "plan"}],
    }
    stamped = stamp_rebases(previous, edited, user="second@x.org", today=date(2021, 5, 2))
    assert stamped["cmp"] == [
        {"period": "2020-10", "reason": "plan", "set_by": "first@x.org", "set_on": "2021-01-04"},
        {"period": "2021-01", "reason": "new duty rota", "set_by": "second@x.org", "set_on": "2021-05-02"},
    ]
    assert stamped["lscmi"][0]["set_by"] == "second@x.org"
    changed = stamp_rebases(
        previous, {"cmp": [{"period": "2020-10", "reason": "plan B"}]}, user="u", today=date(2021, 5, 2)
    )
    assert changed["cmp"][0]["set_by"] == "u"
    settings_from_document({"rebases": stamped})  # the stamped document passes the gate


def test_a_settings_file_merges_rebases_by_measure_and_replaces_the_benchmark_table() -> None:
    current = settings_to_document(default_settings())
    current["rebases"] = {"cmp": [{"period": "2020-10", "reason": "a", "set_by": "", "set_on": None}]}
    incoming = {
        "rebases": {"lscmi": [{"period": "2020-10", "reason": "b"}]},
        "benchmarks": [{"measure": "cmp", "year": "2019-20", "rate": 50, "source": "s"}],
    }
    merged = settings_from_document(merge_documents(current, incoming))
    assert set(merged.rebases) == {"cmp", "lscmi"}
    assert merged.benchmarks == [Benchmark("cmp", "2019-20", 50.0, "s")]
