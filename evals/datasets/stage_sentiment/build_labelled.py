"""Build labelled.jsonl from the hand-written source modules, and print the counts for the README.

Run from the repository root: ``python -m evals.datasets.stage_sentiment.build_labelled``.
The row order is shuffled with a fixed seed so the file does not list rows stage by stage (as real
exports never do); ids are stable because the seed and the sources are fixed.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from evals.datasets.stage_sentiment.source import airline_ko, loan_ko, saas_en, shop_en

HERE = Path(__file__).resolve().parent
OUT = HERE / "labelled.jsonl"
SENTIMENT = {"-": "negative", "0": "neutral", "+": "positive"}
SOURCES = {
    "loan_ko": (loan_ko, "ko"),
    "airline_ko": (airline_ko, "ko"),
    "shop_en": (shop_en, "en"),
    "saas_en": (saas_en, "en"),
}


def build_rows() -> list[dict[str, Any]]:
    """All labelled rows, shuffled with a fixed seed, with ids of the form ``<map>-<nnn>``."""
    rows: list[dict[str, Any]] = []
    for stem, (module, language) in SOURCES.items():
        per_map: list[dict[str, Any]] = []
        batches = [module.ROWS, getattr(module, "ROWS_BATCH_2", {}), getattr(module, "ROWS_BATCH_3", {})]
        for stage, entries in ((s, e) for batch in batches for s, e in batch.items()):
            for entry in entries:
                code, text = entry[0], entry[1]
                rating = entry[2] if len(entry) > 2 else None
                rating_type = (
                    (entry[3] if len(entry) > 3 else module.RATING_TYPE) if rating is not None else None
                )
                per_map.append(
                    {
                        "map": stem,
                        "language": language,
                        "text": text,
                        "stage": stage,
                        "sentiment": SENTIMENT[code],
                        "rating": rating,
                        "rating_type": rating_type,
                    }
                )
        random.Random(f"labelled-{stem}").shuffle(per_map)
        for i, row in enumerate(per_map, start=1):
            rows.append({"id": f"{stem}-{i:03d}", **row})
    return rows


def counts_markdown(rows: list[dict[str, Any]]) -> str:
    """Markdown tables of rows per language, per map and stage, per sentiment, and ratings."""
    lines = [
        "| language | rows | negative | neutral | positive | stage null | with rating |",
        "|---|---|---|---|---|---|---|",
    ]
    for lang in [*sorted({r["language"] for r in rows}), "all"]:
        sub = [r for r in rows if lang in ("all", r["language"])]
        s = Counter(r["sentiment"] for r in sub)
        n = len(sub)

        def pct(k: int, n: int = n) -> str:
            return f"{k} ({100 * k / n:.1f}%)"

        lines.append(
            f"| {lang} | {n} | {pct(s['negative'])} | {pct(s['neutral'])} | {pct(s['positive'])} | "
            f"{pct(sum(r['stage'] is None for r in sub))} | {pct(sum(r['rating'] is not None for r in sub))} |"
        )
    lines += ["", "| map | stage | rows | negative | neutral | positive |", "|---|---|---|---|---|---|"]
    for stem in SOURCES:
        stages = list(dict.fromkeys(r["stage"] for r in rows if r["map"] == stem))
        stages.sort(key=lambda s: (s is None, list(SOURCES[stem][0].ROWS).index(s)))
        for stage in stages:
            sub = [r for r in rows if r["map"] == stem and r["stage"] == stage]
            s = Counter(r["sentiment"] for r in sub)
            label = "(null: off-topic)" if stage is None else stage
            lines.append(
                f"| {stem} | {label} | {len(sub)} | {s['negative']} | {s['neutral']} | {s['positive']} |"
            )
    types = Counter(r["rating_type"] for r in rows if r["rating"] is not None)
    lines += ["", "Ratings by scale: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items()))]
    return "\n".join(lines)


def write(path: Path = OUT) -> list[dict[str, Any]]:
    rows = build_rows()
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


if __name__ == "__main__":
    print(counts_markdown(write()))
