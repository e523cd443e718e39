"""Reading a question's scope and measure (pure: stored values and the latest date come in as arguments)."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.analysis.question_scope import read_metric, read_period, read_scope, with_scope
from assistant.contracts.requests import DiagnoseOptions, RowFilter

VALUES = {
    "airline": ["United", "US Airways", "American", "Southwest", "Delta", "Virgin America"],
    "channel": ["app", "web", "call"],
    "plan": ["Pro", "Free", "Pro Max"],
    "app_version": ["5.1", "5.2", "6.0"],
    "지역": ["서울", "부산"],
}
LATEST = date(2015, 2, 24)


def filters(text: str, stages: tuple[str, ...] = ()) -> set[tuple[str, str, str]]:
    return {(f.column, f.op, f.value) for f in read_scope(text, VALUES, LATEST, stages).where}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "For United, which stage of the trip gets the most complaints, and why?",
            {("airline", "=", "United")},
        ),
        ("Only for rows where airline is united: which stage is worst?", {("airline", "=", "United")}),
        ("UNITED 고객만 보면 어느 단계가 가장 부진해?", {("airline", "=", "United")}),
        ("Which stage is worst for US  Airways?", {("airline", "=", "US Airways")}),
        ("only where plan is Pro", {("plan", "=", "Pro")}),
        ("How do Pro Max customers feel about checkout?", {("plan", "=", "Pro Max")}),
        ("서울 지역 고객의 불만은 어느 단계에 많아?", {("지역", "=", "서울")}),
        ("Which stage is worst for app version 5.2?", {("app_version", "=", "5.2")}),
        ("Which stage is worst, except United?", {("airline", "!=", "United")}),
        ("United 제외하고 가장 부진한 단계는?", {("airline", "!=", "United")}),
        ("Which stage underperforms?", set()),
        ("Do returns go worse for our frees than for pros?", {("plan", "=", "Free"), ("plan", "=", "Pro")}),
        # A bare number is not a scope without its column; a word inside another word is not a value.
        ("Give me the 5.2 worst stages", set()),
        ("Why do customers complain about proactive updates?", set()),
    ],
)
def test_stored_values_named_in_the_question_become_filters(
    text: str, expected: set[tuple[str, str, str]]
) -> None:
    assert filters(text) == expected


def test_a_value_that_is_a_stage_name_is_the_stage_not_a_filter() -> None:
    values = {"topic": ["Checkout", "Delivery"]}
    scope = read_scope("Why does Checkout underperform?", values, LATEST, ["Browse", "Checkout"])
    assert scope.where == []


def test_two_values_compared_are_a_breakdown_by_their_column() -> None:
    scope = read_scope("United vs Delta: which stage is worse?", VALUES, LATEST)
    assert {f.value for f in scope.where} == {"United", "Delta"} and scope.segment_by == "airline"


def test_a_near_miss_is_offered_not_dropped() -> None:
    scope = read_scope("For Unitd, which stage is worst?", VALUES, LATEST)
    assert scope.where == []
    assert [m.text() for m in scope.misses] == ["No airline 'Unitd'; did you mean United?"]
    assert "'United'" in scope.misses[0].text("ko")


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("Which stage gets the most complaints?", "negative_count"),
        ("불만이 가장 많은 단계는?", "negative_count"),
        ("Which stage is worst?", None),
        ("가장 부진한 단계는?", None),
        ("Which stage has the lowest NPS?", "nps"),
        ("CSAT가 가장 낮은 단계", "csat"),
        ("Where is the customer effort score highest?", "ces"),
    ],
)
def test_the_measure_asked(text: str, metric: str | None) -> None:
    assert read_metric(text) == metric


@pytest.mark.parametrize(
    ("text", "since", "until", "compare"),
    [
        ("Which stage is worst since Feb 20?", "2015-02-20", None, False),
        ("since 2015-02-17, which stage?", "2015-02-17", None, False),
        ("2월 20일부터 가장 부진한 단계는?", "2015-02-20", None, False),
        ("What went wrong last month?", "2015-01-01", "2015-01-31", False),
        ("지난달 가장 불만이 많은 단계", "2015-01-01", "2015-01-31", False),
        ("last quarter", "2014-10-01", "2014-12-31", False),
        ("in the last 7 days", "2015-02-18", None, False),
        ("Why is onboarding worse than last quarter?", None, None, True),
        ("온보딩이 지난 분기보다 나빠진 이유는?", None, None, True),
        ("What changed?", None, None, True),
        ("United 대비 Delta", None, None, False),
        # A date after the latest one in the data means last year's.
        ("since Dec 1", "2014-12-01", None, False),
    ],
)
def test_periods_count_back_from_the_latest_date_in_the_data(
    text: str, since: str | None, until: str | None, compare: bool
) -> None:
    assert read_period(text, LATEST) == (since, until, compare)


def test_the_question_fills_only_what_the_request_left_unset() -> None:
    scope = read_scope("For United, most complaints since Feb 20?", VALUES, LATEST)
    fixed = [RowFilter(column="channel", value="app")]
    options = with_scope(DiagnoseOptions(), fixed, scope)
    assert {(f.column, f.value) for f in options.where} == {("channel", "app"), ("airline", "United")}
    assert (options.metric, options.since) == ("negative_count", "2015-02-20")
    chosen = with_scope(
        DiagnoseOptions(metric="nps", where=[RowFilter(column="airline", value="United")]), [], scope
    )
    assert chosen.metric == "nps" and len(chosen.where) == 1
