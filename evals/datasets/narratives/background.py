"""Build the background term table: how widely each English matching unit is used in real complaints.

The table (`tools/journey_tools/resources/background_terms_en.json`) is our own computation over the unlabelled
CFPB narratives (`/work/shared/data/real/cfpb_narratives_unlabelled.csv`, `JOURNEY_REAL_DATA` points
elsewhere): for every stem of `tools.stage_lexical.lexical_terms`, the share of narratives that use it,
kept when it is at least MIN_SHARE. No text is copied, only shares. The narratives that were read to
label this set (every id in `labels.txt`, dev and test alike) are left out, so the table carries nothing
of the labelled rows.

Run: uv run --frozen python -m evals.datasets.narratives.background
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

from journey_tools.stage_lexical import document_frequencies

HERE = Path(__file__).resolve().parent
REAL = Path(os.environ.get("JOURNEY_REAL_DATA", "/work/shared/data/real"))
OUT = HERE.parents[2] / "tools" / "journey_tools" / "resources" / "background_terms_en.json"
MIN_SHARE = 0.01
_ID = re.compile(r"^([0-9a-f]{8}-[0-9a-f-]{27})", re.M)


def build() -> dict[str, object]:
    read = set(_ID.findall((HERE / "labels.txt").read_text(encoding="utf-8")))
    csv.field_size_limit(10_000_000)
    with (REAL / "cfpb_narratives_unlabelled.csv").open(encoding="utf-8", newline="") as fh:
        texts = [r["narrative"] for r in csv.DictReader(fh) if r["narrative_id"] not in read]
    shares = document_frequencies(texts)
    kept = {t: round(s, 4) for t, s in sorted(shares.items()) if s >= MIN_SHARE}
    return {
        "about": "Share of real complaint narratives (CFPB, unlabelled, the labelled ones left out) using "
        "each English stem; built by evals/datasets/narratives/background.py",
        "rows": len(texts),
        "min_share": MIN_SHARE,
        "shares": kept,
    }


if __name__ == "__main__":
    table = build()
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(table['shares'])} terms from {table['rows']} narratives")  # type: ignore[arg-type]
