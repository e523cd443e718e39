"""`journey ingest` as a user runs it: a real subprocess, a fresh JOURNEY_HOME, the bad-input corpus.

Checks the `--json` document (shape and accounting, and nothing but JSON on stdout), exit code 2 with one
sentence on stderr for unreadable files, and that such a failure writes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.feedback.store import FeedbackStore
from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
JOURNEY = ROOT / ".venv" / "bin" / "journey"
FILE_KEYS = {"path", "encoding", "rows_read", "rows_stored", "rows_duplicate", "rows_rejected", "rejects"}
COUNT_KEYS = ("rows_read", "rows_stored", "rows_duplicate", "rows_rejected")


def journey_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_"))}
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", PYTHONIOENCODING="utf-8", COLUMNS="200")
    return env


def journey_cmd() -> list[str]:
    if JOURNEY.exists():
        return [str(JOURNEY)]
    return [sys.executable, "-c", "from assistant.cli import app; app(prog_name='journey')"]


def run(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    # cwd is the test's own directory so a developer's .env cannot change the settings under test.
    return subprocess.run(
        [*journey_cmd(), *[str(a) for a in args]],
        cwd=home.parent,
        env=journey_env(home),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


def stored_count(home: Path) -> int:
    path = load_settings(journey_home=home).sqlite_path
    if not path.exists():
        return 0
    with FeedbackStore.open(path) as store:
        return store.count()


def parse_json_only(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """stdout must be exactly one JSON document."""
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)  # raises if anything else was printed around it
    assert isinstance(doc, dict)
    return doc


def assert_one_line_error(result: subprocess.CompletedProcess[str], file_name: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message and "\n" not in message, result.stderr
    assert "Traceback" not in message
    assert file_name in message, message


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "journey-home"


def test_json_document_shape_and_accounting(home: Path) -> None:
    files = [CORPUS / "utf8_basic.csv", CORPUS / "ragged.csv", CORPUS / "nps_bad_ratings.csv"]
    doc = parse_json_only(run(home, "ingest", *files, "--json", "--no-index"))

    assert {"files", "totals"} <= set(doc)
    assert [f["path"] for f in doc["files"]] == [str(p) for p in files]
    for f in doc["files"]:
        assert set(f) >= FILE_KEYS, set(f)
        assert f["rows_read"] == f["rows_stored"] + f["rows_duplicate"] + f["rows_rejected"]
        assert len(f["rejects"]) == f["rows_rejected"]
        assert all(set(r) == {"row", "reason"} for r in f["rejects"])
    for key in COUNT_KEYS:
        assert doc["totals"][key] == sum(f[key] for f in doc["files"])

    basic, ragged, nps = doc["files"]
    assert (basic["encoding"], basic["rows_stored"], basic["rejects"]) == ("utf-8", 3, [])
    assert [r["row"] for r in ragged["rejects"]] == [2, 3]
    assert all("broken line" in r["reason"] for r in ragged["rejects"])
    assert [r["row"] for r in nps["rejects"]] == [3, 4, 5]
    assert doc["totals"] == {"rows_read": 15, "rows_stored": 10, "rows_duplicate": 0, "rows_rejected": 5}
    assert stored_count(home) == 10


def test_json_keeps_korean_readable(home: Path) -> None:
    result = run(home, "ingest", CORPUS / "korean_headers.csv", "--json", "--no-index")
    doc = parse_json_only(result)
    assert doc["files"][0]["columns"]["text"] == "내용"
    assert "내용" in result.stdout  # not \uXXXX escapes


def test_running_the_same_command_again_stores_nothing_new(home: Path) -> None:
    args = ("ingest", CORPUS / "duplicates.csv", CORPUS / "ragged.csv", "--json", "--no-index")
    first = parse_json_only(run(home, *args))
    second = parse_json_only(run(home, *args))

    assert first["totals"] == {"rows_read": 11, "rows_stored": 7, "rows_duplicate": 2, "rows_rejected": 2}
    assert second["totals"] == {"rows_read": 11, "rows_stored": 0, "rows_duplicate": 9, "rows_rejected": 2}
    assert [f["rejects"] for f in second["files"]] == [f["rejects"] for f in first["files"]]
    assert stored_count(home) == 7


def test_column_flags_source_and_sheet(home: Path) -> None:
    doc = parse_json_only(
        run(
            home,
            "ingest",
            CORPUS / "custom_columns.csv",
            "--source",
            "콜센터",
            "--text-column",
            "VOC원문",
            "--rating-column",
            "만족점수",
            "--rating-type",
            "csat",
            "--date-column",
            "접수일",
            "--id-column",
            "고객ID",
            "--json",
            "--no-index",
        )
    )
    assert doc["totals"]["rows_stored"] == 2
    doc = parse_json_only(
        run(home, "ingest", CORPUS / "multi_sheet.xlsx", "--sheet", "Responses", "--json", "--no-index")
    )
    assert doc["totals"]["rows_stored"] == 2

    with FeedbackStore.open(load_settings(journey_home=home).sqlite_path) as store:
        rows = [r for batch in store.iter_feedback(source="콜센터") for r in batch]
    assert [(r.external_id, r.text, r.rating, r.rating_type, r.date) for r in rows] == [
        ("c1", "상담 연결까지 20분이나 걸렸습니다", 2.0, "csat", "2026-03-04"),
        ("c2", "직원분이 끝까지 도와주셨어요", 5.0, "csat", "2026-03-05"),
    ]


@pytest.mark.parametrize("json_flag", [False, True])
def test_binary_file_exits_2_with_one_sentence(home: Path, json_flag: bool) -> None:
    args = ["ingest", CORPUS / "png_renamed.csv", "--no-index", *(["--json"] if json_flag else [])]
    result = run(home, *args)
    assert_one_line_error(result, "png_renamed.csv")
    assert stored_count(home) == 0


@pytest.mark.parametrize(
    "name", ["empty.csv", "elf_renamed.xlsx", "truncated.xlsx", "json_object.json", "does_not_exist.csv"]
)
def test_other_unreadable_files_exit_2(home: Path, name: str) -> None:
    assert_one_line_error(run(home, "ingest", CORPUS / name, "--json", "--no-index"), name)


def test_unreadable_file_among_good_ones_writes_nothing(home: Path) -> None:
    result = run(
        home, "ingest", CORPUS / "utf8_basic.csv", CORPUS / "exe_renamed.xlsx", "--json", "--no-index"
    )
    assert_one_line_error(result, "exe_renamed.xlsx")
    assert stored_count(home) == 0


def test_bad_flag_value_is_a_usage_error(home: Path) -> None:
    result = run(home, "ingest", CORPUS / "utf8_basic.csv", "--rating-type", "stars", "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert stored_count(home) == 0


def test_long_file_with_progress_still_prints_only_json(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("text\n" + "".join(f"progress row {i}\n" for i in range(12_000)), encoding="utf-8")
    doc = parse_json_only(run(home, "ingest", path, "--json", "--no-index"))
    assert doc["totals"]["rows_stored"] == 12_000


def test_human_summary_lists_rejected_rows(home: Path) -> None:
    result = run(home, "ingest", CORPUS / "ragged.csv", "--no-index")
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    assert "row 2" in shown and "row 3" in shown and "broken line" in shown


def test_ingest_with_indexing(home: Path) -> None:
    pytest.importorskip("assistant.index.chroma_index")
    doc = parse_json_only(
        run(home, "ingest", CORPUS / "utf8_basic.csv", CORPUS / "korean_headers.csv", "--json")
    )
    assert doc["totals"]["rows_stored"] == 5
    assert stored_count(home) == 5
