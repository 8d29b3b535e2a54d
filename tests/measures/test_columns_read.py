"""`columns_read`: a report that reads only the columns it names gets the very statuses the whole
frames give (a column left out would count as blank: requirements, exclusions, answers and grades)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.demo import demo_frames
from measures import default_settings, record_statuses
from measures.statuses import columns_read


@pytest.mark.parametrize("text_columns", [(), ("team",)])
def test_the_columns_read_give_the_same_statuses_as_every_column(text_columns):
    frames = {
        name: frame.assign(record_id=range(1, len(frame) + 1))
        for name, frame in demo_frames(start=date(2019, 4, 1), end=date(2021, 3, 31)).items()
    }
    narrow = {name: frame[list(columns_read(name, text_columns))] for name, frame in frames.items()}
    as_at = date(2021, 4, 30)

    whole = record_statuses(frames, default_settings(), as_at, text_columns=text_columns)
    read = record_statuses(narrow, default_settings(), as_at, text_columns=text_columns)

    pd.testing.assert_frame_equal(read, whole)
    assert set(whole["status"]) >= {"met", "missed", "excluded"}  # the demo data exercises the rules


def test_the_requirements_decide_which_orders_a_measure_applies_to():
    assert "requirements" in columns_read("orders", ())
    assert {"participated", "needs_tool", "exclusion_reason"} <= set(columns_read("reviews", ()))
    assert "grade" in columns_read("audits", ())
    assert "case_ref" not in columns_read("orders", ())
