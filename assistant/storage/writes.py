"""Statements whose words differ between the engines, built with each engine's SQLAlchemy dialect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from assistant.storage.engine import SqlConnection


def upsert(
    conn: SqlConnection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    ignore: bool = False,
    also_set: Mapping[str, Any] | None = None,
) -> None:
    """Insert `rows`; a row whose primary key is stored already replaces the stored values of the
    columns given (`ignore`: is left alone). `also_set`: more columns to set when a row is replaced (a
    time stamp that a fresh insert takes from its default)."""
    if not rows:
        return
    insert = postgresql.insert(table) if conn.is_postgres else sqlite.insert(table)
    key = [c.name for c in table.primary_key.columns]
    given = [name for name in rows[0] if name not in key]
    if ignore or not given:
        statement: Any = insert.on_conflict_do_nothing(index_elements=key)
    else:
        updates: dict[str, Any] = {name: insert.excluded[name] for name in given}
        updates.update(also_set or {})
        statement = insert.on_conflict_do_update(index_elements=key, set_=updates)
    conn.run(statement, list(rows))
