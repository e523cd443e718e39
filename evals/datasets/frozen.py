"""Hashes of a dataset's frozen test files (FROZEN.json), shared by the datasets under evals/datasets."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RULE = (
    "The test part is frozen: no vocabulary, prototype, example sentence, threshold or alias may be "
    "chosen by looking at these files or at a method's errors on them. Tune on the dev part only; "
    "score the test part once per released method version, report the number, and do not change the "
    "method because of it."
)


def frozen_hashes(root: Path, files: Sequence[Path]) -> dict[str, Any]:
    """SHA-256 of each file (paths relative to `root`), and one over '<path>\\n<sha256>\\n' of all of them."""
    found = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    manifest = "".join(f"{path}\n{digest}\n" for path, digest in found.items())
    return {"files": found, "combined_sha256": hashlib.sha256(manifest.encode("utf-8")).hexdigest()}


def freeze(root: Path, files: Sequence[Path], date: str, why: str = "") -> dict[str, Any]:
    record = {
        "frozen_on": date,
        "rule": RULE,
        "combined_method": "sha256 of '<path>\\n<sha256>\\n' for each file in the order listed under files",
        **({"why": why} if why else {}),
        **frozen_hashes(root, files),
    }
    (root / "FROZEN.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return record
