"""store.columnar: a frame saved and read back is the same frame, dtypes and blanks included, and a
file that cannot be read is None (the caller works the frame out again), never a wrong frame."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from store.columnar import load_frame, save_frame


def _every_kind() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": pd.Categorical(["lscmi", "cmp", None], categories=["lscmi", "cmp", "unused"]),
            "quarter": pd.Categorical(["2020-21 Q2", None, "2019-20 Q4"], ordered=True),
            # record_statuses states object categories: pandas 3's str ones make every take of rows
            # back out as text build new str objects (the worklist twice as slow)
            "month": pd.Categorical(
                pd.to_datetime(["2020-07-01", None, "2020-08-01"]).astype("datetime64[ns]")
            ),
            "grade": pd.Categorical([6, 5, None]),
            "team": pd.Categorical(
                ["North", "South", None], categories=pd.Index(["North", "South"], dtype=object)
            ),
            "case_ref": pd.Series(["00412", None, "00412"], dtype="object"),
            "due_date": pd.to_datetime(["2020-07-01", None, "1999-12-31"]).astype("datetime64[ns]"),
            "days_taken": pd.array([3, None, -2], dtype="Int64"),
            "participated": pd.array([True, None, False], dtype="boolean"),
            "record_id": pd.Series([1, 2, 3], dtype="int64"),
            "code": pd.Series([1, 0, 2], dtype="int8"),
            "rate": [0.5, float("nan"), 1.0],
        }
    )


def test_a_saved_frame_reads_back_exactly(tmp_path):
    frame = _every_kind()
    save_frame(tmp_path / "f.arrow", frame)

    back = load_frame(tmp_path / "f.arrow")

    pd.testing.assert_frame_equal(back, frame)
    assert back["case_ref"].tolist() == ["00412", None, "00412"]  # text stays text; blank is None
    assert list(back["measure"].cat.categories) == ["lscmi", "cmp", "unused"]
    assert back["quarter"].cat.ordered
    assert back["team"].cat.categories.dtype == object
    assert back["measure"].cat.categories.dtype == frame["measure"].cat.categories.dtype  # str stays str


def test_a_file_from_before_categories_kept_their_dtype_still_reads(tmp_path):
    """Copies saved by the previous release name a categorical as plain "category": they read back."""
    codes = pa.array([0, 1, None], type=pa.int8())
    table = pa.table({"team": pa.DictionaryArray.from_arrays(codes, pa.array(["North", "South"]))})
    table = table.replace_schema_metadata({b"pandas_dtypes": json.dumps({"team": "category"}).encode()})
    with pa.OSFile(str(tmp_path / "old.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)

    back = load_frame(tmp_path / "old.arrow")

    assert back is not None
    assert back["team"].tolist()[:2] == ["North", "South"] and pd.isna(back["team"].iloc[2])


@pytest.mark.parametrize("content", [None, b"", b"not an arrow file"])
def test_a_missing_or_damaged_file_is_none(tmp_path, content):
    path = tmp_path / "f.arrow"
    if content is not None:
        path.write_bytes(content)

    assert load_frame(path) is None


def test_a_dtype_with_no_arrow_form_is_refused_before_anything_is_written(tmp_path):
    frame = pd.DataFrame({"period": pd.period_range("2020-01", periods=2, freq="M")})

    with pytest.raises(TypeError, match="period"):
        save_frame(tmp_path / "f.arrow", frame)
    assert not (tmp_path / "f.arrow").exists()
