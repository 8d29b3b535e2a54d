"""What uploads wrote since a records version (store.written_since), and the statuses brought up to date
from it (measures.incremental): the same frame as working them out from the records read afresh."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from loaders.demo import demo_frames
from loaders.result import SheetResult, empty_rejects
from measures import default_settings, record_statuses
from measures.incremental import updated_statuses
from measures.statuses import GROUPING_COLUMNS
from store import read_dataset, records_versions, store_sheet, undo_upload, written_since
from store.snapshot import snapshot_dir
from tests.store.sheets import sha_of

AS_AT = date(2021, 3, 31)
DATASETS = ("orders", "reviews", "audits")


def _sheet(dataset: str, frame: pd.DataFrame) -> SheetResult:
    return SheetResult(
        sheet=None,
        dataset=dataset,
        header_row=1,
        column_map={},
        ignored_columns=[],
        records=frame.reset_index(drop=True).assign(source_row=lambda f: range(2, len(f) + 2)),
        rejects=empty_rejects(),
    )


def _upload(engine: Engine, dataset: str, frame: pd.DataFrame, label: str) -> int | None:
    summary = store_sheet(
        engine, _sheet(dataset, frame), file_name=f"{label}.csv", sha256=sha_of(label), user="officer"
    )
    return summary.upload_id


def _statuses_read_afresh(engine: Engine) -> pd.DataFrame:
    return record_statuses({name: read_dataset(engine, name) for name in DATASETS}, default_settings(), AS_AT)


@pytest.fixture
def demo() -> dict[str, pd.DataFrame]:
    frames = demo_frames()
    return {
        "orders": frames["orders"].head(300),
        "reviews": frames["reviews"].head(400),
        "audits": frames["audits"],
    }


@pytest.fixture
def stored(engine: Engine, demo: dict[str, pd.DataFrame]) -> Engine:
    for name, frame in demo.items():
        _upload(engine, name, frame, f"first {name}")
    return engine


def _changes(engine: Engine, base: dict, target: dict) -> dict | None:
    found = {
        name: written_since(engine, name, base[name], target[name], GROUPING_COLUMNS) for name in DATASETS
    }
    return None if any(change is None for change in found.values()) else found


def test_an_upload_brings_the_statuses_up_to_date_as_a_full_read_would(
    stored: Engine, demo: dict[str, pd.DataFrame]
) -> None:
    old = _statuses_read_afresh(stored)  # leaves a snapshot of every dataset's records version
    base = records_versions(stored)
    orders = demo["orders"].tail(40).copy()
    orders["team"] = "West Team (demo)"  # records moving to a new team
    orders["induction"] = orders["order_date"] + pd.Timedelta(days=3)
    new_orders = demo["orders"].head(5).assign(case_ref=[f"DEMO-9000{n}" for n in range(5)])
    _upload(stored, "orders", pd.concat([orders, new_orders]), "changed orders")
    reviews = demo["reviews"].head(10).assign(worker="east team (demo)")
    _upload(stored, "reviews", reviews, "changed reviews")

    target = records_versions(stored)
    changes = _changes(stored, base, target)

    assert changes is not None
    assert len(changes["orders"].written) == 45 and len(changes["reviews"].written) == 10
    assert changes["audits"].written.empty
    spliced = updated_statuses(old, changes, default_settings(), AS_AT)
    assert spliced is not None
    pd.testing.assert_frame_equal(spliced, _statuses_read_afresh(stored), check_exact=True)


def test_after_an_undo_nothing_is_brought_up_to_date(stored: Engine, demo: dict[str, pd.DataFrame]) -> None:
    _statuses_read_afresh(stored)
    changed = _upload(stored, "orders", demo["orders"].tail(3).assign(team="West Team (demo)"), "second")
    _statuses_read_afresh(stored)
    base = records_versions(stored)
    assert changed is not None
    undo_upload(stored, changed, user="manager")
    _upload(stored, "orders", demo["orders"].tail(2).assign(team="South Team (demo)"), "third")

    assert _changes(stored, base, records_versions(stored)) is None


def test_a_later_write_or_a_missing_snapshot_means_a_full_computation(
    stored: Engine, demo: dict[str, pd.DataFrame]
) -> None:
    _statuses_read_afresh(stored)
    base = records_versions(stored)
    _upload(stored, "orders", demo["orders"].tail(3).assign(worker="Ann New (demo)"), "second")
    target = records_versions(stored)
    _upload(stored, "orders", demo["orders"].tail(3).assign(worker="Bo New (demo)"), "third")

    assert _changes(stored, base, target) is None  # the target is no longer the store's version
    for snapshot in snapshot_dir(stored.url).glob("orders-*.arrow"):
        snapshot.unlink()
    assert _changes(stored, base, records_versions(stored)) is None
