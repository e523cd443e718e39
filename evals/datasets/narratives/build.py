"""Build dev/rows.jsonl and test/rows.jsonl of the real-narrative set from labels.txt and the CFPB file.

Run from the repository root: ``python -m evals.datasets.narratives.build`` (rewrites dev only) or
``... --write-test --freeze`` (rewrites the frozen test part and records its hashes in FROZEN.json:
only when the labels of test rows deliberately change, never because of a method's results).

The split is stratified by (product, stage): within each group the rows are shuffled with a fixed
seed and every TEST_EVERY-th-and-so-on share goes to test, so both parts hold every stage.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from evals.datasets.frozen import freeze, frozen_hashes
from evals.datasets.narratives.sample import read_source

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.txt"
TEST_SHARE = 0.4
SEED = "narratives-split-2026"

MAPS: dict[str, tuple[str, dict[str, str]]] = {
    "mortgage": (
        "mortgage_en",
        {
            "L": "Getting the loan",
            "P": "Monthly payments & escrow",
            "H": "Hardship & foreclosure",
            "R": "Payoff & lien release",
        },
    ),
    "card": (
        "credit_card_en",
        {
            "G": "Getting the card",
            "C": "Charges & disputes",
            "B": "Bills, interest & payments",
            "X": "Limits, rewards & closing",
        },
    ),
    "bank": (
        "bank_account_en",
        {
            "O": "Opening the account",
            "D": "Deposits, withdrawals & transfers",
            "F": "Fees & overdrafts",
            "Z": "Frozen or closed account",
        },
    ),
    "debt": (
        "debt_collection_en",
        {"N": "Notice & validation", "K": "Calls & contact", "J": "Credit reports & legal action"},
    ),
    "report": (
        "credit_report_en",
        {"S": "What the report shows", "I": "Dispute & investigation", "A": "Access, freezes & monitoring"},
    ),
}
"""Product -> (map id, stage code -> stage name). Rows labelled 'other' (another product or no clear
product) or 'dup' (the same text as an earlier row) are not used."""


def read_labels() -> list[dict[str, Any]]:
    out = []
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        nid, product, stage, secondary, note = (p.strip() for p in line.split(" | ", 4))
        out.append({"id": nid, "product": product, "stage": stage, "secondary": secondary, "note": note})
    return out


def rows() -> list[dict[str, Any]]:
    """Every labelled narrative of a mapped product, with its text and stage names."""
    texts = read_source()
    out = []
    for lab in read_labels():
        if lab["product"] not in MAPS:
            continue
        map_id, codes = MAPS[lab["product"]]
        stage = None if lab["stage"] == "-" else codes[lab["stage"]]
        secondary = [codes[c] for c in lab["secondary"].split(",") if c.strip() not in ("-", "")]
        out.append(
            {
                "id": lab["id"],
                "map": map_id,
                "language": "en",
                "text": texts[lab["id"]],
                "stage": stage,
                "alt_stage": None,
                "secondary": [s for s in secondary if s != stage],
                "sentiment": "negative",
                "rating": None,
                "rating_type": None,
                "names_stage": stage is not None,
                "note": lab["note"],
            }
        )
    return out


def split(all_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for r in all_rows:
        groups.setdefault((r["map"], r["stage"]), []).append(r)
    parts: dict[str, list[dict[str, Any]]] = {"dev": [], "test": []}
    for key in sorted(groups, key=lambda k: (k[0], k[1] or "")):
        members = sorted(groups[key], key=lambda r: r["id"])
        random.Random(f"{SEED}:{key}").shuffle(members)
        n_test = round(len(members) * TEST_SHARE)
        parts["test"].extend(members[:n_test])
        parts["dev"].extend(members[n_test:])
    for part in parts.values():
        part.sort(key=lambda r: (r["map"], r["id"]))
    return parts


def write(part: str, part_rows: list[dict[str, Any]]) -> None:
    path = HERE / part / "rows.jsonl"
    path.parent.mkdir(exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in part_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def table(part_rows: list[dict[str, Any]]) -> str:
    lines = ["| map | stage | rows |", "|---|---|---|"]
    counts = Counter((r["map"], r["stage"]) for r in part_rows)
    for (m, s), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "~")):
        lines.append(f"| {m} | {s or '(no stage)'} | {n} |")
    lines.append(f"| all | | {len(part_rows)} |")
    return "\n".join(lines)


def frozen_files() -> list[Path]:
    return [HERE / "test" / "rows.jsonl", *sorted((HERE / "maps").glob("*.json"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-test", action="store_true")
    parser.add_argument("--freeze", action="store_true")
    args = parser.parse_args()
    parts = split(rows())
    write("dev", parts["dev"])
    if args.write_test:
        write("test", parts["test"])
    for part, part_rows in parts.items():
        print(f"## {part}\n\n{table(part_rows)}\n")
    if args.freeze:
        record = freeze(HERE, frozen_files(), datetime.datetime.now(datetime.UTC).date().isoformat())
        print(f"FROZEN.json: combined sha256 {record['combined_sha256']}")
    else:
        print(
            "test part unchanged" if not args.write_test else "",
            frozen_hashes(HERE, frozen_files())["combined_sha256"],
        )


if __name__ == "__main__":
    main()
