"""Schema upgrades with alembic, driven from code (no alembic.ini), under the store's writer lock."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.engine import writing

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions; tests/store checks it equals alembic's head, so the
# "already up to date" check at connect() needs neither alembic nor the scripts loaded.
HEAD_REVISION = "0005"


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in alembic_version, or None for a database never migrated."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def alembic_config() -> Config:
    """Alembic configuration pointing at store/migrations (alembic is imported only when needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Run every pending migration up to `revision` in one locked transaction (a second process waits,
    then finds none). Tests stop at an older revision to prove upgrades keep existing rows."""
    from alembic import command

    config = alembic_config()
    with writing(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def ensure_schema(engine: Engine) -> None:
    if current_revision(engine) != HEAD_REVISION:
        upgrade_schema(engine)
