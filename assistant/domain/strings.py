"""The strings inside a JSON-like value (a map as data, a tool's result): every name, action, pain point,
quote or label, wherever it is nested. The answer guard reads a turn's data this way, the tool guard the
arguments a model wrote, and the evals a map's texts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def strings_at(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Each string with its path (`stages[0].name`), depth first, in the value's order."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings_at(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from strings_at(v, f"{path}[{i}]")


def strings(value: Any) -> Iterator[str]:
    """Each string, depth first, in the value's order."""
    for _, text in strings_at(value):
        yield text
