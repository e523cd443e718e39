"""What a file really holds, whatever its name: feedback files are text tables or XLSX workbooks, never
programs, scripts, archives or web pages.

`identify` reads the first bytes (and, for a zip, its directory) and names what the file is when it is
something that must not be ingested; `refuse_non_feedback` turns that into one sentence (an IngestError,
exit code 2 in the CLI). `journey ingest` (through `ingest_files`) and the chat app's upload check both
use these, so a shell script named `evil.csv` is refused the same way in both.

The checks are structural (magic numbers, a `#!` first line, a document that opens with an HTML or
script element, JavaScript statements where a header line should be), never a list of known files.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IngestError

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Content:
    """A kind of content that is not a feedback table."""

    code: str
    """program, script, archive, damaged (a broken zip), web, document, image, database."""
    en: str
    ko: str
    binary: bool


_MAGIC: tuple[tuple[bytes, Content], ...] = (
    (b"\x7fELF", Content("program", "a Linux program", "리눅스 실행 파일", True)),
    (b"\xfe\xed\xfa\xce", Content("program", "a macOS program", "macOS 실행 파일", True)),
    (b"\xce\xfa\xed\xfe", Content("program", "a macOS program", "macOS 실행 파일", True)),
    (b"\xfe\xed\xfa\xcf", Content("program", "a macOS program", "macOS 실행 파일", True)),
    (b"\xcf\xfa\xed\xfe", Content("program", "a macOS program", "macOS 실행 파일", True)),
    (
        b"\xca\xfe\xba\xbe",
        Content(
            "program",
            "a macOS universal program or Java class file",
            "macOS 유니버설 실행 파일 또는 자바 클래스 파일",
            True,
        ),
    ),
    (b"\x00asm", Content("program", "a WebAssembly program", "웹어셈블리 실행 파일", True)),
    (b"\x1f\x8b", Content("archive", "a gzip archive", "gzip 압축 파일", True)),
    (b"7z\xbc\xaf\x27\x1c", Content("archive", "a 7-Zip archive", "7-Zip 압축 파일", True)),
    (b"Rar!\x1a\x07", Content("archive", "a RAR archive", "RAR 압축 파일", True)),
    (b"BZh", Content("archive", "a bzip2 archive", "bzip2 압축 파일", True)),
    (b"\xfd7zXZ\x00", Content("archive", "an xz archive", "xz 압축 파일", True)),
    (b"\x28\xb5\x2f\xfd", Content("archive", "a Zstandard archive", "Zstandard 압축 파일", True)),
    (b"%PDF", Content("document", "a PDF document", "PDF 문서", True)),
    (
        b"\xd0\xcf\x11\xe0",
        Content(
            "document",
            "an old Office file (.xls/.doc) or a password-protected workbook",
            "예전 오피스 파일(.xls/.doc) 또는 암호가 걸린 통합 문서",
            True,
        ),
    ),
    (b"\x89PNG", Content("image", "a PNG image", "PNG 이미지", True)),
    (b"GIF8", Content("image", "a GIF image", "GIF 이미지", True)),
    (b"\xff\xd8\xff", Content("image", "a JPEG image", "JPEG 이미지", True)),
    (b"SQLite format 3\x00", Content("database", "a SQLite database", "SQLite 데이터베이스", True)),
)
_PE = Content("program", "a Windows program", "윈도우 실행 파일", True)
_ZIP = Content(
    "archive", "a zip archive (not an XLSX workbook)", "zip 압축 파일(XLSX 통합 문서가 아님)", True
)
_BROKEN_ZIP = Content("damaged", "a damaged zip archive", "손상된 zip 압축 파일", True)
_TAR = Content("archive", "a tar archive", "tar 압축 파일", True)
_HTML = Content("web", "an HTML document", "HTML 문서", False)
_JS = Content("script", "a JavaScript program", "자바스크립트 프로그램", False)
_PHP = Content("script", "a PHP script", "PHP 스크립트", False)
_BATCH = Content("script", "a Windows batch script", "윈도우 배치 스크립트", False)

# The first element of a web document (after a BOM, blank space and comments).
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|meta|link|style)\b", re.I)
# A statement that opens a JavaScript file; a header line of a table never has this shape.
_JS_START = re.compile(
    r"(?:['\"]use strict['\"]\s*;?\s*$"
    r"|(?:async\s+)?function\s*\*?\s*[\w$]*\s*\("
    r"|(?:const|let|var)\s+[\w${\[][^,]*=[^=]"
    r"|import\s+(?:[\w${*][^,]*\s+from\s+)?['\"]"
    r"|export\s+(?:default|function|const|let|var|class)\b"
    r"|\(\s*(?:async\s+)?function\b"
    r"|\(\s*\(\s*\)\s*=>"
    r"|(?:window|document|module\.exports|require\s*\()[\w.]*\s*[.=(]"
    r")"
)


def _interpreter(first_line: bytes) -> str:
    """'sh', 'python', ... from a `#!` line (`#!/usr/bin/env python3` gives python3)."""
    words = first_line[2:].decode("utf-8", "replace").split()
    if not words:
        return ""
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        program = rest[0].rsplit("/", 1)[-1] if rest else program
    return program[:40]


def _script(first_line: bytes) -> Content:
    program = _interpreter(first_line)
    name = re.sub(r"[\d.]+$", "", program)
    labels = {
        "sh": ("a shell script", "셸 스크립트"),
        "bash": ("a shell script", "셸 스크립트"),
        "zsh": ("a shell script", "셸 스크립트"),
        "dash": ("a shell script", "셸 스크립트"),
        "ksh": ("a shell script", "셸 스크립트"),
        "python": ("a Python script", "파이썬 스크립트"),
        "node": ("a JavaScript program", "자바스크립트 프로그램"),
        "perl": ("a Perl script", "펄 스크립트"),
        "ruby": ("a Ruby script", "루비 스크립트"),
        "php": ("a PHP script", "PHP 스크립트"),
    }
    en, ko = labels.get(name, ("a script", "스크립트"))
    shown = first_line.decode("utf-8", "replace").strip()[:60]
    return Content("script", f"{en} (its first line is {shown!r})", f"{ko}(첫 줄: {shown!r})", False)


def _text_start(head: bytes) -> bytes:
    """The sample without a BOM and leading blank space, as UTF-8 bytes when it was UTF-16."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head[: len(head) // 2 * 2].decode("utf-16", "replace").encode("utf-8")
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.lstrip()


