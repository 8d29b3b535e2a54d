"""The settings document: defaults, validation with one-line messages, JSON and TOML round trips."""

from __future__ import annotations

import json
from datetime import date

import pytest

from loaders.schedule import ReviewSchedule
from measures import (
    MEASURE_IDS,
    Rule,
    SettingFormError,
    SettingsError,
    Target,
    apply_setting,
    default_settings,
    merge_documents,
    settings_from_document,
    settings_to_document,
    toml_document,
)


def test_defaults_follow_the_spec() -> None:
    settings = default_settings()
    assert settings.rules["first_contact"] == Rule(1, "working_days")
    assert settings.rules["induction"] == Rule(5, "working_days")
    assert settings.rules["upw_start"] == Rule(7, "working_days")
    assert settings.rules["lscmi"] == Rule(28, "calendar_days")
    assert settings.rules["cmp"] == Rule(28, "calendar_days")
    assert settings.rules["review_on_time"] == Rule(0, "working_days")
    assert settings.rules["review_recorded"] == Rule(5, "working_days")
    assert set(settings.targets) == set(MEASURE_IDS)
    assert settings.targets["audit_good"] == [Target(date(2000, 1, 1), 80.0, 5.0)]
    assert settings.targets["review_needs_tool"] == [Target(date(2000, 1, 1), 90.0, 5.0)]
    assert settings.local_holidays == []
    assert settings.review_schedule == ReviewSchedule(3, 6, 6)


def test_an_empty_or_missing_document_gives_the_defaults() -> None:
    assert settings_from_document({}) == default_settings()
    assert settings_from_document(None) == default_settings()


def test_a_partial_document_keeps_defaults_for_the_rest() -> None:
    settings = settings_from_document(
        {
            "rules": {"lscmi": {"number": 20, "unit": "working_days"}},
            "review_schedule": {"interval_months": 3},
        }
    )
    assert settings.rules["lscmi"] == Rule(20, "working_days")
    assert settings.rules["cmp"] == Rule(28, "calendar_days")
    assert settings.review_schedule == ReviewSchedule(3, 6, 3)
    assert settings.targets == default_settings().targets


def test_document_round_trip_through_json() -> None:
    document = {
        "rules": {
            "upw_start": {"number": 2, "unit": "weeks"},
            "cmp": {"number": 1, "unit": "calendar_months"},
        },
        "targets": {
            "first_contact": [
                {"effective_from": "2021-04-01", "target": 95, "amber_margin": 2.5},
                {"effective_from": "2019-04-01", "target": 85},
            ]
        },
        "local_holidays": ["2020-09-28", "2020-04-13", "2020-09-28"],
        "review_schedule": {"first_months": 2, "second_months": 5, "interval_months": 4},
    }
    settings = settings_from_document(document)
    assert settings.targets["first_contact"] == [
        Target(date(2019, 4, 1), 85.0, 5.0),
        Target(date(2021, 4, 1), 95.0, 2.5),
    ]
    assert settings.local_holidays == [date(2020, 4, 13), date(2020, 9, 28)]
    assert settings.review_schedule == ReviewSchedule(2, 5, 4)
    stored = json.loads(json.dumps(settings_to_document(settings)))
    assert settings_from_document(stored) == settings
    assert settings_from_document(json.loads(json.dumps(settings_to_document(default_settings())))) == (
        default_settings()
    )


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": {"audit_good": {"number": 1, "unit": "working_days"}}}, "rules.audit_good"),
        ({"rules": {"no_such_measure": {"number": 1, "unit": "working_days"}}}, "rules.no_such_measure"),
        ({"rules": {"first_contact": {"number": -1, "unit": "working_days"}}}, "rules.first_contact.number"),
        ({"rules": {"first_contact": {"number": 1.5, "unit": "working_days"}}}, "rules.first_contact.number"),
        (
            {"rules": {"first_contact": {"number": True, "unit": "working_days"}}},
            "rules.first_contact.number",
        ),
        ({"rules": {"first_contact": {"number": 1, "unit": "fortnights"}}}, "rules.first_contact.unit"),
        ({"rules": {"first_contact": {"number": 1}}}, "rules.first_contact"),
        ({"targets": {"nope": [{"effective_from": "2020-04-01", "target": 90}]}}, "targets.nope"),
        ({"targets": {"cmp": [{"effective_from": "2020-04-01", "target": 101}]}}, "targets.cmp[0].target"),
        ({"targets": {"cmp": [{"effective_from": "2020-04-01", "target": -1}]}}, "targets.cmp[0].target"),
        (
            {"targets": {"cmp": [{"effective_from": "01/04/2020", "target": 90}]}},
            "targets.cmp[0].effective_from",
        ),
        (
            {"targets": {"cmp": [{"effective_from": "2020-02-30", "target": 90}]}},
            "targets.cmp[0].effective_from",
        ),
        (
            {"targets": {"cmp": [{"effective_from": "2020-04-01", "target": 90, "amber_margin": 200}]}},
            "targets.cmp[0].amber_margin",
        ),
        ({"targets": {"cmp": []}}, "targets.cmp"),
        (
            {
                "targets": {
                    "cmp": [
                        {"effective_from": "2020-04-01", "target": 90},
                        {"effective_from": "2020-04-01", "target": 80},
                    ]
                }
            },
            "targets.cmp",
        ),
        ({"local_holidays": ["2020-13-01"]}, "local_holidays[0]"),
        ({"local_holidays": "2020-09-28"}, "local_holidays"),
        ({"review_schedule": {"first_months": 0}}, "review_schedule.first_months"),
        ({"review_schedule": {"every": 6}}, "review_schedule.every"),
        ({"rule": {}}, "settings.rule"),
    ],
)
def test_bad_values_raise_a_one_line_error_naming_the_field(document: dict, field: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_document(document)
    message = str(raised.value)
    assert message.startswith(field + ":") or message.startswith(field + " "), message
    assert "\n" not in message


def test_toml_import_with_bare_and_quoted_dates() -> None:
    text = """
local_holidays = [2020-09-28, "2021-09-27"]

[rules.induction]
number = 10
unit = "working_days"

[[targets.induction]]
effective_from = 2020-04-01
target = 85
amber_margin = 10

[review_schedule]
first_months = 3
second_months = 6
interval_months = 12
"""
    settings = settings_from_document(toml_document(text.encode()))
    assert settings.rules["induction"] == Rule(10, "working_days")
    assert settings.targets["induction"] == [Target(date(2020, 4, 1), 85.0, 10.0)]
    assert settings.local_holidays == [date(2020, 9, 28), date(2021, 9, 27)]
    assert settings.review_schedule.interval_months == 12


def test_toml_that_does_not_parse_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="not valid TOML"):
        toml_document("[rules\nnumber = ")
    with pytest.raises(SettingsError, match=r"rules\.first_contact\.unit"):
        settings_from_document(toml_document('[rules.first_contact]\nnumber = 1\nunit = "days"\n'))


