"""Build dev/rows.jsonl and test/rows.jsonl of the generated social-media set from the hand-written sources.

Run from the repository root: ``python -m evals.datasets.social.build`` (dev only) or
``... --write-test --freeze`` (the frozen test part; see README.md).

A row's brand is the first brand handle in its text (BRANDS of its source module), else its `brand`
extra. Rows under the ``None`` key name no stage unless their `stage` extra gives one (a question or a
praise about a stage).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from evals.datasets.frozen import freeze, frozen_hashes
from evals.datasets.social.dev import airline_dev_en, telecom_dev_en
from evals.datasets.social.test import airline_test_en, delivery_test_en

HERE = Path(__file__).resolve().parent
SOURCES: dict[str, tuple[ModuleType, ...]] = {
    "dev": (airline_dev_en, telecom_dev_en),
    "test": (airline_test_en, delivery_test_en),
}
SENTIMENT = {"-": "negative", "0": "neutral", "+": "positive"}
HANDLE = re.compile(r"@\w+")


def _brand(module: ModuleType, text: str, extras: dict[str, Any]) -> str:
    for handle in HANDLE.findall(text):
        if handle.casefold() in module.BRANDS:
            return str(module.BRANDS[handle.casefold()])
    if "brand" in extras:
        return str(extras["brand"])
    raise ValueError(f"no brand for {text!r} in {module.MAP}")


def rows_of(module: ModuleType) -> list[dict[str, Any]]:
    out = []
    for key, entries in module.ROWS.items():
        for entry in entries:
            code, text = entry[0], entry[1]
            extras: dict[str, Any] = entry[2] if len(entry) > 2 else {}
            unknown = set(extras) - {"alt", "stage", "vague", "brand"}
            if unknown:
                raise ValueError(f"unknown extras {unknown} in {module.MAP}: {text!r}")
            stage = extras["stage"] if key is None and "stage" in extras else key
            out.append(
                {
                    "map": module.MAP,
                    "language": module.LANGUAGE,
                    "text": text,
                    "stage": stage,
                    "alt_stage": extras.get("alt"),
                    "secondary": [extras["alt"]] if extras.get("alt") else [],
                    "sentiment": SENTIMENT[code],
                    "rating": None,
                    "rating_type": None,
                    "names_stage": stage is not None and not extras.get("vague", False),
                    "brand": _brand(module, text, extras),
                }
            )
    random.Random(f"social-{module.MAP}").shuffle(out)
    return [{"id": f"{module.MAP}-{i:03d}", **r} for i, r in enumerate(out, start=1)]


def build(split: str) -> list[dict[str, Any]]:
    return [r for module in SOURCES[split] for r in rows_of(module)]


def write(split: str) -> list[dict[str, Any]]:
    part_rows = build(split)
    with (HERE / split / "rows.jsonl").open("w", encoding="utf-8") as fh:
        for r in part_rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return part_rows


def table(part_rows: list[dict[str, Any]]) -> str:
    lines = [
        "| map | brand | rows | negative | no stage among negatives | most complained stage |",
        "|---|---|---|---|---|---|",
    ]
    for m, b in sorted({(r["map"], r["brand"]) for r in part_rows}):
        sub = [r for r in part_rows if r["map"] == m and r["brand"] == b]
        neg = [r for r in sub if r["sentiment"] == "negative"]
        counts = Counter(r["stage"] for r in neg if r["stage"])
        (top, a), (_, second) = counts.most_common(2)
        lines.append(
            f"| {m} | {b} | {len(sub)} | {len(neg)} | {sum(r['stage'] is None for r in neg)} | {top} ({a} vs {second}) |"
        )
    return "\n".join(lines)


def frozen_files() -> list[Path]:
    return [HERE / "test" / "rows.jsonl", *sorted((HERE / "maps").glob("*_test_*.json"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-test", action="store_true")
    parser.add_argument("--freeze", action="store_true")
    args = parser.parse_args()
    for split in ("dev", "test"):
        part_rows = write(split) if split == "dev" or args.write_test else build(split)
        print(f"## {split}\n\n{table(part_rows)}\n")
    if args.freeze:
        record = freeze(HERE, frozen_files(), datetime.datetime.now(datetime.UTC).date().isoformat())
        print(f"FROZEN.json: combined sha256 {record['combined_sha256']}")
    else:
        print(frozen_hashes(HERE, frozen_files())["combined_sha256"])


if __name__ == "__main__":
    main()
