"""Alembic's environment for the workspace database: run with a connection handed over by
assistant/storage/upgrade.py (the store's own, in the owner's schema on PostgreSQL); there is no
offline (SQL script) mode."""

from __future__ import annotations

from alembic import context

from assistant.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through assistant.storage.upgrade (it passes the store's connection)")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
