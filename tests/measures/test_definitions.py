"""The measures' plain names: what an IJB member reads on a tile (issue 8)."""

from __future__ import annotations

from measures import MEASURES, MEASURES_BY_ID


def test_every_measure_has_its_own_plain_name_without_code_words() -> None:
    names = [measure.plain_name for measure in MEASURES]
    assert all(names) and len(set(names)) == len(names)
    assert not any("_" in name or name == measure.id for name, measure in zip(names, MEASURES, strict=True))


def test_the_names_the_issue_asks_for() -> None:
    assert MEASURES_BY_ID["audit_good"].plain_name == "Audit graded good or better"
    assert MEASURES_BY_ID["review_needs_tool"].plain_name == "Needs review tool completed"
