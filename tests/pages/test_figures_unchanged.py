"""Every figure the pages and the command line show on the demo data, pinned against a snapshot.

Moving rules between modules must not move a number, and neither may reading the records and statuses
back from the copies saved on disk after a server start (store/snapshot.py, pages.ui.data.statuses_file).
The snapshot (tests/golden/figures.json) was taken
from the dashboard as built, after the rounding fix; a deliberate change of what a page shows is
recorded by running `UPDATE_GOLDEN=1 pytest tests/pages/test_figures_unchanged.py` and reviewing the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import streamlit as st

import cli
from measures import MEASURES
from pages.ui import data

from .conftest import AS_AT, page

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "figures.json"
ROWS_KEPT = 40  # of each table: enough to catch a changed rule, small enough to review


def _table_text(frame) -> str:
    return frame.head(ROWS_KEPT).to_csv(index=False, lineterminator="\n")


def _page_figures(app) -> dict[str, object]:
    return {
        "tiles": [[metric.label, metric.value, str(metric.delta)] for metric in app.metric],
        "tables": [_table_text(table.value) for table in app.dataframe],
    }


def _measure_pages(make_app) -> dict[str, object]:
    figures: dict[str, object] = {}
    for area, name in (("assessment", "assessment"), ("reviews", "reviews")):
        app = make_app(page(name))
        for measure in (measure for measure in MEASURES if measure.area == area):
            app.radio(key=f"{area}_measure").set_value(measure.id).run()
            assert not app.exception, app.exception
            figures[f"{name}/{measure.id}"] = _page_figures(app)
    for name in ("overview", "quality", "data_quality"):
        figures[name] = _page_figures(make_app(page(name)))
    return figures


def _report(capsys, url: str) -> str:
    assert cli.main(["--db", url, "report", "--as-at", AS_AT.isoformat(), "--format", "csv"]) == 0
    return capsys.readouterr().out


def _restart(make_app) -> None:
    """A server start: the figures are worked out and saved once, then every cache in memory is
    dropped, so the pages read the statuses and records back from the copies saved on disk."""
    make_app(page("overview"))
    data.wait_for_saves()
    assert list(Path(os.environ["JSW_SNAPSHOT_DIR"]).rglob("statuses-*.arrow")), "nothing was saved"
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.slow
@pytest.mark.parametrize("restarted", [False, True], ids=["worked-out", "read-back-after-a-restart"])
def test_pages_and_report_show_the_snapshot_figures(demo_url, make_app, capsys, restarted):
    if restarted:
        _restart(make_app)
    figures = {"report.csv": _report(capsys, demo_url), **_measure_pages(make_app)}

    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert figures.keys() == expected.keys()
    for key, value in expected.items():
        assert figures[key] == value, key
