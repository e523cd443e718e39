"""`journey ingest` tells the truth when a file fails while it is being read.

One command is all or nothing across its files: if the second file breaks in the middle, after the first
file's rows and some of the second's were stored, the message says nothing was stored, names the earlier
file whose rows were removed again, and the store holds no row. Running the command again with the file
fixed stores both files (the first is not skipped as "unchanged"). An OSError while reading is exit 2
and one sentence, never a traceback.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from test_ingest_cli import assert_one_line_error, parse_json_only, run, stored_count

from assistant.contracts.requests import IngestRequest
from assistant.errors import IngestError
from assistant.settings import load_settings
from assistant.workspace import Workspace

SAMPLED = 500
"""Rows ingest reads ahead to choose columns (assistant/feedback/ingest.py SAMPLE_ROWS): a break before
this row fails while the files are checked, before anything is stored; a break after it fails in the
middle of storing."""


def workbook_bytes(rows: int) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["comment", "score"])
    for i in range(rows):
        sheet.append([f"Workbook comment {i}: the parcel arrived late", 1 + i % 5])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def break_sheet(data: bytes, at_row: int) -> bytes:
    """The same workbook with the sheet's XML broken just before spreadsheet row `at_row`: a valid zip
    and a valid start, so the file opens and reads fine until that row."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cut = body.index(f'<row r="{at_row}"'.encode())
                body = body[:cut] + b"<row><c><<broken" + body[cut:]
            target.writestr(info, body)
    return out.getvalue()


