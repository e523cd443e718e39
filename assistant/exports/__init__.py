"""Exports of journey maps to the formats other tools open, and imports back from JSON and CSV.

Each format is one module with one pure function `JourneyMap -> str | bytes`; `export_map` picks one by
name and always returns bytes ready to write to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from assistant.domain import JourneyMap
from assistant.exports.as_csv import to_csv
from assistant.exports.as_html import to_html
from assistant.exports.as_json import to_json
from assistant.exports.as_markdown import to_markdown
from assistant.exports.as_mermaid import to_mermaid
from assistant.exports.as_xlsx import to_xlsx
from assistant.exports.importing import import_map

Format = Literal["json", "md", "csv", "xlsx", "mermaid", "html"]

FORMATS: tuple[Format, ...] = ("json", "md", "csv", "xlsx", "mermaid", "html")
SUFFIXES: dict[Format, str] = {
    "json": ".json",
    "md": ".md",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "mermaid": ".mmd",
    "html": ".html",
}
# Formats that are not text on a terminal; the CLI writes them only to a file.
BINARY_FORMATS: frozenset[Format] = frozenset({"xlsx"})

_EXPORTERS: dict[Format, Callable[[JourneyMap], str | bytes]] = {
    "json": to_json,
    "md": to_markdown,
    "csv": to_csv,
    "xlsx": to_xlsx,
    "mermaid": to_mermaid,
    "html": to_html,
}


def export_map(journey: JourneyMap, fmt: Format) -> bytes:
    """The map in the given format, as the bytes of a file (text formats in UTF-8)."""
    try:
        exporter = _EXPORTERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    out = exporter(journey)
    return out.encode("utf-8") if isinstance(out, str) else out


__all__ = [
    "BINARY_FORMATS",
    "FORMATS",
    "SUFFIXES",
    "Format",
    "export_map",
    "import_map",
    "to_csv",
    "to_html",
    "to_json",
    "to_markdown",
    "to_mermaid",
    "to_xlsx",
]
