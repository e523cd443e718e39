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
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"MZ", "a Windows program", "윈도우 실행 파일"),
    (b"\x7fELF", "a Linux program", "리눅스 실행 파일"),
    (b"\xcf\xfa\xed\xfe", "a macOS program", "macOS 실행 파일"),
    (b"%PDF", "a PDF document", "PDF 문서"),
    (b"\x89PNG", "a PNG image", "PNG 이미지"),
    (b"GIF8", "a GIF image", "GIF 이미지"),
    (b"\xff\xd8\xff", "a JPEG image", "JPEG 이미지"),
    (b"\x1f\x8b", "a gzip archive", "gzip 압축 파일"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "7-Zip 압축 파일"),
    (b"Rar!", "a RAR archive", "RAR 압축 파일"),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Office file (.xls/.doc) or a password-protected workbook",
        "예전 오피스 파일(.xls/.doc) 또는 암호가 걸린 통합 문서",
    ),
    (b"PK\x03\x04", "a zip archive (an XLSX workbook?)", "zip 압축 파일(XLSX 통합 문서?)"),
    (b"SQLite format 3", "a SQLite database", "SQLite 데이터베이스"),
)
MESSAGES: dict[str, dict[str, str]] = {
    "format": {
        "en": "{name}: only CSV, TSV, XLSX, JSON and JSONL feedback files can be uploaded ({suffix} is not one "
        "of them).",
        "ko": "{name}: CSV, TSV, XLSX, JSON, JSONL 피드백 파일만 올릴 수 있습니다({suffix} 파일은 올릴 수 없습니다).",
    },
    "too_large": {
        "en": "{name} is {size}; the limit is {limit} per file.",
        "ko": "{name} 파일은 {size}로, 파일당 한도 {limit}를 넘습니다.",
    },
    "empty": {"en": "{name} is empty.", "ko": "{name} 파일이 비어 있습니다."},
    "xlsx_other": {
        "en": "{name} is named .xlsx but is {what}; save it from Excel as .xlsx.",
        "ko": "{name} 파일은 이름만 .xlsx이고 실제로는 {what}입니다. 엑셀에서 .xlsx로 저장해 주세요.",
    },
    "xlsx_damaged": {
        "en": "{name} is a damaged zip file, not a readable XLSX workbook.",
        "ko": "{name} 파일은 손상된 zip 파일이라 XLSX 통합 문서로 읽을 수 없습니다.",
    },
    "xlsx_no_workbook": {
        "en": "{name} is a zip archive but not an XLSX workbook.",
        "ko": "{name} 파일은 zip 압축 파일이지만 XLSX 통합 문서가 아닙니다.",
    },
    "binary": {
        "en": "{name} is named {suffix} but holds {what}, not text; export the feedback as {kind}.",
        "ko": "{name} 파일은 이름만 {suffix}이고 텍스트가 아닌 {what}입니다. 피드백을 {kind} 형식으로 내보내 주세요.",
    },
    "nul": {
        "en": "{name} cannot be read as {kind}: it contains NUL bytes, so it is binary data, not text.",
        "ko": "{name} 파일을 {kind}(으)로 읽을 수 없습니다: NUL 바이트가 있는 이진 데이터이고 텍스트가 아닙니다.",
    },
    "controls": {
        "en": "{name} cannot be read as {kind}: it is mostly control characters, so it is binary data, not text.",
        "ko": "{name} 파일을 {kind}(으)로 읽을 수 없습니다: 대부분 제어 문자인 이진 데이터이고 텍스트가 아닙니다.",
    },
    "encoding": {
        "en": "{name} cannot be read as {kind}: its text is neither UTF-8 nor CP949/EUC-KR; save it as UTF-8 CSV "
        "and upload it again.",
        "ko": "{name} 파일을 {kind}(으)로 읽을 수 없습니다: 글자 인코딩이 UTF-8도 CP949/EUC-KR도 아닙니다. UTF-8 CSV로 "
        "저장해 다시 올려 주세요.",
    },
    "json_array": {
        "en": "{name} does not start like JSON: expected an array of feedback objects ([…]) or a journey map "
        "({{…}}).",
        "ko": "{name} 파일이 JSON 형식으로 시작하지 않습니다: 피드백 객체 배열([…]) 또는 여정 지도({{…}})여야 합니다.",
    },
    "jsonl_lines": {
        "en": "{name} does not start like JSONL: expected one JSON object per line ({{…}}).",
        "ko": "{name} 파일이 JSONL 형식으로 시작하지 않습니다: 한 줄에 JSON 객체 하나({{…}})여야 합니다.",
    },
    "too_many": {
        "en": "{name}: at most {limit} files at a time.",
        "ko": "{name}: 한 번에 {limit}개 파일까지 올릴 수 있습니다.",
    },
}


class UploadRefused(Exception):
    """The file cannot be ingested; the message, in English or Korean, is for the person who uploaded it."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        lang = "ko" if language.startswith("ko") else "en"
        params = {k: (v[lang] if isinstance(v, dict) else v) for k, v in self.params.items()}
        return MESSAGES[self.code][lang].format(**params)


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    """The file name shown to the user (as uploaded)."""
    kind: str
    """csv, tsv, xlsx, json or jsonl."""
    size: int


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _binary_kind(head: bytes) -> dict[str, str] | None:
    for signature, en, ko in SIGNATURES:
        if head.startswith(signature):
            return {"en": en, "ko": ko}
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
    """'nul', 'controls' or 'encoding' when the sample is not text in a known encoding."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in head:
        return "nul"
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls / len(sample) > 0.05:
        return "controls"
    if _decodes(head) is None:
        return "encoding"
    return None


def check_upload(path: Path, name: str, max_bytes: int) -> CheckedUpload:
    """Refuse (UploadRefused) a file that is too large, empty, of another format, or not what its name says."""
    suffix = Path(name).suffix.lower()
    kind = ACCEPTED.get(suffix)
    if kind is None:
        raise UploadRefused("format", name=name, suffix=suffix or {"en": "no extension", "ko": "확장자 없는"})
    size = path.stat().st_size
    if size > max_bytes:
        raise UploadRefused("too_large", name=name, size=_mb(size), limit=_mb(max_bytes))
    if size == 0:
        raise UploadRefused("empty", name=name)
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    binary = _binary_kind(head)
    if kind == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise UploadRefused(
                "xlsx_other",
                name=name,
                what=binary or {"en": "not a workbook", "ko": "통합 문서가 아닌 파일"},
            )
        try:
            with zipfile.ZipFile(path) as archive:  # reads the directory at the end, not the members
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise UploadRefused("xlsx_damaged", name=name) from None
        if "xl/workbook.xml" not in names:
            raise UploadRefused("xlsx_no_workbook", name=name)
        return CheckedUpload(name, kind, size)
    if binary is not None:
        raise UploadRefused("binary", name=name, suffix=suffix, what=binary, kind=kind.upper())
    problem = _text_problem(head)
    if problem is not None:
        raise UploadRefused(problem, name=name, kind=kind.upper())
    if kind in ("json", "jsonl"):
        encoding = _decodes(head) or "utf-8"
        text = (
            codecs.getincrementaldecoder(encoding)("replace")
            .decode(head, final=False)
            .lstrip("\ufeff \t\r\n")
        )
        # A JSON object is a journey map (the workspace tells maps from feedback); feedback is an array.
        if not text or text[0] not in ("[{" if kind == "json" else "{"):
            raise UploadRefused("json_array" if kind == "json" else "jsonl_lines", name=name)
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
