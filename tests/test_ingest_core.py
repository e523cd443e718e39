"""Ingest accounting, duplicates, re-ingest and concurrent writers, on a real SQLite store."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from assistant.contracts.feedback_records import IngestOptions
from assistant.errors import IngestError
from assistant.feedback.ingest import ingest_files
from assistant.feedback.store import FeedbackStore


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    s = FeedbackStore.open(tmp_path / "feedback.db")
    yield s
    s.close()


def test_korean_headers_are_mapped_and_every_row_is_accounted_for(
    tmp_path: Path, store: FeedbackStore
) -> None:
    path = write_csv(
        tmp_path / "voc.csv",
        [
            ["번호", "작성일", "채널", "단계", "내용", "점수"],
            ["1", "2026-03-04", "앱", "결제", "결제가 계속 실패해요", "2"],
            ["2", "2026.03.05", "웹", "", "배송이 빨라서 좋았어요", "10"],
            ["3", "2026년 3월 6일", "앱", "", "", "5"],
            ["4", "2026/3/7", "앱", "", "상담원 연결이 안 돼요", "열"],
        ],
        encoding="cp949",
    )
    report = ingest_files([path], store, IngestOptions(source="voc"))
    f = report.files[0]
    assert f.encoding == "cp949"
    assert f.columns == {
        "text": "내용",
        "rating": "점수",
        "date": "작성일",
        "channel": "채널",
        "stage": "단계",
        "id": "번호",
    }
    assert (f.rows_read, f.rows_stored, f.rows_duplicate, f.rows_rejected) == (4, 2, 0, 2)
    assert [(r.row, r.reason) for r in f.rejects] == [(3, "no text"), (4, "unparseable rating '열'")]
    rows = [r for batch in store.iter_feedback(source="voc") for r in batch]
    assert [(r.external_id, r.date, r.rating, r.rating_type, r.channel) for r in rows] == [
        ("1", "2026-03-04", 2.0, "nps", "앱"),
        ("2", "2026-03-05", 10.0, "nps", "웹"),
    ]
    assert rows[0].columns["단계"] == "결제" and rows[0].stage_label == "결제"


def test_duplicates_within_and_across_files_are_counted_once(tmp_path: Path, store: FeedbackStore) -> None:
    header = ["comment", "plan"]
    a = write_csv(tmp_path / "a.csv", [header, ["Slow app", "pro"], ["Slow app", "pro"], ["Nice", "free"]])
    b = write_csv(tmp_path / "b.csv", [header, ["Nice", "free"], ["New one", "free"]])
    report = ingest_files([a, b], store, IngestOptions(source="app"))
    assert [(f.rows_stored, f.rows_duplicate) for f in report.files] == [(2, 1), (1, 1)]
    assert report.totals.rows_read == 5 == report.totals.rows_stored + report.totals.rows_duplicate
    assert store.count("app") == 3


def test_same_text_in_another_source_is_not_a_duplicate(tmp_path: Path, store: FeedbackStore) -> None:
    a = write_csv(tmp_path / "a.csv", [["comment"], ["Slow app"]])
    ingest_files([a], store, IngestOptions(source="reviews"))
    ingest_files([a], store, IngestOptions(source="survey"))
    assert store.count() == 2


def test_unchanged_file_is_recognised_and_accounting_still_adds_up(
    tmp_path: Path, store: FeedbackStore
) -> None:
    path = write_csv(
        tmp_path / "a.csv", [["comment", "score"], *[[f"text {i}", i % 10] for i in range(500)], ["", 1]]
    )
    first = ingest_files([path], store, IngestOptions(source="s")).files[0]
    again = ingest_files([path], store, IngestOptions(source="s")).files[0]
    assert not first.unchanged and again.unchanged
    assert (again.rows_read, again.rows_stored, again.rows_duplicate, again.rows_rejected) == (501, 0, 500, 1)
    assert again.rejects == first.rejects
    assert store.count() == 500


def test_an_unreadable_file_among_good_ones_writes_nothing(tmp_path: Path, store: FeedbackStore) -> None:
    good = write_csv(tmp_path / "good.csv", [["comment"], ["fine"]])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"not": "an array"}))
    with pytest.raises(IngestError, match="array of objects"):
        ingest_files([good, bad], store, IngestOptions())
    assert store.count() == 0


def test_two_ingests_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    FeedbackStore.open(db).close()
    paths = [
        write_csv(tmp_path / f"user{u}.csv", [["comment"], *[[f"user {u} comment {i}"] for i in range(3000)]])
        for u in range(2)
    ]
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            with FeedbackStore.open(db) as s:
                ingest_files([path], s, IngestOptions(source="chat"), batch_rows=200)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with FeedbackStore.open(db) as s:
        assert s.count("chat") == 6000


def test_jsonl_with_a_bad_line_rejects_only_that_line(tmp_path: Path, store: FeedbackStore) -> None:
    path = tmp_path / "chats.jsonl"
    path.write_text(
        '{"message": "hello, my card was declined"}\n{broken\n\n{"message": "thanks!", "meta": {"plan": "pro"}}\n'
    )
    f = ingest_files([path], store, IngestOptions()).files[0]
    assert (f.rows_read, f.rows_stored, f.rows_rejected) == (3, 2, 1)
    assert f.rejects[0].row == 2 and "invalid JSON" in f.rejects[0].reason
    stored = [r for batch in store.iter_feedback() for r in batch]
    assert any(r.columns.get("meta.plan") == "pro" for r in stored)


def test_undoing_a_run_removes_only_its_rows(tmp_path: Path, store: FeedbackStore) -> None:
    kept = write_csv(tmp_path / "kept.csv", [["comment"], ["stays"], ["also stays"]])
    ingest_files([kept], store, IngestOptions(source="s"))
    from assistant.contracts.feedback_records import FeedbackRecord
    from assistant.feedback.ingest import feedback_id

    run = store.start_run("s", "failing.csv")
    records = [
        FeedbackRecord(
            feedback_id("s", None, t, None, None),
            "s",
            "failing.csv",
            i,
            None,
            t,
            None,
            None,
            None,
            None,
            None,
        )
        for i, t in enumerate(["half", "written"], start=1)
    ]
    assert store.insert_batch(records, run) == ([r.feedback_id for r in records], 0)
    assert store.count() == 4
    store.delete_run(run)
    assert sorted(r.text for batch in store.iter_feedback() for r in batch) == ["also stays", "stays"]
