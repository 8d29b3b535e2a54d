"""Alembic environment: runs migrations on the connection store.migrate hands over (no alembic.ini).

The caller passes its open connection in config.attributes["connection"]; that connection already
holds the store's writer lock, so two processes opening a new database never migrate it twice.
"""

from __future__ import annotations

from alembic import context

from store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