def write_csv(path: Path, rows: int) -> Path:
    path.write_text(
        "comment,score\n" + "".join(f"CSV comment {i} about checkout,{1 + i % 5}\n" for i in range(rows)),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "journey-home"


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """200-row batches, so the first file and part of the second are committed before the second
    breaks: the undo has real rows to remove. (`run` passes the environment on to `journey`.)"""
    monkeypatch.setenv("INGEST_BATCH_ROWS", "200")


@pytest.mark.usefixtures("small_batches")
def test_second_file_breaking_mid_read_stores_nothing_and_says_so(home: Path, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", 700)
    second = tmp_path / "b.xlsx"
    good = workbook_bytes(2000)
    second.write_bytes(break_sheet(good, at_row=1500))  # far past the sampled rows

    result = run(home, "ingest", first, second, "--json")

    assert_one_line_error(result, "b.xlsx")
    message = result.stderr
    assert "reading stopped at row" in message
    assert "Nothing was stored." in message
    assert "The rows stored from a.csv before it were removed again." in message
    assert stored_count(home) == 0

    # The same command with the file fixed stores both; a.csv is read again, not skipped as unchanged.
    second.write_bytes(good)
    doc = parse_json_only(run(home, "ingest", first, second, "--json", "--no-index"))
    a, b = doc["files"]
    assert (a["rows_stored"], a.get("unchanged", False)) == (700, False)
    assert (b["rows_stored"], b.get("unchanged", False)) == (2000, False)
    assert stored_count(home) == 2700


def test_break_within_the_sampled_rows_is_one_sentence(home: Path, tmp_path: Path) -> None:
    """Found by this test: a sheet broken before row 500 raised a raw XML ParseError (a traceback) while
    the files were being checked."""
    first = write_csv(tmp_path / "a.csv", 10)
    second = tmp_path / "early.xlsx"
    second.write_bytes(break_sheet(workbook_bytes(SAMPLED), at_row=20))
    result = run(home, "ingest", first, second, "--json", "--no-index")
    assert_one_line_error(result, "early.xlsx")
    assert "reading failed in the first rows" in result.stderr
    assert stored_count(home) == 0


@pytest.mark.usefixtures("small_batches")
def test_single_file_breaking_mid_read_undoes_its_own_rows(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "only.xlsx"
    broken.write_bytes(break_sheet(workbook_bytes(1200), at_row=900))
    result = run(home, "ingest", broken, "--no-index")
    assert_one_line_error(result, "only.xlsx")
    assert "Nothing was stored." in result.stderr
    assert "removed again" not in result.stderr  # no earlier file to name
    assert stored_count(home) == 0


@pytest.mark.usefixtures("small_batches")
def test_an_unchanged_earlier_file_is_not_reported_as_undone(home: Path, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", 50)
    parse_json_only(run(home, "ingest", first, "--json", "--no-index"))
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(break_sheet(workbook_bytes(1200), at_row=900))
    result = run(home, "ingest", first, broken, "--no-index")
    assert_one_line_error(result, "b.xlsx")
    assert "removed again" not in result.stderr
    assert stored_count(home) == 50  # what an earlier command stored stays


def test_file_shrinking_while_it_is_read(tmp_path: Path) -> None:
    """A file overwritten while the command runs (here: truncated while the first file is being stored)
    fails part-way; the workspace undoes both files and says so in one sentence."""
    first = write_csv(tmp_path / "a.csv", 600)
    second = tmp_path / "b.xlsx"
    data = workbook_bytes(3000)
    second.write_bytes(data)

    def shrink_second(phase: str, done: int, total: int) -> None:
        if phase == "reading a.csv" and done >= 200:
            with second.open("r+b") as fh:
                fh.truncate(len(data) // 3)

    settings = load_settings(
        journey_home=tmp_path / "home", journey_embedding="hashing", ingest_batch_rows=200
    )
    with Workspace.open(settings) as ws:
        with pytest.raises(IngestError) as failed:
            ws.ingest(IngestRequest(files=[first, second], index=False), progress=shrink_second)
        message = str(failed.value)
        assert "b.xlsx" in message and "Nothing was stored." in message and "a.csv" in message
        assert "\n" not in message
        assert ws.feedback_count() == 0


def test_file_removed_after_it_was_opened_is_still_read_whole(tmp_path: Path) -> None:
    """On Linux an open file stays readable after it is removed, so the command reads what it opened:
    every row is stored and counted (nothing half-read, nothing claimed that was not stored)."""
    first = write_csv(tmp_path / "a.csv", 400)
    second = write_csv(tmp_path / "b.csv", 3000)

    def remove_second(phase: str, done: int, total: int) -> None:
        if phase == "reading a.csv" and second.exists():
            second.unlink()

    settings = load_settings(
        journey_home=tmp_path / "home", journey_embedding="hashing", ingest_batch_rows=200
    )
    with Workspace.open(settings) as ws:
        report = ws.ingest(IngestRequest(files=[first, second], index=False), progress=remove_second)
        assert not second.exists()
        assert [f.rows_stored for f in report.files] == [400, 3000]
        assert ws.feedback_count() == 3400


# --- OSError while reading: exit 2, one sentence ---------------------------------------------------------


def test_a_folder_is_one_sentence(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports.csv"
    folder.mkdir()
    result = run(home, "ingest", write_csv(tmp_path / "a.csv", 3), folder, "--no-index")
    assert_one_line_error(result, "exports.csv")
    assert "Is a directory" in result.stderr
    assert stored_count(home) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_without_read_permission_is_one_sentence(home: Path, tmp_path: Path) -> None:
    locked = write_csv(tmp_path / "locked.csv", 3)
    locked.chmod(0)
    try:
        result = run(home, "ingest", locked, "--no-index")
    finally:
        locked.chmod(0o644)
    assert_one_line_error(result, "locked.csv")
    assert "Permission denied" in result.stderr


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_an_io_error_on_read_is_one_sentence(home: Path) -> None:
    """/proc/self/mem opens, but reading its first bytes fails with EIO, even as root (CI runs as root)."""
    result = run(home, "ingest", "/proc/self/mem", "--no-index")
    assert_one_line_error(result, "/proc/self/mem")
    assert "Input/output error" in result.stderr


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("x" * 300 + ".csv", "File name too long"),
        ("a.csv/inside.csv", "Not a directory"),
        ("missing.csv", "No such file or directory"),
    ],
)
def test_other_os_errors_are_one_sentence(home: Path, tmp_path: Path, name: str, says: str) -> None:
    write_csv(tmp_path / "a.csv", 3)
    result = run(home, "ingest", tmp_path / "a.csv", tmp_path / name, "--no-index")
    assert_one_line_error(result, name.split("/")[-1][:40])
    assert says in result.stderr
    assert stored_count(home) == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_instead_of_waiting_forever(home: Path, tmp_path: Path) -> None:
    """Found by this test: opening a FIFO blocked until someone wrote to it, so the command hung."""
    pipe = tmp_path / "feed.csv"
    os.mkfifo(pipe)
    result = run(home, "ingest", pipe, "--no-index")  # `run` times out (and fails) if the command hangs
    assert_one_line_error(result, "feed.csv")
    assert "not a regular file" in result.stderr
