"""The feedback collection in a real Chroma PersistentClient, derived from a real SQLite store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from chromadb.api import ClientAPI
from chromadb.api.shared_system_client import SharedSystemClient

from assistant.contracts.feedback_records import FeedbackRecord
from assistant.embedding.hashing import HashingEmbedder
from assistant.feedback.store import FeedbackStore
from assistant.index.chroma_index import (
    feedback_index_counts,
    feedback_metadata,
    get_collection,
    open_chroma,
    rebuild_feedback_index,
    sync_feedback_index,
)
from assistant.settings import Settings, load_settings


def record(i: int, text: str | None = None, **overrides: object) -> FeedbackRecord:
    values: dict[str, object] = {
        "feedback_id": f"fb{i:05d}",
        "source": "shop",
        "file_name": "reviews.csv",
        "row": i + 1,
        "external_id": None,
        "text": text or f"Review number {i}: delivery took {i % 7} days",
        "rating": None,
        "rating_type": None,
        "date": None,
        "channel": None,
        "stage_label": None,
        "columns": {"plan": "pro" if i % 2 else "free", "seats": i, "note": None},
    }
    values.update(overrides)
    return FeedbackRecord(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(journey_home=tmp_path / "home", journey_embedding="hashing")


@pytest.fixture
def store(settings: Settings) -> Iterator[FeedbackStore]:
    with FeedbackStore.open(settings.sqlite_path) as s:
        yield s


@pytest.fixture
def client(settings: Settings) -> ClientAPI:
    return open_chroma(settings)


def test_sync_indexes_every_row_and_counts_match(
    store: FeedbackStore, client: ClientAPI, settings: Settings
) -> None:
    store.insert_batch([record(i) for i in range(300)])
    embedder = HashingEmbedder()
    progress: list[tuple[int, int]] = []

    indexed = sync_feedback_index(
        store, client, embedder, batch_size=128, progress=lambda d, t: progress.append((d, t))
    )

    counts = feedback_index_counts(store, client, embedder)
    assert indexed == 300
    assert counts.source_count == counts.index_count == 300
    assert counts.collection == "feedback__hashing512"
    assert progress[-1] == (300, 300)
    assert (settings.chroma_path / "chroma.sqlite3").exists()  # embedded, under JOURNEY_HOME


def test_second_sync_embeds_nothing_and_new_rows_only_are_embedded(
    store: FeedbackStore, client: ClientAPI
) -> None:
    store.insert_batch([record(i) for i in range(200)])
    sync_feedback_index(store, client, HashingEmbedder())

    fresh = HashingEmbedder()  # no warm cache: anything it embeds was really re-embedded
    assert sync_feedback_index(store, client, fresh) == 0
    assert fresh.texts_embedded == 0

    store.insert_batch([record(i) for i in range(200, 250)])
    assert sync_feedback_index(store, client, fresh) == 50
    assert fresh.texts_embedded == 50
    assert feedback_index_counts(store, client, fresh).index_count == 250


def test_identical_texts_are_embedded_once(store: FeedbackStore, client: ClientAPI) -> None:
    same = "The app logged me out twice during checkout"
    rows = [record(i, text=same, source=f"s{i}") for i in range(40)] + [record(100)]
    store.insert_batch(rows)
    embedder = HashingEmbedder()

    assert sync_feedback_index(store, client, embedder) == 41
    assert embedder.texts_embedded == 2


def test_rebuild_and_recovery_after_the_chroma_folder_is_lost(
    store: FeedbackStore, settings: Settings
) -> None:
    store.insert_batch([record(i) for i in range(120)])
    embedder = HashingEmbedder()
    sync_feedback_index(store, open_chroma(settings), embedder)

    assert rebuild_feedback_index(store, open_chroma(settings), embedder) == 120
    assert feedback_index_counts(store, open_chroma(settings), embedder).matches

    # Lose the index as a user would between two runs: folder deleted, a new process opens it again.
    SharedSystemClient.clear_system_cache()
    shutil.rmtree(settings.chroma_path)
    client = open_chroma(settings)
    assert sync_feedback_index(store, client, embedder) == 120  # marks in SQLite no longer trusted
    assert feedback_index_counts(store, client, embedder).index_count == 120


def test_metadata_has_no_none_and_keeps_original_columns(store: FeedbackStore, client: ClientAPI) -> None:
    store.insert_batch(
        [
            record(1, rating=9.0, rating_type="nps", date="2024-05-02", channel="app", external_id="T-1"),
            record(2),
        ]
    )
    embedder = HashingEmbedder()
    sync_feedback_index(store, client, embedder)

    # Chroma holds the vectors only; a hit's metadata is made from the stored row.
    got = get_collection(client, "feedback", embedder).get(ids=["fb00001", "fb00002"], include=["metadatas"])
    assert sorted(got["ids"]) == ["fb00001", "fb00002"] and not any(got["metadatas"] or [])
    by_id = {r.feedback_id: feedback_metadata(r) for r in store.get(["fb00001", "fb00002"])}
    full, bare = by_id["fb00001"], by_id["fb00002"]
    assert full["rating"] == 9.0 and full["date"] == "2024-05-02" and full["channel"] == "app"
    assert full["external_id"] == "T-1" and full["file_name"] == "reviews.csv" and full["row"] == 2
    assert full["col_plan"] == "pro" and full["col_seats"] == "1"
    assert "col_note" not in full  # a None original value is left out, not stored as None
    assert bare["rating"] == -1 and bare["date"] == "" and bare["channel"] == "" and bare["external_id"] == ""
    assert all(v is not None for v in bare.values())


def test_collections_are_separate_per_embedding_model(store: FeedbackStore, client: ClientAPI) -> None:
    store.insert_batch([record(i) for i in range(10)])
    small, large = HashingEmbedder(dim=64), HashingEmbedder(dim=256)
    sync_feedback_index(store, client, small)
    sync_feedback_index(store, client, large)

    names = {c.name for c in client.list_collections()}
    assert {"feedback__hashing64", "feedback__hashing256"} <= names
    assert feedback_index_counts(store, client, small).index_count == 10
    assert feedback_index_counts(store, client, large).index_count == 10
