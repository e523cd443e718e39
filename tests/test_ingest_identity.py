"""Which rows are the same feedback: id and date columns recognised from common names (English and
Korean), rows with different ids never merged, and identical text without an id merged only when every
other column matches too. The accounting (stored + duplicate + rejected = read) holds throughout."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.contracts.feedback_records import FileReport, IngestOptions, IngestReport, StoredFeedback
from assistant.feedback.columns import map_columns
from assistant.feedback.ingest import ingest_files
from assistant.feedback.store import FeedbackStore


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    s = FeedbackStore.open(tmp_path / "feedback.db")
    yield s
    s.close()


def rows(store: FeedbackStore) -> list[StoredFeedback]:
    return sorted((r for batch in store.iter_feedback() for r in batch), key=lambda r: r.row)


def counts(report: IngestReport | FileReport) -> tuple[int, int, int, int]:
    t = report.totals if isinstance(report, IngestReport) else report
    assert t.rows_read == t.rows_stored + t.rows_duplicate + t.rows_rejected
    return t.rows_read, t.rows_stored, t.rows_duplicate, t.rows_rejected


TWEETS = [
    ["tweet_id", "airline_sentiment", "airline", "name", "text", "tweet_created", "user_timezone"],
    [
        "570306133677760513",
        "positive",
        "United",
        "jnardino",
        "@united thanks",
        "2015-02-24 11:35:52 -0800",
        "",
    ],
    [
        "570301130888122368",
        "positive",
        "United",
        "cjmcginnis",
        "@united thanks",
        "2015-02-24 11:15:59 -0800",
        "",
    ],
    ["570301083672813571", "positive", "United", "pilot", "@united thanks", "2015-02-24 11:15:48 -0800", ""],
]


def test_three_customers_thanking_united_are_three_rows(tmp_path: Path, store: FeedbackStore) -> None:
    report = ingest_files([write_csv(tmp_path / "Tweets.csv", TWEETS)], store, IngestOptions())
    assert counts(report) == (3, 3, 0, 0)
    assert report.files[0].columns["id"] == "tweet_id"
    assert report.files[0].columns["date"] == "tweet_created"
    stored = rows(store)
    assert [r.external_id for r in stored] == [t[0] for t in TWEETS[1:]]
    assert {r.date for r in stored} == {"2015-02-24"}
    # The same file again (re-exported with a new row): the three are duplicates, the new one is stored.
    again = write_csv(
        tmp_path / "Tweets2.csv",
        [
            *TWEETS,
            [
                "570300000000000001",
                "neutral",
                "United",
                "x",
                "@united thanks",
                "2015-02-25 09:00:00 -0800",
                "",
            ],
        ],
    )
    assert counts(ingest_files([again], store, IngestOptions(source="Tweets.csv"))) == (4, 1, 3, 0)


def test_rows_with_different_ids_are_never_duplicates(tmp_path: Path, store: FeedbackStore) -> None:
    path = write_csv(
        tmp_path / "reviews.csv",
        [
            ["review_id", "comment", "rating"],
            ["r1", "Great", "5"],
            ["r2", "Great", "5"],
            ["r1", "Great", "5"],
        ],
    )
    report = ingest_files([path], store, IngestOptions())
    # r1 twice is the same review exported twice; r2 is another customer's.
    assert report.files[0].columns["id"] == "review_id"
    assert counts(report) == (3, 2, 1, 0)
    assert [r.external_id for r in rows(store)] == ["r1", "r2"]


def test_without_an_id_identical_text_is_a_duplicate_only_when_every_column_matches(
    tmp_path: Path, store: FeedbackStore
) -> None:
    path = write_csv(
        tmp_path / "survey.csv",
        [
            ["comment", "rating", "store", "submitted"],
            ["thanks", "5", "Seoul", "2026-03-01"],
            ["thanks", "5", "Busan", "2026-03-01"],  # another store: another customer
            ["thanks", "5", "Seoul", "2026-03-02"],  # another day
            ["thanks", "5", "Seoul", "2026-03-01"],  # the first row again: a duplicate
            ["", "5", "Seoul", "2026-03-01"],  # no text: rejected
        ],
    )
    report = ingest_files([path], store, IngestOptions())
    assert report.files[0].columns["id"] is None
    assert report.files[0].columns["date"] == "submitted"
    assert counts(report) == (5, 3, 1, 1)
    assert sorted((r.columns["store"], r.date) for r in rows(store)) == [
        ("Busan", "2026-03-01"),
        ("Seoul", "2026-03-01"),
        ("Seoul", "2026-03-02"),
    ]


@pytest.mark.parametrize(
    ("headers", "values", "expected_id", "expected_date"),
    [
        (["id", "text", "created_at"], ["a", "t", "2026-01-02T10:00:00Z"], "id", "created_at"),
        (["reviewId", "body", "createdAt"], ["a", "t", "2026-01-02"], "reviewId", "createdAt"),
        (["ticket_id", "message", "timestamp"], ["a", "t", "2026-01-02 10:00"], "ticket_id", "timestamp"),
        (["Response ID", "Comment", "Submitted At"], ["a", "t", "01/02/2026"], "Response ID", "Submitted At"),
        (["응답 아이디", "의견", "작성일자"], ["a", "t", "2026.01.02"], "응답 아이디", "작성일자"),
        (["문의번호", "문의내용", "접수일시"], ["a", "t", "2026년 1월 2일"], "문의번호", "접수일시"),
        (["고객ID", "리뷰", "등록날짜"], ["a", "t", "2026-01-02"], "고객ID", "등록날짜"),
        (["post_uuid", "text", "review_date"], ["a", "t", "2026-01-02"], "post_uuid", "review_date"),
    ],
)
def test_id_and_date_columns_are_recognised_from_common_names(
    headers: list[str], values: list[str], expected_id: str, expected_date: str
) -> None:
    sample = [dict(zip(headers, [f"{values[0]}{i}", *values[1:]], strict=True)) for i in range(5)]
    mapping = map_columns(headers, IngestOptions(), sample)
    assert (mapping["id"], mapping["date"]) == (expected_id, expected_date)


def test_what_only_looks_like_an_id_or_a_date_is_left_alone() -> None:
    headers = ["user_id", "airline_id", "phone_number", "text", "response_time", "updated_at", "created_at"]
    sample = [
        {
            "user_id": f"u{i}",
            "airline_id": "UA",  # the same for every row: which airline, not which feedback
            "phone_number": f"010-{i:04d}",
            "text": "slow boarding",
            "response_time": "3 min",  # a duration, not a date
            "updated_at": "2026-02-01",
            "created_at": "2026-01-0" + str(i + 1),
        }
        for i in range(5)
    ]
    mapping = map_columns(headers, IngestOptions(), sample)
    assert mapping["id"] == "user_id"  # the only unique id-like column (a person's, taken last)
    assert mapping["date"] == "created_at"  # written, not changed
    headers = ["customer_id", "ticket_id", "comment", "wait_time"]
    sample = [
        {"customer_id": f"c{i}", "ticket_id": f"t{i}", "comment": "x", "wait_time": "3 min"} for i in range(5)
    ]
    mapping = map_columns(headers, IngestOptions(), sample)
    assert mapping["id"] == "ticket_id" and mapping["date"] is None
