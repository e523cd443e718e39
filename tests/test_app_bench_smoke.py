"""The chat app's benchmark (evals/bench_app.py) runs end to end at its smallest size, so it cannot rot.
Its timings at this size (and on a busy machine) mean nothing; the checks are on what it measured."""

from __future__ import annotations

from typing import Any

import pytest

from evals import bench_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_app_benchmark_runs_every_measurement(capsys: pytest.CaptureFixture[str]) -> None:
    result: dict[str, Any] = bench_app.main(
        ["--cold", "1", "--turns", "1", "--pages", "1", "--baseline-pages", "0", "--json"]
    )
    (cold,) = result["cold_start"]["runs"]
    assert 0 < cold["server_up_s"] < cold["page_usable_s"] < cold["first_answer_s"]
    assert cold["server_cpu_at_answer_s"] > cold["server_cpu_at_up_s"] > 0
    turns = result["turn_overhead"]
    assert turns["turns"] == 4 and set(turns["by_kind_ms"]) == {
        "upload",
        "draft",
        "answer",
        "edit",
        "diagnose",
    }
    assert 0 <= turns["app_ms_p50"] <= turns["app_ms_p95"] <= turns["app_ms_max"]
    for variant in ("ours_hosts_hang_first_visit", "ours_hosts_hang_returning"):
        page = result["usable_page"][variant]
        assert page["runs"] == 1 and page["external_requests"] == 0 and page["capped_runs"] == 0
    assert '"turn_overhead"' in capsys.readouterr().out
