"""The dashboard's statuses after a write (pages.ui.data._all_statuses): an upload is put in place from the
records it wrote, and the figures are those of a full computation; an undo or a settings change works
them out whole. Their counts per group and the filter choices follow the same way. The cached functions
are called directly, as the warming thread calls them."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

import store
import store.columnar
from loaders import sheet_from_frame
from measures import record_statuses, settings_from_document
from measures.counts import StatusCounts, status_counts
from measures.filters import filter_options
from pages.ui import data
from tests.measures.counted import assert_counts_equal
from tests.pages.conftest import AS_AT

DATASETS = ("orders", "reviews", "audits")


@pytest.fixture
def full_computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the statuses worked out whole by the dashboard (one entry per full computation)."""
    calls: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return record_statuses(*args, **kwargs)

    monkeypatch.setattr(data, "record_statuses", counted)
    return calls


@pytest.fixture
def recounts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the statuses counted afresh by the dashboard (one entry, the rows counted, per pass)."""
    calls: list[int] = []

    def counted(statuses: pd.DataFrame) -> StatusCounts | None:
        calls.append(len(statuses))
        return status_counts(statuses)

    monkeypatch.setattr(data, "status_counts", counted)
    return calls


def _counts(url: str, as_at: date = AS_AT) -> StatusCounts | None:
    return data._status_counts(url, store.data_version(data.engine_for(url)), as_at, None)


def _statuses(url: str, as_at: date = AS_AT) -> pd.DataFrame:
    engine = data.engine_for(url)
    return data._all_statuses(url, store.data_version(engine), as_at)


def _expected(url: str, as_at: date = AS_AT) -> pd.DataFrame:
    engine = data.engine_for(url)
    settings = settings_from_document(store.load_settings(engine))
    return record_statuses({name: store.read_dataset(engine, name) for name in DATASETS}, settings, as_at)


def _upload(url: str, dataset: str, frame: pd.DataFrame, label: str) -> int | None:
    summary = store.store_sheet(
        data.engine_for(url),
        sheet_from_frame(dataset, frame),
        file_name=f"{label}.csv",
        sha256=label.ljust(64, "0")[:64],
        user="officer",
    )
    return summary.upload_id


def test_an_upload_is_put_in_place_and_an_undo_or_settings_change_works_them_out_whole(
    demo_url: str, full_computations: list[int]
) -> None:
    _statuses(demo_url)
    assert len(full_computations) == 1  # nothing earlier: worked out whole
    orders = store.read_dataset(data.engine_for(demo_url), "orders").tail(25)
    moved = orders.drop(columns=["record_id", "upload_id"]).assign(team="west team (demo)")
    moved["induction"] = moved["order_date"] + pd.Timedelta(days=2)
    upload_id = _upload(demo_url, "orders", moved, "moved")

    after_upload = _statuses(demo_url)

    assert len(full_computations) == 1  # brought up to date from the 25 records only
    pd.testing.assert_frame_equal(after_upload, _expected(demo_url), check_exact=True)
    assert "west team (demo)" in after_upload["team"].cat.categories

    assert upload_id is not None
    store.undo_upload(data.engine_for(demo_url), upload_id, user="officer")
    after_undo = _statuses(demo_url)
    assert len(full_computations) == 2
    pd.testing.assert_frame_equal(after_undo, _expected(demo_url), check_exact=True)

    document = store.load_settings(data.engine_for(demo_url))
    store.save_settings(
        data.engine_for(demo_url),
        {**document, "rules": {"induction": {"number": 3, "unit": "working_days"}}},
        user="officer",
    )
    after_settings = _statuses(demo_url)
    assert len(full_computations) == 3
    pd.testing.assert_frame_equal(after_settings, _expected(demo_url), check_exact=True)
    data.wait_for_saves()


def test_an_upload_with_a_later_data_date_and_a_date_typed_in_the_sidebar_are_put_in_place(
    demo_url: str, full_computations: list[int]
) -> None:
    """A new extract moves the as-at date pages open with (its data date is later), and a person may type
    another date: neither works the statuses out whole, and both give a full computation's figures."""
    _statuses(demo_url)
    assert len(full_computations) == 1
    orders = store.read_dataset(data.engine_for(demo_url), "orders").tail(10)
    recorded = orders.drop(columns=["record_id", "upload_id"]).assign(worker="Sam Example (demo)")
    _upload(demo_url, "orders", recorded, "later")
    later = AS_AT + timedelta(days=20)

    after_upload = _statuses(demo_url, later)
    typed_earlier = _statuses(demo_url, AS_AT - timedelta(days=75))

    assert len(full_computations) == 1
    pd.testing.assert_frame_equal(after_upload, _expected(demo_url, later), check_exact=True)
    pd.testing.assert_frame_equal(
        typed_earlier, _expected(demo_url, AS_AT - timedelta(days=75)), check_exact=True
    )
    assert not after_upload["status"].equals(typed_earlier["status"])
    data.wait_for_saves()


