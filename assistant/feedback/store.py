"""The feedback store: the source of truth for every ingested row, and for the vectors made from it.

It runs on SQLite (the embedded default: one file under JOURNEY_HOME) or on PostgreSQL (DATABASE_URL,
for a team: one schema per workspace namespace); see database.py for how one body of SQL serves both.

Writes are batched and atomic, and writers take turns (SQLite: WAL and `BEGIN IMMEDIATE`; PostgreSQL:
a transaction holding the namespace's advisory lock), so two ingests can run at once, from two
processes, and lose nothing: the second waits for the lock instead of failing. A process killed at any
moment leaves whole batches only; re-running an ingest skips what is already stored because rows are
keyed by a content hash.

Each thread gets its own connection (connections must not be shared between threads), so the chat
app's worker threads and the CLI use the same object safely.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import StoreError
from assistant.feedback import keywords
from assistant.feedback.database import (
    DEFAULT_NAMESPACE,
    POSTGRES,
    SQLITE,
    Catalog,
    Dialect,
    connect_postgres,
    ensure_namespace,
    lock_key,
    postgres_write,
    safe_url,
)
from assistant.feedback.records import FeedbackRecord, FileReport, StoredFeedback

Connection = Any
"""A sqlite3.Connection, or a PgConnection taking the same SQL (database.py)."""

SCHEMA = """
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
"""

COLUMNS = (
    "feedback_id, source, file_name, row, external_id, text, rating, rating_type, date, channel, "
    "stage_label, columns"
)


def _row_to_stored(r: Sequence[Any]) -> StoredFeedback:
    return StoredFeedback(
        feedback_id=r[0],
        source=r[1],
        file_name=r[2],
        row=r[3],
        external_id=r[4],
        text=r[5],
        rating=r[6],
        rating_type=r[7],
        date=r[8],
        channel=r[9],
        stage_label=r[10],
        columns=json.loads(r[11]),
    )


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, waiting up to a minute for locks."""
    # Each connection is used by the one thread that opened it; the flag only lets `close()` run elsewhere.
    conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


SUMMARY_TABLES = ("stage_summary_state", "stage_summary", "segment_summary_state", "segment_summary")
"""The per-map label summaries (assistant.analysis.aggregate): derived from labels, dropped with them."""


