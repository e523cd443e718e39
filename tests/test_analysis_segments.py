"""Which stored columns can be a breakdown or a filter (assistant.analysis.segments), from names and
value counts alone."""

from __future__ import annotations

from assistant.analysis.segments import (
    common_stages,
    is_scope_column,
    is_segment,
    may_segment,
    scope_columns,
    segment_candidates,
)


def test_role_and_bookkeeping_columns_are_never_a_breakdown() -> None:
    for column in ("comment", "Date", "rating", "stage", "id", "source", "file_name", "stage_label"):
        assert not may_segment(column), column
    for column in ("region", "plan", "channel", "App Version"):
        assert may_segment(column), column


def test_a_breakdown_has_few_values_filling_most_rows() -> None:
    assert is_segment([("south", 60), ("west", 40)], rows=100)
    assert not is_segment([("south", 100)], rows=100)  # one value separates nothing
    assert not is_segment([(str(k), 5) for k in range(21)], rows=105)  # too many values
    assert not is_segment([("south", 20), ("west", 20)], rows=100)  # mostly empty
    assert is_segment([("south", 25), ("west", 25)], rows=100)  # half is enough


def test_a_score_under_another_name_is_not_a_breakdown() -> None:
    assert not is_segment([("10", 30), ("9", 30), ("3", 20), ("0", 20)], rows=100)
    assert is_segment([("1", 50), ("2", 50)], rows=100)  # two versions are not a score
    assert is_segment([("11", 25), ("12", 25), ("13", 25), ("2", 25)], rows=100)


def test_candidates_keep_the_order_given() -> None:
    counts = {
        "region": [("south", 50), ("west", 50)],
        "comment": [("a", 50), ("b", 50)],
        "nps": [("10", 25), ("9", 25), ("8", 25), ("1", 25)],
        "plan": [("pro", 70), ("free", 30)],
    }
    assert segment_candidates(counts, rows=100) == ["region", "plan"]


def test_scope_columns_put_channel_first_once() -> None:
    columns = ["channel", "comment", "plan", "rating_type", "region", "source", "date"]
    assert scope_columns(columns) == ["channel", "plan", "region"]
    assert is_scope_column(["app"]) and not is_scope_column([])
    assert not is_scope_column([str(k) for k in range(61)])


def test_stray_stage_names_are_left_out() -> None:
    labels = [("Checkout", 600), ("Delivery", 390), ("Chekout", 10)]
    assert common_stages(labels) == ["Checkout", "Delivery"]
    assert common_stages(labels, min_share=0.0) == ["Checkout", "Delivery", "Chekout"]
    assert common_stages([]) == []
