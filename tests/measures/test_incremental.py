"""Statuses brought up to date from the written records only (measures.incremental, issue 12).

Every test compares the spliced frame with a full `record_statuses` of the records as they are after
the upload: the same rows in the same order, the same categories in the same order, the same dtypes.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from loaders.demo import demo_frames
from measures import default_settings, record_statuses
from measures.counts import status_counts, updated_counts
from measures.definitions import MEASURES
from measures.incremental import (
    StatusChange,
    redated_change,
    redated_statuses,
    updated_change,
    updated_statuses,
)
from measures.statuses import _DATE_COLUMNS, GROUPING_COLUMNS
from tests.measures.counted import assert_counts_equal

AS_AT = date(2021, 3, 31)
SETTINGS = default_settings()


class Change(NamedTuple):
    """What store.written_since hands over, made from two in-memory states of a dataset."""

    written: pd.DataFrame
    base_ids: np.ndarray
    base_spellings: dict[str, tuple[np.ndarray, np.ndarray]]


@pytest.fixture(scope="module")
def before() -> dict[str, pd.DataFrame]:
    """The demo data with record ids that leave gaps (odd numbers), as a store's frames after undos."""
    frames = demo_frames()
    for frame in frames.values():
        frame.insert(0, "record_id", 2 * np.arange(len(frame), dtype="int64") + 1)
    return frames