def _skip_comments(text: bytes) -> bytes:
    while text.startswith(b"<!--"):
        end = text.find(b"-->")
        if end < 0:
            return b""
        text = text[end + 3 :].lstrip()
    return text


def is_xlsx(path: Path) -> bool:
    """A real XLSX workbook: a zip holding the workbook part and the package's content types."""
    try:
        with zipfile.ZipFile(path) as archive:  # reads the directory at the end, not the members
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "xl/workbook.xml" in names and "[Content_Types].xml" in names


def identify_head(head: bytes, path: Path | None = None) -> Content | None:
    """What the first bytes say the file is, when it is not a feedback table (None: it may be one).

    A zip is accepted only as a real XLSX workbook, which needs the file itself (`path`)."""
    for magic, content in _MAGIC:
        if head.startswith(magic):
            return content
    if head.startswith(b"MZ") and (b"PE\x00\x00" in head[:1024] or b"\x00" in head[2:64]):
        return _PE
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if path is None:
            return _ZIP
        if is_xlsx(path):
            return None
        try:
            zipfile.ZipFile(path).close()
        except (zipfile.BadZipFile, OSError, ValueError):
            return _BROKEN_ZIP
        return _ZIP
    if len(head) >= 262 and head[257:262] == b"ustar":
        return _TAR
    text = _text_start(head)
    if text.startswith(b"#!"):
        return _script(text.split(b"\n", 1)[0].rstrip(b"\r"))
    if text[:5].lower() == b"<?php":
        return _PHP
    if _HTML_START.match(_skip_comments(text)) or (
        text[:5].lower() == b"<?xml" and b"<html" in text[:4096].lower()
    ):
        return _HTML
    first = text.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if first.lower().startswith("@echo off"):
        return _BATCH
    if _JS_START.match(first):
        return _JS
    return None


def identify(path: Path) -> Content | None:
    """What the file is when it is a program, script, archive, web page or other non-table content."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    return identify_head(head, path)


class NotFeedback(IngestError):
    """The file is a program, a script, an archive or a web page, not feedback."""

    def __init__(self, name: str, content: Content) -> None:
        self.name = name
        self.content = content
        kind = "binary data, not a feedback table" if content.binary else "not a feedback table"
        super().__init__(f"{name} is {content.en}: {kind}, so it was refused and nothing was stored.")


def refuse_non_feedback(path: Path, name: str | None = None) -> None:
    """Raise NotFeedback (naming the file as `name`, or its path) when the file is not a feedback table.

    Files that cannot be opened, folders and empty files are left to the reader, which says why."""
    if not path.is_file():
        return
    try:
        content = identify(path)
    except OSError:
        return
    if content is not None:
        raise NotFeedback(name or str(path), content)
