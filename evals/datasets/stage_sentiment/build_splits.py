"""Build dev/rows.jsonl and test/rows.jsonl from the hand-written sources, and print the README tables.

Run from the repository root: ``python -m evals.datasets.stage_sentiment.build_splits``.
The frozen test file is only rewritten with ``--write-test``, so a rebuild cannot change the test part by
accident; ``--freeze`` records its hashes in ``FROZEN.json``, which ``tests/test_frozen_split.py`` checks.

Rows are shuffled per map with a fixed seed (real exports never list rows stage by stage); ids are
``<map>-<nnn>``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from evals.datasets.stage_sentiment.dev.source import food_delivery_en, hotel_stay_en, telecom_contract_ko
from evals.datasets.stage_sentiment.test.source import (
    airline_trip_en,
    b2b_renewal_en,
    bank_account_en,
    car_claim_ko,
    clinic_visit_ko,
    gov_permit_ko,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SENTIMENT = {"-": "negative", "0": "neutral", "+": "positive"}
FIELDS = (
    "id",
    "map",
    "language",
    "text",
    "stage",
    "alt_stage",
    "sentiment",
    "rating",
    "rating_type",
    "names_stage",
)
DEV_SOURCES: tuple[ModuleType, ...] = (hotel_stay_en, telecom_contract_ko, food_delivery_en)
TEST_SOURCES: tuple[ModuleType, ...] = (
    airline_trip_en,
    b2b_renewal_en,
    clinic_visit_ko,
    gov_permit_ko,
    bank_account_en,
    car_claim_ko,
)


def _row(module: ModuleType, stage: str | None, entry: tuple) -> dict[str, Any]:
    code, text = entry[0], entry[1]
    rating = entry[2] if len(entry) > 2 else None
    extras: dict[str, Any] = entry[3] if len(entry) > 3 else {}
    unknown = set(extras) - {"alt", "lang", "rt", "vague"}
    if unknown:
        raise ValueError(f"unknown extras {unknown} in {module.MAP}: {text!r}")
    return {
        "map": module.MAP,
        "language": extras.get("lang", module.LANGUAGE),
        "text": text,
        "stage": stage,
        "alt_stage": extras.get("alt"),
        "sentiment": SENTIMENT[code],
        "rating": rating,
        "rating_type": extras.get("rt", module.RATING_TYPE) if rating is not None else None,
        "names_stage": stage is not None and not extras.get("vague", False),
    }


def rows_of(module: ModuleType) -> list[dict[str, Any]]:
    """One map's rows, shuffled with a fixed seed, with ids ``<map>-<nnn>``."""
    rows = [_row(module, stage, entry) for stage, entries in module.ROWS.items() for entry in entries]
    random.Random(f"split-{module.MAP}").shuffle(rows)
    return [{"id": f"{module.MAP}-{i:03d}", **row} for i, row in enumerate(rows, start=1)]


def build(split: str) -> list[dict[str, Any]]:
    """All rows of the new part of a split (``dev``: three maps; ``test``: every test map)."""
    if split == "dev":
        return [row for module in DEV_SOURCES for row in rows_of(module)]
    if split == "test":
        return [row for module in TEST_SOURCES for row in rows_of(module)]
    raise ValueError(split)


