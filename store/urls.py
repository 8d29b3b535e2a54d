"""Where the store lives: the --db value, else $DATABASE_URL, else an SQLite file under data/ (SPEC 6)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_FILE = PROJECT_ROOT / "data" / "compliance.sqlite3"

# Hosting platforms hand out "postgres://" URLs; SQLAlchemy needs the driver named.
_POSTGRES_PREFIXES = ("postgres://", "postgresql://")
_PSYCOPG_PREFIX = "postgresql+psycopg://"


def default_url() -> str:
    """The embedded SQLite file data/compliance.sqlite3 under the project root (data/ is created)."""
    DEFAULT_SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_FILE}"


def normalise_url(url: str) -> str:
    """postgres:// and postgresql:// become postgresql+psycopg:// (the driver this project ships)."""
    for prefix in _POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return _PSYCOPG_PREFIX + url[len(prefix) :]
    return url


def resolve_url(cli_url: str | None) -> str:
    """The --db value, else the DATABASE_URL environment variable, else default_url()."""
    chosen = cli_url or os.environ.get("DATABASE_URL") or default_url()
    return normalise_url(chosen)


def missing_sqlite_file(url: str) -> Path | None:
    """The file an SQLite URL names when it does not exist yet (None for any other URL, an in-memory
    store, or the embedded default store, which is created on first use)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.query.get("uri"):
        return None
    path = Path(parsed.database)
    if path.resolve() == DEFAULT_SQLITE_FILE or path.exists():
        return None
    return path
