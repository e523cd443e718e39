"""Where the product finds what ships with it: methodology notes, prompts, sample maps and feedback.

They live at the top of the repository (`knowledge/`, `prompts/`) and reach the package through the
links in `assistant/bundled/`, which the wheel build follows; so the same `importlib.resources` lookup
works in a checkout and in an installed wheel, wherever the working directory is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _bundled(*parts: str) -> Path:
    return Path(str(resources.files("assistant").joinpath("bundled", *parts)))


def knowledge_dir() -> Path:
    """The methodology notes (Korean and English Markdown)."""
    return _bundled("knowledge", "methodology")


def prompts_dir() -> Path:
    return _bundled("prompts")


def sample_maps_dir() -> Path:
    return _bundled("knowledge", "maps")


def sample_feedback_dir() -> Path:
    return _bundled("knowledge", "feedback")


def reference_journeys_dir() -> Path:
    """The reference journeys drafting adapts (one JSON file per domain and language)."""
    return _bundled("knowledge", "journeys")
