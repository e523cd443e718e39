"""Checks on uploaded feedback files before anything reads them whole.

Chainlit checks uploads only by their declared type and extension (a `.csv` holding program bytes is
accepted). The app checks the size from the file system first, then the first 64 KB: a known binary
signature, NUL bytes or control characters in a text format, a workbook that is not an XLSX, a JSON
file that does not start like JSON. A refused file gets one sentence saying what is wrong and what to do.

Accepted files are copied under a clean name into the session's own temporary folder, so no name a user
typed is ever used as a path.
"""

from __future__ import annotations

import codecs
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

ACCEPTED = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl"}
HEAD_BYTES = 64 * 1024
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc) or a password-protected workbook"),
    (b"PK\x03\x04", "a zip archive (an XLSX workbook?)"),
    (b"SQLite format 3", "a SQLite database"),
)


class UploadRefused(Exception):
    """The file cannot be ingested; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    """The file name shown to the user (as uploaded)."""
    kind: str
    """csv, tsv, xlsx, json or jsonl."""
    size: int


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _binary_kind(head: bytes) -> str | None:
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            return what
    return None


def _decodes(sample: bytes) -> str | None:
    """The encoding the sample decodes in (a cut multi-byte character at the end is ignored)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _text_problem(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in head:
        return "it contains NUL bytes, so it is binary data, not text"
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls / len(sample) > 0.05:
        return "it is mostly control characters, so it is binary data, not text"
    if _decodes(head) is None:
        return "its text is neither UTF-8 nor CP949/EUC-KR; save it as UTF-8 CSV and upload it again"
    return None


def check_upload(path: Path, name: str, max_bytes: int) -> CheckedUpload:
    """Refuse (UploadRefused) a file that is too large, empty, of another format, or not what its name says."""
    suffix = Path(name).suffix.lower()
    kind = ACCEPTED.get(suffix)
    if kind is None:
        raise UploadRefused(
            f"{name}: only CSV, TSV, XLSX, JSON and JSONL feedback files can be uploaded "
            f"({suffix or 'no extension'} is not one of them)."
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadRefused(f"{name} is {_mb(size)}; the limit is {_mb(max_bytes)} per file.")
    if size == 0:
        raise UploadRefused(f"{name} is empty.")
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    binary = _binary_kind(head)
    if kind == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            what = binary or "not a workbook"
            raise UploadRefused(f"{name} is named .xlsx but is {what}; save it from Excel as .xlsx.")
        try:
            with zipfile.ZipFile(path) as archive:  # reads the directory at the end, not the members
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise UploadRefused(f"{name} is a damaged zip file, not a readable XLSX workbook.") from None
        if "xl/workbook.xml" not in names:
            raise UploadRefused(f"{name} is a zip archive but not an XLSX workbook.")
        return CheckedUpload(name, kind, size)
    if binary is not None:
        raise UploadRefused(
            f"{name} is named {suffix} but holds {binary}, not text; export the feedback as {kind.upper()}."
        )
    problem = _text_problem(head)
    if problem is not None:
        raise UploadRefused(f"{name} cannot be read as {kind.upper()}: {problem}.")
    if kind in ("json", "jsonl"):
        encoding = _decodes(head) or "utf-8"
        text = (
            codecs.getincrementaldecoder(encoding)("replace")
            .decode(head, final=False)
            .lstrip("\ufeff \t\r\n")
        )
        expected = "[{" if kind == "json" else "{"
        if not text or text[0] not in expected:
            shape = "an array of objects ([…])" if kind == "json" else "one JSON object per line ({…})"
            raise UploadRefused(f"{name} does not start like {kind.upper()}: expected {shape}.")
    return CheckedUpload(name, kind, size)


def clean_name(name: str) -> str:
    """A file name safe to create: letters (any script), digits, dot, dash and underscore only."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w.-]+", "-", stem, flags=re.UNICODE).strip(".-_")[:80] or "feedback"
    suffix = suffix if suffix in ACCEPTED else ""
    return f"{stem}{suffix}"


def stage_upload(source: Path, folder: Path, name: str) -> Path:
    """Copy an accepted upload into a new sub-folder of the session's folder under its clean name (the
    name is the feedback's source and provenance, so it is kept as uploaded, minus unsafe characters)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while (folder / f"upload-{n}").exists():
        n += 1
    target = folder / f"upload-{n}" / clean_name(name)
    target.parent.mkdir()
    shutil.copyfile(source, target)
    return target
