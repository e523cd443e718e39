"""The real-narrative and generated social-media sets are sound, and their frozen test parts have not changed.

Data only (never a classifier). If a hash test fails a frozen file was edited: undo it, or re-freeze
with the set's ``build --write-test --freeze`` and say why in the commit message.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.domain import load_map
from evals.datasets import sets
from evals.datasets.frozen import frozen_hashes
from evals.datasets.narratives import build as narratives
from evals.datasets.narratives import sample
from evals.datasets.social import build as social

DATA = Path(sets.__file__).resolve().parent


@pytest.mark.parametrize("module", [narratives, social], ids=["narratives", "social"])
def test_frozen_test_files_match_their_recorded_hashes(module: object) -> None:
    root = Path(module.__file__).resolve().parent  # type: ignore[attr-defined]
    recorded = json.loads((root / "FROZEN.json").read_text(encoding="utf-8"))
    now = frozen_hashes(root, module.frozen_files())  # type: ignore[attr-defined]
    assert now["files"] == recorded["files"], "a frozen test file was added, removed or changed"
    assert now["combined_sha256"] == recorded["combined_sha256"]
    assert "score the test part once per released method version" in recorded["rule"]


def test_social_rows_are_what_the_sources_build() -> None:
    for split in ("dev", "test"):
        assert sets.load_rows("social", split) == [
            {"secondary": [], **r, "set": "social"} for r in social.build(split)
        ]


@pytest.mark.skipif(not sample.SOURCE.is_file(), reason="the CFPB file is not on this machine")
def test_narrative_rows_are_what_the_labels_build() -> None:
    parts = narratives.split(narratives.rows())
    for split in ("dev", "test"):
        stored = [
            json.loads(line) for line in (DATA / "narratives" / split / "rows.jsonl").open(encoding="utf-8")
        ]
        assert stored == parts[split], split


@pytest.mark.parametrize("name", ["narratives", "social"])
def test_every_label_names_a_stage_of_its_map(name: str) -> None:
    seen: Counter[str] = Counter()
    for split in ("dev", "test"):
        for r in sets.load_rows(name, split):
            stages = load_map(sets.map_path(name, r["map"], split)).stage_names
            assert r["stage"] is None or r["stage"] in stages, r["id"]
            assert all(s in stages and s != r["stage"] for s in r["secondary"]), r["id"]
            assert r["names_stage"] == (r["stage"] is not None) or name == "social", r["id"]
            assert r["text"].strip() and r["sentiment"] in {"negative", "neutral", "positive"}
            seen[" ".join(r["text"].casefold().split())] += 1
    assert [t for t, n in seen.items() if n > 1] == []


def test_narratives_cover_every_stage_in_both_parts() -> None:
    for split in ("dev", "test"):
        rows = sets.load_rows("narratives", split)
        for map_id in {r["map"] for r in rows}:
            stages = load_map(sets.map_path("narratives", map_id, split)).stage_names
            assert {r["stage"] for r in rows if r["map"] == map_id} >= set(stages), (split, map_id)
    assert len(sets.load_rows("narratives", "dev")) + len(sets.load_rows("narratives", "test")) >= 300


def test_each_airline_brand_has_its_own_clear_top_stage() -> None:
    for split in ("dev", "test"):
        rows = [r for r in sets.load_rows("social", split) if r["map"].startswith("airline")]
        for brand in {r["brand"] for r in rows}:
            counts = Counter(
                r["stage"]
                for r in rows
                if r["brand"] == brand and r["sentiment"] == "negative" and r["stage"]
            )
            (_, first), (_, second) = counts.most_common(2)
            assert first - second >= 3, (split, brand, counts)