@pytest.fixture(scope="module")
def old(before: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return record_statuses(before, SETTINGS, AS_AT)


def changes_between(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> dict[str, Change]:
    """Per dataset, the records that are new or differ (the rows an upload writes) and the earlier
    records' text as codes into their spellings in order of first appearance (as a snapshot keeps it)."""
    changes = {}
    for name, frame in after.items():
        earlier = before[name].set_index("record_id")
        now = frame.set_index("record_id")
        common = now.index.intersection(earlier.index)
        same = (
            now.loc[common].astype(object).fillna("∅") == earlier.loc[common].astype(object).fillna("∅")
        ).all(axis=1)
        touched = now.index.difference(same[same].index)
        written = frame[frame["record_id"].isin(touched)].reset_index(drop=True)
        spellings = {
            column: pd.factorize(before[name][column].to_numpy(dtype=object))
            for column in GROUPING_COLUMNS
            if column in before[name]
        }
        changes[name] = Change(written, before[name]["record_id"].to_numpy(), spellings)
    return changes


def assert_counts_follow(old: pd.DataFrame, change: StatusChange) -> None:
    """The earlier counts brought up to date by the change are the new statuses counted afresh."""
    counts = updated_counts(status_counts(old), change.statuses, change.removed, change.added)
    assert_counts_equal(counts, status_counts(change.statuses))


def assert_spliced_as_full(
    old: pd.DataFrame, before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]
) -> None:
    change = updated_change(old, changes_between(before, after), SETTINGS, AS_AT)
    assert change is not None, "expected the statuses to be brought up to date, not worked out whole"
    spliced = change.statuses
    assert_counts_follow(old, change)
    full = record_statuses(after, SETTINGS, AS_AT)
    pd.testing.assert_frame_equal(spliced, full, check_categorical=True, check_exact=True)
    for column in full.columns:
        if isinstance(full[column].dtype, pd.CategoricalDtype):
            assert list(spliced[column].cat.categories) == list(full[column].cat.categories), column


def copy_of(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in frames.items()}


def new_rows(frame: pd.DataFrame, count: int, first_id: int) -> pd.DataFrame:
    """`count` records copied from the newest ones, under new case references and record ids."""
    rows = frame.tail(count).copy()
    rows["record_id"] = np.arange(first_id, first_id + count, dtype="int64")
    rows["case_ref"] = [f"DEMO-9{number:04d}" for number in range(count)]
    return rows


def test_changed_orders_come_out_as_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    orders = after["orders"]
    chosen = orders.index[-1000:]
    orders.loc[chosen, "induction"] = orders.loc[chosen, "order_date"] + pd.Timedelta(days=9)
    assert_spliced_as_full(old, before, after)


def test_new_records_including_ones_between_existing_ids(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    appended = new_rows(after["orders"], 30, 10_000)
    between = new_rows(after["reviews"], 5, 0).assign(record_id=[2, 4, 100, 102, 4000])
    after["orders"] = pd.concat([after["orders"], appended], ignore_index=True)
    after["reviews"] = pd.concat([after["reviews"], between]).sort_values("record_id", ignore_index=True)
    assert_spliced_as_full(old, before, after)


def test_a_new_team_and_a_new_worker(before: dict[str, pd.DataFrame], old: pd.DataFrame) -> None:
    after = copy_of(before)
    appended = new_rows(after["orders"], 12, 20_000).assign(team="West Team (demo)", worker="Ann New (demo)")
    after["orders"] = pd.concat([after["orders"], appended], ignore_index=True)
    after["reviews"].loc[after["reviews"].index[-3:], "worker"] = "Ann New (demo)"
    assert_spliced_as_full(old, before, after)


def test_a_new_team_in_an_early_record_takes_its_place_in_the_order(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    after["orders"].loc[2, "team"] = "Island Team (demo)"  # first seen before the other teams' records
    assert_spliced_as_full(old, before, after)


def test_a_new_spelling_of_an_existing_name_and_one_that_takes_over_the_display(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    orders = after["orders"]
    east = orders.index[orders["team"] == "East Team (demo)"]
    orders.loc[east[-3:], "team"] = "east team (demo)"
    assert_spliced_as_full(old, before, after)
    south = orders.index[orders["team"] == "South Team (demo)"]
    orders.loc[south[: len(south) // 2 + 20], "team"] = "SOUTH  Team (demo)"  # now the most used spelling
    assert_spliced_as_full(old, before, after)


def test_records_moving_team_even_the_first_of_a_team(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    orders = after["orders"]
    first_of_each = orders.drop_duplicates("team").index
    orders.loc[first_of_each, "team"] = orders.loc[first_of_each[::-1], "team"].to_numpy()
    orders.loc[orders.index[100:140], "team"] = "Throughcare (demo)"
    assert_spliced_as_full(old, before, after)


def test_every_record_of_a_worker_moving_away_drops_the_worker(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    gone = before["audits"]["worker"].iloc[0]
    for name in ("orders", "reviews", "audits"):
        frame = after[name]
        frame.loc[frame["worker"] == gone, "worker"] = "Someone Else (demo)"
    assert_spliced_as_full(old, before, after)


def test_an_upload_touching_orders_reviews_and_audits(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    after["orders"].loc[after["orders"].index[:50], "requirements"] = "Unpaid Work"  # applicability moves
    after["orders"].loc[after["orders"].index[50:60], "exclusion_reason"] = "Transferred in"
    reviews = after["reviews"]
    reviews.loc[reviews.index[:40], "review_held"] = pd.NaT
    reviews.loc[reviews.index[40:80], "participated"] = True
    audits = after["audits"]
    audits.loc[audits.index[:10], "grade"] = 2
    audits = pd.concat([audits, new_rows(audits, 4, 50_000)], ignore_index=True)
    after["audits"] = audits
    assert_spliced_as_full(old, before, after)


def test_a_quarter_gains_records_beyond_the_earlier_range(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    newest = new_rows(after["orders"], 3, 60_000).assign(order_date=pd.Timestamp("2021-03-30"))
    oldest = new_rows(after["orders"], 2, 60_010).assign(order_date=pd.Timestamp("2019-01-02"))
    after["orders"] = pd.concat([after["orders"], newest, oldest], ignore_index=True)
    assert_spliced_as_full(old, before, after)


@pytest.mark.parametrize("moved", ["all", "some"])
def test_records_of_the_earliest_quarter_moving_later(
    before: dict[str, pd.DataFrame], old: pd.DataFrame, moved: str
) -> None:
    """Corrected dates move every record counted in the earliest quarter a year on (the quarters then
    start later), or only some of them (the range stays): as worked out whole, both ways."""
    first = old[old["quarter"] == old["quarter"].cat.categories[0]]
    dataset_of = {measure.id: measure.dataset for measure in MEASURES}
    after = copy_of(before)
    for name, frame in after.items():
        ids = first.loc[first["measure"].map(dataset_of).astype(str) == name, "record_id"].unique()
        chosen = frame["record_id"].isin(ids if moved == "all" else ids[: len(ids) // 2])
        for column in _DATE_COLUMNS[name]:
            frame.loc[chosen, column] = frame.loc[chosen, column] + pd.Timedelta(days=365)
    assert_spliced_as_full(old, before, after)
    quarters = record_statuses(after, SETTINGS, AS_AT)["quarter"].cat.categories
    starts_later = quarters[0] != old["quarter"].cat.categories[0]
    assert starts_later == (moved == "all")


@pytest.mark.parametrize("seed", range(6))
def test_random_uploads(before: dict[str, pd.DataFrame], old: pd.DataFrame, seed: int) -> None:
    """Random records rewritten with values drawn from the data (and a few new names), some added."""
    generator = np.random.default_rng(seed)
    after = copy_of(before)
    for name, frame in after.items():
        rows = generator.choice(frame.index, size=int(generator.integers(1, 60)), replace=False)
        for column in [c for c in frame.columns if c not in ("record_id", "case_ref")]:
            if generator.random() < 0.3:
                pool = before[name][column].to_numpy(dtype=object)
                values = generator.choice(pool, size=len(rows))
                if column in GROUPING_COLUMNS and generator.random() < 0.5:
                    values[0] = f"new {column} {seed}"
                    values[-1] = str(values[-1]).upper() if values[-1] is not None else None
                frame[column] = (
                    frame[column].astype(object) if frame[column].dtype == object else frame[column]
                )
                frame.loc[rows, column] = pd.Series(values, index=rows).astype(frame[column].dtype)
        added = new_rows(frame, int(generator.integers(0, 20)), int(4 * len(frame) + 1))
        after[name] = pd.concat([frame, added], ignore_index=True)
    assert_spliced_as_full(old, before, after)


def test_nothing_written_gives_the_earlier_statuses(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    assert updated_statuses(old, changes_between(before, copy_of(before)), SETTINGS, AS_AT) is old


def test_a_written_date_in_a_year_the_statuses_do_not_span_is_left_to_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    after["orders"].loc[0, "cmp_completed"] = pd.Timestamp("2023-01-05")  # the calendar would gain a year
    assert updated_statuses(old, changes_between(before, after), SETTINGS, AS_AT) is None


def test_a_dataset_missing_from_the_changes_is_left_to_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    changes = changes_between(before, copy_of(before))
    del changes["audits"]
    assert updated_statuses(old, changes, SETTINGS, AS_AT) is None


def test_statuses_of_another_shape_are_left_to_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    after["orders"].loc[0, "induction"] = pd.Timestamp("2019-05-01")
    changes = changes_between(before, after)
    assert updated_statuses(old.drop(columns=["grade"]), changes, SETTINGS, AS_AT) is None
    unordered = old.iloc[::-1].reset_index(drop=True)
    assert updated_statuses(unordered, changes, SETTINGS, AS_AT) is None


@pytest.mark.parametrize(
    "as_at",
    [date(2021, 4, 1), date(2021, 2, 14), date(2020, 9, 30), date(2019, 6, 3), date(2021, 3, 31)],
)
def test_statuses_moved_to_another_as_at_date_come_out_as_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame, as_at: date
) -> None:
    """A newer extract moves the as-at date pages open with: pending cases past due become missed, and
    going back in time the other way, exactly as worked out whole."""
    change = redated_change(old, AS_AT, as_at)
    assert change is not None
    redated = change.statuses
    assert_counts_follow(old, change)
    full = record_statuses(before, SETTINGS, as_at)
    pd.testing.assert_frame_equal(redated, full, check_categorical=True, check_exact=True)
    changed = int((redated["status"] != old["status"]).sum())
    assert (changed > 0) == (as_at != AS_AT)  # the dates chosen each move some case
    assert old["status"].equals(record_statuses(before, SETTINGS, AS_AT)["status"])  # old left alone


def test_a_move_and_an_upload_together_come_out_as_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame
) -> None:
    after = copy_of(before)
    after["orders"].loc[after["orders"].index[-40:], "induction"] = pd.NaT  # inductions not recorded yet
    later = date(2021, 4, 20)
    moved = redated_change(old, AS_AT, later)
    assert moved is not None
    spliced = updated_change(moved.statuses, changes_between(before, after), SETTINGS, later)
    assert spliced is not None
    both = moved.then(spliced)
    pd.testing.assert_frame_equal(both.statuses, record_statuses(after, SETTINGS, later), check_exact=True)
    assert_counts_follow(old, both)


@pytest.mark.parametrize("as_at", [date(2026, 12, 1), date(2018, 12, 31)])
def test_an_as_at_date_years_from_the_records_comes_out_as_a_full_computation(
    before: dict[str, pd.DataFrame], old: pd.DataFrame, as_at: date
) -> None:
    """The command line's report is as at today by default, years after the records: still exact."""
    redated = redated_statuses(old, AS_AT, as_at)
    assert redated is not None
    pd.testing.assert_frame_equal(redated, record_statuses(before, SETTINGS, as_at), check_exact=True)


def test_statuses_of_another_shape_are_not_moved(old: pd.DataFrame) -> None:
    assert redated_statuses(old.drop(columns=["due_date"]), AS_AT, date(2021, 4, 1)) is None


def test_counts_are_not_brought_up_to_date_from_rows_they_never_held(old: pd.DataFrame) -> None:
    """Taking out rows the earlier counts lack would leave a cell below nothing: counted afresh instead."""
    rows = old.take(np.flatnonzero(old["status"] == "met")[:5])
    assert updated_counts(status_counts(old.drop(index=rows.index)), old, (rows, rows), ()) is None
    assert_counts_equal(
        updated_counts(status_counts(old.drop(index=rows.index)), old, (), (rows,)), status_counts(old)
    )


def test_counts_are_not_brought_up_to_date_when_a_counted_group_loses_its_name(old: pd.DataFrame) -> None:
    """Rows still counted under a worker the new statuses have no category for cannot be placed."""
    renamed = old.copy()
    worker = str(renamed["worker"].cat.categories[0])
    renamed["worker"] = renamed["worker"].cat.rename_categories({worker: "Someone Else Entirely"})
    assert updated_counts(status_counts(old), renamed, (), ()) is None
