"""Datasets: the stored feedback grouped by its source (an upload's file name, or `journey ingest --source`).

A dataset is what a chat picks as its data, what `journey datasets` lists, and what can be renamed or
removed as a whole: its rows, vectors, labels, corrections and the per-map summaries that counted them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistant.feedback.store import SUMMARY_TABLES, FeedbackStore

# Tables keyed by a feedback row: removed with the row. (Labelling tables exist once a map was used.)
_ROW_TABLES = (
    "row_stage",
    "sentiment_labels",
    "row_vectors",
    "index_marks",
    "stage_corrections",
    "sentiment_corrections",
)


def dataset_rows(store: FeedbackStore) -> list[dict[str, Any]]:
    """Per dataset: rows, file names, first and last date, in name order."""
    sql = "SELECT source, COUNT(*), MIN(date), MAX(date) FROM feedback GROUP BY source ORDER BY source"
    out = []
    for source, rows, first, last in store.conn.execute(sql):
        files = [
            r[0]
            for r in store.conn.execute(
                "SELECT DISTINCT file_name FROM feedback WHERE source = ? ORDER BY file_name", [source]
            )
        ]
        out.append(
            {
                "name": source,
                "rows": int(rows),
                "files": files,
                "first_date": str(first)[:10] if first else None,
                "last_date": str(last)[:10] if last else None,
            }
        )
    return out


def latest_date(store: FeedbackStore, sources: Sequence[str] = ()) -> str | None:
    """The latest feedback date (YYYY-MM-DD) in these datasets (all when empty)."""
    where = f"WHERE source IN ({', '.join('?' * len(sources))})" if sources else ""
    row = store.conn.execute(f"SELECT MAX(date) FROM feedback {where}", list(sources)).fetchone()
    return str(row[0])[:10] if row and row[0] else None


def dataset_columns(store: FeedbackStore, source: str, sample: int = 500) -> list[str]:
    """The original columns seen in (a sample of) a dataset's rows."""
    each, key = store.dialect.json_keys("f.columns")
    rows = store.conn.execute(
        f"SELECT DISTINCT {key} FROM (SELECT columns FROM feedback WHERE source = ? LIMIT ?) f, {each}",
        [source, sample],
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def rename_dataset(store: FeedbackStore, name: str, new_name: str) -> int:
    """Rename a dataset in every table that names it; returns its rows."""
    tables = store.table_names()
    with store.write() as conn:
        rows = int(conn.execute("SELECT COUNT(*) FROM feedback WHERE source = ?", [name]).fetchone()[0])
        for table in ("feedback", "ingest_runs", "ingested_files", "row_stage"):
            if table in tables:
                conn.execute(f"UPDATE {table} SET source = ? WHERE source = ?", [new_name, name])
        # The summaries group by source too: made again on the next diagnosis.
        for table in (t for t in SUMMARY_TABLES if t in tables):
            conn.execute(f"DELETE FROM {table}")
    return rows


def remove_dataset(store: FeedbackStore, name: str) -> list[str]:
    """Remove a dataset's rows and everything derived from them; returns the removed feedback ids (for
    the vector index)."""
    tables = store.table_names()
    with store.write() as conn:
        ids = [r[0] for r in conn.execute("SELECT feedback_id FROM feedback WHERE source = ?", [name])]
        for table in (t for t in _ROW_TABLES if t in tables):
            conn.execute(
                f"DELETE FROM {table} WHERE feedback_id IN (SELECT feedback_id FROM feedback WHERE source = ?)",
                [name],
            )
        conn.execute("DELETE FROM feedback WHERE source = ?", [name])
        for table in ("ingest_runs", "ingested_files"):
            conn.execute(f"DELETE FROM {table} WHERE source = ?", [name])
        # A per-map summary counted the removed rows' labels.
        for table in (t for t in SUMMARY_TABLES if t in tables):
            conn.execute(f"DELETE FROM {table}")
    return ids
