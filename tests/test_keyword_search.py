"""Keyword search inside the SQLite store (FTS5 unicode61 + trigram): every row, Korean inside 어절, filters
in SQL, kept in step with the feedback table through ingest, undo and stores from before it existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.contracts.feedback_records import FeedbackRecord
from assistant.feedback import keywords
from assistant.feedback.database import SQLITE
from assistant.feedback.store import FeedbackStore
from assistant.index.hybrid_search import build_where, sql_filters

TEXTS = [
    "앱로그인이 자꾸 실패해요",  # 0: 로그인 inside a 어절
    "배송비가 너무 비싸요",  # 1: 배송 at the start of a 어절
    "Refunds take forever",  # 2: refund as a prefix
    "The login page crashed twice",  # 3
    "배송 조회가 안 돼요",  # 4
    "상담원 연결이 안 됩니다",  # 5
    "결제 오류 때문에 상담원이랑 통화했어요",  # 6: 상담원 with a particle
    "My refund arrived quickly",  # 7
]


def record(i: int, text: str, **kw: object) -> FeedbackRecord:
    fields: dict[str, object] = {
        "feedback_id": f"id{i:03d}",
        "source": "shop" if i % 2 else "app",
        "file_name": "f.csv",
        "row": i + 1,
        "external_id": None,
        "text": text,
        "rating": 9.0 if i % 3 == 0 else None,
        "rating_type": "nps" if i % 3 == 0 else None,
        "date": f"2025-0{1 + i % 9}-15" if i != 4 else None,
        "channel": "app" if i % 2 else None,
        "stage_label": None,
        "columns": {"plan": "pro" if i % 2 else "free", "vip": i % 4 == 0, "seats": float(i)},
    }
    fields.update(kw)
    return FeedbackRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    s = FeedbackStore.open(tmp_path / "f.db")
    s.insert_batch([record(i, t) for i, t in enumerate(TEXTS)], s.start_run("shop", "f.csv"))
    return s


def found(
    store: FeedbackStore, query: str, filters: keywords.Filters | None = None, limit: int = 50
) -> set[int]:
    return {int(fid[2:]) for fid, _ in keywords.search(store, query, filters, limit=limit)}


def test_korean_stems_are_found_inside_and_at_the_start_of_eojeol(store: FeedbackStore) -> None:
    assert found(store, "로그인") == {0}  # three syllables: trigram, anywhere in the 어절
    assert found(store, "배송이") == {1, 4}  # particle stripped; two syllables: 어절 prefix
    assert found(store, "상담원은") == {5, 6}
    assert found(store, "refund") == {2, 7}  # English prefix
    assert found(store, "login") == {3}
    assert found(store, "the of and") == set()  # stop words only
    assert keywords.query_terms("배송이 늦은 refunds") == keywords.QueryTerms(
        words=(("배송", True), ("늦은", True), ("refunds", True)), trigrams=()
    )


def test_filters_in_sql_mean_what_chroma_filters_mean(store: FeedbackStore) -> None:
    def both(where: dict[str, str] | None = None, since: str | None = None) -> set[int]:
        build_where("feedback", where, since)  # validates, as search does
        return found(store, "배송 refund 상담원 로그인 login", sql_filters(SQLITE, where, since))

    assert both() == {0, 1, 2, 3, 4, 5, 6, 7}
    assert both({"source": "shop"}) == {1, 3, 5, 7}
    assert both({"plan": "pro"}) == both({"col_plan": "pro"}) == {1, 3, 5, 7}
    assert both({"vip": "true"}) == {0, 4}  # JSON booleans compare as Chroma holds them
    assert both({"seats": "2"}) == {2}  # 2.0 stored, "2" asked
    assert both({"channel": ""}) == {0, 2, 4, 6}  # missing fields are '' as in Chroma's metadata
    assert both({"rating": "9"}) == {0, 3, 6}
    assert both({"rating": "-1"}) == {1, 2, 4, 5, 7}
    assert both({"date_num": "20250415"}) == {3}
    assert both(since="2025-05") == {5, 6, 7}  # the undated row (4) is left out
    assert both({"source": "app"}, since="2025-03-01") == {2, 6}


def test_a_failed_ingest_run_leaves_nothing_in_the_keyword_index(store: FeedbackStore) -> None:
    run = store.start_run("shop", "more.csv")
    store.insert_batch([record(100, "환불이 늦어져서 화가 납니다"), record(101, "refund denied")], run)
    assert found(store, "환불") == {100} and found(store, "refund") == {2, 7, 101}
    store.delete_run(run)
    assert found(store, "환불") == set() and found(store, "refund") == {2, 7}
    tables = ("feedback_words", "feedback_trigrams", "feedback_fts_ids")
    counts = [store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables[2:]]
    assert counts == [len(TEXTS)]


def test_a_store_from_before_the_keyword_index_is_indexed_once_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with FeedbackStore.open(path) as s:
        s.insert_batch([record(i, t) for i, t in enumerate(TEXTS)])
    # What an earlier version left: the feedback table without any keyword index.
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "DROP TRIGGER feedback_fts_insert; DROP TRIGGER feedback_fts_delete; DROP TRIGGER feedback_fts_update;"
            "DROP TABLE feedback_words; DROP TABLE feedback_trigrams; DROP TABLE feedback_fts_ids;"
            "DELETE FROM store_meta;"
        )
    with FeedbackStore.open(path) as s:
        assert found(s, "로그인") == {0} and found(s, "refund") == {2, 7}
        s.insert_batch([record(50, "로그인 화면이 하얗게 나와요")])
        assert found(s, "로그인") == {0, 50}
    with FeedbackStore.open(path) as s:  # not indexed twice
        assert s.conn.execute("SELECT COUNT(*) FROM feedback_fts_ids").fetchone()[0] == len(TEXTS) + 1


def test_very_common_words_rank_the_most_recent_matches_and_filters_widen_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keywords, "RECENT_WINDOW", 10)
    s = FeedbackStore.open(tmp_path / "f.db")
    rows = [record(i, f"checkout failed again {i}", source="old" if i < 5 else "new") for i in range(60)]
    s.insert_batch(rows)
    recent = found(s, "checkout", limit=5)
    assert len(recent) == 5 and min(recent) >= 50  # ranked among the last ten stored
    assert len(found(s, "checkout", limit=20)) == 20  # a window smaller than the limit is widened
    # Only five rows of the old source exist, all far outside the window: the window widens to them.
    old = found(s, "checkout", keywords.Filters(["f.source = ?"], ["old"]), limit=5)
    assert old == {0, 1, 2, 3, 4}
