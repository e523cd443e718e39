"""Labelling a new map over every stored row, reusing the stored vectors (part of evals/bench_scale.py).

With `--home` the rows and vectors of an ingest run are used (real use3 vectors). Without it, a store
of `--rows` rows is filled directly: the benchmark's texts, ratings on 40 %, and random unit vectors
under the embedder's name (the labeller's cost does not depend on what the vectors hold).

Measured, in this order, in one process:
1. baseline: reading every row the labeller reads (its own query, in its batch size) and decoding
   the float16 vectors: the I/O no labeller can avoid;
2. the first map: sentiment (one per row, for every later map) plus stages;
3. a second new map: stages only, the sentiment labels are reused (what "a new map" costs from then on).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.contracts.feedback_records import FeedbackRecord
from assistant.domain import load_map
from assistant.embedding import build_embedder
from assistant.feedback.store import FeedbackStore
from assistant.maps.store import MAP_SCHEMA
from assistant.settings import load_settings
from assistant.workspace.labelling import BATCH, LABEL_SCHEMA, Labeller
from evals.bench_common import machine
from evals.bench_scale import LoadSampler, phase, scale_text

ROOT = Path(__file__).resolve().parent.parent
MAP = ROOT / "knowledge" / "maps" / "ecommerce-first-purchase-en.json"


def fill(store: FeedbackStore, rows: int, model: str, dim: int, seed: int = 17) -> None:
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed)
    run = store.start_run("bench", "bench.csv")
    for start in range(0, rows, 10_000):
        batch = []
        for i in range(start, min(rows, start + 10_000)):
            rated = rng.random() < 0.4
            batch.append(
                FeedbackRecord(
                    feedback_id=f"{rng.getrandbits(80):020x}",
                    source="bench",
                    file_name="bench.csv",
                    row=i + 1,
                    external_id=None,
                    text=scale_text(rng),
                    rating=float(rng.randint(1, 5)) if rated else None,
                    rating_type="csat" if rated else None,
                    date=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    channel=rng.choice(["app", "web", "call"]),
                    stage_label=None,
                    columns={"plan": rng.choice(["basic", "plus", "pro"])},
                )
            )
        store.insert_batch(batch, run)
        matrix = vectors.standard_normal((len(batch), dim)).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        store.store_vectors(model, [r.feedback_id for r in batch], matrix)


def read_only(store: FeedbackStore, model: str) -> int:
    """The labeller's read (same query shape and batch size), decoding every vector."""
    sql = (
        "SELECT f.feedback_id, f.text, f.rating, f.rating_type, f.stage_label, f.source, f.date, v.vector "
        "FROM feedback f LEFT JOIN row_vectors v ON v.model = ? AND v.feedback_id = f.feedback_id "
        "WHERE f.feedback_id > ? ORDER BY f.feedback_id LIMIT ?"
    )
    cursor, n = "", 0
    while rows := store.conn.execute(sql, [model, cursor, BATCH]).fetchall():
        cursor = rows[-1][0]
        blob = b"".join(r[7] for r in rows)
        np.frombuffer(blob, dtype="<f2").astype(np.float32)
        n += len(rows)
    return n


def run_label(home: Path | None, rows: int, embedding: str, profile: bool = False) -> dict[str, Any]:
    settings = load_settings(journey_embedding=embedding)
    embedder = build_embedder(settings)
    embedder.embed(["warm-up 준비"], "query")  # the model loads before any clock starts
    out: dict[str, Any] = {"benchmark": "scale-label", "machine": machine(), "embedding": embedder.name}
    with tempfile.TemporaryDirectory(prefix="bench-label-") as tmp:
        path = (home / "feedback.sqlite3") if home else Path(tmp) / "feedback.sqlite3"
        with LoadSampler() as sampler:
            store = FeedbackStore.open(path, schema=LABEL_SCHEMA + MAP_SCHEMA)
            if home is None:
                with phase(out, "fill", sampler):
                    fill(store, rows, embedder.name, embedder.dimension())
            out["rows"] = store.count()
            with phase(out, "read_only", sampler):
                read_only(store, embedder.name)
            nonce = str(time.time_ns())
            labeller = Labeller(store, embedder)
            for name in ("first_map", "second_map"):
                journey = load_map(MAP)
                first = journey.stages[0]
                journey.stages[0] = first.model_copy(
                    update={"description": f"{first.description} {name} {nonce}"}
                )
                if name == "first_map":  # a new sentiment labeller too: every row gets its sentiment now
                    store.conn.execute("DELETE FROM sentiment_labels")
                profiler = cProfile.Profile() if profile else None
                with phase(out, name, sampler):
                    if profiler:
                        profiler.enable()
                    report = labeller.label(journey)
                    if profiler:
                        profiler.disable()
                out[name]["rows_labelled"] = report.rows_labelled
                out[name]["rows_embedded"] = report.rows_embedded
                if profiler:
                    text = io.StringIO()
                    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
                    out[name]["profile"] = text.getvalue()
            store.close()
    base = max(out["read_only"]["seconds"], 0.001)  # phase times are rounded to ms; tiny stores read in 0
    for name in ("first_map", "second_map"):
        out[name]["rows_per_s"] = round(out["rows"] / max(out[name]["seconds"], 0.001))
        out[name]["ratio_to_read_only"] = round(out[name]["seconds"] / base, 2)
        out[name]["extrapolated_1m_s"] = round(out[name]["seconds"] * 1_000_000 / out["rows"], 1)
    return out


def label_summary(r: dict[str, Any]) -> list[str]:
    lines = [
        f"scale label: {r['rows']:,} rows, {r['embedding']} vectors ({r['machine']['cpus']} CPUs)",
        f"  read only (baseline): {r['read_only']['seconds']} s (load {r['read_only']['load']})",
    ]
    for name in ("first_map", "second_map"):
        p = r[name]
        lines.append(
            f"  {name}: {p['seconds']} s, {p['rows_per_s']:,} rows/s, {p['ratio_to_read_only']}x read-only, "
            f"1M ≈ {p['extrapolated_1m_s']} s (load {p['load']}); labelled {p['rows_labelled']:,}"
        )
        if "profile" in p:
            lines.append(p["profile"])
    return lines
