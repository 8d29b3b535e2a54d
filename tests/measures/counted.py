"""Comparing status counts (measures.counts) cell by cell, for tests that bring them up to date."""

from __future__ import annotations

import numpy as np

from measures.counts import StatusCounts


def assert_counts_equal(counts: StatusCounts | None, expected: StatusCounts | None) -> None:
    """Every field the same, dtypes too: the overview's figures and filter choices are read from these."""
    assert counts is not None and expected is not None
    for field in ("first_month", "quarter_count"):
        assert getattr(counts, field) == getattr(expected, field), field
    for field in ("group_codes", "group", "measure", "quarter", "month_in_quarter", "status", "count"):
        np.testing.assert_array_equal(getattr(counts, field), getattr(expected, field), err_msg=field)
        assert getattr(counts, field).dtype == getattr(expected, field).dtype, field
    assert counts.names.keys() == expected.names.keys()
    for column, names in expected.names.items():
        assert list(counts.names[column]) == list(names), column