class FeedbackStore:
    """The feedback database. Open with `FeedbackStore.open(path)` (SQLite) or
    `FeedbackStore.open_url(url, namespace)` (PostgreSQL); close when done."""

    def __init__(
        self, path: Path | None = None, url: str | None = None, namespace: str = DEFAULT_NAMESPACE
    ) -> None:
        if (path is None) == (url is None):
            raise ValueError("a store is either a SQLite file (path) or a PostgreSQL URL")
        self.path = path
        """The SQLite file; None on PostgreSQL."""
        self.url = url
        self.namespace = namespace
        """The PostgreSQL schema holding this store's tables (unused on SQLite)."""
        self.dialect: Dialect = SQLITE if url is None else POSTGRES
        self._catalog = Catalog()
        self._write_key = lock_key(f"journey-write:{namespace}")
        self._extension_schema = "journey_ext"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[Connection] = []

    @property
    def engine(self) -> str:
        return self.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @classmethod
    def open(cls, path: Path, schema: str = "") -> FeedbackStore:
        """Open (creating if needed) a SQLite store; `schema` adds other tables kept in the same file."""
        store = cls(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            store._create(schema)
        except (sqlite3.Error, OSError) as exc:
            store.close()
            raise StoreError(f"Cannot open the feedback store at {path}: {exc}") from exc
        return store

    @classmethod
    def open_url(cls, url: str, namespace: str = DEFAULT_NAMESPACE, schema: str = "") -> FeedbackStore:
        """Open (creating if needed) a store in PostgreSQL schema `namespace`."""
        import psycopg

        store = cls(url=url, namespace=namespace)
        try:
            store._extension_schema = ensure_namespace(url, namespace)
            store._create(schema)
        except psycopg.Error as exc:
            store.close()
            raise StoreError(
                f"Cannot open the feedback store in PostgreSQL ({safe_url(url)}): {exc}"
            ) from exc
        return store

    def _create(self, schema: str) -> None:
        extra = keywords.POSTGRES_SCHEMA if self.is_postgres else keywords.SQLITE_SCHEMA
        self.apply_schema(SCHEMA + schema + extra)
        keywords.backfill(self)

    def apply_schema(self, schema: str) -> None:
        """Create more tables (SQLite-flavoured definitions; translated and run under the write lock
        on PostgreSQL, where two processes creating the same table at once would otherwise collide)."""
        self.conn.executescript(schema)

    def new_connection(self) -> Connection:
        """A connection of its own (not this thread's), for a parallel read; the caller closes it."""
        if self.url is not None:
            return connect_postgres(
                self.url, self.namespace, self._catalog, self._write_key, self._extension_schema
            )
        assert self.path is not None
        return connect(self.path)

    @property
    def conn(self) -> Connection:
        """This thread's connection."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.new_connection()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One atomic write transaction, taking the write lock up front so check-then-insert is safe."""
        if self.url is not None:
            with postgres_write(self.conn, self._write_key) as pg:
                yield pg
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def table_names(self) -> set[str]:
        if self.url is not None:
            rows = self.conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", (self.namespace,)
            )
        else:
            rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {r[0] for r in rows}

    # --- writing -------------------------------------------------------------------------------------

    def start_run(self, source: str, file_name: str) -> int:
        """A new ingest run id: rows remember which run stored them, so a failed file can be undone
        without holding every stored id in memory."""
        with self.write() as conn:
            row = conn.execute(
                "INSERT INTO ingest_runs (source, file_name) VALUES (?, ?) RETURNING run", (source, file_name)
            ).fetchone()
            return int(row[0])

    def delete_run(self, run: int) -> None:
        """Remove every row a run stored (the undo of a file that failed part-way)."""
        labels = self.table_names()
        with self.write() as conn:
            derived = ("row_stage", "sentiment_labels", "row_vectors", "index_marks")
            for table in (t for t in derived if t in labels):
                conn.execute(
                    f"DELETE FROM {table} WHERE feedback_id IN (SELECT feedback_id FROM feedback WHERE ingest_run = ?)",
                    (run,),
                )
            conn.execute("DELETE FROM feedback WHERE ingest_run = ?", (run,))
            # A per-map summary counted the removed rows' labels (see assistant.analysis.aggregate).
            for table in (t for t in SUMMARY_TABLES if t in labels):
                conn.execute(f"DELETE FROM {table}")

    def insert_batch(self, records: Sequence[FeedbackRecord], run: int = 0) -> tuple[list[str], int]:
        """Store new records atomically; returns (ids stored, number already present)."""
        if not records:
            return [], 0
        with self.write() as conn:
            stored: list[str] = []
            duplicates = 0
            seen: set[str] = set()
            existing = self._existing_ids(conn, [r.feedback_id for r in records])
            rows = []
            for rec in records:
                if rec.feedback_id in existing or rec.feedback_id in seen:
                    duplicates += 1
                    continue
                seen.add(rec.feedback_id)
                stored.append(rec.feedback_id)
                rows.append(
                    (
                        rec.feedback_id,
                        rec.source,
                        rec.file_name,
                        rec.row,
                        rec.external_id,
                        rec.text,
                        rec.rating,
                        rec.rating_type,
                        rec.date,
                        rec.channel,
                        rec.stage_label,
                        json.dumps(rec.columns, ensure_ascii=False, default=str),
                        run,
                    )
                )
            conn.executemany(
                f"INSERT INTO feedback ({COLUMNS}, ingest_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
        return stored, duplicates

    @staticmethod
    def _existing_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in conn.execute(
                    f"SELECT feedback_id FROM feedback WHERE feedback_id IN ({marks})", chunk
                )
            )
        return found

    def finished_file(self, source: str, sha256: str, options: str) -> FileReport | None:
        """The report of an earlier complete ingest of this exact file into this source, if any."""
        row = self.conn.execute(
            "SELECT report FROM ingested_files WHERE source=? AND sha256=? AND options=?",
            (source, sha256, options),
        ).fetchone()
        return FileReport.model_validate_json(row[0]) if row else None

    def record_finished_file(self, source: str, sha256: str, options: str, report: FileReport) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ingested_files (source, sha256, options, report) VALUES (?,?,?,?)",
                (source, sha256, options, report.model_dump_json()),
            )

    # --- reading -------------------------------------------------------------------------------------

    def count(self, source: str | None = None) -> int:
        if source is None:
            return int(self.conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        return int(self.conn.execute("SELECT COUNT(*) FROM feedback WHERE source=?", (source,)).fetchone()[0])

    def columns(self, sample: int = 2000) -> list[str]:
        """Names of the original columns seen in (a sample of) the stored rows, plus the core fields."""
        each, key = self.dialect.json_keys("f.columns")
        rows = self.conn.execute(
            f"SELECT DISTINCT {key} FROM (SELECT columns FROM feedback LIMIT ?) f, {each}", (sample,)
        ).fetchall()
        return sorted({"source", "channel", *(r[0] for r in rows)})

    def sources(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT source FROM feedback ORDER BY source")]

    def value_counts(self, column: str, sample: int = 5000, limit: int = 50) -> list[tuple[str, int]]:
        """The most common values of a column in the first `sample` stored rows (empty cells left out)."""
        value = column if column in ("source", "channel") else self.dialect.json_text("columns", column)
        sql = (
            f"SELECT v, COUNT(*) FROM (SELECT {value} AS v FROM feedback LIMIT ?) t "
            "WHERE v IS NOT NULL AND v <> '' GROUP BY v ORDER BY 2 DESC, 1 LIMIT ?"
        )
        return [(str(r[0]), int(r[1])) for r in self.conn.execute(sql, [sample, limit])]

    def stage_labels(self, sources: Sequence[str] = (), limit: int = 12) -> list[tuple[str, int]]:
        """The stage names the rows were filed under (their own stage column), most rows first."""
        where = "stage_label IS NOT NULL AND stage_label <> ''"
        params: list[Any] = list(sources)
        if sources:
            where += f" AND source IN ({','.join('?' * len(sources))})"
        sql = f"SELECT stage_label, COUNT(*) FROM feedback WHERE {where} GROUP BY stage_label ORDER BY 2 DESC, 1 LIMIT ?"
        return [(str(r[0]), int(r[1])) for r in self.conn.execute(sql, [*params, limit])]

    def get(self, ids: Sequence[str]) -> list[StoredFeedback]:
        """Rows by id, in the order asked (missing ids are left out)."""
        out: dict[str, StoredFeedback] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            for r in self.conn.execute(
                f"SELECT {COLUMNS} FROM feedback WHERE feedback_id IN ({marks})", chunk
            ):
                out[r[0]] = _row_to_stored(r)
        return [out[i] for i in ids if i in out]

    def iter_feedback(
        self,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        batch_size: int = 5000,
    ) -> Iterator[list[StoredFeedback]]:
        """All rows in a stable order (source, file, row), in batches, optionally filtered."""
        where, params = self._filters(source, since, until)
        sql = f"SELECT {COLUMNS} FROM feedback {where} ORDER BY source, file_name, row, feedback_id"
        for batch in self.stream(sql, params, batch_size):
            yield [_row_to_stored(r) for r in batch]

    def stream(self, sql: str, params: Sequence[Any], batch_size: int = 5000) -> Iterator[list[Any]]:
        """The rows of one query in batches, without holding them all in memory (PostgreSQL: a
        server-side cursor on a connection of its own, so the caller may write between batches)."""
        if self.url is None:
            cur = self.conn.execute(sql, params)
            while batch := cur.fetchmany(batch_size):
                yield batch
            return
        conn = self.new_connection()
        try:
            with conn.raw.transaction(), conn.raw.cursor(name="journey_stream") as cur:
                cur.itersize = batch_size
                cur.execute(conn.translate(sql), list(params))
                while batch := cur.fetchmany(batch_size):
                    yield batch
        finally:
            conn.close()

    @staticmethod
    def _filters(source: str | None, since: str | None, until: str | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if source is not None:
            clauses.append("source = ?")
            params.append(source)
        if since is not None:
            clauses.append("date >= ?")
            params.append(since)
        if until is not None:
            clauses.append("date <= ?")
            params.append(until)
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), params

    # --- index bookkeeping (Chroma is derived from this table) -----------------------------------------

    def iter_unindexed(self, collection: str, batch_size: int = 256) -> Iterator[list[StoredFeedback]]:
        """Rows not yet marked as indexed in `collection`, in batches, in id order.

        Each batch continues after the last id of the one before (a scan from the start each time would
        step over every row already indexed: quadratic over a million rows). Rows stored behind the
        cursor meanwhile are left for the next sync."""
        cols = ", ".join("f." + c.strip() for c in COLUMNS.split(","))
        sql = (
            f"SELECT {cols} FROM feedback f "
            "LEFT JOIN index_marks m ON m.collection = ? AND m.feedback_id = f.feedback_id "
            "WHERE f.feedback_id > ? AND m.feedback_id IS NULL ORDER BY f.feedback_id LIMIT ?"
        )
        last = ""
        while rows := self.conn.execute(sql, (collection, last, batch_size)).fetchall():
            yield [_row_to_stored(r) for r in rows]
            last = rows[-1][0]

    def mark_indexed(self, collection: str, ids: Iterable[str]) -> None:
        with self.write() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO index_marks (collection, feedback_id) VALUES (?, ?)",
                [(collection, i) for i in ids],
            )

    def clear_index_marks(self, collection: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM index_marks WHERE collection = ?", (collection,))

    def indexed_count(self, collection: str) -> int:
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM index_marks WHERE collection = ?", (collection,)
            ).fetchone()[0]
        )

    # --- vectors: each row is embedded once per model, at ingest, and every later use reads them ---------

    def iter_unembedded(
        self, model: str, source: str | None = None, batch_size: int = 256
    ) -> Iterator[list[tuple[str, str]]]:
        """(feedback_id, text) of rows with no vector for `model` yet, in batches (of one source, if given).

        Each batch is read fresh, after the last id of the one before, so a caller may store the batch's
        vectors before asking for the next."""
        sql = (
            "SELECT f.feedback_id, f.text FROM feedback f "
            "LEFT JOIN row_vectors v ON v.model = ? AND v.feedback_id = f.feedback_id "
            "WHERE f.feedback_id > ? AND v.feedback_id IS NULL"
            + (" AND f.source = ?" if source is not None else "")
            + " ORDER BY f.feedback_id LIMIT ?"
        )
        last = ""
        while True:
            params: list[Any] = [model, last] + ([source] if source is not None else [])
            rows = self.conn.execute(sql, [*params, batch_size]).fetchall()
            if not rows:
                return
            yield [(r[0], r[1]) for r in rows]
            last = rows[-1][0]

    def unembedded_count(self, model: str, source: str | None = None) -> int:
        sql = (
            "SELECT COUNT(*) FROM feedback f "
            "LEFT JOIN row_vectors v ON v.model = ? AND v.feedback_id = f.feedback_id "
            "WHERE v.feedback_id IS NULL" + (" AND f.source = ?" if source is not None else "")
        )
        return int(self.conn.execute(sql, [model] + ([source] if source is not None else [])).fetchone()[0])

    def store_vectors(self, model: str, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Keep unit vectors as float16: half the disk, and cosine similarities change by < 0.001."""
        blobs = np.asarray(vectors, dtype="<f2")
        with self.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO row_vectors (model, feedback_id, vector) VALUES (?, ?, ?)",
                [(model, i, blobs[k].tobytes()) for k, i in enumerate(ids)],
            )

    def vectors(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors (float32) of the given rows; rows without one are left out."""
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            for fid, blob in self.conn.execute(
                f"SELECT feedback_id, vector FROM row_vectors WHERE model = ? AND feedback_id IN ({marks})",
                [model, *chunk],
            ):
                out[fid] = np.frombuffer(blob, dtype="<f2").astype(np.float32)
        return out

    def matching_ids(self, ids: Sequence[str], conditions: str, params: Sequence[Any]) -> set[str]:
        """Which of `ids` meet `conditions` (SQL ` AND …` on the feedback row `f`)."""
        if not ids:
            return set()
        if self.url is not None:
            sql = f"SELECT f.feedback_id FROM feedback f WHERE f.feedback_id = ANY(?){conditions}"
            first: Any = list(ids)
        else:  # one JSON parameter instead of thousands of bound ones
            sql = f"SELECT f.feedback_id FROM feedback f WHERE f.feedback_id IN (SELECT value FROM json_each(?)){conditions}"
            first = json.dumps(list(ids))
        return {r[0] for r in self.conn.execute(sql, [first, *params])}

    def nearest(
        self, model: str, query: np.ndarray, conditions: str, params: Sequence[Any], n: int
    ) -> list[tuple[str, float]]:
        """Exact nearest rows (cosine) among those meeting `conditions`, from their stored vectors."""
        sql = (
            "SELECT f.feedback_id, v.vector FROM feedback f "
            f"JOIN row_vectors v ON v.model = ? AND v.feedback_id = f.feedback_id WHERE 1 = 1{conditions}"
        )
        best_ids: list[str] = []
        best = np.zeros(0, dtype=np.float32)
        q = np.asarray(query, dtype=np.float32)
        for batch in self.stream(sql, [model, *params], 5000):
            matrix = np.frombuffer(b"".join(r[1] for r in batch), dtype="<f2").reshape(len(batch), -1)
            sims = matrix.astype(np.float32) @ q
            best_ids += [r[0] for r in batch]
            best = np.concatenate([best, sims])
            if len(best) > n:
                keep = np.argpartition(-best, n)[:n]
                best_ids, best = [best_ids[k] for k in keep], best[keep]
        order = np.argsort(-best, kind="stable")[:n]
        return [(best_ids[k], float(best[k])) for k in order]

    def vector_count(self, model: str) -> int:
        return int(
            self.conn.execute("SELECT COUNT(*) FROM row_vectors WHERE model = ?", (model,)).fetchone()[0]
        )

    def iter_vectors(
        self, model: str, ids_after: str = "", batch_size: int = 2000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        """Every stored vector of `model`, in feedback-id order, in batches (for rebuilding the index)."""
        last = ids_after
        while True:
            rows = self.conn.execute(
                "SELECT feedback_id, vector FROM row_vectors WHERE model = ? AND feedback_id > ? "
                "ORDER BY feedback_id LIMIT ?",
                (model, last, batch_size),
            ).fetchall()
            if not rows:
                return
            ids = [r[0] for r in rows]
            matrix = np.vstack([np.frombuffer(r[1], dtype="<f2") for r in rows]).astype(np.float32)
            yield ids, matrix
            last = ids[-1]
