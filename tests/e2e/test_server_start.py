"""A server works out the figures when it starts, before anyone opens a page (issue 12).

`streamlit run dashboard.py` serves the app through dashboard.py's st.App, whose lifespan starts the
thread that keeps the store's caches warm. The statuses it works out are saved beside the store, named
by the records, the settings and the as-at date, so the file for the date the overview opens with
appearing while no browser has connected shows the first visitor will not wait for that work.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import store
from pages.ui import data
from tests.e2e.app_driver import ROOT, running_dashboard

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 60.0


def test_a_server_works_out_the_overviews_statuses_before_the_first_visit(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    subprocess.run(
        [sys.executable, "cli.py", "--db", database_url, "demo"], cwd=ROOT, check=True, capture_output=True
    )
    version = store.data_version(store.connect(database_url))
    opens_with = data.default_as_at(database_url, version)
    saved = data.statuses_file(database_url, version, opens_with)
    assert saved is not None and not saved.exists()

    # The suite turns warming off for its own servers (tests/conftest.py); a server as deployed has it on.
    with running_dashboard(database_url, tmp_path / "server.log", environment={"JSW_WARM_SECONDS": "2"}):
        deadline = time.monotonic() + WAIT_SECONDS
        while not saved.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert saved.exists(), "no page was opened, and the server did not work out the statuses"
