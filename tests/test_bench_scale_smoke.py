"""evals/bench_scale.py (issue 13) runs end to end at a tiny size, so it cannot silently rot.

Timings at this size mean nothing; these tests check that each mode runs on the real components (a
`journey ingest` child under the RSS launcher, SQLite, Chroma, PostgreSQL for `engines`) and that the
accounting holds. The hashing embedder stands in for use3 only to keep the tests fast.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from evals import bench_scale


@pytest.fixture
def _tmp_in_test_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmark's mkdtemp folders go under the test's folder (not for `engines`: the PostgreSQL
    server runs as another user and needs its folder in the world-readable /tmp; engines cleans up)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.mark.usefixtures("_tmp_in_test_dir")
def test_scale_ingest_search_and_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "kept" / "home"
    rows = 300
    ingest: dict[str, Any] = bench_scale.main(
        ["ingest", "--rows", str(rows), "--sample", "50", "--embedding", "hashing", "--keep", str(home)]
    )
    assert ingest["accounting"]["rows_stored"] == rows
    assert ingest["rows_indexed"] == rows
    assert ingest["peak_rss_mb"] > 0 and ingest["total_s"] > 0
    assert "1M extrapolated" in capsys.readouterr().out

    search: dict[str, Any] = bench_scale.main(
        ["search", "--home", str(home), "--queries", "8", "--embedding", "hashing", "--json"]
    )
    assert search["rows"] == rows
    assert search["hybrid"]["p95_ms"] > 0 and search["keyword"]["p95_ms"] > 0
    assert '"ratio_hybrid_to_dense_p95"' in capsys.readouterr().out

    label: dict[str, Any] = bench_scale.main(["label", "--home", str(home), "--embedding", "hashing"])
    assert label["rows"] == rows
    assert label["first_map"]["rows_labelled"] == rows
    assert label["second_map"]["rows_labelled"] == rows
    assert label["first_map"]["rows_embedded"] == 0  # the stored vectors are reused
    assert "read only (baseline)" in capsys.readouterr().out


@pytest.mark.usefixtures("_tmp_in_test_dir")
def test_scale_label_fills_its_own_store() -> None:
    label: dict[str, Any] = bench_scale.main(["label", "--rows", "500", "--embedding", "hashing", "--json"])
    assert label["rows"] == 500
    assert label["second_map"]["rows_labelled"] == 500


def test_scale_engines_compares_sqlite_and_postgresql() -> None:
    from local_postgres import postgres_bin

    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed: run tests/setup.sh (apt-get install -y postgresql)")
    result: dict[str, Any] = bench_scale.main(
        ["engines", "--rows", "200", "--index-rows", "60", "--embedding", "hashing", "--json"]
    )
    for name, rows in (("store_only", 200), ("with_index", 60)):
        assert result[name]["rows"] == rows
        assert result[name]["ratio_postgresql_to_sqlite"] > 0
        assert len(result[name]["rounds"]["postgresql"]) == 2
