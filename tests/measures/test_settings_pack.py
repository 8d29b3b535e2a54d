"""The report pack's settings: disclosure thresholds and the cover report's texts, through the one gate."""

from __future__ import annotations

import pytest

from measures import SettingsError, default_settings, settings_from_document, settings_to_document
from measures.pack_texts import DEFAULT_PACK_TEXTS
from measures.settings import Disclosure


def test_defaults_are_the_notes_thresholds_and_survive_a_round_trip() -> None:
    settings = default_settings()
    assert settings.disclosure == Disclosure(low_count_max=4, min_denominator=10, team_min_denominator=10)
    assert settings_from_document(settings_to_document(settings)) == settings


def test_a_partial_document_keeps_the_other_defaults() -> None:
    settings = settings_from_document(
        {"disclosure": {"min_denominator": 20}, "pack_texts": {"finance": " None. "}}
    )
    assert settings.disclosure == Disclosure(min_denominator=20)
    assert settings.pack_texts["finance"] == "None."
    assert settings.pack_texts["legal"] == DEFAULT_PACK_TEXTS["legal"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {"disclosure": {"low_count_max": -1}},
            "disclosure.low_count_max: expected a whole number from 0 to 50",
        ),
        (
            {"disclosure": {"min_denominator": 0}},
            "disclosure.min_denominator: expected a whole number from 1",
        ),
        ({"disclosure": {"minimum": 5}}, "disclosure.minimum: unknown field"),
        ({"pack_texts": {"budget": "x"}}, "pack_texts.budget: unknown field"),
        ({"pack_texts": {"finance": 5}}, "pack_texts.finance: expected text"),
        ({"pack_texts": {"finance": "x" * 4001}}, "pack_texts.finance: at most 4000 characters"),
    ],
)
def test_bad_values_are_refused_in_one_line_naming_the_field(document, message) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from_document(document)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