# --- editing a document: `cli.py settings set` and `settings import` ------------------------------------


def test_apply_setting_changes_one_part_and_leaves_the_given_document_alone() -> None:
    document = settings_to_document(default_settings())
    changed = apply_setting(document, ["rule", "lscmi", "20", "working_days"])
    assert changed["rules"]["lscmi"] == {"number": 20, "unit": "working_days"}
    assert document["rules"]["lscmi"] == {"number": 28, "unit": "calendar_days"}
    assert changed["rules"]["cmp"] == document["rules"]["cmp"]


def test_a_target_replaces_the_one_with_the_same_date_and_keeps_dates_in_order() -> None:
    document = {"targets": {"lscmi": [{"effective_from": "2021-04-01", "target": 90.0, "amber_margin": 5.0}]}}
    document = apply_setting(document, ["target", "lscmi", "85", "2020-04-01"])
    document = apply_setting(document, ["target", "lscmi", "95", "2021-04-01", "2"])
    assert document["targets"]["lscmi"] == [
        {"effective_from": "2020-04-01", "target": 85.0, "amber_margin": 5.0},
        {"effective_from": "2021-04-01", "target": 95.0, "amber_margin": 2.0},
    ]


def test_holidays_are_added_once_and_removed() -> None:
    document = apply_setting({}, ["holiday", "add", "2021-04-05"])
    document = apply_setting(document, ["holiday", "add", "2021-04-05"])
    assert document["local_holidays"] == ["2021-04-05"]
    assert apply_setting(document, ["holiday", "remove", "2021-04-05"])["local_holidays"] == []


def test_review_schedule_takes_three_whole_numbers() -> None:
    document = apply_setting({}, ["review-schedule", "3", "6", "12"])
    assert document["review_schedule"] == {"first_months": 3, "second_months": 6, "interval_months": 12}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["target", "lscmi", "abc", "2020-04-01"], "'abc' is not a number"),
        (["rule", "lscmi", "2.5", "weeks"], "'2.5' is not a whole number"),
        (["rule", "lscmi", "20"], "settings set takes one of:"),
        ([], "settings set takes one of:"),
    ],
)
def test_a_badly_formed_setting_is_a_setting_form_error(values: list[str], message: str) -> None:
    with pytest.raises(SettingFormError) as raised:
        apply_setting({}, values)
    assert str(raised.value).startswith(message)


def test_a_well_formed_but_impossible_setting_is_left_to_the_gate() -> None:
    document = apply_setting({}, ["target", "lscmi", "150", "2020-04-01"])
    with pytest.raises(SettingsError, match=r"targets\.lscmi\[0\]\.target"):
        settings_from_document(document)


def test_merge_documents_overrides_part_by_part() -> None:
    current = settings_to_document(default_settings())
    merged = merge_documents(current, {"rules": {"lscmi": {"number": 20, "unit": "working_days"}}})
    assert merged["rules"]["lscmi"] == {"number": 20, "unit": "working_days"}
    assert merged["rules"]["induction"] == current["rules"]["induction"]
    assert merge_documents(current, {"local_holidays": ["2021-04-05"]})["local_holidays"] == ["2021-04-05"]
