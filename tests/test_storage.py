"""The SQL layer (assistant/storage): one declared schema, made by Alembic on an empty database, and a
database made before Alembic stamped and kept as it is. Real SQLite files in temporary folders."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assistant.feedback import keywords
from assistant.feedback.store import FeedbackStore
from assistant.maps.store import MapStore
from assistant.storage.conversations import ConversationStore
from assistant.storage.schema import TABLES, metadata
from assistant.storage.upgrade import BASELINE, current, head
from assistant.turns.threads import ThreadState, ThreadStore
from assistant.workspace.labelling import LABEL_SCHEMA

LEGACY_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    feedback_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    row INTEGER NOT NULL,
    external_id TEXT,
    text TEXT NOT NULL,
    rating REAL,
    rating_type TEXT,
    date TEXT,
    channel TEXT,
    stage_label TEXT,
    columns TEXT NOT NULL,
    ingest_run INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ingest_runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    file_name TEXT NOT NULL,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS feedback_source ON feedback(source);
CREATE INDEX IF NOT EXISTS feedback_date ON feedback(date);
CREATE TABLE IF NOT EXISTS ingested_files (
    source TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    options TEXT NOT NULL,
    report TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (source, sha256, options)
);
CREATE TABLE IF NOT EXISTS row_vectors (
    model TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    vector BLOB NOT NULL,            -- float16 little-endian, L2-normalised
    PRIMARY KEY (model, feedback_id)
);
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS index_marks (
    collection TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    PRIMARY KEY (collection, feedback_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS map_versions (
    name_key TEXT NOT NULL,          -- case-folded name: names are unique regardless of case
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    author TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undo_to INTEGER,                 -- the version an undo of this one restores (NULL: nothing to undo)
    map_json TEXT NOT NULL,
    PRIMARY KEY (name_key, version)
);

CREATE TABLE IF NOT EXISTS conversation_threads (
    thread_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""
"""The tables as the product made them before the SQL layer (round 3), besides labelling's and keyword
search's, which still hold their definitions (LABEL_SCHEMA, keywords.SQLITE_SCHEMA)."""


def schema_differences(store: FeedbackStore) -> list[object]:
    """What differs between the declared schema and the database's tables (Alembic's comparison)."""
    context = MigrationContext.configure(store.conn.sa, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if not _ignored(d)]


def _ignored(difference: object) -> bool:
    # SQLite lets a `TEXT PRIMARY KEY` of a table with rowids hold NULL (a quirk kept for compatibility):
    # the old tables say so, the declared ones do not; the product never writes a NULL key.
    if isinstance(difference, list) and difference and difference[0][0] == "modify_nullable":
        table, column = difference[0][2], difference[0][3]
        return column in {c.name for c in metadata.tables[table].primary_key.columns}
    # Tables the declared schema leaves to others: keyword search's FTS5 tables and Alembic's own.
    first = difference[0] if isinstance(difference, tuple) else difference
    if isinstance(first, tuple) and first and first[0] == "remove_table":
        return first[1].name not in TABLES
    if isinstance(difference, tuple) and difference[0] == "remove_table":
        return difference[1].name not in TABLES
    return False


def test_a_new_database_is_made_at_the_newest_revision_from_the_declared_schema(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "feedback.sqlite3") as store:
        assert current(store.conn) == head()
        assert store.table_names() >= TABLES
        assert schema_differences(store) == []
        raw = sqlite3.connect(tmp_path / "feedback.sqlite3")
        made = dict(raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
        raw.close()
        assert "WITHOUT ROWID" in made["feedback"] and "AUTOINCREMENT" in made["ingest_runs"]


def test_a_database_made_before_alembic_is_stamped_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    raw = sqlite3.connect(path)
    raw.executescript(LEGACY_SCHEMA + LABEL_SCHEMA + keywords.SQLITE_SCHEMA)
    raw.execute(
        "INSERT INTO feedback (feedback_id, source, file_name, row, text, columns) "
        "VALUES ('a1', 'shop', 'f.csv', 1, 'The checkout was slow', '{}')"
    )
    raw.execute(
        "INSERT INTO conversation_threads (thread_id, state, updated_at) VALUES ('t1', ?, '2026-12-01T00:00:00')",
        (ThreadState(current_map="Shop").model_dump_json(),),
    )
    raw.execute("INSERT INTO store_meta (key, value) VALUES ('keyword_index', '1')")  # as the old open did
    raw.commit()
    raw.close()
    with FeedbackStore.open(path, schema=LABEL_SCHEMA) as store:
        revisions = store.conn.run(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
        assert revisions == [head()] and BASELINE in {head(), "0001_baseline"}
        assert schema_differences(store) == []  # the baseline describes exactly what the old code made
        assert store.count() == 1 and store.get(["a1"])[0].text == "The checkout was slow"
        assert ThreadStore(store).get("t1").current_map == "Shop"
        assert keywords.search(store, "checkout") and store.sources() == ["shop"]
        run = store.start_run("shop", "g.csv")
        assert run >= 1
    with FeedbackStore.open(path) as again:  # opening again changes nothing
        assert current(again.conn) == head() and again.count() == 1


def test_stores_of_the_sql_layer_on_sqlite(tmp_path: Path) -> None:
    with FeedbackStore.open(tmp_path / "feedback.sqlite3") as store:
        conversations = ConversationStore(store)
        assert conversations.get("nope") is None
        conversations.put("t1", '{"language": "ko"}')
        conversations.put("t1", '{"language": "en"}')
        conversations.put("t2", "{}")
        assert conversations.get("t1") == '{"language": "en"}'
        assert set(conversations.thread_ids()) == {"t1", "t2"}
        threads = ThreadStore(store)
        threads.put(
            "t3", ThreadState(language="ko", history=[{"role": "user", "text": str(i)} for i in range(30)])
        )
        assert len(threads.get("t3").history) == 20
        # The compatibility path: SQLite-flavoured strings with `?` (the facade's and labelling's SQL).
        with store.write() as conn:
            conn.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", ("k", "1"))
            conn.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", ("k", "2"))
            conn.executemany(
                "INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)", [("k", "3"), ("j", "4")]
            )
        assert store.conn.execute("SELECT value FROM store_meta WHERE key = ?", ["k"]).fetchone()[0] == "2"
        assert store.conn.execute("SELECT COUNT(*) FROM store_meta WHERE key LIKE '%'").fetchone()[0] >= 2
        assert MapStore(store).all() == []
