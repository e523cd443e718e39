"""A file given in a chat: a journey map or feedback, told apart by its content.

A map is the product's JSON export, its CSV export (the header `journey export --format csv` writes), or a
hand-written JSON object with a title and its stages (`{"title": "…", "stages": ["Airport", …]}` or stages as
objects with a name). Anything else is feedback and goes to the ingest, which reports what it cannot read.

The file's own path never reaches a message: the staged copy of an upload lives in a server folder, so
every error says the file's name only (`without_paths`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from assistant.domain import JourneyMap, map_from_data
from assistant.errors import ImportFormatError, JourneyError, without_paths
from assistant.exports.importing import MAX_IMPORT_BYTES, REQUIRED_COLUMNS, import_map

FileKind = Literal["map", "feedback"]
HEAD_BYTES = 64 * 1024


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise ImportFormatError(
            f"{path.name} cannot be read ({exc.strerror or type(exc).__name__})."
        ) from None
    return raw.decode("utf-8-sig", errors="replace").lstrip()


def file_kind(path: Path) -> FileKind:
    """'map' for a map file (JSON object with stages, or the product's map CSV), else 'feedback'."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        return "feedback"
    head = _head(path)
    if suffix == ".csv":
        header = head.split("\n", 1)[0].replace('"', "").replace("\ufeff", "")
        columns = {c.strip() for c in header.split(",")}
        return "map" if all(c in columns for c in REQUIRED_COLUMNS) else "feedback"
    if not head.startswith("{"):
        return "feedback"  # feedback JSON is an array of rows
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            return "feedback"
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return "feedback"  # the ingest says what is wrong with it
    return "map" if isinstance(data, dict) and isinstance(data.get("stages"), list) else "feedback"


def _hand_written(data: dict[str, Any], name: str) -> dict[str, Any]:
    """A hand-written map made whole: stages given as names become stages, a missing title is the file's
    name, and the language follows the stage names (Hangul: Korean)."""
    stages = [{"name": s} if isinstance(s, str) else s for s in data.get("stages", [])]
    title = data.get("title") or data.get("name") or Path(name).stem.replace("_", " ").replace("-", " ")
    out = {**{k: v for k, v in data.items() if k != "name"}, "title": title, "stages": stages}
    if "language" not in data:
        text = " ".join(str(s.get("name", "")) for s in stages if isinstance(s, dict)) + " " + str(title)
        out["language"] = "ko" if any("\uac00" <= c <= "\ud7a3" for c in text) else "en"
    return out


def read_map_file(path: Path, name: str | None = None) -> JourneyMap:
    """The map in a map file (see `file_kind`); errors name the file, never its folder."""
    shown = name or path.name
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_bytes().decode("utf-8-sig"))
            if isinstance(data, dict) and "schema_version" not in data:
                data = _hand_written(data, shown)
            return map_from_data(data)
        return import_map(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{shown} cannot be read as a journey map ({type(exc).__name__}).") from None
    except JourneyError as exc:
        exc = public(exc, path, shown)
        if shown not in str(exc):
            exc.args = (f"{shown}: {exc}", *exc.args[1:])
        raise exc from None


def public(exc: JourneyError, path: Path, name: str) -> JourneyError:
    """The same error with the file's folder cut from its message and the staged file's name replaced
    by the name the user gave it."""
    message = without_paths(str(exc))
    if path.name != name:
        message = message.replace(path.name, name)
    exc.args = (message, *exc.args[1:])
    return exc
