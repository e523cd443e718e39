"""Answers about the rows asked about: datasets, filters on stored columns, and the metric asked for.

A filtered diagnosis is the matching block of the same column's breakdown, row for row; a value that
matches nothing is refused with the closest stored values; "most complaints" ranks by count, "worst" by
the tested share; and every result says which map, data and rows it is about.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.analysis.filters import FilterError
from assistant.cli import app
from assistant.contracts.chat_context import context_line
from assistant.contracts.requests import DatasetRemove, DatasetRename, DiagnoseOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.errors import JourneyError
from assistant.turns.events import Final
from assistant.workspace import Workspace

JOURNEY = map_from_data(
    {"title": "Trip", "stages": [{"name": "Booking"}, {"name": "Departure"}, {"name": "Baggage"}]}
)

# (airline, stage, rows, negative rows): United complains most about Departure by count, while Baggage
# has the highest negative share over all airlines.
GROUPS = [
    ("United", "Booking", 40, 8),
    ("United", "Departure", 120, 60),
    ("United", "Baggage", 30, 20),
    ("Delta", "Booking", 60, 6),
    ("Delta", "Departure", 40, 8),
    ("Delta", "Baggage", 60, 54),
]


COMPLAINTS = {
    "Booking": ["the website crashed while I paid for the ticket", "seat selection fee was far too high"],
    "Departure": ["flight delayed four hours and nobody rebooked me", "gate agent cancelled without notice"],
    "Baggage": ["my suitcase is lost and the claim desk ignores me", "bag arrived damaged, handle broken"],
}
# Customers word the same problem in their own ways: distinct texts that share the problem's words.
OPENERS = ["Honestly", "Again", "Today", "Ugh", "Well", "So", "Seriously", "Once more", "Sadly", "Wow"]
CLOSERS = ["not happy", "never again", "what a day", "thanks for nothing", "so tired", "really", "sigh"]
PRAISE = {
    "Booking": "booking the ticket online was quick",
    "Departure": "boarding was on time and calm",
    "Baggage": "my bag came out first on the belt",
}


def write_rows(path: Path) -> int:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["tweet_id", "airline", "stage", "comment", "csat", "date"])
        k = 0
        for airline, stage, n, bad in GROUPS:
            for i in range(n):
                negative = i < bad
                day = f"2015-02-{10 + (k % 15):02d}"
                said = COMPLAINTS[stage][i % 2] if negative else PRAISE[stage]
                text = f"{OPENERS[k % len(OPENERS)]} {said}, {CLOSERS[(k // 3) % len(CLOSERS)]} (ref {k})"
                w.writerow([f"t{k}", airline, stage, text, 1 if negative else 5, day])
                k += 1
    return k


@pytest.fixture
def trip(workspace: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "airline_tweets.csv"
    write_rows(path)
    workspace.ingest(IngestRequest(files=[path], rating_type="csat", index=False))
    other = tmp_path / "other.csv"
    with other.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["comment", "stage", "csat", "airline"])
        for i in range(50):
            w.writerow([f"booking was awful {i}", "Booking", 1, "United"])
    workspace.ingest(IngestRequest(files=[other], source="loan", rating_type="csat", index=False))
    workspace.save_map("trip", JOURNEY, "user", "test")
    return workspace


def test_a_filtered_diagnosis_is_the_segment_block_row_for_row(trip: Workspace) -> None:
    data = ["airline_tweets.csv"]
    split = trip.diagnose("trip", DiagnoseOptions(source=data, segment_by="airline"))
    only = trip.diagnose("trip", DiagnoseOptions(source=data, where=["airline=United"]))
    block = split.segments["United"]
    assert only.n == block.n == 190
    for stage in block.stages:
        mine = only.stage(stage.stage)
        assert mine is not None
        assert (mine.n, mine.negative, mine.positive) == (stage.n, stage.negative, stage.positive)
        assert (mine.ci_low, mine.ci_high) == (stage.ci_low, stage.ci_high)
    # The quotes come from the rows in scope: United's, never Delta's or the other dataset's.
    ids = [
        q.feedback_id for s in only.stages for t in s.themes for q in [*t.quotes, *t.counter_evidence.quotes]
    ]
    rows = trip.db.get(ids)
    assert rows and len(rows) == len(set(ids))
    assert all(r.columns.get("airline") == "United" and r.source == "airline_tweets.csv" for r in rows)


def test_values_match_ignoring_case_and_a_near_miss_is_refused_with_suggestions(trip: Workspace) -> None:
    found = trip.diagnose("trip", DiagnoseOptions(where=["AIRLINE=united"]))
    assert [str(f) for f in found.scope.where] == ["airline = United"]  # type: ignore[union-attr]
    with pytest.raises(FilterError) as err:
        trip.diagnose("trip", DiagnoseOptions(where=["airline=Unitd"]))
    assert "did you mean United" in str(err.value) and err.value.suggestions == ["United"]
    with pytest.raises(FilterError, match="No stored column 'airlin'; did you mean airline"):
        trip.diagnose("trip", DiagnoseOptions(where=["airlin=United"]))
    with pytest.raises(JourneyError, match="No dataset named 'nope'"):
        trip.diagnose("trip", DiagnoseOptions(source=["nope"]))


def test_not_equal_and_alternatives(trip: Workspace) -> None:
    data = ["airline_tweets.csv"]
    both = trip.diagnose("trip", DiagnoseOptions(source=data, where=["airline=United", "airline=Delta"]))
    not_delta = trip.diagnose("trip", DiagnoseOptions(source=data, where=["airline!=Delta"]))
    assert both.n == 350 and not_delta.n == 190


def test_most_complaints_counts_while_worst_tests_the_share(trip: Workspace) -> None:
    scope = DiagnoseOptions(source=["airline_tweets.csv"], where=["airline=United"])
    count = trip.diagnose("trip", scope.model_copy(update={"metric": "negative_count"}))
    ranked = count.metric_ranking
    assert ranked is not None and ranked.metric == "negative_count"
    assert [(s.stage, s.negative) for s in ranked.stages] == [
        ("Departure", 60),
        ("Baggage", 20),
        ("Booking", 8),
    ]
    assert ranked.total_negative == 88 and ranked.top_two_within_noise is False
    assert ranked.p_value is not None and ranked.p_value < 0.001
    overall = trip.diagnose("trip", DiagnoseOptions(source=["airline_tweets.csv"]))
    assert overall.metric_ranking is not None and overall.metric_ranking.stages[0].stage == "Baggage"
    assert overall.ranking[0] == "Baggage"


def test_csat_ranks_the_lowest_score_first(trip: Workspace) -> None:
    result = trip.diagnose("trip", DiagnoseOptions(source=["airline_tweets.csv"], metric="csat"))
    ranked = result.metric_ranking
    assert ranked is not None and ranked.stages[0].stage == "Baggage"
    values = [s.value for s in ranked.stages]
    assert values == sorted(values)  # type: ignore[type-var]


def test_the_result_says_what_it_is_about(trip: Workspace) -> None:
    result = trip.diagnose(
        "trip", DiagnoseOptions(source=["airline_tweets.csv"], where=["airline=united"], since="2015-02-20")
    )
    assert result.scope is not None
    line = context_line(result.scope, "en")
    assert line.startswith("Map: trip v1 · Data: airline_tweets.csv (350 rows)")
    assert line.endswith("Scope: airline = United, since 2015-02-20")
    assert result.scope.rows_in_scope == result.n
    ko = context_line(result.scope, "ko")
    assert ko.startswith("지도: trip v1 · 데이터: airline_tweets.csv (350건)") and "2015-02-20부터" in ko


def test_datasets_are_listed_renamed_and_removed_with_their_rows(trip: Workspace) -> None:
    listed = trip.datasets()
    assert [(d.name, d.rows) for d in listed.datasets] == [("airline_tweets.csv", 350), ("loan", 50)]
    assert listed.total_rows == 400 and "airline" in listed.datasets[0].columns
    assert listed.datasets[0].first_date == "2015-02-10"
    trip.diagnose("trip")  # labels and a summary exist for the rows about to move
    trip.rename_dataset(DatasetRename(name="loan", new_name="extra"))
    assert [d.name for d in trip.datasets().datasets] == ["airline_tweets.csv", "extra"]
    assert trip.diagnose("trip", DiagnoseOptions(source=["extra"])).n == 50
    with pytest.raises(JourneyError, match="exists already"):
        trip.rename_dataset(DatasetRename(name="extra", new_name="airline_tweets.csv"))
    removed = trip.remove_dataset(DatasetRemove(name="extra"))
    assert removed.rows == 50 and trip.feedback_count() == 350
    assert trip.diagnose("trip").n == 350
    labels = trip.db.conn.execute("SELECT COUNT(*) FROM row_stage WHERE source = 'extra'").fetchone()[0]
    assert labels == 0


def test_cli_where_datasets_and_json(tmp_path: Path, journey_home: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "airline_tweets.csv"
    write_rows(data)
    mp = tmp_path / "trip.json"
    mp.write_text(JOURNEY.model_dump_json(), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(data), "--rating-type", "csat", "--json"]).exit_code == 0
    listed = runner.invoke(app, ["datasets", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["datasets"][0]["name"] == "airline_tweets.csv"
    out = runner.invoke(
        app,
        ["diagnose", "--map", str(mp), "--where", "airline=united", "--metric", "negative_count", "--json"],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["n"] == 190 and doc["metric_ranking"]["stages"][0]["stage"] == "Departure"
    assert doc["scope"]["where"] == [{"column": "airline", "op": "=", "value": "United"}]
    bad = runner.invoke(app, ["diagnose", "--map", str(mp), "--where", "airline=Unitd"])
    assert bad.exit_code == 2 and "did you mean United" in bad.output
    assert runner.invoke(app, ["datasets", "rename", "airline_tweets.csv", "tweets"]).exit_code == 0
    assert runner.invoke(app, ["datasets", "remove", "tweets"]).exit_code == 0
    assert json.loads(runner.invoke(app, ["datasets", "--json"]).stdout)["datasets"] == []


# --- the question's own words: scope and measure, through the assistant (embedded, answered by code) -----


def _ask(ws: Workspace, text: str, thread: str = "t") -> Final:
    from assistant.conversation import Assistant, TurnOptions

    assistant = Assistant.start(ws)
    assert assistant.mode.mode == "embedded"
    events = list(
        assistant.send(thread, text, TurnOptions(current_map="trip", datasets=["airline_tweets.csv"]))
    )
    final = events[-1]
    assert isinstance(final, Final)
    return final


@pytest.mark.parametrize(
    "question",
    [
        "For United, which stage of the trip gets the most complaints, and why?",
        "united 고객만 보면 불만이 가장 많은 단계는 어디야?",
    ],
)
def test_a_question_naming_a_value_and_a_measure_is_answered_on_those_rows_in_that_measure(
    trip: Workspace, question: str
) -> None:
    final = _ask(trip, question)
    assert final.scope is not None
    assert [(f.column, f.value) for f in final.scope.where] == [("airline", "United")]
    assert final.scope.metric == "negative_count"
    expected = trip.diagnose(
        "trip",
        DiagnoseOptions(source=["airline_tweets.csv"], where=["airline=United"], metric="negative_count"),
    )
    assert expected.metric_ranking is not None
    top = expected.metric_ranking.stages[0].stage
    assert top == "Departure"  # by count; Baggage has the highest share over all airlines
    body = final.text.split("\n", 1)[1] if final.text.startswith(("Map:", "지도:")) else final.text
    first_stage = min((body.find(s), s) for s in ("Booking", "Departure", "Baggage") if body.find(s) >= 0)[1]
    assert first_stage == top
    assert "airline = United" in final.text.splitlines()[0]


def test_worst_over_everyone_is_the_share_and_a_near_miss_is_asked_back(trip: Workspace) -> None:
    final = _ask(trip, "Which stage underperforms most?")
    assert final.scope is not None and final.scope.where == [] and final.scope.metric == "negative_share"
    missed = _ask(trip, "For Unitd, which stage is worst?", thread="t2")
    assert "did you mean United" in missed.text and missed.scope is None
