"""The data date of each upload (issue 8): stored with the upload, the newest live one is the default
as-at date, and an older extract that would change records back is refused until someone confirms."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from store import OlderExtract, connect, list_uploads, newest_data, read_dataset, store_sheet, undo_upload
from store.engine import open_engine
from store.migrate import upgrade_schema
from store.tables import RECORD_TABLES, upload_records, uploads
from tests.store.sheets import make_sheet, sha_of

# Three orders. February's extract (title row: run on 15/02/2021) has 00412's first contact and 00413's
# induction; January's (no title row) has neither, and its latest happened date is 00414's order date.
FEBRUARY = [
    {"case_ref": "00412", "order_date": "2021-01-04", "order_type": "CPO", "first_contact": "2021-01-05"},
    {"case_ref": "00413", "order_date": "2021-01-11", "order_type": "CPO", "induction": "2021-01-15"},
    {"case_ref": "00414", "order_date": "2021-02-01", "order_type": "CPO"},
]
JANUARY = [
    {"case_ref": "00412", "order_date": "2021-01-04", "order_type": "CPO"},
    {"case_ref": "00413", "order_date": "2021-01-11", "order_type": "CPO"},
    {"case_ref": "00414", "order_date": "2021-01-20", "order_type": "CPO"},  # a new key: not a change back
]


def store(engine, rows, name, *, report_date=None, refuse_older=False):
    sheet = dataclasses.replace(make_sheet("orders", rows), report_date=report_date)
    return store_sheet(
        engine, sheet, file_name=name, sha256=sha_of(name), user="u", refuse_older=refuse_older
    )


def test_the_title_rows_date_wins_else_the_latest_happened_date(engine):
    store(engine, FEBRUARY, "feb.csv", report_date=date(2021, 2, 15))
    store(engine, [{"case_ref": "9", "order_date": "2021-03-02", "order_type": "DTTO"}], "mar.csv")

    assert [(upload.file_name, upload.data_date) for upload in list_uploads(engine)] == [
        ("mar.csv", date(2021, 3, 2)),  # no title row: its only date
        ("feb.csv", date(2021, 2, 15)),  # its title row, though its latest date is 01/02/2021
    ]


def test_a_date_after_the_upload_day_is_capped_at_the_upload_day(engine):
    store(engine, [{"case_ref": "1", "order_date": "2099-01-01", "order_type": "CPO"}], "slip.csv")

    assert list_uploads(engine)[0].data_date == datetime.now(UTC).date()


def test_the_newest_live_data_date_is_the_default_and_undo_moves_it_back(engine):
    assert newest_data(engine) is None  # an empty store: the pages fall back on today
    february = store(engine, FEBRUARY, "feb.csv", report_date=date(2021, 2, 15))
    newer = store(engine, FEBRUARY[:1], "feb2.csv", report_date=date(2021, 2, 28))
    assert (newest_data(engine).data_date, newest_data(engine).file_name) == (date(2021, 2, 28), "feb2.csv")

    undo_upload(engine, newer.upload_id, user="u")

    assert newest_data(engine).id == february.upload_id
    assert newest_data(engine).data_date == date(2021, 2, 15)


def test_an_older_extract_is_refused_with_the_count_it_would_change_back(engine):
    store(engine, FEBRUARY, "feb.csv", report_date=date(2021, 2, 15))

    with pytest.raises(OlderExtract) as refused:
        store(engine, JANUARY, "jan.csv", report_date=date(2021, 1, 31), refuse_older=True)

    # By hand: 00412 would lose its first contact and 00413 its induction (2 records); 00414's order date
    # is part of its key, so January's 00414 is a new record, not a change back.
    assert refused.value.changed_back == 2
    assert (refused.value.data_date, refused.value.stored_date) == (date(2021, 1, 31), date(2021, 2, 15))
    assert "change 2 records back" in str(refused.value)
    assert len(list_uploads(engine)) == 1  # nothing stored
    assert read_dataset(engine, "orders")["first_contact"].notna().sum() == 1


def test_confirmed_it_is_stored_as_spec_2_says_and_a_newer_one_is_never_asked_about(engine):
    store(engine, FEBRUARY, "feb.csv", report_date=date(2021, 2, 15))

    summary = store(engine, JANUARY, "jan.csv", report_date=date(2021, 1, 31))  # confirmed: not refused
    assert (summary.new, summary.updated) == (1, 2)
    newer = store(engine, FEBRUARY, "feb-again.csv", report_date=date(2021, 2, 20), refuse_older=True)
    assert newer.updated == 2


def test_an_older_extract_that_changes_nothing_back_is_stored_without_asking(engine):
    store(engine, FEBRUARY, "feb.csv", report_date=date(2021, 2, 15))
    only_new = [{"case_ref": "00999", "order_date": "2020-12-01", "order_type": "CPO"}]

    summary = store(engine, only_new, "dec.csv", report_date=date(2020, 12, 31), refuse_older=True)

    assert (summary.new, summary.updated) == (1, 0)


def test_uploads_from_before_revision_0005_get_their_latest_happened_date(store_url):
    engine = open_engine(store_url)
    upgrade_schema(engine, "0004")
    orders = RECORD_TABLES["orders"]
    with engine.begin() as connection:
        upload_id = connection.execute(
            sa.insert(uploads)
            .values(
                uploaded_at=datetime(2021, 2, 16, 9, tzinfo=UTC),
                user="u",
                file_name="old.csv",
                sheet=None,
                sha256=sha_of("old"),
                dataset="orders",
                new=2,
                updated=0,
                unchanged=0,
                rejected=0,
                is_demo=False,
            )
            .returning(uploads.c.id)
        ).scalar_one()
        for case_ref, order_date, induction in (
            ("1", date(2021, 1, 4), date(2021, 2, 12)),
            ("2", date(2021, 2, 3), None),
        ):
            record_id = connection.execute(
                sa.insert(orders)
                .values(
                    case_ref=case_ref,
                    order_date=order_date,
                    order_type="CPO",
                    induction=induction,
                    upload_id=upload_id,
                    created_upload_id=upload_id,
                )
                .returning(orders.c.record_id)
            ).scalar_one()
            connection.execute(sa.insert(upload_records).values(upload_id=upload_id, record_id=record_id))
    engine.dispose()

    upgraded = connect(store_url)

    assert list_uploads(upgraded)[0].data_date == date(2021, 2, 12)  # the induction, not the order dates
    upgraded.dispose()
