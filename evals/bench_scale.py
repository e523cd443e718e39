"""Benchmark for issue 13: a year of feedback on one machine, and the same on PostgreSQL.

    uv run --frozen python -m evals.bench_scale ingest  --rows 100000 [--embedding use3] [--keep DIR] [--json]
    uv run --frozen python -m evals.bench_scale search  --home DIR [--queries 300] [--json]
    uv run --frozen python -m evals.bench_scale label   --home DIR | --rows 1000000 [--json]
    uv run --frozen python -m evals.bench_scale engines --rows 100000 --index-rows 20000 [--json]

- ingest: N distinct short Korean/English rows (a year of dates, channel, plan, a rating on 40 %) as a
  CSV; `journey ingest FILE` in a child process started by a ~10 MB launcher that reports the child's
  peak RSS; phase times from the workspace's progress callbacks (store, then embedding and indexing
  together). Baseline in the same run: the same embedder alone on a sample of the texts, as the
  product runs it (texts/s), so the ratio says what the index and the store add to the model. The
  indexing rate of the last tenth of the rows is given too: the HNSW graph costs more per row as it
  grows, so extrapolating from it to 1M is the honest (pessimistic) way.
- search: p50/p95 of hybrid search (dense + keyword, RRF) over the home an ingest run kept, on
  Korean and English queries with and without `--where`/`--since`; dense alone and keywords alone are
  timed on the same queries (the ratio hybrid / dense is the cost of the keyword side).
- label: labelling a new map over every stored row, reusing the stored vectors; baseline in the same
  run: reading the same rows and decoding their vectors (the I/O no labeller can skip).
- engines: the same ingest into SQLite and into PostgreSQL (a local server from Debian's package,
  tests/local_postgres.py), rounds interleaved: store only (`--no-index`) at N rows, and the whole
  ingest with indexing at M rows.

Every phase records the 1-minute load averages seen while it ran: other jobs share this 2-core
machine, and a load of 10 makes everything several times slower.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.bench_common import emit, feedback_text, machine  # noqa: E402
from evals.bench_ingest import _LAUNCHER  # noqa: E402

VENV_BIN = Path(sys.executable).parent
HEADER = ["id", "date", "channel", "plan", "rating", "comment"]
CHANNELS = ["app", "web", "call", "chat", "store"]
PLANS = ["basic", "plus", "pro"]
KO_DETAILS = [
    "",
    " 주문번호 {n}.",
    " {n}분이나 기다렸어요.",
    " {n}번째 문의입니다.",
    " 벌써 {n}일째예요.",
    " 쿠폰 {n}원 할인도 안 됐어요.",
]
EN_DETAILS = [
    "",
    " Order #{n}.",
    " Waited {n} minutes.",
    " Ticket {n} still open.",
    " Day {n} of this.",
    " Lost {n} points.",
]


def scale_text(rng: random.Random) -> str:
    """A short comment, Korean or English, nearly always distinct (a detail with a number is added to the
    phrase pools of bench_common, which alone give only ~11,000 combinations)."""
    text = feedback_text(rng)
    korean = any("\uac00" <= ch <= "\ud7a3" for ch in text[:12])
    return text + rng.choice(KO_DETAILS if korean else EN_DETAILS).format(n=rng.randint(1, 99_999))


def write_csv(path: Path, rows: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            day = 1 + (i * 7919) % 365  # a year of dates, spread over the file
            date = time.strftime("%Y-%m-%d", time.gmtime(1735689600 + day * 86400))
            rating = str(rng.randint(1, 5)) if rng.random() < 0.4 else ""
            out.writerow(
                [f"R{i:08d}", date, rng.choice(CHANNELS), rng.choice(PLANS), rating, scale_text(rng)]
            )


class LoadSampler:
    """The 1-minute load average every few seconds, in a background thread."""

    def __init__(self, every: float = 3.0) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), os.getloadavg()[0]))
            self._stop.wait(every)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def during(self, start: float, end: float) -> dict[str, float]:
        seen = [load for t, load in self.samples if start - 3 <= t <= end + 3] or [os.getloadavg()[0]]
        return {
            "min": round(min(seen), 1),
            "mean": round(statistics.fmean(seen), 1),
            "max": round(max(seen), 1),
        }


@contextmanager
def phase(record: dict[str, Any], name: str, sampler: LoadSampler) -> Iterator[None]:
    start, cpu = time.time(), time.process_time()
    try:
        yield
    finally:
        end = time.time()
        record[name] = {
            "seconds": round(end - start, 3),
            "cpu_s": round(time.process_time() - cpu, 2),
            "load": sampler.during(start, end),
        }


# --- ingest ------------------------------------------------------------------------------------------------


def ingest_child(csv_path: str, out_path: str) -> None:
    """Runs inside the launched child: `journey ingest FILE` through the workspace, with phase times."""
    from assistant.contracts.requests import IngestRequest
    from assistant.settings import load_settings
    from assistant.workspace import Workspace

    started = time.time()
    marks: dict[str, float] = {}
    curve: list[tuple[float, int, int]] = []

    def progress(what: str, done: int, total: int) -> None:
        now = time.time()
        key = "reading" if what.startswith("reading") else what
        marks.setdefault(f"{key}_first", now)
        marks[f"{key}_last"] = now
        if key == "indexing":
            curve.append((round(now - started, 2), done, total))

    index = os.environ.get("BENCH_NO_INDEX") != "1"
    with Workspace.open(load_settings()) as ws:
        result = ws.ingest(IngestRequest(files=[Path(csv_path)], index=index), progress)
        pool = getattr(getattr(ws.embedder, "pool", None), "running", None)
        engine = ws.db.engine
        close = getattr(ws._embedder, "close", None)
        if callable(close):
            close()  # the embedding workers exit here, so their CPU time is counted below
    ended = time.time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    store_end = marks.get("reading_last", ended)
    Path(out_path).write_text(
        json.dumps(
            {
                "started": started,
                "ended": ended,
                "store_end": store_end,
                "totals": result.totals.model_dump(),
                "rows_embedded": result.rows_embedded,
                "rows_indexed": result.rows_indexed,
                "embedder_pool_running": pool,
                "engine": engine,
                "curve": curve,
                "cpu_main_s": round(own.ru_utime + own.ru_stime, 1),
                "cpu_workers_s": round(workers.ru_utime + workers.ru_stime, 1),
            }
        ),
        encoding="utf-8",
    )


def launch_ingest(csv_path: Path, home: Path, env_extra: dict[str, str]) -> dict[str, Any]:
    """The child above, under the RSS launcher; returns its report plus peak RSS."""
    home.mkdir(parents=True, exist_ok=True)
    out = home.parent / f"{home.name}-report.json"
    env = {
        **os.environ,
        "JOURNEY_HOME": str(home),
        "BENCH_OUT": str(home.parent / f"{home.name}.out"),
        **env_extra,
    }
    env.pop("CHROMA_URL", None)
    if "DATABASE_URL" not in env_extra:
        env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "evals.bench_scale", "_ingest-child", str(csv_path), str(out)]
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    max_rss_kib, rc = (int(x) for x in launched.stdout.split())
    if rc != 0:
        raise RuntimeError(f"the ingest child exited with {rc}; see {env['BENCH_OUT']}")
    report = json.loads(out.read_text(encoding="utf-8"))
    report["peak_rss_mb"] = round(max_rss_kib / 1024, 1)
    return report


def embedder_alone(embedding: str, texts: list[str]) -> float:
    """texts/s of the product's embedder for `embedding` on these texts, in the index's batch size."""
    from assistant.embedding import build_embedder
    from assistant.index.chroma_index import UPSERT_BATCH
    from assistant.settings import load_settings

    embedder = build_embedder(load_settings(journey_embedding=embedding))
    embedder.embed(["warm-up 준비"], "query")
    started = time.perf_counter()
    for k in range(0, len(texts), UPSERT_BATCH):
        embedder.embed(texts[k : k + UPSERT_BATCH], "query")
    seconds = time.perf_counter() - started
    close = getattr(embedder, "close", None)
    if callable(close):
        close()
    return len(texts) / seconds


def run_ingest(rows: int, embedding: str, sample: int, keep: Path | None) -> dict[str, Any]:
    if keep:
        keep.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=keep.parent if keep else None))
    out: dict[str, Any] = {
        "benchmark": "scale-ingest",
        "machine": machine(),
        "rows": rows,
        "embedding": embedding,
    }
    with LoadSampler() as sampler:
        csv_path = tmp / "feedback.csv"
        with phase(out, "write_csv", sampler):
            write_csv(csv_path, rows)
        texts = []
        with csv_path.open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                if i >= sample:
                    break
                texts.append(row["comment"])
        with phase(out, "embedder_alone", sampler):
            rate = embedder_alone(embedding, texts)
        out["embedder_alone_texts_per_s"] = round(rate, 1)
        home = keep or tmp / "home"
        report = launch_ingest(csv_path, home, {"JOURNEY_EMBEDDING": embedding})
        total = report["ended"] - report["started"]
        store = report["store_end"] - report["started"]
        index = report["ended"] - report["store_end"]
        curve = report["curve"]
        # The rate over roughly the last tenth of the rows (the graph is largest there).
        late = [k for k, c in enumerate(curve) if c[1] >= 0.9 * rows]
        first = max(late[0] - 1, 0) if late else 0
        span = (curve[first], curve[-1]) if curve else None
        tail_rate = (
            (span[1][1] - span[0][1]) / (span[1][0] - span[0][0])
            if span and span[1][0] > span[0][0]
            else None
        )
        out.update(
            {
                "home": str(home),
                "accounting": report["totals"],
                "rows_embedded": report["rows_embedded"],
                "rows_indexed": report["rows_indexed"],
                "embedder_pool_running": report["embedder_pool_running"],
                "peak_rss_mb": report["peak_rss_mb"],
                "cpu_main_s": report["cpu_main_s"],
                "cpu_embedding_workers_s": report["cpu_workers_s"],
                "cpu_ms_per_row": round(1000 * (report["cpu_main_s"] + report["cpu_workers_s"]) / rows, 2),
                "total_s": round(total, 1),
                "store_s": round(store, 1),
                "embed_and_index_s": round(index, 1),
                "rows_per_s": round(rows / total, 1),
                "index_rows_per_s": round(rows / index, 1),
                "index_rows_per_s_last_tenth": round(tail_rate, 1) if tail_rate else None,
                "load_store": sampler.during(report["started"], report["store_end"]),
                "load_index": sampler.during(report["store_end"], report["ended"]),
                "ratio_ingest_to_embedder_alone": round(total / (rows / rate), 2),
            }
        )
        per_row = store / rows + 1 / (tail_rate or rows / index)
        out["extrapolated_1m_s"] = round(per_row * 1_000_000)
        out["extrapolated_1m_at_embedder_rate_s"] = round(
            1_000_000 / rate * out["ratio_ingest_to_embedder_alone"]
        )
    return out


def ingest_summary(r: dict[str, Any]) -> list[str]:
    return [
        f"scale ingest: {r['rows']:,} rows, {r['embedding']} ({r['machine']['cpus']} CPUs)",
        f"  embedder alone: {r['embedder_alone_texts_per_s']} texts/s (load {r['embedder_alone']['load']})",
        f"  journey ingest: {r['total_s']} s = store {r['store_s']} s (load {r['load_store']}) + embed & index "
        f"{r['embed_and_index_s']} s (load {r['load_index']}); {r['rows_per_s']} rows/s",
        f"  indexing {r['index_rows_per_s']} rows/s overall, {r['index_rows_per_s_last_tenth']} in the last tenth",
        f"  ingest / embedder alone = {r['ratio_ingest_to_embedder_alone']}x; peak RSS {r['peak_rss_mb']} MB; "
        f"pool running: {r['embedder_pool_running']}",
        f"  CPU: main process {r['cpu_main_s']} s, embedding workers {r['cpu_embedding_workers_s']} s = "
        f"{r['cpu_ms_per_row']} ms per row",
        f"  1M extrapolated (last-tenth index rate): {r['extrapolated_1m_s'] / 60:.1f} min  {r['accounting']}",
    ]


# --- search ------------------------------------------------------------------------------------------------

KO_QUERIES = [
    "로그인 오류",
    "배송 조회가 느려요",
    "환불 처리",
    "상담원 연결",
    "결제 화면 멈춤",
    "쿠폰 적용 안 됨",
    "회원 가입 절차",
    "포인트 적립",
    "반품 접수",
    "알림 메시지",
    "주문 취소가 안 돼요",
    "상품 검색",
]
EN_QUERIES = [
    "login errors",
    "parcel tracking slow",
    "refund took long",
    "agent on hold",
    "checkout froze",
    "coupon not applied",
    "sign up confusing",
    "loyalty points lost",
    "return request",
    "push notifications",
    "cancel my order",
    "product search",
]


def search_cases(n: int, seed: int = 5) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        query = rng.choice(KO_QUERIES if i % 2 else EN_QUERIES)
        kind = i % 4
        where = (
            {"plan": rng.choice(PLANS)}
            if kind == 2
            else ({"channel": rng.choice(CHANNELS)} if kind == 3 else {})
        )
        since = f"2025-{rng.randint(2, 12):02d}-01" if kind == 1 else None
        cases.append({"query": query, "where": where, "since": since})
    return cases


def run_search(home: Path, queries: int, embedding: str) -> dict[str, Any]:
    from assistant.contracts.requests import SearchRequest
    from assistant.settings import load_settings
    from assistant.workspace import Workspace

    out: dict[str, Any] = {
        "benchmark": "scale-search",
        "machine": machine(),
        "home": str(home),
        "queries": queries,
    }
    cases = search_cases(queries)
    with (
        LoadSampler() as sampler,
        Workspace.open(load_settings(journey_home=home, journey_embedding=embedding)) as ws,
    ):
        out["rows"] = ws.feedback_count()
        searcher_ready = time.time()
        ws.search(
            SearchRequest(query="warm-up", collection="feedback", limit=10)
        )  # opens Chroma, loads the model
        out["first_search_s"] = round(time.time() - searcher_ready, 2)
        searcher = ws._searcher
        times: dict[str, list[float]] = {"hybrid": [], "dense": [], "keyword": []}
        found: list[int] = []
        start = time.time()
        for case in cases:  # the three modes interleaved per query
            for mode, name in (("hybrid", "hybrid"), ("dense", "dense"), ("bm25", "keyword")):
                t = time.perf_counter()
                hits = searcher.search(
                    case["query"], "feedback", case["where"] or None, case["since"], 10, mode
                )
                times[name].append(time.perf_counter() - t)
                if mode == "hybrid":
                    found.append(len(hits))
        out["load"] = sampler.during(start, time.time())
    for name, values in times.items():
        values.sort()
        out[name] = {
            "p50_ms": round(1000 * values[len(values) // 2], 1),
            "p95_ms": round(1000 * values[int(len(values) * 0.95) - 1], 1),
            "max_ms": round(1000 * values[-1], 1),
        }
    filtered = [t for t, c in zip(times["hybrid"], cases, strict=False) if c["where"] or c["since"]]
    out["hybrid_filtered_p95_ms"] = round(1000 * sorted(filtered)[int(len(filtered) * 0.95) - 1], 1)
    out["ratio_hybrid_to_dense_p95"] = round(out["hybrid"]["p95_ms"] / out["dense"]["p95_ms"], 2)
    out["queries_with_10_hits"] = sum(1 for n in found if n == 10)
    return out


def search_summary(r: dict[str, Any]) -> list[str]:
    return [
        f"scale search: {r['rows']:,} rows, {r['queries']} queries (load {r['load']}); first search {r['first_search_s']} s",
        *(
            f"  {m:8} p50 {r[m]['p50_ms']} ms  p95 {r[m]['p95_ms']} ms  max {r[m]['max_ms']} ms"
            for m in ("hybrid", "dense", "keyword")
        ),
        f"  hybrid with filters p95 {r['hybrid_filtered_p95_ms']} ms; hybrid/dense p95 = {r['ratio_hybrid_to_dense_p95']}; "
        f"{r['queries_with_10_hits']} of {r['queries']} queries filled 10 hits",
    ]


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "_ingest-child":
        ingest_child(args[1], args[2])
        return None
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("what", choices=["ingest", "search", "label", "engines"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--index-rows", type=int, default=20_000)
    parser.add_argument("--embedding", default="use3")
    parser.add_argument("--sample", type=int, default=20_000, help="texts for the embedder-alone baseline")
    parser.add_argument("--keep", type=Path, help="keep the ingested home here (for search and label)")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="label: cProfile the labelling")
    parser.add_argument("--json", action="store_true")
    ns = parser.parse_args(args)
    if ns.what == "ingest":
        result = run_ingest(ns.rows, ns.embedding, min(ns.sample, ns.rows), ns.keep)
        emit(result, ns.json, ingest_summary(result))
    elif ns.what == "search":
        result = run_search(ns.home, ns.queries, ns.embedding)
        emit(result, ns.json, search_summary(result))
    elif ns.what == "label":
        from evals.bench_scale_label import label_summary, run_label

        result = run_label(ns.home, ns.rows, ns.embedding, ns.profile)
        emit(result, ns.json, label_summary(result))
    else:
        from evals.bench_scale_engines import engines_summary, run_engines

        result = run_engines(ns.rows, ns.index_rows, ns.embedding)
        emit(result, ns.json, engines_summary(result))
    return result


if __name__ == "__main__":
    main()
