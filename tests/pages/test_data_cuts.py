"""The rows a page's cut of the cached statuses holds are exactly the rows the filters keep, whether they are
shared with the cache as one run of rows or copied out."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.testing import assert_frame_equal

from pages.ui.data import _run_of


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": pd.Categorical(["a", "a", "b", "b", "b", "c"]),
            "days": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "due": pd.to_datetime(["2020-01-01"] * 6),
        }
    )


def test_one_run_of_rows_is_the_same_as_a_copy_of_them() -> None:
    keep = np.array([False, False, True, True, True, False])
    assert_frame_equal(_run_of(frame(), keep), frame()[keep])


def test_scattered_rows_are_the_same_as_a_copy_of_them() -> None:
    keep = np.array([True, False, True, False, False, True])
    assert_frame_equal(_run_of(frame(), keep), frame()[keep])


def test_no_row_kept_is_an_empty_frame_with_the_columns() -> None:
    keep = np.zeros(6, dtype=bool)
    assert_frame_equal(_run_of(frame(), keep), frame()[keep])
    empty = frame().iloc[:0]
    assert_frame_equal(_run_of(empty, np.zeros(0, dtype=bool)), empty)


def test_a_change_to_the_cut_leaves_the_cached_frame_alone() -> None:
    cached = frame()
    cut = _run_of(cached, np.array([True, True, False, False, False, False]))
    cut.loc[cut.index[0], "days"] = 99
    assert cached.loc[0, "days"] == 1
