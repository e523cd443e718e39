"""A feedback row is embedded once per embedding model, at ingest; every later use reads the stored vector.

The embedder is a real HashingEmbedder that also writes down every text the model was asked to embed,
so "embeds nothing" is checked against the rows' own texts, not only against a counter: labelling a
map still embeds that map's few stage and step descriptions, which is expected and cheap.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from assistant.contracts.requests import AssignOptions, IngestRequest, ReindexRequest, SearchRequest
from assistant.domain import JourneyMap, map_from_data
from assistant.embedding import Kind
from assistant.embedding.hashing import HashingEmbedder
from assistant.settings import load_settings
from assistant.workspace import Workspace

COMMENTS = {
    "app": [
        "The login screen froze twice before I could see my balance",
        "Paying with the card failed and the app showed no reason",
        "Tracking the parcel in the app was easy and quick",
        "The checkout page asked for my address three times",
        "Great app, the refund arrived in two days",
        "Could not find the size guide anywhere",
        "The discount code was rejected at checkout",
        "Delivery was a day late but the box was fine",
    ],
    "call": [
        "The agent solved my billing problem in five minutes",
        "I waited forty minutes on hold to cancel my order",
        "Nobody called back about the damaged parcel",
        "The hotline explained the return label clearly",
        "I was passed between three departments for a refund",
    ],
}


class RecordingEmbedder(HashingEmbedder):
    """The hashing model, plus a list of every text that actually reached it (cache hits excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.seen.extend(texts)
        return super()._embed(texts, kind)


def shop(title: str = "Shop", first_stage: str = "Browse") -> JourneyMap:
    return map_from_data(
        {
            "title": title,
            "stages": [
                {"name": first_stage, "steps": [{"action": "Looks for the right size"}]},
                {"name": "Pay", "steps": [{"action": "Pays with a card or a discount code"}]},
                {"name": "Delivery", "steps": [{"action": "Tracks the parcel"}]},
                {"name": "Support", "steps": [{"action": "Calls about a refund or a return"}]},
            ],
        }
    )


def write_sources(folder: Path) -> list[Path]:
    paths = []
    for source, rows in COMMENTS.items():
        path = folder / f"{source}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["comment", "score", "date"])
            for i, text in enumerate(rows):
                out.writerow([text, 1 + i % 5, f"2025-0{1 + i % 6}-1{i}"])
        paths.append(path)
    return paths


ALL_ROWS = [t for rows in COMMENTS.values() for t in rows]


@pytest.fixture
def embedder() -> RecordingEmbedder:
    return RecordingEmbedder()


@pytest.fixture
def ws(tmp_path: Path, embedder: RecordingEmbedder) -> Workspace:
    settings = load_settings(journey_home=tmp_path / "home", journey_embedding="hashing")
    workspace = Workspace.open(settings, embedder=embedder)
    yield workspace  # type: ignore[misc]
    workspace.close()


def row_texts_embedded(embedder: RecordingEmbedder, since: int = 0) -> list[str]:
    return [t for t in embedder.seen[since:] if t in ALL_ROWS]


def test_ingest_embeds_each_row_once_and_two_maps_embed_no_row(
    ws: Workspace, embedder: RecordingEmbedder, tmp_path: Path
) -> None:
    result = ws.ingest(IngestRequest(files=write_sources(tmp_path)))
    assert (result.totals.rows_stored, result.rows_embedded, result.rows_indexed) == (13, 13, 13)
    assert sorted(row_texts_embedded(embedder)) == sorted(ALL_ROWS)  # each row exactly once
    assert ws.db.vector_count(embedder.name) == 13

    mark = len(embedder.seen)
    first = ws.assign(shop("Shop A"))
    assert (first.labelling.rows_labelled, first.labelling.rows_embedded) == (13, 0)
    assert row_texts_embedded(embedder, mark) == []
    assert len(first.rows) == 13

    mark = len(embedder.seen)
    counted = embedder.texts_embedded
    second = ws.assign(shop("Shop B", first_stage="Find"))  # different stages: labelled anew
    assert second.labelling.map_key != first.labelling.map_key
    assert (second.labelling.rows_labelled, second.labelling.rows_embedded) == (13, 0)
    assert row_texts_embedded(embedder, mark) == []
    # Only the new map's own descriptions reached the model, never a row.
    assert embedder.texts_embedded - counted < 13

    mark = len(embedder.seen)
    again = ws.assign(shop("Shop A"))  # cached: no labelling and no model call at all
    assert again.labelling.rows_labelled == 0
    assert embedder.seen[mark:] == []
    assert [r.stage for r in again.rows] == [r.stage for r in first.rows]


def test_reindex_rebuilds_chroma_from_stored_vectors(
    ws: Workspace, embedder: RecordingEmbedder, tmp_path: Path
) -> None:
    ws.ingest(IngestRequest(files=write_sources(tmp_path)))
    mark = len(embedder.seen)

    result = ws.reindex(ReindexRequest(collection="feedback"))

    counts = result.collections["feedback"]
    assert (counts.indexed, counts.source_count, counts.index_count, counts.matches) == (13, 13, 13, True)
    assert embedder.seen[mark:] == []  # not one text embedded


def test_chroma_holds_exactly_the_stored_vectors(
    ws: Workspace, embedder: RecordingEmbedder, tmp_path: Path
) -> None:
    ws.ingest(IngestRequest(files=write_sources(tmp_path)))
    got = ws.chroma.get_collection(f"feedback__{embedder.name}").get(include=["embeddings"])
    in_chroma = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
    stored = ws.db.vectors(embedder.name, list(in_chroma))
    assert set(in_chroma) == set(stored) and len(stored) == 13
    for fid, vector in stored.items():
        np.testing.assert_allclose(in_chroma[fid], vector, atol=1e-6)
    # And the stored vector is the model's vector of the row's text (kept as float16).
    rows = {r.feedback_id: r.text for batch in ws.db.iter_feedback() for r in batch}
    fresh = HashingEmbedder().embed([rows[f] for f in stored], "query")
    np.testing.assert_allclose(np.vstack(list(stored.values())), fresh, atol=2e-3)


def test_assign_with_a_source_labels_only_that_source(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest(IngestRequest(files=write_sources(tmp_path)))
    journey = shop()

    only_calls = ws.assign(journey, AssignOptions(source="call.csv"))

    assert only_calls.labelling.rows_in_scope == 5
    assert only_calls.labelling.rows_labelled == 5
    assert {r.source for r in only_calls.rows} == {"call.csv"} and len(only_calls.rows) == 5

    everything = ws.assign(journey)  # the call rows are labelled already: only the app rows are left
    assert (everything.labelling.rows_in_scope, everything.labelling.rows_labelled) == (13, 8)
    assert len(everything.rows) == 13
    calls_again = {r.feedback_id: r.stage for r in everything.rows if r.source == "call.csv"}
    assert calls_again == {r.feedback_id: r.stage for r in only_calls.rows}


def test_ingest_without_index_then_assign_embeds_once_and_keeps_the_vectors(
    ws: Workspace, embedder: RecordingEmbedder, tmp_path: Path
) -> None:
    result = ws.ingest(IngestRequest(files=write_sources(tmp_path), index=False))
    assert (result.totals.rows_stored, result.rows_embedded, result.rows_indexed) == (13, 0, 0)
    assert row_texts_embedded(embedder) == []
    assert ws.db.vector_count(embedder.name) == 0

    first = ws.assign(shop())
    assert first.labelling.rows_embedded == 13
    assert sorted(row_texts_embedded(embedder)) == sorted(ALL_ROWS)
    assert ws.db.vector_count(embedder.name) == 13

    mark = len(embedder.seen)
    ws.assign(shop("Other", first_stage="Find"))
    ws.reindex(ReindexRequest(collection="feedback"))
    hits = ws.search(SearchRequest(query="refund", collection="feedback", limit=13))
    assert row_texts_embedded(embedder, mark) == []  # the second map and the index reuse the vectors
    assert len(hits.hits) > 0


def test_a_new_source_ingested_later_is_embedded_alone(
    ws: Workspace, embedder: RecordingEmbedder, tmp_path: Path
) -> None:
    app_file, call_file = write_sources(tmp_path)
    ws.ingest(IngestRequest(files=[app_file]))
    ws.assign(shop())
    mark = len(embedder.seen)

    ws.ingest(IngestRequest(files=[call_file]))
    labelled = ws.assign(shop())

    assert sorted(row_texts_embedded(embedder, mark)) == sorted(COMMENTS["call"])
    assert (labelled.labelling.rows_labelled, labelled.labelling.rows_embedded) == (5, 0)


# --- ingest → search through the workspace (the product's path, not the index module's) -----------------


def test_ingested_feedback_is_found_by_search_with_filters(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest(IngestRequest(files=write_sources(tmp_path)))

    found = ws.search(SearchRequest(query="refund took long", collection="feedback", limit=3))
    assert found.collection == "feedback" and len(found.hits) == 3
    assert any("refund" in h.text for h in found.hits)

    on_hold = ws.search(SearchRequest(query="waited on hold to cancel", collection="feedback", limit=1))
    assert on_hold.hits[0].text == COMMENTS["call"][1]
    assert on_hold.hits[0].source == "call.csv" and on_hold.hits[0].location == "call.csv:2"

    calls = ws.search(
        SearchRequest(query="parcel", collection="feedback", where={"source": "call.csv"}, limit=10)
    )
    assert {h.source for h in calls.hits} == {"call.csv"}

    recent = ws.search(SearchRequest(query="parcel", collection="feedback", since="2025-05-01", limit=20))
    assert recent.hits and all(h.metadata["date"] >= "2025-05-01" for h in recent.hits)


def test_rows_ingested_after_a_search_are_found_too(ws: Workspace, tmp_path: Path) -> None:
    """The workspace keeps its searcher (and keyword index) between calls; new rows must still show up."""
    app_file, call_file = write_sources(tmp_path)
    ws.ingest(IngestRequest(files=[app_file]))
    before = ws.search(SearchRequest(query="hold departments hotline", collection="feedback", limit=20))
    assert all(h.source == "app.csv" for h in before.hits)

    ws.ingest(IngestRequest(files=[call_file]))
    after = ws.search(SearchRequest(query="passed between three departments", collection="feedback", limit=1))
    assert after.hits[0].text == COMMENTS["call"][4]
