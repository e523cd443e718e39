"""The evaluation data is sound: the labelled stage/sentiment set and the planted-problem scenario.

These tests check the data itself (sizes, labels, balance, determinism, that the planted problem is
really there), not any classifier.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import map_from_data

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # evals/ is not an installed package; import it from the checkout
    sys.path.insert(0, str(ROOT))

from evals.datasets.stage_sentiment import build_labelled  # noqa: E402
from evals.scenarios import planted_problem  # noqa: E402

LABELLED_DIR = ROOT / "evals" / "datasets" / "stage_sentiment"
SCENARIO_DIR = ROOT / "evals" / "scenarios"
SENTIMENTS = {"negative", "neutral", "positive"}
RATING_RANGE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _labelled() -> list[dict[str, Any]]:
    lines = (LABELLED_DIR / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _maps() -> dict[str, Any]:
    return {
        p.stem: map_from_data(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((LABELLED_DIR / "maps").glob("*.json"))
    }


# --- labelled stage / sentiment set ---------------------------------------------------------------


def test_labelled_set_is_big_enough_in_both_languages() -> None:
    rows = _labelled()
    by_language = Counter(r["language"] for r in rows)
    assert len(rows) >= 600
    assert by_language["ko"] >= 300
    assert by_language["en"] >= 300
    assert set(by_language) == {"ko", "en"}


def test_every_map_validates_and_matches_the_language_of_its_rows() -> None:
    maps = _maps()
    assert set(maps) == {"loan_ko", "shop_en", "airline_ko", "saas_en"}
    for row in _labelled():
        assert row["map"] in maps, row["id"]
        assert maps[row["map"]].language == row["language"], row["id"]


def test_rows_have_the_documented_fields_and_valid_labels() -> None:
    maps = _maps()
    for row in _labelled():
        assert set(row) == {"id", "map", "language", "text", "stage", "sentiment", "rating", "rating_type"}
        assert row["text"].strip(), row["id"]
        assert row["stage"] is None or row["stage"] in maps[row["map"]].stage_names, row
        assert row["sentiment"] in SENTIMENTS, row
        if row["rating"] is None:
            assert row["rating_type"] is None, row
        else:
            low, high = RATING_RANGE[row["rating_type"]]
            assert low <= row["rating"] <= high, row


def test_ids_are_unique_and_no_text_appears_twice() -> None:
    rows = _labelled()
    assert len({r["id"] for r in rows}) == len(rows)
    texts = Counter(" ".join(r["text"].casefold().split()) for r in rows)
    assert [t for t, n in texts.items() if n > 1] == []


def test_class_balance_is_within_the_stated_ranges() -> None:
    rows = _labelled()
    for language in ("ko", "en", None):
        sub = [r for r in rows if language in (None, r["language"])]
        n = len(sub)
        share = Counter(r["sentiment"] for r in sub)
        assert 0.40 <= share["negative"] / n <= 0.50, (language, share)
        assert 0.15 <= share["neutral"] / n <= 0.25, (language, share)
        assert 0.30 <= share["positive"] / n <= 0.40, (language, share)
        assert 0.05 <= sum(r["stage"] is None for r in sub) / n <= 0.11, language
        assert 0.25 <= sum(r["rating"] is not None for r in sub) / n <= 0.35, language


def test_every_stage_has_complaints_praise_and_neutral_rows() -> None:
    rows = _labelled()
    for stem, journey in _maps().items():
        for stage in journey.stage_names:
            seen = Counter(r["sentiment"] for r in rows if r["map"] == stem and r["stage"] == stage)
            assert seen["negative"] >= 5 and seen["positive"] >= 5 and seen["neutral"] >= 3, (
                stem,
                stage,
                seen,
            )


def test_most_ratings_agree_with_the_text_but_not_all() -> None:
    def band(value: float, scale: str) -> str:
        bad, mid = {"nps": (6, 8), "csat": (2, 3), "ces": (3, 4)}[scale]
        return "negative" if value <= bad else "neutral" if value <= mid else "positive"

    rated = [r for r in _labelled() if r["rating"] is not None]
    agree = sum(band(r["rating"], r["rating_type"]) == r["sentiment"] for r in rated)
    opposite = sum(
        {band(r["rating"], r["rating_type"]), r["sentiment"]} == {"negative", "positive"} for r in rated
    )
    assert agree / len(rated) >= 0.8
    assert 1 <= opposite <= 0.1 * len(rated)


def test_labelled_file_and_readme_are_up_to_date_with_the_sources() -> None:
    assert build_labelled.build_rows() == _labelled()
    readme = (LABELLED_DIR / "README.md").read_text(encoding="utf-8")
    assert build_labelled.counts_markdown(_labelled()) in readme
    assert "CC0-1.0" in readme


# --- planted-problem scenario ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return planted_problem.generate()


def _quarter(row: dict[str, Any]) -> str:
    return "Q2" if row["date"] >= "2024-04-01" else "Q1"


def _negative_share(rows: list[dict[str, Any]]) -> tuple[int, int]:
    return sum(r["true_sentiment"] == "negative" for r in rows), len(rows)


def _two_proportion_z(a: tuple[int, int], b: tuple[int, int]) -> float:
    (x1, n1), (x2, n2) = a, b
    pooled = (x1 + x2) / (n1 + n2)
    return (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))


def test_generator_is_deterministic(scenario: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    again = planted_problem.generate(n_rows=5000, seed=7)
    assert again == scenario
    assert planted_problem.generate(n_rows=300, seed=8)[1] != planted_problem.generate(n_rows=300, seed=7)[1]


def test_scenario_shape_map_and_files_on_disk(
    scenario: tuple[dict[str, Any], list[dict[str, Any]]], tmp_path: Path
) -> None:
    journey, rows = scenario
    stages = map_from_data(journey).stage_names
    assert len(stages) == 6
    assert len(rows) == 5000
    assert len({r["id"] for r in rows}) == 5000
    assert {r["true_stage"] for r in rows} == set(stages)
    assert {_quarter(r) for r in rows} == {"Q1", "Q2"}
    assert all(r["rating"] is None or 1 <= r["rating"] <= 5 for r in rows)

    written = tmp_path / "scenario.csv"
    assert planted_problem.write_csv(written) == 5000
    with written.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == planted_problem.CSV_COLUMNS
    assert written.read_bytes() == (SCENARIO_DIR / "planted_problem.csv").read_bytes()
    on_disk_map = json.loads((SCENARIO_DIR / "planted_problem_map.json").read_text(encoding="utf-8"))
    assert on_disk_map == journey
    truth = json.loads((SCENARIO_DIR / "planted_problem_truth.json").read_text(encoding="utf-8"))
    assert truth == planted_problem.truth()
    assert truth["stage"] in stages


def test_planted_stage_and_segment_is_significantly_more_negative(
    scenario: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, rows = scenario
    truth = planted_problem.truth()
    stage_rows = [r for r in rows if r["true_stage"] == truth["stage"]]
    column, value = truth["segment_column"], truth["segment_value"]
    cell = [r for r in stage_rows if r[column] == value and _quarter(r) == "Q2"]
    rest_of_stage = [r for r in stage_rows if not (r[column] == value and _quarter(r) == "Q2")]
    same_segment_q1 = [r for r in stage_rows if r[column] == value and _quarter(r) == "Q1"]
    other_stages = [r for r in rows if r["true_stage"] != truth["stage"]]

    x, n = _negative_share(cell)
    assert n >= 150
    assert x / n >= 0.55
    assert _two_proportion_z((x, n), _negative_share(rest_of_stage)) > 5
    assert _two_proportion_z((x, n), _negative_share(other_stages)) > 5
    assert _two_proportion_z((x, n), _negative_share(same_segment_q1)) > 3
    # The same gap shows in the ratings alone (CSAT 1-2), as a diagnosis over stored data would see it.
    low = [r for r in cell if r["rating"] is not None]
    low_rest = [r for r in rest_of_stage if r["rating"] is not None]
    low_share = sum(r["rating"] <= 2 for r in low) / len(low)
    assert low_share - sum(r["rating"] <= 2 for r in low_rest) / len(low_rest) > 0.3


def test_cause_theme_words_mark_the_planted_complaints(
    scenario: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    _, rows = scenario
    truth = planted_problem.truth()

    def mentions(row: dict[str, Any]) -> bool:
        text = row["comment"].casefold()
        return any(k.casefold() in text for k in truth["cause_theme_keywords"])

    cell = [
        r
        for r in rows
        if r["true_stage"] == truth["stage"]
        and r[truth["segment_column"]] == truth["segment_value"]
        and _quarter(r) == "Q2"
        and r["true_sentiment"] == "negative"
    ]
    elsewhere_negative = [r for r in rows if r["true_sentiment"] == "negative" and r not in cell]
    assert sum(map(mentions, cell)) / len(cell) >= 0.8
    assert sum(map(mentions, elsewhere_negative)) / len(elsewhere_negative) <= 0.05


def test_background_stages_have_ordinary_complaint_rates(
    scenario: tuple[dict[str, Any], list[dict[str, Any]]],
) -> None:
    journey, rows = scenario
    truth = planted_problem.truth()
    for stage in map_from_data(journey).stage_names:
        for quarter in ("Q1", "Q2"):
            sub = [r for r in rows if r["true_stage"] == stage and _quarter(r) == quarter]
            if stage == truth["stage"] and quarter == "Q2":
                continue
            x, n = _negative_share(sub)
            assert 0.08 <= x / n <= 0.27, (stage, quarter, x / n)


def test_segment_mix_shifts_between_quarters(scenario: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    _, rows = scenario

    def share(quarter: str, column: str, value: str) -> float:
        sub = [r for r in rows if _quarter(r) == quarter]
        return sum(r[column] == value for r in sub) / len(sub)

    assert share("Q2", "app_version", "5.2") - share("Q1", "app_version", "5.2") > 0.2
    decoy = planted_problem.truth()["decoy"]
    assert (
        share("Q2", decoy["segment_column"], decoy["segment_value"])
        - share("Q1", decoy["segment_column"], decoy["segment_value"])
        > 0.1
    )


def test_scenario_comments_vary(scenario: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    _, rows = scenario
    pools = planted_problem.PHRASES
    for stage, by_sentiment in pools.items():
        for sentiment, themes in by_sentiment.items():
            for theme, phrases in themes.items():
                assert len(phrases) >= 10, (stage, sentiment, theme)
                assert len(set(phrases)) == len(phrases)
    assert len({r["comment"] for r in rows}) >= 0.6 * len(rows)
