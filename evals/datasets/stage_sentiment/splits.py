"""Load the stage/sentiment rows and maps by split, so eval runners need not know the layout.

- ``dev``: the original labelled set (``labelled.jsonl``, maps in ``maps/``) plus ``dev/rows.jsonl``
  (maps in ``dev/maps/``). Anything may be tuned on it.
- ``test``: ``test/rows.jsonl`` (maps in ``test/maps/``). Frozen: see ``FROZEN.json``. Measure on it;
  never choose a vocabulary, prototype, threshold or alias by looking at it.

Every row has the same keys: ``id, map, language, text, stage, alt_stage, sentiment, rating,
rating_type, names_stage``. The original labelled rows predate ``alt_stage`` and ``names_stage``; they
are loaded with ``alt_stage = None`` and ``names_stage = stage is not None``.

    from evals.datasets.stage_sentiment.splits import load_rows, load_map
    from assistant.domain import load_map as read_map

    for row in load_rows("test"):
        journey = read_map(load_map(row["map"], "test"))
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

Split = Literal["dev", "test"]
SPLITS: tuple[Split, ...] = ("dev", "test")

HERE = Path(__file__).resolve().parent
LEGACY_ROWS = HERE / "labelled.jsonl"
LEGACY_MAPS = HERE / "maps"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _map_dirs(split: Split) -> list[Path]:
    if split == "dev":
        return [LEGACY_MAPS, HERE / "dev" / "maps"]
    if split == "test":
        return [HERE / "test" / "maps"]
    raise ValueError(f"unknown split {split!r}; use 'dev' or 'test'")


def load_rows(split: Split) -> list[dict[str, Any]]:
    """All labelled rows of a split, in file order, with the same keys on every row."""
    if split == "dev":
        legacy = [
            {**row, "alt_stage": None, "names_stage": row["stage"] is not None}
            for row in _read_jsonl(LEGACY_ROWS)
        ]
        return legacy + _read_jsonl(HERE / "dev" / "rows.jsonl")
    if split == "test":
        return _read_jsonl(HERE / "test" / "rows.jsonl")
    raise ValueError(f"unknown split {split!r}; use 'dev' or 'test'")


def map_ids(split: Split) -> list[str]:
    """The map ids (file stems) of a split."""
    return sorted(p.stem for d in _map_dirs(split) for p in d.glob("*.json"))


def load_map(map_id: str, split: Split) -> Path:
    """The path of a split's map file (read it with ``assistant.domain.load_map``)."""
    for directory in _map_dirs(split):
        path = directory / f"{map_id}.json"
        if path.is_file():
            return path
    raise KeyError(f"no map {map_id!r} in the {split} split")


map_path = load_map
