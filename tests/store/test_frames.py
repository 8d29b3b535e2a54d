"""store.frames.canonical_frame: columns already canonical are taken as they are (no copy), every other
column is converted exactly as before (dates to midnight, text to str / None)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.schema import DATASETS
from store.frames import canonical_frame

REVIEWS = DATASETS["reviews"]


def _records(**columns: object) -> pd.DataFrame:
    base = {
        "case_ref": pd.Series(["R-1", "R-2", "R-3"], dtype=object),
        "review_due": pd.Series(pd.to_datetime(["2020-01-01", None, "2020-03-01"])).astype("datetime64[ns]"),
        "review_number": pd.array([1, None, 3], dtype="Int64"),
        "team": pd.Series(["North", None, "South"], dtype=object),
    }
    return pd.DataFrame({**base, **columns})


def test_canonical_columns_come_through_unchanged_and_independent():
    records = _records()
    frame = canonical_frame(records, REVIEWS)

    pd.testing.assert_series_equal(frame["case_ref"], records["case_ref"])
    pd.testing.assert_series_equal(frame["review_due"], records["review_due"])
    assert frame["team"].tolist() == ["North", None, "South"]
    assert frame["review_held"].isna().all()  # absent: all blank
    frame.loc[0, "team"] = "changed"
    assert records.loc[0, "team"] == "North"  # copy-on-write: the loader's frame is not touched


def test_a_time_of_day_is_still_dropped():
    due = pd.Series(pd.to_datetime(["2020-01-01 13:45", None, "2020-03-01 00:00"])).astype("datetime64[ns]")
    frame = canonical_frame(_records(review_due=due), REVIEWS)

    assert frame["review_due"].tolist()[0] == pd.Timestamp("2020-01-01")
    assert frame["review_due"].isna().tolist() == [False, True, False]


def test_text_with_nan_or_numbers_still_becomes_str_or_none():
    frame = canonical_frame(
        _records(team=pd.Series(["North", np.nan, "South"], dtype=object), case_ref=pd.Series([1, 2, None])),
        REVIEWS,
    )

    assert frame["team"].tolist() == ["North", None, "South"]
    assert frame["team"][1] is None
    assert frame["case_ref"].tolist() == ["1.0", "2.0", None]
