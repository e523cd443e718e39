"""Every table of the workspace database, declared once with SQLAlchemy Core, for SQLite and PostgreSQL.

The same declaration creates the tables on both engines (through Alembic, migrations/) and names their
columns for the queries written as Core expressions. Types are chosen so both engines store and compare
alike:

- text is `TEXT`; on PostgreSQL `TEXT COLLATE "C"` (byte order, as SQLite compares), so ids split and sort
  the same way on both and batches, samples and therefore every number are identical;
- whole numbers are `INTEGER` (SQLite) / `BIGINT` (PostgreSQL); reals are `REAL` (SQLite's is 8 bytes) /
  `DOUBLE PRECISION` (PostgreSQL's REAL would round ratings and scores); bytes are `BLOB` / `BYTEA`;
- times the database stamps itself are ISO-8601 UTC text (`utc_now_text()`).

Not declared here, because they are engine-specific and belong to keyword search: SQLite's FTS5 tables and
their triggers, PostgreSQL's generated `tsvector` column and GIN indexes (assistant/feedback/keywords.py).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from journey_tools.counts import Counts

TEXT: sa.types.TypeEngine[Any] = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
INTEGER: sa.types.TypeEngine[Any] = sa.Integer().with_variant(postgresql.BIGINT(), "postgresql")
REAL: sa.types.TypeEngine[Any] = sa.REAL().with_variant(postgresql.DOUBLE_PRECISION(), "postgresql")
BLOB: sa.types.TypeEngine[Any] = sa.LargeBinary()


class utc_now_text(FunctionElement[str]):
    """The current UTC time as ISO-8601 text (`2026-12-07T04:38:01Z`), computed by the database."""

    type = sa.Text()
    inherit_cache = True


@compiles(utc_now_text, "sqlite")
def _utc_now_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


@compiles(utc_now_text, "postgresql")
def _utc_now_postgres(element: Any, compiler: Any, **kw: Any) -> str:
    return "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"


metadata = sa.MetaData()

NO_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}
"""Tables keyed by text whose rows are only ever reached by that key: clustered on it in SQLite."""


def _text(name: str, nullable: bool | None = None, **kw: Any) -> sa.Column[Any]:
    """A text column; nullable unless it is said not to be or is part of the primary key."""
    if nullable is not None:
        kw["nullable"] = nullable
    return sa.Column(name, TEXT, **kw)


def _int(name: str, *args: Any, nullable: bool | None = None, **kw: Any) -> sa.Column[Any]:
    if nullable is not None:
        kw["nullable"] = nullable
    return sa.Column(name, INTEGER, *args, **kw)


def _real(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, REAL, nullable=nullable)


def _stamped(name: str) -> sa.Column[Any]:
    return sa.Column(name, TEXT, nullable=False, server_default=utc_now_text())


# --- feedback and what is derived from it ------------------------------------------------------------

feedback = sa.Table(
    "feedback",
    metadata,
    _text("feedback_id", primary_key=True),
    _text("source", False),
    _text("file_name", False),
    _int("row", nullable=False),
    _text("external_id"),
    _text("text", False),
    _real("rating"),
    _text("rating_type"),
    _text("date"),
    _text("channel"),
    _text("stage_label"),
    _text("columns", False),
    _int("ingest_run", nullable=False, server_default=sa.text("0")),
    _stamped("ingested_at"),
    sa.Index("feedback_source", "source"),
    sa.Index("feedback_date", "date"),
    **NO_ROWID,
)

ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    _int("run", sa.Identity(always=False), primary_key=True, autoincrement=True),
    _text("source", False),
    _text("file_name", False),
    _stamped("started_at"),
    sqlite_autoincrement=True,
)

ingested_files = sa.Table(
    "ingested_files",
    metadata,
    _text("source", False, primary_key=True),
    _text("sha256", False, primary_key=True),
    _text("options", False, primary_key=True),
    _text("report", False),
    _stamped("finished_at"),
)

row_vectors = sa.Table(
    "row_vectors",
    metadata,
    _text("model", False, primary_key=True),
    _text("feedback_id", False, primary_key=True),
    sa.Column("vector", BLOB, nullable=False),  # float16 little-endian, L2-normalised
)

store_meta = sa.Table(
    "store_meta",
    metadata,
    _text("key", primary_key=True),
    _text("value", False),
)

index_marks = sa.Table(
    "index_marks",
    metadata,
    _text("collection", False, primary_key=True),
    _text("feedback_id", False, primary_key=True),
    **NO_ROWID,
)

# --- labels, corrections and their per-map summaries -----------------------------------------------------

sentiment_labels = sa.Table(
    "sentiment_labels",
    metadata,
    _text("labeller", False, primary_key=True),  # embedding model and method version
    _text("feedback_id", False, primary_key=True),
    _int("label", nullable=False),  # -1 negative, 0 neutral, 1 positive
    _real("score", False),
    _text("method", False),
    **NO_ROWID,
)

row_stage = sa.Table(
    "row_stage",
    metadata,
    _text("map_key", False, primary_key=True),
    _text("feedback_id", False, primary_key=True),
    _int("stage", nullable=False),  # index into the map's stages, -1 unassigned
    _real("confidence", False),
    _text("method", False),
    # Copies of the row's sentiment label and of immutable feedback fields (rows are keyed by a content
    # hash and never change), so aggregates read this table alone instead of joining a million rows.
    _int("label", nullable=False),
    _text("source", False),
    _text("date"),
    _real("rating"),
    _text("rating_type"),
    sa.Index("row_stage_by_stage", "map_key", "stage", "feedback_id"),
    **NO_ROWID,
)

stage_corrections = sa.Table(
    "stage_corrections",
    metadata,
    _text("map_id", False, primary_key=True),  # 'saved:<name>' or 'title:<title>'
    _text("feedback_id", False, primary_key=True),
    _text("stage", False),  # the stage's name
    _text("created_at", False),
    **NO_ROWID,
)

sentiment_corrections = sa.Table(
    "sentiment_corrections",
    metadata,
    _text("feedback_id", primary_key=True),
    _int("label", nullable=False),
    _text("created_at", False),
    **NO_ROWID,
)


def _count_columns() -> list[sa.Column[Any]]:
    """The `Counts` of a group of rows (tools/journey_tools/counts.py), one column each: sums are real, counts whole."""
    return [
        _real(f.name, False) if f.name.endswith(("_sum", "_sumsq")) else _int(f.name, nullable=False)
        for f in fields(Counts)
    ]


stage_summary = sa.Table(
    "stage_summary",
    metadata,
    _text("map_key", False),
    _text("source", False),
    _text("date"),
    _int("stage", nullable=False),
    _int("bucket", nullable=False),  # stage confidence in 0.05 steps (x 20), for the ranking bootstrap
    *_count_columns(),
    sa.Index("stage_summary_by_map", "map_key"),
)

segment_summary = sa.Table(
    "segment_summary",
    metadata,
    _text("map_key", False),
    _text("segment", False),  # the column segmented by
    _text("source", False),
    _text("date"),
    _int("stage", nullable=False),
    _text("value", False),  # the column's value ('(missing)' when the row has none)
    *_count_columns(),
    sa.Index("segment_summary_by_map", "map_key", "segment"),
)

segment_summary_state = sa.Table(
    "segment_summary_state",
    metadata,
    _text("map_key", False, primary_key=True),
    _text("segment", False, primary_key=True),
)

stage_summary_state = sa.Table(
    "stage_summary_state",
    metadata,
    _text("map_key", primary_key=True),
    _int("labelled_rows", nullable=False),  # row_stage rows under the key when the summary was made
)

# --- maps and conversations ---------------------------------------------------------------------------

map_versions = sa.Table(
    "map_versions",
    metadata,
    _text("name_key", False, primary_key=True),  # case-folded name: unique regardless of case
    _int("version", nullable=False, primary_key=True, autoincrement=False),
    _text("name", False),
    _text("author", False),
    _text("reason", False),
    _text("created_at", False),
    _int("undo_to"),  # the version an undo of this one restores (NULL: nothing to undo)
    _text("map_json", False),
)

conversation_threads = sa.Table(
    "conversation_threads",
    metadata,
    _text("thread_id", primary_key=True),
    _text("state", False),  # JSON: what the assistant remembers (assistant/turns/threads.py ThreadState)
    _text("updated_at", False),
)

TABLES = frozenset(metadata.tables)
"""Every declared table's name."""
