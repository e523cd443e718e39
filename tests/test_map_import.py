"""Importing maps back from the product's own JSON and CSV, and refusing everything else clearly."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest
from hostile_texts import full_map, hostile_map, korean_map, minimal_map
from openpyxl import Workbook

from assistant.domain import JourneyMap
from assistant.errors import ImportFormatError, MapValidationError
from assistant.exports import export_map, import_map, to_csv
from assistant.exports.as_csv import COLUMNS

MAPS = {"minimal": minimal_map, "full": full_map, "korean": korean_map, "hostile": hostile_map}


@pytest.fixture(params=list(MAPS))
def journey(request: pytest.FixtureRequest) -> JourneyMap:
    return MAPS[request.param]()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_round_trip_loses_nothing(journey: JourneyMap, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"map.{fmt}"
    path.write_bytes(export_map(journey, fmt))  # type: ignore[arg-type]
    back = import_map(path)
    assert back == journey
    assert back.created_at == journey.created_at and back.updated_at == journey.updated_at
    assert back.model_dump() == journey.model_dump()


def test_timestamps_with_offsets_and_microseconds_survive_csv(tmp_path: Path) -> None:
    journey = full_map()
    assert journey.updated_at.microsecond == 789000 and journey.updated_at.utcoffset() is not None
    path = tmp_path / "map.csv"
    path.write_bytes(to_csv(journey))
    assert import_map(path).updated_at.isoformat() == journey.updated_at.isoformat()


def _csv_rows(journey: JourneyMap) -> list[list[str]]:
    return list(csv.reader(io.StringIO(to_csv(journey).decode("utf-8-sig"), newline="")))


def _write_rows(path: Path, rows: list[list[str]], bom: bool = True) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig" if bom else "utf-8", newline="")
    return path


def test_csv_rows_sorted_differently_in_a_spreadsheet_still_import(tmp_path: Path) -> None:
    journey = full_map()
    header, *rows = _csv_rows(journey)
    random.Random(3).shuffle(rows)
    assert import_map(_write_rows(tmp_path / "sorted.csv", [header, *rows], bom=False)) == journey


def test_edited_csv_cell_is_taken(tmp_path: Path) -> None:
    header, *rows = _csv_rows(korean_map())
    rows[0][header.index("thoughts")] = "'=바뀐 생각"  # as written for a text that starts with "="
    back = import_map(_write_rows(tmp_path / "edited.csv", [header, *rows]))
    assert back.stages[0].steps[0].thoughts == "=바뀐 생각"


def test_invalid_value_in_csv_reports_the_json_path(tmp_path: Path) -> None:
    header, *rows = _csv_rows(full_map())
    rows[2][header.index("emotion_score")] = "9"
    with pytest.raises(MapValidationError) as caught:
        import_map(_write_rows(tmp_path / "bad.csv", [header, *rows]))
    assert "$.stages[1].steps[0].emotion.score" in str(caught.value)


def test_invalid_map_json_reports_the_json_path(tmp_path: Path) -> None:
    data = json.loads(export_map(full_map(), "json"))
    data["stages"][0]["steps"][1]["channel"] = "fax"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(MapValidationError, match=r"\$\.stages\[0\]\.steps\[1\]\.channel"):
        import_map(path)


def _xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


HEADER = ",".join(COLUMNS)
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n\n", "is empty"),
    "binary": (bytes(range(256)) * 4, "is not UTF-8 text"),
    "xlsx": (_xlsx_bytes(), "ZIP or XLSX file"),
    "cp949": ("stage_name,action\n탐색,조회\n".encode("cp949"), "is not UTF-8 text"),
    "prose": (b"Dear team, please find the journey attached.\n", "neither a journey map JSON nor the CSV"),
    "broken json": (b'{"title": "x", "stages": [', "is not valid JSON"),
    "json list": (b'[{"title": "x"}]', "holds a JSON list"),
    "header only": ((HEADER + "\n").encode(), "has a header but no rows"),
    "missing columns": (
        b"stage_name,action\nDiscover,Look\n",
        "lacks the column(s) stage_index, step_index, map_title",
    ),
    "unknown column": ((HEADER + ",notes\n").encode(), "unknown column(s) notes"),
    "bad index": (
        (HEADER + "\nfirst,Discover" + "," * (len(COLUMNS) - 12) + "Title" + "," * 10 + "\n").encode(),
        "data row 1 has 'first' in stage_index",
    ),
    "no map row": (
        (HEADER + "\n1,Discover" + "," * (len(COLUMNS) - 2) + "\n").encode(),
        "no row carries the map_*",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_fail_with_one_clear_sentence(case: str, tmp_path: Path) -> None:
    content, expected = BAD_FILES[case]
    path = tmp_path / "input.dat"
    path.write_bytes(content)
    with pytest.raises(ImportFormatError) as caught:
        import_map(path)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message


def test_csv_cell_that_is_not_a_json_list_is_named(tmp_path: Path) -> None:
    header, *rows = _csv_rows(full_map())
    rows[2][header.index("pain_points")] = "slow shipping"
    with pytest.raises(ImportFormatError, match="data row 3, column pain_points is not a JSON list"):
        import_map(_write_rows(tmp_path / "cell.csv", [header, *rows]))


def test_csv_with_map_fields_on_two_rows_is_refused(tmp_path: Path) -> None:
    header, *rows = _csv_rows(full_map())
    rows[1][header.index("map_title")] = "Another title"
    with pytest.raises(ImportFormatError, match="2 rows carry the map_\\* columns"):
        import_map(_write_rows(tmp_path / "two.csv", [header, *rows]))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="Cannot read"):
        import_map(tmp_path / "nope.csv")
