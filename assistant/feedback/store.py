"""The feedback store: the source of truth for every ingested row, and for the vectors made from it.

It runs on SQLite (the embedded default: one file under JOURNEY_HOME) or on PostgreSQL (DATABASE_URL,
for a team: one schema per workspace namespace), through the SQL layer (assistant/storage): the tables
are declared once (storage/schema.py) and made or upgraded by Alembic when the store opens; this
module's queries are SQLAlchemy Core expressions, compiled for the engine at hand. Methods that take
SQL conditions from their callers (`matching_ids`, `nearest`, `stream`) take them in SQLite's flavour
with `?` placeholders and run them through the compatibility path (storage/engine.py).

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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from assistant.contracts.feedback_records import FeedbackRecord, FileReport, StoredFeedback
from assistant.errors import StoreError
from assistant.feedback import keywords
from assistant.feedback.database import POSTGRES, SQLITE, Dialect
from assistant.storage.engine import (
    DEFAULT_NAMESPACE,
    Engine,
    SqlConnection,
    ensure_namespace,
    lock_key,
    postgres_engine,
    safe_url,
    sqlite_engine,
)
from assistant.storage.schema import (
    feedback,
    index_marks,
    ingest_runs,
    ingested_files,
    row_vectors,
    utc_now_text,
)
from assistant.storage.upgrade import undeclared, upgrade
from assistant.storage.writes import upsert

Connection = SqlConnection
"""A connection of the store (storage/engine.py): `run()` for Core, `execute()` for `?`-style SQL."""

COLUMNS = (
    "feedback_id, source, file_name, row, external_id, text, rating, rating_type, date, channel, "
    "stage_label, columns"
)
"""The columns of a StoredFeedback, for SQL written as strings (the compatibility path)."""
STORED = [feedback.c[name.strip()] for name in COLUMNS.split(",")]
"""The same columns, for Core."""


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
        self._write_key = lock_key(f"journey-write:{namespace}")
        self._sql: Engine | None = None

    @property
    def engine(self) -> str:
        return self.dialect.name

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @classmethod
    def open(cls, path: Path, schema: str = "") -> FeedbackStore:
        """Open (creating or upgrading if needed) a SQLite store. `schema`: table definitions of other
        parts of the product, in SQLite's words; those declared in storage/schema.py are made there (by
        the migrations) and skipped here, any other runs through the compatibility path."""
        store = cls(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            store._sql = Engine(sqlite_engine(path), store._write_key)
            store._create(schema)
        except (sa.exc.SQLAlchemyError, OSError) as exc:
            store.close()
            raise StoreError(f"Cannot open the feedback store at {path}: {exc}") from exc
        return store

    @classmethod
    def open_url(cls, url: str, namespace: str = DEFAULT_NAMESPACE, schema: str = "") -> FeedbackStore:
        """Open (creating or upgrading if needed) a store in PostgreSQL schema `namespace`."""
        store = cls(url=url, namespace=namespace)
        try:
            extension = ensure_namespace(url, namespace)
            store._sql = Engine(postgres_engine(url, namespace, extension), store._write_key)
            store._create(schema)
        except sa.exc.SQLAlchemyError as exc:
            store.close()
            raise StoreError(
                f"Cannot open the feedback store in PostgreSQL ({safe_url(url)}): {exc}"
            ) from exc
        return store

    def _create(self, schema: str) -> None:
        upgrade(self.conn)
        self.apply_schema(schema)
        # Keyword search's engine-specific indexes (FTS5 tables and triggers; tsvector and GIN).
        if self.is_postgres:
            self.conn.native_script(keywords.POSTGRES_SCHEMA)
        else:
            self.conn.native_script(keywords.SQLITE_SCHEMA)
        keywords.backfill(self)

    def apply_schema(self, schema: str) -> None:
        """Create tables not declared in storage/schema.py (SQLite-flavoured definitions, through the
        compatibility path; see `open`). Declare new tables in schema.py, with a migration, instead."""
        rest = undeclared(schema)
        if rest.strip():
            self.conn.executescript(rest)

    @property
    def _engine(self) -> Engine:
        if self._sql is None:
            raise StoreError("the feedback store is closed")
        return self._sql

    def new_connection(self) -> Connection:
        """A connection of its own (not this thread's), for a parallel read; the caller closes it."""
        return self._engine.new_connection()

    @property
    def conn(self) -> Connection:
        """This thread's connection."""
        return self._engine.conn

    def close(self) -> None:
        if self._sql is not None:
            self._sql.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One atomic write transaction, taking the write lock up front so check-then-insert is safe."""
        with self.conn.transaction() as conn:
            yield conn

    def table_names(self) -> set[str]:
        return set(sa.inspect(self.conn.sa).get_table_names())

    # --- writing -------------------------------------------------------------------------------------

    def start_run(self, source: str, file_name: str) -> int:
        """A new ingest run id: rows remember which run stored them, so a failed file can be undone
        without holding every stored id in memory."""
        with self.write() as conn:
            statement = (
                sa.insert(ingest_runs).values(source=source, file_name=file_name).returning(ingest_runs.c.run)
            )
            return int(conn.run(statement).scalar_one())

    def delete_run(self, run: int) -> None:
        """Remove every row a run stored (the undo of a file that failed part-way)."""
        from assistant.storage.schema import metadata

        present = self.table_names()
        of_run = sa.select(feedback.c.feedback_id).where(feedback.c.ingest_run == run)
        with self.write() as conn:
            for name in ("row_stage", "sentiment_labels", "row_vectors", "index_marks"):
                if name in present:
                    table = metadata.tables[name]
                    conn.run(sa.delete(table).where(table.c.feedback_id.in_(of_run)))
            conn.run(sa.delete(feedback).where(feedback.c.ingest_run == run))
            # A per-map summary counted the removed rows' labels (see assistant.analysis.aggregate).
            for name in SUMMARY_TABLES:
                if name in present:
                    conn.run(sa.delete(metadata.tables[name]))

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
                    {
                        "feedback_id": rec.feedback_id,
                        "source": rec.source,
                        "file_name": rec.file_name,
                        "row": rec.row,
                        "external_id": rec.external_id,
                        "text": rec.text,
                        "rating": rec.rating,
                        "rating_type": rec.rating_type,
                        "date": rec.date,
                        "channel": rec.channel,
                        "stage_label": rec.stage_label,
                        "columns": json.dumps(rec.columns, ensure_ascii=False, default=str),
                        "ingest_run": run,
                    }
                )
            if rows:
                conn.run(sa.insert(feedback), rows)
        return stored, duplicates

    @staticmethod
    def _existing_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            chunk = list(ids[start : start + 900])
            statement = sa.select(feedback.c.feedback_id).where(feedback.c.feedback_id.in_(chunk))
            found.update(conn.run(statement).scalars())
        return found

    def finished_file(self, source: str, sha256: str, options: str) -> FileReport | None:
        """The report of an earlier complete ingest of this exact file into this source, if any."""
        t = ingested_files
        report = self.conn.run(
            sa.select(t.c.report).where(t.c.source == source, t.c.sha256 == sha256, t.c.options == options)
        ).scalar()
        return FileReport.model_validate_json(report) if report is not None else None

    def record_finished_file(self, source: str, sha256: str, options: str, report: FileReport) -> None:
        row = {"source": source, "sha256": sha256, "options": options, "report": report.model_dump_json()}
        with self.write() as conn:
            upsert(conn, ingested_files, [row], also_set={"finished_at": utc_now_text()})

    # --- reading -------------------------------------------------------------------------------------

    def count(self, source: str | None = None) -> int:
        statement = sa.select(sa.func.count()).select_from(feedback)
        if source is not None:
            statement = statement.where(feedback.c.source == source)
        return int(self.conn.run(statement).scalar_one())

    def columns(self, sample: int = 2000) -> list[str]:
        """Names of the original columns seen in (a sample of) the stored rows, plus the core fields."""
        each, key = self.dialect.json_keys("f.columns")
        rows = self.conn.run(
            sa.text(f"SELECT DISTINCT {key} FROM (SELECT columns FROM feedback LIMIT :sample) f, {each}"),
            {"sample": sample},
        ).fetchall()
        return sorted({"source", "channel", *(r[0] for r in rows)})

    def sources(self) -> list[str]:
        statement = sa.select(feedback.c.source).distinct().order_by(feedback.c.source)
        return list(self.conn.run(statement).scalars())

    def value_counts(self, column: str, sample: int = 5000, limit: int = 50) -> list[tuple[str, int]]:
        """The most common values of a column in the first `sample` stored rows (empty cells left out)."""
        value = column if column in ("source", "channel") else self.dialect.json_text("columns", column)
        statement = sa.text(
            f"SELECT v, COUNT(*) FROM (SELECT {value} AS v FROM feedback LIMIT :sample) t "
            "WHERE v IS NOT NULL AND v <> '' GROUP BY v ORDER BY 2 DESC, 1 LIMIT :limit"
        )
        return [(str(r[0]), int(r[1])) for r in self.conn.run(statement, {"sample": sample, "limit": limit})]

    def stage_labels(self, sources: Sequence[str] = (), limit: int = 12) -> list[tuple[str, int]]:
        """The stage names the rows were filed under (their own stage column), most rows first."""
        n = sa.func.count()
        statement = (
            sa.select(feedback.c.stage_label, n)
            .where(feedback.c.stage_label.is_not(None), feedback.c.stage_label != "")
            .group_by(feedback.c.stage_label)
            .order_by(n.desc(), feedback.c.stage_label)
            .limit(limit)
        )
        if sources:
            statement = statement.where(feedback.c.source.in_(list(sources)))
        return [(str(r[0]), int(r[1])) for r in self.conn.run(statement)]

    def get(self, ids: Sequence[str]) -> list[StoredFeedback]:
        """Rows by id, in the order asked (missing ids are left out)."""
        out: dict[str, StoredFeedback] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            for r in self.conn.run(sa.select(*STORED).where(feedback.c.feedback_id.in_(chunk))):
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
        f = feedback.c
        statement = sa.select(*STORED).order_by(f.source, f.file_name, f.row, f.feedback_id)
        if source is not None:
            statement = statement.where(f.source == source)
        if since is not None:
            statement = statement.where(f.date >= since)
        if until is not None:
            statement = statement.where(f.date <= until)
        for batch in self.stream(statement, (), batch_size):
            yield [_row_to_stored(r) for r in batch]

    def stream(
        self, sql: str | sa.Executable, params: Sequence[Any], batch_size: int = 5000
    ) -> Iterator[list[Any]]:
        """The rows of one query (a Core statement, or `?`-style SQL through the compatibility path) in
        batches, without holding them all in memory (PostgreSQL: a server-side cursor on a connection of
        its own, so the caller may write between batches)."""
        if self.url is None:
            yield from self.conn.stream(sql, params, batch_size)
            return
        conn = self.new_connection()
        try:
            yield from conn.stream(sql, params, batch_size)
        finally:
            conn.close()

    # --- index bookkeeping (Chroma is derived from this table) -----------------------------------------

    def iter_unindexed(self, collection: str, batch_size: int = 256) -> Iterator[list[StoredFeedback]]:
        """Rows not yet marked as indexed in `collection`, in batches, in id order.

        Each batch continues after the last id of the one before (a scan from the start each time would
        step over every row already indexed: quadratic over a million rows). Rows stored behind the
        cursor meanwhile are left for the next sync."""
        m = index_marks.c
        last = ""
        while True:
            statement = (
                sa.select(*STORED)
                .outerjoin(
                    index_marks, sa.and_(m.collection == collection, m.feedback_id == feedback.c.feedback_id)
                )
                .where(feedback.c.feedback_id > last, m.feedback_id.is_(None))
                .order_by(feedback.c.feedback_id)
                .limit(batch_size)
            )
            rows = self.conn.run(statement).fetchall()
            if not rows:
                return
            yield [_row_to_stored(r) for r in rows]
            last = rows[-1][0]

    def mark_indexed(self, collection: str, ids: Iterable[str]) -> None:
        rows = [{"collection": collection, "feedback_id": i} for i in ids]
        with self.write() as conn:
            upsert(conn, index_marks, rows, ignore=True)

    def clear_index_marks(self, collection: str) -> None:
        with self.write() as conn:
            conn.run(sa.delete(index_marks).where(index_marks.c.collection == collection))

    def indexed_count(self, collection: str) -> int:
        statement = (
            sa.select(sa.func.count()).select_from(index_marks).where(index_marks.c.collection == collection)
        )
        return int(self.conn.run(statement).scalar_one())

    # --- vectors: each row is embedded once per model, at ingest, and every later use reads them ---------

    def _unembedded(self, model: str, source: str | None) -> tuple[Any, list[Any]]:
        v = row_vectors.c
        joined = feedback.outerjoin(
            row_vectors, sa.and_(v.model == model, v.feedback_id == feedback.c.feedback_id)
        )
        where: list[Any] = [v.feedback_id.is_(None)]
        if source is not None:
            where.append(feedback.c.source == source)
        return joined, where

    def iter_unembedded(
        self, model: str, source: str | None = None, batch_size: int = 256
    ) -> Iterator[list[tuple[str, str]]]:
        """(feedback_id, text) of rows with no vector for `model` yet, in batches (of one source, if given).

        Each batch is read fresh, after the last id of the one before, so a caller may store the batch's
        vectors before asking for the next."""
        joined, where = self._unembedded(model, source)
        last = ""
        while True:
            statement = (
                sa.select(feedback.c.feedback_id, feedback.c.text)
                .select_from(joined)
                .where(feedback.c.feedback_id > last, *where)
                .order_by(feedback.c.feedback_id)
                .limit(batch_size)
            )
            rows = self.conn.run(statement).fetchall()
            if not rows:
                return
            yield [(r[0], r[1]) for r in rows]
            last = rows[-1][0]

    def unembedded_count(self, model: str, source: str | None = None) -> int:
        joined, where = self._unembedded(model, source)
        return int(self.conn.run(sa.select(sa.func.count()).select_from(joined).where(*where)).scalar_one())

    def store_vectors(self, model: str, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Keep unit vectors as float16: half the disk, and cosine similarities change by < 0.001."""
        blobs = np.asarray(vectors, dtype="<f2")
        rows = [{"model": model, "feedback_id": i, "vector": blobs[k].tobytes()} for k, i in enumerate(ids)]
        with self.write() as conn:
            upsert(conn, row_vectors, rows)

    def vectors(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors (float32) of the given rows; rows without one are left out."""
        v = row_vectors.c
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            statement = sa.select(v.feedback_id, v.vector).where(v.model == model, v.feedback_id.in_(chunk))
            for fid, blob in self.conn.run(statement):
                out[fid] = np.frombuffer(blob, dtype="<f2").astype(np.float32)
        return out

    def matching_ids(self, ids: Sequence[str], conditions: str, params: Sequence[Any]) -> set[str]:
        """Which of `ids` meet `conditions` (SQL ` AND …` on the feedback row `f`, `?`-style: the
        compatibility path)."""
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
        """Exact nearest rows (cosine) among those meeting `conditions` (`?`-style, as in
        `matching_ids`), from their stored vectors."""
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
        statement = sa.select(sa.func.count()).select_from(row_vectors).where(row_vectors.c.model == model)
        return int(self.conn.run(statement).scalar_one())

    def iter_vectors(
        self, model: str, ids_after: str = "", batch_size: int = 2000
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        """Every stored vector of `model`, in feedback-id order, in batches (for rebuilding the index)."""
        v = row_vectors.c
        last = ids_after
        while True:
            statement = (
                sa.select(v.feedback_id, v.vector)
                .where(v.model == model, v.feedback_id > last)
                .order_by(v.feedback_id)
                .limit(batch_size)
            )
            rows = self.conn.run(statement).fetchall()
            if not rows:
                return
            ids = [r[0] for r in rows]
            matrix = np.vstack([np.frombuffer(r[1], dtype="<f2") for r in rows]).astype(np.float32)
            yield ids, matrix
            last = ids[-1]
