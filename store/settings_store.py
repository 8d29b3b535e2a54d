"""The settings document (rules, targets, local holidays, review schedule) as stored JSON.

Saving appends a new version rather than overwriting, so who changed a target and when stays on
record; the newest version is the one in force.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.audit import record_event
from store.engine import writing
from store.tables import settings, utc_now


def load_settings(engine: Engine) -> dict:
    """The settings document in force; {} when none was ever saved."""
    statement = sa.select(settings.c.document).order_by(settings.c.version.desc()).limit(1)
    with engine.connect() as connection:
        document = connection.execute(statement).scalar()
    return {} if document is None else document


def save_settings(engine: Engine, document: dict, *, user: str) -> None:
    """Store `document` (JSON-safe) as the new version in force, recording who saved it and when."""
    with writing(engine) as connection:
        newest = connection.execute(sa.select(sa.func.coalesce(sa.func.max(settings.c.version), 0))).scalar()
        connection.execute(
            sa.insert(settings).values(
                version=newest + 1, document=document, updated_at=utc_now(), updated_by=user
            )
        )
        record_event(connection, user, "settings", f"settings version {newest + 1} saved")
