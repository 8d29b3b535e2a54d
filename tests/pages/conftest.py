"""Fixtures for the page tests: a temporary store (empty or with demo data) the app is pointed at.

The app finds its store through DATABASE_URL, exactly as in production. The demo store is built once
per test module run from loaders.demo through store.store_sheet (what `python cli.py demo` does), and
copied per test so a test that uploads or undoes cannot disturb another.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import store
from loaders import DATASETS, sheet_from_frame
from loaders.demo import demo_frames
from measures import record_statuses, settings_from_document
from measures.actions import IMPROVEMENT_AREAS
from pages.ui import state

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard.py"
# AppTest resets Streamlit's "legacy pages/ folder" flag before every run, and a pages/ folder beside
# the main script turns it on, so each rerun would run the page without dashboard.py. Running
# dashboard.py from an entry script in a folder with no pages/ keeps every run as production's.
ENTRY_SCRIPT = f"import runpy\nrunpy.run_path({str(DASHBOARD)!r}, run_name='__main__')\n"


def page(name: str) -> str:
    """A page's path as AppTest.switch_page takes it (absolute: the entry script lives elsewhere)."""
    return str(ROOT / "pages" / f"{name}.py")


DEMO_START, DEMO_END = date(2019, 4, 1), date(2021, 3, 31)
AS_AT = date(2021, 4, 30)  # after the demo's last quarter, so 2020-21 Q4 is the latest complete one


def fill_demo(url: str) -> None:
    engine = store.connect(url)
    for name, frame in demo_frames(start=DEMO_START, end=DEMO_END).items():
        sheet = sheet_from_frame(name, frame)
        digest = hashlib.sha256(f"demo:{name}".encode()).hexdigest()
        store.store_sheet(engine, sheet, file_name="demo", sha256=digest, user="demo", is_demo=True)
    engine.dispose()


@pytest.fixture(scope="session")
def demo_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    fill_demo(f"sqlite:///{path}")
    return path


@pytest.fixture
def demo_url(demo_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    path = tmp_path / "store.sqlite3"
    shutil.copy(demo_store_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def empty_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def entry_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("entry") / "entry.py"
    path.write_text(ENTRY_SCRIPT, encoding="utf-8")
    return path


@pytest.fixture
def make_app(entry_script: Path) -> Callable[..., AppTest]:
    """A dashboard AppTest opened at a fixed as-at date (the URL's as_at parameter) so figures are stable."""

    def make(page: str | None = None, **query: str) -> AppTest:
        app = AppTest.from_file(str(entry_script), default_timeout=30)
        app.query_params["as_at"] = AS_AT.isoformat()
        for name, value in query.items():
            app.query_params[name] = value
        app.run()
        if page:
            app.switch_page(page).run()
        assert not app.exception, app.exception
        return app

    return make


def statuses_in_store(url: str, as_at: date = AS_AT) -> pd.DataFrame:
    """Record statuses computed directly from the store, independent of the pages' caches."""
    engine = store.connect(url)
    frames = {name: store.read_dataset(engine, name) for name in DATASETS}
    settings = settings_from_document(store.load_settings(engine))
    return record_statuses(frames, settings, as_at)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """The bytes behind every download button the app draws, by the file name it offers."""
    captured: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def remember(self, path_or_data, mimetype, kind, filename=None):  # type: ignore[no-untyped-def]
        if filename and isinstance(path_or_data, bytes):
            captured[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", remember)
    yield captured


def seen(markdown: str) -> str:
    """What a person reads for a markdown source: backslash escapes and the invisible word joiners that
    keep addresses unlinked (pages.ui.display.plain) removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def open_overview_figures(app: AppTest) -> AppTest:
    """Open each area's "Figures behind these tiles" on the overview, as a user does: a closed one holds
    no table (the overview draws it only when open)."""
    for area in IMPROVEMENT_AREAS:
        app.session_state[state.keyed(state.OVERVIEW_FIGURES_OPEN, area=area)] = True
    app.run()
    assert not app.exception, app.exception
    return app
