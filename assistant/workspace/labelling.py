"""Sentiment and stage labels per stored row, computed once and kept in SQLite.

Labelling is an explicit step: the workspace runs it before any verb that reads labels, and reports
what it did (`LabelReport`). Rows already labelled for the same map are never labelled again.

Sentiment does not depend on the map, so it is cached per row and labeller (embedding model + method
version). Stage assignment depends on the map's stages, so it is cached per (map key, row), where the
key hashes everything the assigner reads plus the labeller. Both read the row vectors stored at
ingest: using a new map never runs the embedding model over the rows again.

Corrections (a person's stage or sentiment for a row) are stored in `stage_corrections` (per map
identity and row) and `sentiment_corrections` (per row: a row's sentiment does not depend on the map).
They are part of the cache keys: a new correction relabels every row, the corrected row gets the
person's label, and the others get the corrected rows' stored vectors as labelled examples
(tools/journey_tools/stage_assignment.py, tools/journey_tools/sentiment.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.analysis.aggregate import SUMMARY_SCHEMA, drop_summary, summarise
from assistant.contracts.results import LabelReport
from assistant.domain.map_model import JourneyMap
from assistant.embedding import FEEDBACK_KIND, Embedder
from assistant.feedback.store import FeedbackStore
from assistant.feedback.vectors import embed_missing
from journey_tools.sentiment import TextSentiment, classify_rows, load_head
from journey_tools.stage_assignment import Assignment, StageAssigner, StageSpec, StepSpec
from journey_tools.stage_labels import (
    PendingRow,
    SentimentRecord,
    StageRecord,
    count_unassigned,
    needs_sentiment,
    needs_text_model,
    sentiment_records,
    stage_records,
)
from journey_tools.stage_lexical import document_frequencies
from journey_tools.text import text_for_embedding

METHOD_VERSION = "4"
"""Bump when stage assignment or sentiment changes, so cached labels are made again."""

LABEL_SCHEMA = (
    SUMMARY_SCHEMA
    + """
