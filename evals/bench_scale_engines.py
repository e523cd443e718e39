"""The same ingest on PostgreSQL and on SQLite, as a ratio (part of evals/bench_scale.py).

PostgreSQL is a local server from Debian's package started in a temporary folder
(tests/local_postgres.py; fsync off, as for tests: the ratio is of the database work, not of the disk).
Each round ingests the same CSV into a fresh SQLite home and into a fresh PostgreSQL database, the
order alternating between rounds; each engine is credited with its fastest round:

- store only (`ingest --no-index`) of N rows: parsing, accounting and the database writes, including
  the keyword indexes (FTS5 triggers / tsvector + pg_trgm GIN);
- the whole ingest with embedding and indexing of M rows (the embedder and Chroma are the same for both).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from evals.bench_common import machine
from evals.bench_scale import LoadSampler, launch_ingest, write_csv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def run_engines(rows: int, index_rows: int, embedding: str, rounds: int = 2) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    out: dict[str, Any] = {"benchmark": "scale-engines", "machine": machine(), "embedding": embedding}
    try:
        _rounds(out, tmp, rows, index_rows, embedding, rounds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the homes hold nothing worth keeping
    return out


def _rounds(out: dict[str, Any], tmp: Path, rows: int, index_rows: int, embedding: str, rounds: int) -> None:
    from local_postgres import LocalPostgres

    store_csv, index_csv = tmp / "store.csv", tmp / "index.csv"
    write_csv(store_csv, rows, seed=21)
    write_csv(index_csv, index_rows, seed=22)
    cases = {
        "store_only": (store_csv, rows, {"BENCH_NO_INDEX": "1"}),
        "with_index": (index_csv, index_rows, {}),
    }
    with LoadSampler() as sampler, LocalPostgres() as server:
        for name, (path, n, env) in cases.items():
            results: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgresql": []}
            for k in range(rounds):
                order = ["sqlite", "postgresql"] if k % 2 == 0 else ["postgresql", "sqlite"]
                for engine in order:
                    extra = {**env, "JOURNEY_EMBEDDING": embedding}
                    if engine == "postgresql":
                        extra["DATABASE_URL"] = server.new_database()
                    report = launch_ingest(path, tmp / f"{name}-{engine}-{k}", extra)
                    assert report["engine"] == engine and report["totals"]["rows_stored"] == n
                    seconds = report["ended"] - report["started"]
                    results[engine].append(
                        {
                            "seconds": round(seconds, 3),
                            "store_s": round(report["store_end"] - report["started"], 3),
                            "peak_rss_mb": report["peak_rss_mb"],
                            "load": sampler.during(report["started"], report["ended"]),
                        }
                    )
            best = {e: min(r["seconds"] for r in rs) for e, rs in results.items()}
            out[name] = {
                "rows": n,
                "rounds": results,
                "sqlite_s": best["sqlite"],
                "postgresql_s": best["postgresql"],
                "ratio_postgresql_to_sqlite": round(best["postgresql"] / max(best["sqlite"], 0.001), 2),
            }


def engines_summary(r: dict[str, Any]) -> list[str]:
    lines = [f"scale engines: {r['embedding']} ({r['machine']['cpus']} CPUs)"]
    for name in ("store_only", "with_index"):
        c = r[name]
        lines.append(
            f"  {name}: {c['rows']:,} rows: SQLite {c['sqlite_s']} s, PostgreSQL {c['postgresql_s']} s, "
            f"PostgreSQL/SQLite = {c['ratio_postgresql_to_sqlite']}"
        )
        for engine, rounds in c["rounds"].items():
            lines.append(f"    {engine}: {rounds}")
    return lines
