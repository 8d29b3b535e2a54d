"""Download file names say what the file holds and are safe on every file system."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from exports import export_file_name


def test_name_lists_period_filters_and_report_date() -> None:
    name = export_file_name(
        "lscmi statuses",
        {"from": "2020-21 Q1", "to": "2020-21 Q4", "team": "North Team", "as_at": date(2021, 3, 31)},
        "csv",
    )
    assert name == "lscmi_statuses_2020-21-Q1_to_2020-21-Q4_North-Team_as-at-2021-03-31.csv"


def test_filters_that_do_not_filter_are_left_out() -> None:
    name = export_file_name("quarterly", {"team": "All", "worker": None, "from": "2019-20 Q1"}, ".xlsx")
    assert name == "quarterly_2019-20-Q1.xlsx"


def test_several_values_and_awkward_characters() -> None:
    name = export_file_name(
        "review_statuses", {"team": ["North Team (demo)", "South/East"], "as_at": "2021-03-31"}, "xlsx"
    )
    assert name == "review_statuses_North-Team-demo_South-East_as-at-2021-03-31.xlsx"


@given(st.text(), st.dictionaries(st.text(max_size=10), st.text()), st.text(max_size=8))
def test_any_input_gives_a_short_name_of_safe_characters(what: str, filters: dict, extension: str) -> None:
    name = export_file_name(what, filters, extension)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert len(name) <= 160
    assert not name.startswith((".", "-"))
