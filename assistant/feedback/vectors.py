"""Embedding stored rows: once per row and model, at ingest, kept in the store for every later use.

Search, stage assignment and sentiment all read these vectors, so using a new journey map, or
rebuilding the search index, never runs the model over the rows again.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.embedding import FEEDBACK_KIND, Embedder
from assistant.feedback.store import FeedbackStore
from journey_tools.text import text_for_embedding

Progress = Callable[[int, int], None]
"""Called with (rows embedded so far, rows to embed)."""

BATCH = 256


def embed_missing(
    store: FeedbackStore,
    embedder: Embedder,
    source: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Embed every row (of `source`, if given) that has no vector for this model; returns how many.

    The model runs outside any write transaction, so other processes keep writing while it works; only
    storing a finished batch takes the write lock, briefly."""
    todo = store.unembedded_count(embedder.name, source)
    if todo == 0:
        return 0
    done = 0
    for batch in store.iter_unembedded(embedder.name, source, batch_size=BATCH):
        # Handles, links and redaction marks are embedded away: they say who was addressed, not what
        # happened (tools/journey_tools/text_clean.py).
        vectors = embedder.embed([text_for_embedding(text) for _, text in batch], FEEDBACK_KIND)
        store.store_vectors(embedder.name, [fid for fid, _ in batch], vectors)
        done += len(batch)
        if progress is not None:
            progress(done, max(todo, done))
    return done
