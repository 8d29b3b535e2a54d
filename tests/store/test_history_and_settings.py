"""Upload history queries, the data version, settings and the export log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from store import (
    data_version,
    holds_demo_data,
    holds_real_uploads,
    last_uploads,
    list_exports,
    list_uploads,
    load_settings,
    record_export,
    save_settings,
    store_sheet,
    undo_upload,
)
from tests.store.sheets import AUDIT_ROWS, ORDER_ROWS, REVIEW_ROWS, make_sheet, sha_of


def _store(engine, dataset, rows, label, **options):
    return store_sheet(
        engine, make_sheet(dataset, rows), file_name=label, sha256=sha_of(label), user="officer", **options
    )


def test_uploads_are_listed_newest_first(engine):
    ids = [
        _store(engine, "orders", ORDER_ROWS, "a").upload_id,
        _store(engine, "reviews", REVIEW_ROWS, "b").upload_id,
        _store(engine, "audits", AUDIT_ROWS, "c").upload_id,
    ]

    assert [upload.id for upload in list_uploads(engine)] == ids[::-1]
    assert [upload.dataset for upload in list_uploads(engine)] == ["audits", "reviews", "orders"]


def test_last_uploads_names_each_dataset_and_ignores_undone_uploads(engine):
    assert last_uploads(engine) == {"orders": None, "reviews": None, "audits": None}
    started = datetime.now(UTC)
    _store(engine, "orders", ORDER_ROWS, "a")
    reviews = _store(engine, "reviews", REVIEW_ROWS, "b")
    undo_upload(engine, reviews.upload_id, user="manager")

    latest = last_uploads(engine)

    assert latest["reviews"] is None and latest["audits"] is None
    assert started - timedelta(seconds=5) <= latest["orders"] <= datetime.now(UTC)


def test_demo_and_real_data_flags_follow_live_uploads(engine):
    assert (holds_demo_data(engine), holds_real_uploads(engine)) == (False, False)
    demo = _store(engine, "orders", ORDER_ROWS, "demo", is_demo=True)
    assert (holds_demo_data(engine), holds_real_uploads(engine)) == (True, False)
    _store(engine, "reviews", REVIEW_ROWS, "real")
    assert (holds_demo_data(engine), holds_real_uploads(engine)) == (True, True)

    undo_upload(engine, demo.upload_id, user="manager")

    assert (holds_demo_data(engine), holds_real_uploads(engine)) == (False, True)


def test_data_version_changes_with_uploads_undos_and_settings_only(engine):
    seen = [data_version(engine)]
    upload = _store(engine, "orders", ORDER_ROWS, "a")
    seen.append(data_version(engine))
    _store(engine, "orders", ORDER_ROWS, "a")  # already loaded: nothing changes
    assert data_version(engine) == seen[-1]
    record_export(engine, user="u", what="table", filters={}, rows=1, file_format="csv", sha256="0" * 64)
    assert data_version(engine) == seen[-1]
    undo_upload(engine, upload.upload_id, user="manager")
    seen.append(data_version(engine))
    save_settings(engine, {"targets": {}}, user="officer")
    seen.append(data_version(engine))

    assert len(set(seen)) == len(seen)


def test_settings_are_empty_until_saved_then_round_trip(engine):
    assert load_settings(engine) == {}
    document = {
        "rules": {"induction": {"number": 5, "unit": "working_days"}},
        "targets": {"induction": [{"effective_from": "2020-04-01", "target": 90.0, "amber_margin": 5.0}]},
        "local_holidays": ["2020-09-28"],
        "note": "Ünïcode ok",
    }

    save_settings(engine, document, user="officer")

    assert load_settings(engine) == document


def test_the_newest_settings_save_is_in_force(engine):
    save_settings(engine, {"version": "first"}, user="officer")
    save_settings(engine, {"version": "second"}, user="manager")

    assert load_settings(engine) == {"version": "second"}


def test_exports_are_logged_newest_first_without_case_data(engine):
    record_export(
        engine,
        user="u1",
        what="cases behind induction",
        filters={"team": "North"},
        rows=12,
        file_format="csv",
        sha256="a" * 64,
    )
    record_export(
        engine,
        user="u2",
        what="quarterly report",
        filters={"from": "2020-21 Q1"},
        rows=40,
        file_format="xlsx",
        sha256="b" * 64,
    )

    log = list_exports(engine)

    assert log.columns.tolist() == [
        "id",
        "exported_at",
        "user",
        "what",
        "filters",
        "rows",
        "format",
        "sha256",
    ]
    assert log["user"].tolist() == ["u2", "u1"]
    assert log["filters"].tolist() == [{"from": "2020-21 Q1"}, {"team": "North"}]
    assert log["rows"].tolist() == [40, 12]
    assert log["format"].tolist() == ["xlsx", "csv"]
    assert isinstance(log["exported_at"].dtype, pd.DatetimeTZDtype)


def test_an_empty_export_log_has_its_columns(engine):
    log = list_exports(engine)

    assert log.empty
    assert "exported_at" in log.columns
