"""Where chats are kept: Chainlit's SQLAlchemy data layer on SQLite under JOURNEY_HOME, or on PostgreSQL
when DATABASE_URL names one (a team deployment); the same code for both.

Chainlit ships no schema for this layer, and the one in its documentation lacks columns this version
writes (`steps."autoCollapse"`, `steps."modes"`, `steps."icon"`): without them every step is silently
dropped. `ensure_schema` creates the tables and adds any missing column to an older database.
SQLite cannot bind Python lists or dicts, so the few such values are stored as JSON text there, and
thread auto-tagging stays off (`.chainlit/config.toml`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient

# Column name -> portable type; UUID, JSONB and TEXT[] become TEXT on SQLite.
TABLES: dict[str, dict[str, str]] = {
    "users": {
        "id": "UUID PRIMARY KEY",
        "identifier": "TEXT NOT NULL UNIQUE",
        "metadata": "JSONB NOT NULL",
        "createdAt": "TEXT",
    },
    "threads": {
        "id": "UUID PRIMARY KEY",
        "createdAt": "TEXT",
        "name": "TEXT",
        "userId": "UUID",
        "userIdentifier": "TEXT",
        "tags": "TEXT[]",
        "metadata": "JSONB",
    },
    "steps": {
        "id": "UUID PRIMARY KEY",
        "name": "TEXT NOT NULL",
        "type": "TEXT NOT NULL",
        "threadId": "UUID NOT NULL",
        "parentId": "UUID",
        "streaming": "BOOLEAN NOT NULL",
        "waitForAnswer": "BOOLEAN",
        "isError": "BOOLEAN",
        "metadata": "JSONB",
        "tags": "TEXT[]",
        "input": "TEXT",
        "output": "TEXT",
        "createdAt": "TEXT",
        "command": "TEXT",
        "start": "TEXT",
        "end": "TEXT",
        "generation": "JSONB",
        "showInput": "TEXT",
        "language": "TEXT",
        "indent": "INT",
        "defaultOpen": "BOOLEAN",
        "autoCollapse": "BOOLEAN",
        "modes": "JSONB",
        "icon": "TEXT",
    },
    "elements": {
        "id": "UUID PRIMARY KEY",
        "threadId": "UUID",
        "type": "TEXT",
        "url": "TEXT",
        "chainlitKey": "TEXT",
        "name": "TEXT NOT NULL",
        "display": "TEXT",
        "objectKey": "TEXT",
        "size": "TEXT",
        "page": "INT",
        "language": "TEXT",
        "forId": "UUID",
        "mime": "TEXT",
        "props": "JSONB",
        "autoPlay": "BOOLEAN",
        "playerConfig": "JSONB",
    },
    "feedbacks": {
        "id": "UUID PRIMARY KEY",
        "forId": "UUID NOT NULL",
        "threadId": "UUID NOT NULL",
        "value": "INT NOT NULL",
        "comment": "TEXT",
    },
}
FOREIGN_KEYS = {
    "threads": ['FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE'],
    "steps": ['FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE'],
    "elements": ['FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE'],
    "feedbacks": ['FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE'],
}
INDEXES = [
    'CREATE INDEX IF NOT EXISTS threads_user ON threads ("userId")',
    'CREATE INDEX IF NOT EXISTS steps_thread ON steps ("threadId")',
    'CREATE INDEX IF NOT EXISTS elements_thread ON elements ("threadId")',
]


def database_urls(database_url: str | None, home: Path) -> tuple[str, str]:
    """(async URL for the data layer, sync URL for creating the schema)."""
    if database_url is None:
        path = (home / "app" / "chats.sqlite3").resolve()
        return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
    if database_url.startswith("sqlite"):
        rest = database_url.split(":", 1)[1]
        return f"sqlite+aiosqlite:{rest}", f"sqlite:{rest}"
    rest = database_url.split("://", 1)[1]
    return f"postgresql+psycopg://{rest}", f"postgresql+psycopg://{rest}"


def _column_type(kind: str, sqlite: bool) -> str:
    if not sqlite:
        return kind
    for portable in ("UUID", "JSONB", "TEXT[]"):
        kind = kind.replace(portable, "TEXT")
    return kind


def ensure_schema(sync_url: str) -> None:
    """Create the tables, and add columns an older database lacks (nothing is ever dropped)."""
    from sqlalchemy import create_engine, inspect, text

    sqlite = sync_url.startswith("sqlite")
    if sqlite:
        Path(sync_url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sync_url)
    try:
        with engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            for table, columns in TABLES.items():
                if table not in existing:
                    body = [f'"{name}" {_column_type(kind, sqlite)}' for name, kind in columns.items()]
                    body += FOREIGN_KEYS.get(table, [])
                    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(body)})"))
                    continue
                have = {c["name"] for c in inspect(conn).get_columns(table)}
                for name, kind in columns.items():
                    if name not in have:
                        plain = (
                            _column_type(kind, sqlite).replace(" PRIMARY KEY", "").replace(" NOT NULL", "")
                        )
                        conn.execute(text(f'ALTER TABLE {table} ADD COLUMN "{name}" {plain}'))
            for statement in INDEXES:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _parse_json(row: Any, key: str, default: Any) -> None:
    value = row.get(key)
    if isinstance(value, str):
        try:
            row[key] = json.loads(value)
        except json.JSONDecodeError:
            row[key] = default


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


class JourneyDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQLAlchemy data layer with the gaps closed: dict values (and, on SQLite, lists) are
    stored as JSON text, and thread metadata and element props come back as objects on every database."""

    def __init__(self, conninfo: str, storage_provider: BaseStorageClient | None) -> None:
        super().__init__(conninfo=conninfo, storage_provider=storage_provider)
        self.sqlite = conninfo.startswith("sqlite")

    async def execute_sql(self, query: str, parameters: dict) -> Any:
        # Neither driver binds a dict (steps."modes", an element's props): JSON text goes into the JSON
        # column. Lists (tags) are arrays on PostgreSQL, JSON text on SQLite.
        parameters = {
            k: _json_text(v) if isinstance(v, dict) or (self.sqlite and isinstance(v, list)) else v
            for k, v in parameters.items()
        }
        return await super().execute_sql(query, parameters)

    async def get_all_user_threads(self, user_id: str | None = None, thread_id: str | None = None) -> Any:
        threads = await super().get_all_user_threads(user_id=user_id, thread_id=thread_id)
        for thread in threads or []:
            _parse_json(thread, "metadata", {})
            _parse_json(thread, "tags", [])
            for element in thread.get("elements") or []:
                # A custom element is drawn from its props, which SQLite returns as text.
                _parse_json(element, "props", {})
        return threads

    async def name_if_unnamed(self, thread_id: str, name: str, wait_s: float = 30.0) -> None:
        """Give a thread a name unless it has one. Chainlit names a thread after its first message's text,
        in a task of its own: wait until it has (the name is then set, if only to ""), then fill it in."""
        import asyncio

        for _ in range(max(1, int(wait_s / 0.2))):
            rows = await self.execute_sql('SELECT "name" FROM threads WHERE "id" = :id', {"id": thread_id})
            if isinstance(rows, list) and rows and rows[0].get("name") is not None:
                break
            await asyncio.sleep(0.2)
        await self.execute_sql(
            """UPDATE threads SET "name" = :name WHERE "id" = :id AND ("name" IS NULL OR "name" = '')""",
            {"id": thread_id, "name": name},
        )
