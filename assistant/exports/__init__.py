"""Exports of journey maps to the formats other tools open, and imports back from JSON and CSV.

Each format is one module with one pure function `JourneyMap -> str | bytes`; `export_map` picks one by
name and always returns bytes ready to write to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from assistant.contracts.requests import ExportFormat
from assistant.domain import JourneyMap
from assistant.exports.as_csv import to_csv
from assistant.exports.as_html import to_html
from assistant.exports.as_json import to_json
from assistant.exports.as_markdown import to_markdown
from assistant.exports.as_mermaid import to_mermaid
from assistant.exports.as_xlsx import to_xlsx
from assistant.exports.importing import import_map

# The list of formats is part of the export request's contract; the exports only implement it.
Format = ExportFormat

FORMATS: tuple[Format, ...] = get_args(ExportFormat)
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
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "mermaid": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def export_filename(title: str, fmt: Format) -> str:
    """The file name an export of a map is offered under: the title's letters, digits, - and _ (others
    become -), at most 60 of them, with the format's suffix; `journey-map` when nothing is left."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in title).strip("-")[:60] or "journey-map"
    return f"{stem}{SUFFIXES[fmt]}"


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
    "MEDIA_TYPES",
    "SUFFIXES",
    "Format",
    "export_filename",
    "export_map",
    "import_map",
    "to_csv",
    "to_html",
    "to_json",
    "to_markdown",
    "to_mermaid",
    "to_xlsx",
]
