"""Move an existing SQLite home into PostgreSQL (`journey migrate --to postgresql://…`).

The target's tables are made by the SQL layer's migrations (assistant/storage: the schema declared once,
upgraded by Alembic to the newest revision) when the store opens; a table the source has that the schema
does not declare is made from the source's own definition. Every table of the home's feedback store is
copied (feedback, ingest runs and files, stored vectors,
labels, corrections, map versions, conversation state, and any table another part of the product
added), in one transaction, with PostgreSQL's COPY. Rows are counted on both sides per table before
the transaction commits; if any count differs, nothing is kept and the command fails.

Not copied, because they are derived and rebuilt from what is copied: the keyword indexes (PostgreSQL
builds its own from the text), the marks saying which rows the local Chroma index holds (the team's
Chroma server is another index: `journey reindex` fills it from the copied vectors, without running
the model), the source's Alembic revision (the target has its own), and the LangGraph checkpoints of
chats in `conversations.sqlite3` (the conversation state the assistant resumes from,
`conversation_threads`, is copied).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from assistant.contracts.results import MigrationResult, TableCount
from assistant.errors import JourneyError
from assistant.feedback.database import namespace_for, quote_ident, safe_url
from assistant.feedback.store import FeedbackStore
from assistant.settings import Settings

Progress = Callable[[str, int, int], None]
"""Called with ('copying <table>', rows copied, rows in the table)."""

DERIVED = {"index_marks", "store_meta", "feedback_fts_ids", "row_sentiment", "alembic_version"}
"""Tables rebuilt rather than copied (see the module docstring)."""
BATCH = 5000


class MigrationError(JourneyError):
    exit_code = 1


def _source_tables(src: sqlite3.Connection) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the tables to copy, in creation order."""
    rows = src.execute(
        "SELECT name, sql, type FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall()
    virtual = [name for name, sql, _ in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    out = []
    for name, sql, _ in rows:
        if name in DERIVED or name.startswith("sqlite_") or name in virtual:
            continue
        if any(name.startswith(f"{v}_") for v in virtual):  # FTS5's own shadow tables
            continue
        out.append((name, sql or ""))
    return out


def migrate_to_postgres(
    settings: Settings,
    url: str,
    source_home: Path | None = None,
    owner: str | None = None,
    progress: Progress | None = None,
) -> MigrationResult:
    """Copy the SQLite store of `source_home` (default JOURNEY_HOME; a signed-in `owner`'s part of it if
    given) into PostgreSQL at `url`, into the schema the workspace uses for that owner."""
    from assistant.workspace.core import owner_home

    home = owner_home(
        settings.model_copy(update={"journey_home": source_home or settings.journey_home}), owner
    )
    path = home / "feedback.sqlite3"
    if not path.is_file():
        raise MigrationError(f"No feedback store at {path}: nothing to migrate.")
    namespace = namespace_for(owner)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    dst = FeedbackStore.open_url(url, namespace)  # every declared table, at the newest revision
    try:
        src.execute("BEGIN")  # one snapshot of the source, whatever writes to it meanwhile
        tables = _source_tables(src)
        for name, sql in tables:
            if dst.conn.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is None:
                # A table this version does not declare: its SQLite definition, translated (the
                # compatibility path, storage/engine.py).
                dst.conn.executescript(sql + ";")
        counts = {
            name: int(src.execute(f"SELECT COUNT(*) FROM {quote_ident(name)}").fetchone()[0])
            for name, _ in tables
        }
        occupied = {
            name: n
            for name, _ in tables
            if (n := int(dst.conn.execute(f"SELECT COUNT(*) FROM {quote_ident(name)}").fetchone()[0]))
        }
        if occupied:
            listed = ", ".join(f"{t} ({n:,} rows)" for t, n in occupied.items())
            raise MigrationError(
                f"The PostgreSQL schema {namespace!r} already holds data ({listed}); nothing was copied. "
                "Migrate into an empty database or schema."
            )
        result = MigrationResult(source=str(path), target=safe_url(url), namespace=namespace)
        with dst.write() as conn:
            for name, _ in tables:
                columns = [r[1] for r in src.execute(f"PRAGMA table_info({quote_ident(name)})")]
                names = ", ".join(quote_ident(c) for c in columns)
                cur = src.execute(f"SELECT {names} FROM {quote_ident(name)}")
                done = 0
                with (
                    conn.raw.cursor() as pg,
                    pg.copy(f"COPY {quote_ident(name)} ({names}) FROM STDIN") as copy,
                ):
                    while batch := cur.fetchmany(BATCH):
                        for row in batch:
                            copy.write_row(row)
                        done += len(batch)
                        if progress is not None:
                            progress(f"copying {name}", done, counts[name])
                _reset_identity(conn.raw, name)
                copied = int(conn.execute(f"SELECT COUNT(*) FROM {quote_ident(name)}").fetchone()[0])
                result.tables.append(TableCount(table=name, sqlite_rows=counts[name], postgres_rows=copied))
            wrong = [t for t in result.tables if t.sqlite_rows != t.postgres_rows]
            if wrong:  # raising inside the transaction rolls every table back
                listed = ", ".join(
                    f"{t.table} (SQLite {t.sqlite_rows:,}, PostgreSQL {t.postgres_rows:,})" for t in wrong
                )
                raise MigrationError(f"Row counts differ after copying: {listed}. Nothing was kept.")
        return result
    finally:
        src.close()
        dst.close()


def _reset_identity(raw: object, table: str) -> None:
    """Let identity columns (ingest run numbers) continue after the copied values."""
    found = raw.execute(  # type: ignore[attr-defined]
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attidentity <> ''", (table,)
    ).fetchall()
    for (column,) in found:
        raw.execute(  # type: ignore[attr-defined]
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({quote_ident(column)}), 0) + 1, false) "
            f"FROM {quote_ident(table)}",
            (table, column),
        )
