"""How the narrative rows were drawn from the unlabelled CFPB file (see README.md).

Each narrative is put in the candidate bucket of the product whose keywords it mentions most (ties go
to the earlier product in PRODUCTS). Narratives longer than MAX_CHARS are left out (reading cost; 6 %
of the file). Within a bucket, candidates are shuffled with a fixed seed and read in that order; the
reader then decides the narrative's real product (a bucket is only a guess) and its stage.

Run ``python -m evals.datasets.narratives.sample --bucket mortgage --start 0 --count 20`` to print the
candidates in reading order (id and text).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
from pathlib import Path

REAL = Path(os.environ.get("JOURNEY_REAL_DATA", "/work/shared/data/real"))
SOURCE = REAL / "cfpb_narratives_unlabelled.csv"
MAX_CHARS = 3000
SEED = "narratives-2026"
PRODUCTS: dict[str, str] = {
    "mortgage": r"mortgage|escrow|loan modification|foreclos|refinanc|servicer",
    "bank_account": r"checking account|savings account|overdraft|debit card|bank account|zelle|deposit",
    "credit_card": r"credit card|card account|annual fee|\bapr\b|cash back|rewards",
    "debt_collection": r"debt collect|collection agency|collector|collections?\b|validation",
    "credit_report": r"credit report|equifax|experian|transunion|credit bureau|\bcra\b|dispute",
}


def read_source(path: Path = SOURCE) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["narrative_id"]: r["narrative"] for r in csv.DictReader(fh)}


def bucket_of(text: str) -> str | None:
    hits = {p: len(re.findall(rx, text, re.IGNORECASE)) for p, rx in PRODUCTS.items()}
    best = max(hits.values())
    return next(p for p, k in hits.items() if k == best) if best else None


def candidates(texts: dict[str, str]) -> dict[str, list[str]]:
    """Narrative ids per bucket, in reading order."""
    out: dict[str, list[str]] = {p: [] for p in PRODUCTS}
    for nid in sorted(texts):
        text = texts[nid]
        if len(text) > MAX_CHARS:
            continue
        if (b := bucket_of(text)) is not None:
            out[b].append(nid)
    for p, ids in out.items():
        random.Random(f"{SEED}:{p}").shuffle(ids)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bucket", choices=list(PRODUCTS), required=True)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()
    texts = read_source()
    ids = candidates(texts)[args.bucket]
    for i, nid in enumerate(ids[args.start : args.start + args.count], start=args.start):
        print(f"=== [{args.bucket} #{i}] {nid}\n{texts[nid]}\n")


if __name__ == "__main__":
    main()
