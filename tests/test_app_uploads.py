"""Upload checks of the chat app: content and size are checked before a file is read whole, and accepted
files are staged under clean names in the session's own folder."""

from __future__ import annotations

import codecs
import json
import zipfile
from pathlib import Path

import pytest

from assistant.chat_app.uploads import HEAD_BYTES, UploadRefused, check_upload, clean_name, stage_upload

MB = 1024 * 1024
CSV = "id,comment,rating\n1,Checkout was slow,2\n2,결제가 너무 느려요,1\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(path: Path, name: str | None = None, limit: int = 20 * MB) -> str:
    with pytest.raises(UploadRefused) as info:
        check_upload(path, name or path.name, limit)
    return str(info.value)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("feedback.csv", CSV.encode("utf-8")),
        ("feedback-bom.csv", codecs.BOM_UTF8 + CSV.encode("utf-8")),
        ("feedback-cp949.csv", CSV.encode("cp949")),
        ("feedback-utf16.csv", CSV.encode("utf-16")),
        ("feedback.tsv", CSV.replace(",", "\t").encode("utf-8")),
        (
            "feedback.json",
            json.dumps([{"comment": "좋아요", "rating": 5}], ensure_ascii=False).encode("utf-8"),
        ),
        ("feedback.jsonl", b'{"comment": "fine"}\n{"comment": "slow"}\n'),
        ("FEEDBACK.CSV", CSV.encode("utf-8")),
    ],
)
def test_text_formats_are_accepted(tmp_path: Path, name: str, data: bytes) -> None:
    checked = check_upload(write(tmp_path, name, data), name, 20 * MB)
    assert checked.kind == Path(name).suffix.lower().lstrip(".")
    assert checked.size == len(data)


def test_a_real_workbook_is_accepted(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["comment", "rating"])
    book.active.append(["Checkout was slow", 2])
    path = tmp_path / "feedback.xlsx"
    book.save(path)
    assert check_upload(path, "feedback.xlsx", 20 * MB).kind == "xlsx"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 64, "Windows program"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "Linux program"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (b"PK\x03\x04" + b"\x00" * 100, "zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Office file"),
    ],
)
def test_a_csv_holding_binary_is_refused_with_what_it_is(tmp_path: Path, data: bytes, what: str) -> None:
    message = refused(write(tmp_path, "feedback.csv", data))
    assert "feedback.csv" in message and what in message and "not text" in message


def test_nul_bytes_and_control_characters_are_refused(tmp_path: Path) -> None:
    assert "NUL" in refused(write(tmp_path, "a.csv", b"id,comment\n1,ok\x00\x00\n"))
    assert "control characters" in refused(write(tmp_path, "b.tsv", bytes(range(1, 9)) * 200))


def test_text_in_an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    assert "UTF-8" in refused(write(tmp_path, "a.csv", b"comment\n" + bytes([0x80, 0xFF, 0xFE, 0x81]) * 50))


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:  # sparse: the check must not need to read it
        fh.truncate(20 * MB + 1)
    message = refused(big)
    assert "20.0 MB" in message and "limit" in message
    assert "empty" in refused(write(tmp_path, "empty.csv", b""))


def test_only_a_head_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "long.csv", (CSV * 20_000).encode("utf-8"))
    sizes: list[int] = []
    real_open = Path.open

    def spying_open(self: Path, *args: object, **kwargs: object) -> object:
        handle = real_open(self, *args, **kwargs)  # type: ignore[call-overload]
        real_read = handle.read

        def read(n: int = -1) -> bytes:
            sizes.append(n)
            return real_read(n)  # type: ignore[no-any-return]

        handle.read = read
        return handle

    monkeypatch.setattr(Path, "open", spying_open)
    check_upload(path, path.name, 20 * MB)
    assert sizes == [HEAD_BYTES]


def test_other_extensions_are_refused(tmp_path: Path) -> None:
    assert "only CSV, TSV, XLSX, JSON and JSONL" in refused(write(tmp_path, "setup.exe", b"MZ"))
    assert "no extension" in refused(write(tmp_path, "feedback", CSV.encode()))


def test_workbooks_must_be_workbooks(tmp_path: Path) -> None:
    assert "not a workbook" in refused(write(tmp_path, "a.xlsx", CSV.encode()))
    archive = tmp_path / "b.xlsx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "not an XLSX workbook" in refused(archive)
    assert "damaged" in refused(write(tmp_path, "c.xlsx", b"PK\x03\x04" + b"\x00" * 50))


def test_json_must_start_like_json(tmp_path: Path) -> None:
    assert "array of feedback objects" in refused(write(tmp_path, "a.json", b"comment,rating\nok,5\n"))
    assert "one JSON object per line" in refused(write(tmp_path, "a.jsonl", b"[1, 2]\n"))


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..\\..\\windows\\feedback.csv", "feedback.csv"),
        ("고객 의견 2026.csv", "고객-의견-2026.csv"),
        ("a|b;c$(rm -rf).json", "a-b-c-rm--rf.json"),
        (".hidden.csv", "hidden.csv"),
        ("....csv", "feedback.csv"),
        ("name.CSV", "name.csv"),
        ("script.sh", "script"),
    ],
)
def test_clean_names(name: str, clean: str) -> None:
    assert clean_name(name) == clean


def test_staging_keeps_the_name_in_a_folder_of_its_own(tmp_path: Path) -> None:
    source = write(tmp_path, "upload-bytes", CSV.encode())
    folder = tmp_path / "session"
    first = stage_upload(source, folder, "../feedback.csv")
    second = stage_upload(source, folder, "feedback.csv")
    assert first.name == second.name == "feedback.csv"
    assert first.parent != second.parent
    assert first.parent.parent == second.parent.parent == folder
    assert first.read_bytes() == CSV.encode()


def test_refusals_speak_korean_too(tmp_path: Path) -> None:
    with pytest.raises(UploadRefused) as info:
        check_upload(write(tmp_path, "주문.csv", b"MZ\x90\x00" * 100), "주문.csv", 20 * MB)
    assert info.value.message("ko") == (
        "주문.csv 파일은 이름만 .csv이고 텍스트가 아닌 윈도우 실행 파일입니다. 피드백을 CSV 형식으로 내보내 주세요."
    )
    assert "Windows program" in info.value.message("en") == str(info.value)
    with pytest.raises(UploadRefused) as info:
        check_upload(write(tmp_path, "notes", b"x"), "notes", 20 * MB)
    assert "확장자 없는" in info.value.message("ko")
