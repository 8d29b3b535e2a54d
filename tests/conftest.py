"""Shared fixtures: an empty store on SQLite always, and on PostgreSQL when a server answers.

PostgreSQL is found through TEST_DATABASE_URL (default: the local trust-auth server, database `test`).
Each test gets a database of its own, created from template0 and dropped afterwards, so tests can run
in parallel without seeing each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_admin_url() -> str:
    return os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)


def _postgres_answers() -> str | None:
    """None when the server answers, else the reason it does not (used as the skip message)."""
    try:
        engine = create_engine(_postgres_admin_url(), connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means: no server to test against
        return f"PostgreSQL not reachable at {make_url(_postgres_admin_url()).render_as_string()}: {error}"


_PG_UNAVAILABLE = _postgres_answers()


@pytest.fixture(autouse=True)
def snapshot_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Dataset snapshots (store/snapshot.py) of every test's store go to a temporary folder, never
    under the project's data/ (PostgreSQL stores would otherwise leave one folder per test there), and
    the dashboard's background warming (pages/ui/warm.py) is off unless a test turns it on."""
    folder = tmp_path_factory.mktemp("snapshots")
    monkeypatch.setenv("JSW_SNAPSHOT_DIR", str(folder))
    monkeypatch.setenv("JSW_WARM_SECONDS", "0")  # no warming thread outlives its test's store
    return folder


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if _PG_UNAVAILABLE:
        pytest.skip(_PG_UNAVAILABLE)
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"jsw_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    url = make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """An empty store's URL, once per backend."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> str | None:
    """Files built in a test carry their build time (zip timestamps), so an id made from their bytes
    differs between pytest-xdist workers, which then refuse to run. Name bytes by their argument."""
    if isinstance(val, bytes | bytearray):
        return f"{argname}-{len(val)}-bytes" if len(val) < 64 else argname
    return None
