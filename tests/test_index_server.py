"""The same index code against a Chroma server (`chroma run`) when CHROMA_URL is set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.cli.search  # noqa: F401  (registers reindex and search)
from assistant.cli import app
from assistant.contracts.feedback_records import FeedbackRecord
from assistant.feedback.store import FeedbackStore
from assistant.settings import load_settings


def test_reindex_and_search_through_a_chroma_server(
    chroma_server: str, journey_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    monkeypatch.setenv("CHROMA_URL", chroma_server)
    with FeedbackStore.open(load_settings().sqlite_path) as store:
        store.insert_batch(
            [
                FeedbackRecord(f"s{i}", "shop", "shop.csv", i + 1, None, text, None, None, None, ch, None, {})
                for i, (text, ch) in enumerate(
                    [("Checkout kept failing on my phone", "app"), ("Courier lost the parcel", "web")]
                )
            ]
        )
    runner = CliRunner()

    done = runner.invoke(app, ["reindex", "--collection", "feedback", "--json"])
    assert done.exit_code == 0, done.output
    counts = json.loads(done.stdout)["collections"]["feedback"]
    assert counts["source_count"] == counts["index_count"] == 2
    assert not (journey_home / "chroma").exists()  # nothing embedded locally: the server holds it

    found = runner.invoke(
        app, ["search", "parcel lost", "--collection", "feedback", "--json", "--limit", "1"]
    )
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["hits"][0]["location"] == "shop.csv:2"


def test_signed_in_users_keep_their_own_collections_on_a_shared_server(
    chroma_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.contracts.requests import IngestRequest, SearchRequest
    from assistant.workspace import Workspace

    monkeypatch.setenv("CHROMA_URL", chroma_server)
    settings = load_settings(journey_home=tmp_path / "team", journey_embedding="hashing")
    files = {}
    for user, text in (("alice", "Alice: the courier lost my parcel"), ("bob", "Bob: checkout failed twice")):
        files[user] = tmp_path / f"{user}.csv"
        files[user].write_text(f"comment\n{text}\n", encoding="utf-8")
    for user in ("alice", "bob"):
        with Workspace.open(settings, owner=user) as ws:
            ws.ingest(IngestRequest(files=[files[user]], source="mine"))
    for user, other in (("alice", "Bob"), ("bob", "Alice")):
        with Workspace.open(settings, owner=user) as ws:
            hits = ws.search(SearchRequest(query="parcel checkout", collection="feedback", limit=10)).hits
            assert len(hits) == 1 and not hits[0].text.startswith(other)