DROP TABLE IF EXISTS row_sentiment;
CREATE TABLE IF NOT EXISTS sentiment_labels (
    labeller TEXT NOT NULL,          -- embedding model and method version
    feedback_id TEXT NOT NULL,
    label INTEGER NOT NULL,          -- -1 negative, 0 neutral, 1 positive
    score REAL NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (labeller, feedback_id)
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
CREATE TABLE IF NOT EXISTS stage_corrections (
    map_id TEXT NOT NULL,            -- 'saved:<name>' for a saved map, 'title:<title>' for a map file
    feedback_id TEXT NOT NULL,
    stage TEXT NOT NULL,             -- the stage's name (a correction naming a stage the map no longer has is ignored)
    created_at TEXT NOT NULL,
    PRIMARY KEY (map_id, feedback_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sentiment_corrections (
    feedback_id TEXT PRIMARY KEY,
    label INTEGER NOT NULL,          -- -1 negative, 0 neutral, 1 positive
    created_at TEXT NOT NULL
) WITHOUT ROWID;
"""
)

BATCH = 2000
CORPUS_SAMPLE = 5000
"""Rows read to measure how widely each word is used (tools/journey_tools/stage_lexical.py): the shares that matter
(a few percent and up) are stable at this size, and reading them costs well under a second."""
Progress = Callable[[int, int], None]
"""Called with (rows done, rows to do)."""


def stage_specs(journey: JourneyMap) -> list[StageSpec]:
    """What the assigner reads of a map, as plain data."""
    return [
        StageSpec(
            name=s.name,
            description=s.description,
            goal=s.goal,
            steps=tuple(
                StepSpec(
                    action=step.action,
                    touchpoint=step.touchpoint,
                    thoughts=step.thoughts,
                    pain_points=tuple(p.description for p in step.pain_points),
                )
                for step in s.steps
            ),
        )
        for s in journey.stages
    ]


def labeller_id(embedder: Embedder, corrections: str = "") -> str:
    """Identifies how sentiment labels were made: the model, the method and the sentiment corrections."""
    base = f"{embedder.name}:v{METHOD_VERSION}"
    return f"{base}:c{corrections}" if corrections else base


def map_identity(journey: JourneyMap, saved_name: str | None = None) -> str:
    """How corrections find their map: a saved map by its name (it keeps its corrections through edits
    and versions), a map file by its title (files have no other stable identity)."""
    if saved_name is not None:
        return f"saved:{saved_name}"
    return f"title:{' '.join(journey.title.split()).casefold()}"


def stage_corrections(store: FeedbackStore, map_id: str) -> dict[str, str]:
    """feedback id -> stage name, for one map identity."""
    rows = store.conn.execute(
        "SELECT feedback_id, stage FROM stage_corrections WHERE map_id = ? ORDER BY feedback_id", [map_id]
    )
    return {r[0]: r[1] for r in rows}


def sentiment_corrections(store: FeedbackStore) -> dict[str, int]:
    """feedback id -> label index (-1, 0, 1)."""
    rows = store.conn.execute("SELECT feedback_id, label FROM sentiment_corrections ORDER BY feedback_id")
    return {r[0]: r[1] for r in rows}


def fingerprint(items: dict[str, Any]) -> str:
    """A short hash of a set of corrections ('' when there are none, so keys stay as they were)."""
    if not items:
        return ""
    blob = json.dumps(sorted(items.items()), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def map_key(journey: JourneyMap, embedder: Embedder, corrections: str = "") -> str:
    """Changes whenever anything the labels depend on changes: the stages, the model, the method and the
    user's corrections."""
    stages = [s.model_dump(include={"name", "description", "goal", "steps"}) for s in journey.stages]
    blob = json.dumps([stages, labeller_id(embedder), corrections], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Labeller:
    store: FeedbackStore
    embedder: Embedder

    def keys(self, journey: JourneyMap, map_id: str, use_archetypes: bool = True) -> tuple[str, str]:
        """(map key, sentiment labeller) of this map's labels, given the corrections stored now."""
        names = set(journey.stage_names)
        fixed_stages = {f: s for f, s in stage_corrections(self.store, map_id).items() if s in names}
        labeller = labeller_id(self.embedder, fingerprint(sentiment_corrections(self.store)))
        extra = (fingerprint(fixed_stages), labeller, "" if use_archetypes else "no-archetypes")
        return map_key(journey, self.embedder, "|".join(x for x in extra if x)), labeller

    def label(
        self,
        journey: JourneyMap,
        source: str | None = None,
        progress: Progress | None = None,
        map_id: str | None = None,
        use_archetypes: bool = True,
    ) -> LabelReport:
        """Make sure every stored row (of `source`, if given) has a sentiment and a stage for this map.

        `map_id` (see `map_identity`) says whose stage corrections apply; by default the map's title.
        Rows are read in batches (`_pending`), labelled (`_label_batch`: the decisions are in
        tools/journey_tools/stage_labels.py) and written (`_write`)."""
        started = time.perf_counter()
        map_id = map_id or map_identity(journey)
        names = set(journey.stage_names)
        fixed_stages = {f: s for f, s in stage_corrections(self.store, map_id).items() if s in names}
        fixed_sentiment = sentiment_corrections(self.store)
        key, labeller = self.keys(journey, map_id, use_archetypes)
        in_scope = self.store.count(source)
        labelled = self._labelled_count(key, source)
        # Labels of deleted rows are deleted with them, so equal counts mean every row in scope is labelled.
        if labelled >= in_scope:
            return LabelReport(
                map_key=key,
                labeller=labeller,
                rows_in_scope=in_scope,
                rows_labelled=0,
                rows_embedded=0,
                seconds=round(time.perf_counter() - started, 3),
            )
        embedded = embed_missing(self.store, self.embedder, source)
        todo = in_scope - labelled
        batch = _Batcher(
            labeller=labeller,
            assigner=self._assigner(journey, fixed_stages, source, use_archetypes),
            stage_index={name: i for i, name in enumerate(journey.stage_names)},
            fixed_stages=fixed_stages,
            fixed_sentiment=fixed_sentiment,
            sentiment_model=lambda: self._sentiment_model(fixed_sentiment),
        )
        unassigned: dict[str, int] = {}
        done, cursor = 0, ""
        while rows := self._pending(key, labeller, source, cursor):
            cursor = rows[-1].feedback_id
            vectors = self._vectors(rows)
            assignments, sentiments = batch.label(rows, vectors)
            count_unassigned(assignments, unassigned)
            self._write(key, sentiments, stage_records(key, rows, assignments, batch.stage_index, sentiments))
            done += len(rows)
            if progress is not None:
                progress(done, max(todo, done))
        if done:
            # Diagnoses read the map's day-level counts from here instead of every labelled row.
            summarise(self.store, key)
        return LabelReport(
            map_key=key,
            labeller=labeller,
            rows_in_scope=in_scope,
            rows_labelled=done,
            rows_embedded=embedded,
            seconds=round(time.perf_counter() - started, 3),
            unassigned=unassigned,
        )

    def _labelled_count(self, key: str, source: str | None) -> int:
        sql = "SELECT COUNT(*) FROM row_stage WHERE map_key=?" + (" AND source=?" if source else "")
        return int(self.store.conn.execute(sql, [key] + ([source] if source else [])).fetchone()[0])

    def _assigner(
        self, journey: JourneyMap, fixed_stages: dict[str, str], source: str | None, use_archetypes: bool
    ) -> StageAssigner:
        """The map's stage assigner, with the corrected rows' stored vectors as examples."""
        index = {name: i for i, name in enumerate(journey.stage_names)}
        stored = self.store.vectors(self.embedder.name, list(fixed_stages))
        examples = [f for f in fixed_stages if f in stored]
        return StageAssigner(
            stage_specs(journey),
            self.embedder.encoder(FEEDBACK_KIND),
            use_archetypes=use_archetypes,
            example_vectors=np.vstack([stored[f] for f in examples]) if stored else None,
            example_stages=[index[fixed_stages[f]] for f in examples],
            corpus=self.corpus_shares(source),
            example_texts=self._texts(examples),
        )

    def _sentiment_model(self, fixed_sentiment: dict[str, int]) -> TextSentiment:
        """The text sentiment model, with the sentiment-corrected rows' stored vectors as examples."""
        stored = self.store.vectors(self.embedder.name, list(fixed_sentiment))
        examples = [f for f in fixed_sentiment if f in stored]
        return TextSentiment(
            self.embedder.encoder(FEEDBACK_KIND),
            load_head(self.embedder.name),
            np.vstack([stored[f] for f in examples]) if examples else None,
            [fixed_sentiment[f] + 1 for f in examples],
        )

    _PENDING_SQL = (
        "SELECT f.feedback_id, f.text, f.rating, f.rating_type, f.stage_label, f.source, f.date, "
        "v.vector, r.label FROM feedback f "
        "LEFT JOIN row_stage s ON s.map_key = ? AND s.feedback_id = f.feedback_id "
        "LEFT JOIN row_vectors v ON v.model = ? AND v.feedback_id = f.feedback_id "
        "LEFT JOIN sentiment_labels r ON r.labeller = ? AND r.feedback_id = f.feedback_id "
        "WHERE f.feedback_id > ? AND s.feedback_id IS NULL"
    )

    def _pending(self, key: str, labeller: str, source: str | None, cursor: str) -> list[PendingRow]:
        """The next batch of rows (after `cursor`, in id order) not yet labelled for this map key."""
        sql = self._PENDING_SQL + (" AND f.source = ?" if source else "") + " ORDER BY f.feedback_id LIMIT ?"
        params: list[Any] = [key, self.embedder.name, labeller, cursor] + ([source] if source else [])
        return [
            PendingRow(
                feedback_id=fid,
                text=text,
                rating=rating,
                rating_type=rating_type,
                stage_label=stage_label,
                source=row_source,
                date=date,
                vector=vector,
                sentiment=sentiment,
            )
            for fid, text, rating, rating_type, stage_label, row_source, date, vector, sentiment in (
                self.store.conn.execute(sql, [*params, BATCH]).fetchall()
            )
        ]

    def _write(self, key: str, sentiments: list[SentimentRecord], stages: list[StageRecord]) -> None:
        with self.store.write() as c:
            c.executemany(
                "INSERT OR REPLACE INTO sentiment_labels VALUES (?,?,?,?,?)", [s.as_row() for s in sentiments]
            )
            c.executemany(
                "INSERT OR REPLACE INTO row_stage VALUES (?,?,?,?,?,?,?,?,?,?)", [s.as_row() for s in stages]
            )
            drop_summary(c, key)

    def _texts(self, ids: list[str]) -> list[str]:
        """The texts of stored rows, in the order of `ids`."""
        found = {r.feedback_id: r.text for r in self.store.get(ids)} if ids else {}
        return [found[i] for i in ids]

    def corpus_shares(self, source: str | None = None) -> dict[str, float]:
        """How widely each lexical term is used among the rows in scope (a sample of CORPUS_SAMPLE rows
        in id order, which is content-hash order, so any part of the data is represented)."""
        sql = (
            "SELECT text FROM feedback"
            + (" WHERE source = ?" if source else "")
            + " ORDER BY feedback_id LIMIT ?"
        )
        rows = self.store.conn.execute(sql, [*([source] if source else []), CORPUS_SAMPLE])
        return document_frequencies(r[0] for r in rows)

    def _vectors(self, rows: list[PendingRow]) -> np.ndarray:
        """The batch's stored vectors; a row stored after the embedding pass began is embedded now."""
        missing = [i for i, r in enumerate(rows) if r.vector is None]
        fresh = np.zeros((0, 0), dtype=np.float32)
        if missing:
            fresh = self.embedder.embed([text_for_embedding(rows[i].text) for i in missing], FEEDBACK_KIND)
            self.store.store_vectors(self.embedder.name, [rows[i].feedback_id for i in missing], fresh)
        dim = self.embedder.dimension()
        out = np.empty((len(rows), dim), dtype=np.float32)
        k = 0
        for i, r in enumerate(rows):
            if r.vector is None:
                out[i] = fresh[k]
                k += 1
            else:
                out[i] = np.frombuffer(r.vector, dtype="<f2")
        return out


@dataclass
class _Batcher:
    """Labels one batch of pending rows for a map: stages always, sentiment where none is cached. The
    text sentiment model is built on first need (`sentiment_model`), only when a row has no rating."""

    labeller: str
    assigner: StageAssigner
    stage_index: dict[str, int]
    fixed_stages: dict[str, str]
    fixed_sentiment: dict[str, int]
    sentiment_model: Callable[[], TextSentiment]
    _model: TextSentiment | None = None

    def label(
        self, rows: list[PendingRow], vectors: np.ndarray
    ) -> tuple[list[Assignment], list[SentimentRecord]]:
        texts = [r.text for r in rows]
        assignments = self.assigner.assign(
            texts,
            [r.stage_label for r in rows],
            vectors,
            corrected=[self.fixed_stages.get(r.feedback_id) for r in rows],
        )
        todo = needs_sentiment(rows)
        if not todo:
            return assignments, []
        if self._model is None and needs_text_model(rows, todo):
            self._model = self.sentiment_model()
        results = classify_rows(
            [texts[i] for i in todo],
            [rows[i].rating for i in todo],
            [rows[i].rating_type for i in todo],
            self._model,
            vectors[todo],
        )
        return assignments, sentiment_records(self.labeller, rows, todo, results, self.fixed_sentiment)
