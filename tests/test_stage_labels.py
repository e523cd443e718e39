"""The labelling decisions of a batch (tools/journey_tools/stage_labels.py), on plain rows without a store."""

from __future__ import annotations

from journey_tools.sentiment import SentimentResult
from journey_tools.stage_assignment import Assignment
from journey_tools.stage_labels import (
    PendingRow,
    count_unassigned,
    needs_sentiment,
    needs_text_model,
    sentiment_records,
    stage_method,
    stage_records,
)


def _row(fid: str, rating: float | None = None, sentiment: int | None = None) -> PendingRow:
    return PendingRow(
        feedback_id=fid,
        text=f"text {fid}",
        rating=rating,
        rating_type="stars5" if rating is not None else None,
        stage_label=None,
        source="src",
        date="2026-01-02",
        vector=None,
        sentiment=sentiment,
    )


def test_only_rows_without_a_cached_sentiment_are_labelled_and_the_text_model_only_without_a_rating() -> None:
    rows = [_row("a", sentiment=1), _row("b", rating=4.0), _row("c")]
    todo = needs_sentiment(rows)
    assert todo == [1, 2]
    assert needs_text_model(rows, todo)
    assert not needs_text_model(rows, [1])


def test_a_correction_wins_over_the_model_for_sentiment() -> None:
    rows = [_row("a"), _row("b")]
    results = [SentimentResult("positive", 0.8, "text"), SentimentResult("neutral", 0.0, "text")]
    records = sentiment_records("lab", rows, [0, 1], results, {"b": -1})
    assert [r.as_row() for r in records] == [
        ("lab", "a", 1, 0.8, "text"),
        ("lab", "b", -1, -1.0, "correction"),
    ]


def test_stage_records_carry_the_index_the_reason_and_the_rows_sentiment() -> None:
    rows = [_row("a", sentiment=-1), _row("b", rating=2.0)]
    fresh = sentiment_records("lab", rows, [1], [SentimentResult("negative", -0.5, "rating")], {})
    assignments = [
        Assignment("Pay", 0.7, "similarity"),
        Assignment(None, 0.2, "none", "no_evidence"),
    ]
    records = stage_records("key", rows, assignments, {"Buy": 0, "Pay": 1}, fresh)
    assert records[0].as_row() == ("key", "a", 1, 0.7, "similarity", -1, "src", "2026-01-02", None, None)
    assert records[1].stage == -1
    assert records[1].method == "none:no_evidence"
    assert records[1].label == -1
    assert (records[1].rating, records[1].rating_type) == (2.0, "stars5")
    assert stage_method(Assignment("Pay", 1.0, "column")) == "column"
    assert count_unassigned(assignments, {"no_evidence": 2}) == {"no_evidence": 3}


def test_words_every_long_complaint_uses_are_generic_unless_much_commoner_in_the_stage() -> None:
    from journey_tools.stage_lexical import background_share
    from journey_tools.themes import _generic

    days = background_share("days")
    assert days is not None and days > 0.1
    assert _generic("days", stage_share=days * 1.2)
    assert not _generic("late fee", stage_share=0.5)
    assert background_share("기다림") is None
    assert not _generic("기다림", stage_share=0.01)
