"""`journey export`, `journey import` and `journey demo` as a user runs them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hostile_texts import full_map, korean_map
from openpyxl import load_workbook
from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain import JourneyMap
from assistant.exports import FORMATS, SUFFIXES, to_json

runner = CliRunner()


@pytest.fixture
def map_file(tmp_path: Path) -> Path:
    path = tmp_path / "map.json"
    path.write_text(to_json(korean_map()), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["export", "import", "demo", "schema"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_export_text_formats_to_stdout(map_file: Path) -> None:
    md = runner.invoke(app, ["export", str(map_file), "--format", "md"])
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# 모바일 신용대출 신청")
    mermaid = runner.invoke(app, ["export", str(map_file), "-f", "mermaid"])
    assert mermaid.stdout.splitlines()[0] == "journey" and "  section 탐색" in mermaid.stdout
    plain = runner.invoke(app, ["export", str(map_file)])
    assert JourneyMap.model_validate_json(plain.stdout) == korean_map()


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_a_file(fmt: str, map_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / f"exported{SUFFIXES[fmt]}"  # type: ignore[index]
    result = runner.invoke(app, ["export", str(map_file), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.stat().st_size > 0
    assert f"Wrote {fmt} export" in result.stderr
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(out.read_bytes())).sheetnames[0] == "Map"


def test_xlsx_needs_an_output_file(map_file: Path) -> None:
    result = runner.invoke(app, ["export", str(map_file), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "give a file with -o" in result.stderr
    assert result.stdout == ""


def test_unknown_format_is_refused_by_the_cli(map_file: Path) -> None:
    result = runner.invoke(app, ["export", str(map_file), "--format", "pdf"])
    assert result.exit_code == 2
    assert "pdf" in result.output


def test_export_of_an_invalid_map_names_the_bad_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"title": "x", "stages": [{"name": "A", "steps": [{"action": "a", "emotion": {"score": 7}}]}]}
        )
    )
    result = runner.invoke(app, ["export", str(bad), "--format", "md"])
    assert result.exit_code == 2
    assert "$.stages[0].steps[0].emotion.score" in result.stderr
    assert "Traceback" not in result.output


def test_import_csv_gives_back_the_same_map(tmp_path: Path) -> None:
    source = tmp_path / "full.json"
    source.write_text(to_json(full_map()), encoding="utf-8")
    csv_file = tmp_path / "full.csv"
    assert runner.invoke(app, ["export", str(source), "-f", "csv", "-o", str(csv_file)]).exit_code == 0
    back = tmp_path / "back.json"
    result = runner.invoke(app, ["import", str(csv_file), "-o", str(back)])
    assert result.exit_code == 0, result.output
    assert "Imported “Online store: first purchase”: 3 stages, 3 steps" in result.stderr
    assert JourneyMap.model_validate_json(back.read_text(encoding="utf-8")) == full_map()


def test_import_to_stdout(map_file: Path) -> None:
    result = runner.invoke(app, ["import", str(map_file)])
    assert result.exit_code == 0
    assert JourneyMap.model_validate_json(result.stdout) == korean_map()


def test_import_of_a_wrong_file_is_one_sentence(tmp_path: Path) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("Meeting notes about the journey.\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(wrong), "-o", str(tmp_path / "m.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: notes.txt is neither a journey map JSON nor the CSV")
    assert len(result.stderr.strip().splitlines()) <= 2
    assert not (tmp_path / "m.json").exists()


def test_demo_writes_every_export_of_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "No API key needed" in result.stdout
    exports = [p for p in out.iterdir() if p.stem == "loan-application-ko"]
    assert sorted(p.suffix for p in exports) == sorted(SUFFIXES.values())
    for path in exports:
        assert path.name in result.stdout.replace("\n", "") or path.stem in result.stdout
    # The sample feedback is diagnosed in a private store inside the output folder, never JOURNEY_HOME.
    diagnosis = json.loads((out / "diagnosis.json").read_text(encoding="utf-8"))
    stages = json.loads((out / "loan-application-ko.json").read_text(encoding="utf-8"))["stages"]
    assert sorted(diagnosis["ranking"]) == sorted(s["name"] for s in stages)
    assert diagnosis["n"] == sum(s["n"] for s in diagnosis["stages"]) + diagnosis["unassigned"]["n"] > 100
    assert "Diagnosis of the sample feedback" in result.stdout
    assert (out / ".journey-demo" / "feedback.sqlite3").is_file()


def test_demo_json_lists_the_files(tmp_path: Path, map_file: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "d"), "--map", str(map_file), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["title"] == "모바일 신용대출 신청"
    assert {f["format"] for f in report["files"]} == set(FORMATS)
    assert all(Path(f["path"]).stat().st_size == f["bytes"] for f in report["files"])


def test_demo_falls_back_and_then_fails_clearly(tmp_path: Path) -> None:
    from assistant.errors import ConfigError
    from assistant.exports.sample import sample_map_path

    folder = tmp_path / "maps"
    folder.mkdir()
    with pytest.raises(ConfigError, match=r"holds no \*\.json map"):
        sample_map_path(folder)
    (folder / "other.json").write_text(to_json(full_map()), encoding="utf-8")
    assert sample_map_path(folder).name == "other.json"
    (folder / "loan-application-ko.json").write_text(to_json(korean_map()), encoding="utf-8")
    assert sample_map_path(folder).name == "loan-application-ko.json"