def test_of_statuses_worked_out_in_a_row_only_the_newest_are_saved(demo_url: str) -> None:
    """Uploads in a row: each version's statuses wait to be saved, and only the last one's are written
    (a save of superseded figures would only compete with the next visit)."""
    engine = data.engine_for(demo_url)
    first = _statuses(demo_url)
    first_file = data.statuses_file(demo_url, store.data_version(engine), AS_AT)
    orders = store.read_dataset(engine, "orders").tail(5)
    _upload(
        demo_url,
        "orders",
        orders.drop(columns=["record_id", "upload_id"]).assign(worker="Row Example"),
        "row",
    )
    second = _statuses(demo_url)
    second_file = data.statuses_file(demo_url, store.data_version(engine), AS_AT)

    data.wait_for_saves()

    assert first_file is not None and second_file is not None and first_file != second_file
    assert not first_file.exists()
    saved = store.columnar.load_frame(second_file)
    assert saved is not None and not saved.equals(first)
    pd.testing.assert_frame_equal(saved, second, check_exact=True, check_dtype=False, check_categorical=False)


def test_counts_and_filter_choices_after_an_upload_come_from_the_changed_rows(
    demo_url: str, recounts: list[int]
) -> None:
    """An upload moving cases to a new team, with a later data date, then an undo: the counts the overview
    sums and the sidebar's choices are those of the statuses counted afresh, and only the undo (whose
    statuses are worked out whole) passes over every row again."""
    _counts(demo_url)
    assert len(recounts) == 1
    orders = store.read_dataset(data.engine_for(demo_url), "orders").tail(30)
    moved = orders.drop(columns=["record_id", "upload_id"]).assign(team="North Team (demo)")
    moved["induction"] = moved["order_date"] + pd.Timedelta(days=4)
    upload_id = _upload(demo_url, "orders", moved, "north")
    later = AS_AT + timedelta(days=20)

    counts = _counts(demo_url, later)
    version = store.data_version(data.engine_for(demo_url))
    options = data._filter_options(demo_url, version, later, None)

    assert len(recounts) == 1
    expected = _expected(demo_url, later)
    assert_counts_equal(counts, status_counts(expected))
    assert options == filter_options(expected) and "North Team (demo)" in options.teams

    assert upload_id is not None
    store.undo_upload(data.engine_for(demo_url), upload_id, user="officer")
    after_undo = _counts(demo_url, later)
    assert len(recounts) == 2
    assert_counts_equal(after_undo, status_counts(_expected(demo_url, later)))
    data.wait_for_saves()


def test_statuses_for_two_as_at_dates_are_both_saved(demo_url: str) -> None:
    """A new extract moves the date pages open with while the warming thread may still work for the date
    last asked for: one date's statuses must not displace the other's save (the next server start and the
    command line's report read the one for their date)."""
    engine = data.engine_for(demo_url)
    version = store.data_version(engine)
    later = AS_AT + timedelta(days=1)
    first, second = _statuses(demo_url), _statuses(demo_url, later)

    data.wait_for_saves()

    for as_at, statuses in ((AS_AT, first), (later, second)):
        path = data.statuses_file(demo_url, version, as_at)
        assert path is not None and path.exists(), as_at
        saved = store.columnar.load_frame(path)
        assert saved is not None
        pd.testing.assert_frame_equal(
            saved, statuses, check_exact=True, check_dtype=False, check_categorical=False
        )


def test_statuses_worked_out_whole_let_go_of_an_earlier_change(demo_url: str) -> None:
    """An upload's statuses that were never counted, then an undo: the statuses from before the upload
    (a whole service's worth, hundreds of MB at national scale) are not held for a count that will not
    come."""
    _statuses(demo_url)
    orders = store.read_dataset(data.engine_for(demo_url), "orders").tail(5)
    upload_id = _upload(demo_url, "orders", orders.drop(columns=["record_id", "upload_id"]), "kept")
    _statuses(demo_url)
    assert demo_url in data._changed  # held until the counts use it
    assert upload_id is not None
    store.undo_upload(data.engine_for(demo_url), upload_id, user="officer")
    _statuses(demo_url)
    assert demo_url not in data._changed
    data.wait_for_saves()
