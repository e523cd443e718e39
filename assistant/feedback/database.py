"""SQL expressions that differ between the two engines the workspace database runs on: SQLite (the
embedded default) and PostgreSQL (a team's server, chosen by DATABASE_URL).

Expressions that differ (reading a key of a JSON column, summing a condition, rounding) are not
translated behind the caller's back: `Dialect` gives them by name, so the difference is visible where it
is used. Engines, connections, the schema and its migrations are the SQL layer's (assistant/storage);
the URL and namespace helpers are re-exported here for the modules that import them from here.
"""

from __future__ import annotations

from assistant.storage.engine import (
    DEFAULT_NAMESPACE,
    EXTENSION_SCHEMA,
    EngineName,
    is_postgres_url,
    lock_key,
    namespace_for,
    plain_postgres_url,
    quote_ident,
    safe_url,
)

__all__ = [
    "DEFAULT_NAMESPACE",
    "EXTENSION_SCHEMA",
    "POSTGRES",
    "SQLITE",
    "Dialect",
    "EngineName",
    "PostgresDialect",
    "is_postgres_url",
    "lock_key",
    "namespace_for",
    "plain_postgres_url",
    "quote_ident",
    "safe_url",
]


class Dialect:
    """SQL fragments that differ between the engines."""

    name: EngineName = "sqlite"

    @staticmethod
    def _json_key(key: str) -> str:
        return key.replace("'", "''")

    def json_text(self, column: str, key: str) -> str:
        """The value of `key` in a JSON text column, as text (NULL when absent or JSON null)."""
        escaped = self._json_key(key.replace('"', '""'))
        return f"CAST(json_extract({column}, '$.\"{escaped}\"') AS TEXT)"

    def json_keys(self, column: str) -> tuple[str, str]:
        """(FROM item, key column) listing the keys of a JSON object column, e.g. `json_each(c) j`."""
        return f"json_each({column}) j", "j.key"

    def count_if(self, condition: str) -> str:
        """SUM of a condition: how many rows meet it (NULL over no rows)."""
        return f"SUM({condition})"

    def total(self, expression: str) -> str:
        """A float sum that is 0.0 over no rows (SQLite's TOTAL)."""
        return f"TOTAL({expression})"

    def round_half_up(self, expression: str) -> str:
        """Round to a whole number, halves away from zero (PostgreSQL's ROUND of a double rounds halves
        to even)."""
        return f"ROUND({expression})"


class PostgresDialect(Dialect):
    name: EngineName = "postgresql"

    def json_text(self, column: str, key: str) -> str:
        # SQLite's json_extract gives booleans as 1/0: the same text here, so segments are named alike.
        k = self._json_key(key)
        doc = f"CAST({column} AS json)"
        return (
            f"(CASE CAST({doc} -> '{k}' AS text) WHEN 'true' THEN '1' WHEN 'false' THEN '0' "
            f"ELSE {doc} ->> '{k}' END)"
        )

    def json_keys(self, column: str) -> tuple[str, str]:
        return f"json_object_keys(CAST({column} AS json)) j(key)", "j.key"

    def count_if(self, condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def total(self, expression: str) -> str:
        return f"COALESCE(SUM({expression}), 0.0)"

    def round_half_up(self, expression: str) -> str:
        return f"(CASE WHEN {expression} < 0 THEN -FLOOR(0.5 - ({expression})) ELSE FLOOR({expression} + 0.5) END)"


SQLITE = Dialect()
POSTGRES = PostgresDialect()
