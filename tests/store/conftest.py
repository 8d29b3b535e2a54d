"""A connected, empty store per test, on SQLite and (when a server answers) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from store import connect


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    connected = connect(store_url)
    yield connected
    connected.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    connected = connect(sqlite_url)
    yield connected
    connected.dispose()
