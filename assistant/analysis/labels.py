"""Sentiment and stage labels per stored row, computed once and kept in SQLite.

Sentiment does not depend on the map, so it is cached per row. Stage assignment depends on the map's
stages, so it is cached per (map key, row), where the key is a hash of everything the assigner reads.
Diagnosis then aggregates these tables in SQL instead of re-labelling millions of rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from assistant.domain.model import JourneyMap
from assistant.feedback.store import FeedbackStore
from tools.encoders import Encoder
from tools.sentiment import LABELS, TextSentiment, classify_rows
from tools.stage_assignment import StageAssigner

LABEL_SCHEMA = """
CREATE TABLE IF NOT EXISTS row_sentiment (
    feedback_id TEXT PRIMARY KEY,
    label INTEGER NOT NULL,          -- -1 negative, 0 neutral, 1 positive
    score REAL NOT NULL,
    method TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_stage (
    map_key TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    stage INTEGER NOT NULL,          -- index into the map's stages, -1 unassigned
    confidence REAL NOT NULL,
    method TEXT NOT NULL,
    -- Copies of the row's sentiment label and of immutable feedback fields (rows are keyed by a content
    -- hash and never change), so aggregates read this table alone instead of joining a million rows.
    label INTEGER NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    rating REAL,
    rating_type TEXT,
    PRIMARY KEY (map_key, feedback_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS row_stage_by_stage ON row_stage(map_key, stage, feedback_id);
"""

BATCH = 256
Progress = Callable[[int, int], None]
"""Called with (rows labelled so far, rows to label)."""


def map_key(journey: JourneyMap) -> str:
    """Changes whenever anything the stage assigner reads changes."""
    stages = [s.model_dump(include={"name", "description", "goal", "steps"}) for s in journey.stages]
    return hashlib.sha256(json.dumps(stages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def ensure_label_tables(store: FeedbackStore) -> None:
    store.conn.executescript(LABEL_SCHEMA)


@dataclass
class Labeller:
    """Fills the label tables for rows that lack them. The encoder is created only if needed."""

    store: FeedbackStore
    encoder_factory: Callable[[], Encoder]
    _encoder: Encoder | None = None

    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = self.encoder_factory()
        return self._encoder

    def label(self, journey: JourneyMap, progress: Progress | None = None) -> str:
        """Make sure every stored row has a sentiment and a stage for this map; returns the map key."""
        ensure_label_tables(self.store)
        key = map_key(journey)
        conn = self.store.conn
        missing = (
            "FROM feedback f LEFT JOIN row_stage s ON s.map_key=? AND s.feedback_id=f.feedback_id "
            "WHERE s.feedback_id IS NULL"
        )
        # Counting both sides reads two indexes; looking for a missing label would join a million rows.
        # (Labels of deleted rows are deleted with them, so equal counts mean every row is labelled.)
        labelled = conn.execute("SELECT COUNT(*) FROM row_stage WHERE map_key=?", (key,)).fetchone()[0]
        if labelled >= self.store.count():
            return key
        todo = conn.execute(f"SELECT COUNT(*) {missing}", (key,)).fetchone()[0]
        encode = self.encoder()
        sentiment_model: TextSentiment | None = None
        assigner = StageAssigner(journey, encode)
        done = 0
        sql = (
            "SELECT f.feedback_id, f.text, f.rating, f.rating_type, f.stage_label, r.label, f.source, f.date "
            "FROM feedback f "
            "LEFT JOIN row_stage s ON s.map_key=? AND s.feedback_id=f.feedback_id "
            "LEFT JOIN row_sentiment r ON r.feedback_id=f.feedback_id "
            "WHERE s.feedback_id IS NULL LIMIT ?"
        )
        while rows := conn.execute(sql, (key, BATCH)).fetchall():
            texts = [r[1] for r in rows]
            vectors = encode(texts)
            assignments = assigner.assign(texts, [r[4] for r in rows], vectors)
            new_sent = [i for i, r in enumerate(rows) if r[5] is None]
            sent_rows = []
            if new_sent:
                if sentiment_model is None and any(rows[i][2] is None for i in new_sent):
                    sentiment_model = TextSentiment(encode)
                results = classify_rows(
                    [texts[i] for i in new_sent],
                    [rows[i][2] for i in new_sent],
                    [rows[i][3] for i in new_sent],
                    sentiment_model,
                    vectors[new_sent] if vectors is not None else None,
                )
                sent_rows = [
                    (rows[i][0], LABELS.index(res.label) - 1, res.score, res.method)
                    for i, res in zip(new_sent, results, strict=True)
                ]
            index = {name: i for i, name in enumerate(journey.stage_names)}
            label_of = {r[0]: r[5] for r in rows if r[5] is not None} | {sr[0]: sr[1] for sr in sent_rows}
            stage_rows = [
                (
                    key,
                    r[0],
                    index[a.stage] if a.stage is not None else -1,
                    a.confidence,
                    a.method,
                    label_of[r[0]],
                    r[6],
                    r[7],
                    r[2],
                    r[3],
                )
                for r, a in zip(rows, assignments, strict=True)
            ]
            with self.store.write() as c:
                c.executemany("INSERT OR REPLACE INTO row_sentiment VALUES (?,?,?,?)", sent_rows)
                c.executemany("INSERT OR REPLACE INTO row_stage VALUES (?,?,?,?,?,?,?,?,?,?)", stage_rows)
            done += len(rows)
            if progress is not None:
                progress(done, todo)
        return key
