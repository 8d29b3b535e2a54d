"""Which database the store opens: --db, else $DATABASE_URL, else the SQLite file under data/."""

from __future__ import annotations

from pathlib import Path

from store import default_url, resolve_url


def test_the_default_is_a_sqlite_file_under_data():
    url = default_url()

    assert url.startswith("sqlite:///")
    path = Path(url.removeprefix("sqlite:///"))
    assert path.name == "compliance.sqlite3"
    assert path.parent.name == "data" and path.parent.is_dir()


def test_the_command_line_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.sqlite3")

    assert resolve_url("sqlite:///from-cli.sqlite3") == "sqlite:///from-cli.sqlite3"


def test_the_environment_is_used_without_a_command_line_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.sqlite3")

    assert resolve_url(None) == "sqlite:///from-env.sqlite3"


def test_without_either_the_default_is_used(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert resolve_url(None) == default_url()


def test_postgres_urls_get_the_psycopg_driver(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://jsw@db.example:5432/jsw")

    assert resolve_url(None) == "postgresql+psycopg://jsw@db.example:5432/jsw"
    assert resolve_url("postgresql://jsw@db/jsw") == "postgresql+psycopg://jsw@db/jsw"
    assert resolve_url("postgresql+psycopg://jsw@db/jsw") == "postgresql+psycopg://jsw@db/jsw"
