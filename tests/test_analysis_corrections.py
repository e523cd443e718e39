"""A person's correction, decided without a store (assistant.analysis.corrections)."""

from __future__ import annotations

import pytest

from assistant.analysis.corrections import (
    check_correction,
    corrected_stage,
    one_row,
    rows_to_correct,
    sentiment_label,
    sentiment_score,
    unsettled,
)
from assistant.contracts.results import AssignmentRow
from assistant.errors import JourneyError


def row(fid: str, confidence: float, method: str = "similarity") -> AssignmentRow:
    return AssignmentRow(
        feedback_id=fid,
        source="s",
        row=1,
        external_id=None,
        stage="Checkout",
        confidence=confidence,
        stage_method=method,
        sentiment="neutral",
        sentiment_score=0.0,
        sentiment_method="text",
    )


def test_an_id_names_exactly_one_row() -> None:
    assert one_row(["f1"], "r7") == "f1"
    with pytest.raises(JourneyError, match="No stored feedback row has the id 'r7'"):
        one_row([], "r7")
    with pytest.raises(JourneyError, match="2 rows have the id 'r7'"):
        one_row(["f1", "f2"], "r7")


def test_the_stage_is_spelled_as_the_map_spells_it() -> None:
    assert corrected_stage(["Checkout", "Delivery"], "checkout") == "Checkout"
    assert corrected_stage(["Checkout"], None) is None
    with pytest.raises(JourneyError, match="its stages are Checkout, Delivery"):
        corrected_stage(["Checkout", "Delivery"], "Returns")


def test_a_correction_says_something() -> None:
    check_correction("Checkout", None, False)
    check_correction(None, "negative", False)
    check_correction(None, None, True)
    with pytest.raises(JourneyError, match="Give a stage, a sentiment, or --clear"):
        check_correction(None, None, False)


def test_sentiments_are_stored_as_minus_one_to_one() -> None:
    assert [sentiment_score(s) for s in ("negative", "neutral", "positive")] == [-1, 0, 1]
    assert [sentiment_label(k) for k in (-1, 0, 1)] == ["negative", "neutral", "positive"]


def test_the_least_certain_unsettled_rows_are_asked_about_once_per_text() -> None:
    rows = [
        row("a", 0.9),
        row("b", 0.2, "correction"),
        row("c", 0.1, "column"),
        row("d", 0.3),
        row("e", 0.35),
        row("f", 0.4),
    ]
    assert [r.feedback_id for r in unsettled(rows)] == ["a", "d", "e", "f"]
    texts = {"a": "fine", "d": "Card declined", "e": "card  declined", "f": "slow"}
    assert [r.feedback_id for r in rows_to_correct(rows, texts, 2)] == ["d", "f"]