def write(split: str) -> list[dict[str, Any]]:
    rows = build(split)
    with (HERE / split / "rows.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return rows


def _pct(k: int, n: int) -> str:
    return f"{k} ({100 * k / n:.0f}%)" if n else "0"


def counts_markdown(rows: list[dict[str, Any]], stage_order: dict[str, list[str]]) -> str:
    """Per-map and per-stage tables for the README. ``stage_order`` maps a map id to its stage names."""
    lines = [
        "| map | rows | en / ko | negative | neutral | positive | stage null | alt_stage | names_stage | rated |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    maps = list(dict.fromkeys(r["map"] for r in rows))
    for map_id in [*maps, None]:
        sub = [r for r in rows if map_id in (None, r["map"])]
        n = len(sub)
        lang = Counter(r["language"] for r in sub)
        s = Counter(r["sentiment"] for r in sub)
        lines.append(
            f"| {map_id or 'all'} | {n} | {lang['en']} / {lang['ko']} | {_pct(s['negative'], n)} | "
            f"{_pct(s['neutral'], n)} | {_pct(s['positive'], n)} | "
            f"{_pct(sum(r['stage'] is None for r in sub), n)} | "
            f"{_pct(sum(r['alt_stage'] is not None for r in sub), n)} | "
            f"{_pct(sum(r['names_stage'] for r in sub), n)} | "
            f"{_pct(sum(r['rating'] is not None for r in sub), n)} |"
        )
    lines += [
        "",
        "| map | stage | rows | negative | neutral | positive | with alt_stage |",
        "|---|---|---|---|---|---|---|",
    ]
    for map_id in maps:
        for stage in [*stage_order[map_id], None]:
            sub = [r for r in rows if r["map"] == map_id and r["stage"] == stage]
            s = Counter(r["sentiment"] for r in sub)
            label = "(null)" if stage is None else stage
            alt = sum(r["alt_stage"] is not None for r in sub)
            lines.append(
                f"| {map_id} | {label} | {len(sub)} | {s['negative']} | {s['neutral']} | {s['positive']} | {alt} |"
            )
    lines += ["", "| map | most negative rows | runner-up | lead (rows) |", "|---|---|---|---|"]
    for map_id in maps:
        neg = Counter(r["stage"] for r in rows if r["map"] == map_id and r["sentiment"] == "negative")
        neg.pop(None, None)
        (top, a), (second, b) = neg.most_common(2)
        lines.append(f"| {map_id} | {top} ({a}) | {second} ({b}) | {a - b} |")
    types = Counter(r["rating_type"] for r in rows if r["rating"] is not None)
    lines += ["", "Ratings by scale: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items()))]
    return "\n".join(lines)


def stage_order(split: str) -> dict[str, list[str]]:
    """Stage names in map order for every map file of a split's new part."""
    return {
        p.stem: [s["name"] for s in json.loads(p.read_text(encoding="utf-8"))["stages"]]
        for p in sorted((HERE / split / "maps").glob("*.json"))
    }


FROZEN = HERE / "FROZEN.json"
FROZEN_RULE = (
    "The test part is frozen: no vocabulary, prototype, example sentence, threshold or alias may be "
    "chosen by looking at these files or at a method's errors on them. Tune on the dev part only; "
    "measure on the test part, report the number, and do not change the method because of it."
)


def frozen_files() -> list[Path]:
    """The files of the frozen test part, in the fixed order the combined hash uses."""
    return [HERE / "test" / "rows.jsonl", *sorted((HERE / "test" / "maps").glob("*.json"))]


def frozen_hashes() -> dict[str, Any]:
    """SHA-256 of every test file, and one over all of them.

    The combined hash is the SHA-256 of the lines ``<relative path>\\n<file sha256>\\n`` for every file in
    ``frozen_files()`` order (paths relative to this directory, with forward slashes).
    """
    files = {
        p.relative_to(HERE).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in frozen_files()
    }
    manifest = "".join(f"{path}\n{digest}\n" for path, digest in files.items())
    return {"files": files, "combined_sha256": hashlib.sha256(manifest.encode("utf-8")).hexdigest()}


def freeze(date: str, why: str = "") -> dict[str, Any]:
    record = {
        "frozen_on": date,
        **({"why": why} if why else {}),
        "rule": FROZEN_RULE,
        "combined_method": "sha256 of '<path>\\n<sha256>\\n' for each file in the order listed under files",
        **frozen_hashes(),
    }
    FROZEN.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write-test", action="store_true", help="also rewrite the frozen test/rows.jsonl")
    parser.add_argument("--freeze", action="store_true", help="record the test files' hashes in FROZEN.json")
    args = parser.parse_args()
    for split in ("dev", "test"):
        rows = write(split) if split == "dev" or args.write_test else build(split)
        print(f"## {split}\n\n{counts_markdown(rows, stage_order(split))}\n")
    if args.freeze:
        record = freeze(datetime.datetime.now(datetime.UTC).date().isoformat())
        print(f"FROZEN.json: combined sha256 {record['combined_sha256']}")


if __name__ == "__main__":
    main()
