"""The chat app's UI history tables (Chainlit's SQLAlchemy data layer): users, threads, steps, elements,
feedback and the app's sessions, declared here with the rest of the product's SQL.

Chainlit ships no schema for its data layer, and the one in its documentation lacks columns this version
writes (`steps."autoCollapse"`, `steps."modes"`, `steps."icon"`): without them every step is silently
dropped. `ensure_schema` creates the tables and adds any missing column to an older database (nothing is
ever dropped). This history is what the app's sidebar shows and resumes; the assistant's own memory of a
conversation is `storage/conversations.py`.
"""

from __future__ import annotations

from pathlib import Path

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
    "journey_sessions": {
        "id": "TEXT PRIMARY KEY",
        "user": "TEXT NOT NULL",
        "createdAt": "DOUBLE PRECISION NOT NULL",
        "expiresAt": "DOUBLE PRECISION NOT NULL",
        "revokedAt": "DOUBLE PRECISION",
        "credential": "TEXT NOT NULL",
        "client": "TEXT",
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
    'CREATE INDEX IF NOT EXISTS journey_sessions_user ON journey_sessions ("user")',
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
    return kind.replace("DOUBLE PRECISION", "REAL")


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
