"""The labelled feedback sets the analysis eval scores, by name and split, without knowing their layout.

| set | text | maps | split |
|---|---|---|---|
| ``stage_sentiment`` | generated (synthetic survey answers and posts) | 13 maps, en/ko | dev / frozen test |
| ``social`` | generated short social-media posts (handles, hashtags, rants) | airline, telecom, delivery | dev / frozen test |
| ``narratives`` | **real** consumer complaint narratives (CFPB), labelled here | 5 financial products | dev / frozen test |

Every row has at least ``id, map, language, text, stage, alt_stage, sentiment, rating, rating_type,
names_stage``; the new sets add ``secondary`` (other stages the text complains about) and, for
``social``, ``brand``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from evals.datasets.stage_sentiment import splits as stage_sentiment

Split = Literal["dev", "test"]
HERE = Path(__file__).resolve().parent
SETS: dict[str, str] = {"stage_sentiment": "generated", "social": "generated", "narratives": "real"}
"""Set name -> where its text comes from ('real' text nobody here wrote, or 'generated')."""


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_rows(name: str, split: Split) -> list[dict[str, Any]]:
    """The rows of one set and split, each with ``secondary`` (default []) and ``set``."""
    if name == "stage_sentiment":
        found = stage_sentiment.load_rows(split)
    elif name in SETS:
        found = _jsonl(HERE / name / split / "rows.jsonl")
    else:
        raise KeyError(f"no feedback set {name!r}; sets: {', '.join(SETS)}")
    return [{"secondary": [], **r, "set": name} for r in found]


def map_path(name: str, map_id: str, split: Split) -> Path:
    """The file of a set's map (read it with ``assistant.domain.load_map``)."""
    if name == "stage_sentiment":
        return stage_sentiment.load_map(map_id, split)
    path = HERE / name / "maps" / f"{map_id}.json"
    if not path.is_file():
        raise KeyError(f"no map {map_id!r} in the {name} set")
    return path
