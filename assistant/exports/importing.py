"""Read a journey map back from the JSON or the CSV the product writes; the format is told by content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from assistant.domain import JourneyMap, map_from_data
from assistant.errors import ImportFormatError
from assistant.exports.as_csv import COLUMNS, MAP_COLUMNS, PLAIN_COLUMNS, STAGE_COLUMNS, STEP_COLUMNS
from assistant.exports.sanitize import unquote_cell

MAX_IMPORT_BYTES = 20 * 1024 * 1024
REQUIRED_COLUMNS = ("stage_index", "stage_name", "step_index", "action", "map_title")
_JSON_COLUMNS = {
    "stage_kpis",
    "stage_origin",
    "pain_points",
    "opportunities",
    "origin",
    "map_personas",
    "map_notes",
}
_OBJECT_COLUMNS = {"stage_origin", "origin"}
_STEP_FIELDS = {
    "action": ("action",),
    "touchpoint": ("touchpoint",),
    "channel": ("channel",),
    "phase": ("phase",),
    "front_stage": ("front_stage",),
    "back_stage": ("back_stage",),
    "thoughts": ("thoughts",),
    "emotion_score": ("emotion", "score"),
    "emotion_label": ("emotion", "label"),
    "pain_points": ("pain_points",),
    "moment_of_truth": ("moment_of_truth", "is_moment"),
    "moment_of_truth_why": ("moment_of_truth", "why"),
    "opportunities": ("opportunities",),
    "origin": ("origin",),
}


def import_map(path: Path) -> JourneyMap:
    """Read a map from a JSON or CSV file written by `journey export`.

    Raises ImportFormatError when the file is not one of those formats, and MapValidationError (with
    JSON paths) when it is, but the map inside breaks the model's rules.
    """
    text = _read_text(path)
    start = text.lstrip()[:1]
    if not start:
        raise ImportFormatError(f"{path.name} is empty; import reads a map exported as JSON or CSV.")
    if start in "{[":
        return map_from_json(text, path.name)
    header = text.split("\n", 1)[0]
    if "stage_name" in header and "action" in header:
        return map_from_csv(text, path.name)
    raise ImportFormatError(
        f"{path.name} is neither a journey map JSON nor the CSV that `journey export --format csv` writes."
    )


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportFormatError(
                f"{path.name} is {size:,} bytes; maps up to {MAX_IMPORT_BYTES:,} bytes can be imported."
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFormatError(
            f"{path.name} is a ZIP or XLSX file; import reads the JSON or CSV export of a map."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{path.name} is not UTF-8 text (byte {exc.start}); import reads the JSON or CSV export of a map."
        ) from exc


def map_from_json(text: str, name: str = "the file") -> JourneyMap:
    """A map from the JSON export."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    if not isinstance(data, dict):
        raise ImportFormatError(f"{name} holds a JSON {type(data).__name__}, not a journey map object.")
    return map_from_data(data)


def map_from_csv(text: str, name: str = "the file") -> JourneyMap:
    """A map from the CSV export (layout documented in `as_csv`)."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = list(reader.fieldnames or [])
        _check_header(header, name)
        rows = [_clean_row(row, i, name) for i, row in enumerate(reader, 1)]
    except csv.Error as exc:
        raise ImportFormatError(f"{name} is not well-formed CSV: {exc}.") from exc
    if not rows:
        raise ImportFormatError(f"{name} has a header but no rows; a map needs at least one stage.")

    data = _map_fields(rows, name)
    stages: dict[int, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(rows, 1):
        stage_index = _integer(row["stage_index"], "stage_index", number, name)
        stages.setdefault(stage_index, []).append((number, row))
    data["stages"] = [_stage(group, name) for _, group in sorted(stages.items())]
    return map_from_data(data)


def _check_header(header: list[str], name: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(
            f"{name} lacks the column(s) {', '.join(missing)}; import reads the CSV that `journey export` writes."
        )
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportFormatError(
            f"{name} has unknown column(s) {', '.join(unknown)}; remove them and import again."
        )
    if len(set(header)) != len(header):
        raise ImportFormatError(f"{name} repeats a column name in its header.")


def _clean_row(row: dict[str | None, Any], number: int, name: str) -> dict[str, str]:
    if row.get(None):
        raise ImportFormatError(f"{name}: data row {number} has more cells than the header.")
    cells = {c: row.get(c) or "" for c in COLUMNS}
    return {c: v if c in PLAIN_COLUMNS else unquote_cell(v) for c, v in cells.items()}


def _integer(value: str, column: str, number: int, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ImportFormatError(
            f"{name}: data row {number} has {value!r} in {column}; a whole number is needed."
        ) from None


def _cell(value: str, column: str, number: int, name: str) -> Any:
    if column not in _JSON_COLUMNS:
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        kind = "a JSON object" if column in _OBJECT_COLUMNS else "a JSON list"
        raise ImportFormatError(
            f"{name}: data row {number}, column {column} is not {kind}: {exc.msg}."
        ) from None


def _map_fields(rows: list[dict[str, str]], name: str) -> dict[str, Any]:
    carriers = [(i, r) for i, r in enumerate(rows, 1) if any(r[c] for c in MAP_COLUMNS)]
    if len(carriers) != 1:
        where = "no row carries" if not carriers else f"{len(carriers)} rows carry"
        raise ImportFormatError(f"{name}: {where} the map_* columns; exactly one row must.")
    number, row = carriers[0]
    prefix = len("map_")
    return {c[prefix:]: _cell(row[c], c, number, name) for c in MAP_COLUMNS if row[c]}


def _stage(group: list[tuple[int, dict[str, str]]], name: str) -> dict[str, Any]:
    first_number, first = group[0]
    for number, row in group[1:]:
        if row["stage_name"] != first["stage_name"]:
            raise ImportFormatError(
                f"{name}: data rows {first_number} and {number} give stage {first['stage_index']} "
                f"different names ({first['stage_name']!r}, {row['stage_name']!r})."
            )
    stage: dict[str, Any] = {
        c.removeprefix("stage_"): _cell(first[c], c, first_number, name)
        for c in STAGE_COLUMNS
        if c != "stage_index" and first[c]
    }
    step_rows = [(n, r) for n, r in group if any(r[c] for c in STEP_COLUMNS)]

    def order(item: tuple[int, dict[str, str]]) -> tuple[int, int]:
        number, row = item
        return (
            _integer(row["step_index"], "step_index", number, name) if row["step_index"] else 10**9,
            number,
        )

    steps = []
    for number, row in sorted(step_rows, key=order):
        step: dict[str, Any] = {}
        for column, path in _STEP_FIELDS.items():
            if row[column]:
                target = step
                for key in path[:-1]:
                    target = target.setdefault(key, {})
                target[path[-1]] = _cell(row[column], column, number, name)
        steps.append(step)
    if steps:
        stage["steps"] = steps
    return stage
