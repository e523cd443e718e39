"""Checks on uploaded feedback files before anything reads them whole.

Chainlit checks uploads only by their declared type and extension (a `.csv` holding program bytes is
accepted). The app checks the size from the file system first, then the first 64 KB: what the bytes are
whatever the name says (programs, scripts, archives, web pages: assistant.feedback.content, the same
check `journey ingest` makes), NUL bytes or control characters in a text format, a workbook that is not
an XLSX, a JSON file that does not start like JSON. A refused file gets one sentence saying what is wrong and what to do.

Accepted files are copied under a clean name into the session's own temporary folder, so no name a user
typed is ever used as a path.
"""

from __future__ import annotations

import codecs
import functools
import re
import shutil
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.feedback.content import HEAD_BYTES, Content, identify_head

ACCEPTED = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl"}
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
    "not_feedback": {
        "en": "{name} is named {suffix} but is {what}, not feedback; it was not read and nothing was stored.",
        "ko": "{name} 파일은 이름만 {suffix}이고 실제로는 {what}입니다. 피드백 파일이 아니어서 읽지 않았고 아무것도 "
        "저장하지 않았습니다.",
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


def _what(found: Content) -> dict[str, str]:
    return {"en": found.en, "ko": found.ko}


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
    # What the bytes are, whatever the name says: the same check `journey ingest` makes.
    found = identify_head(head, path)
    is_zip = head.startswith(b"PK\x03\x04")
    if kind == "xlsx":
        if not is_zip:
            raise UploadRefused(
                "xlsx_other",
                name=name,
                what=_what(found) if found else {"en": "not a workbook", "ko": "통합 문서가 아닌 파일"},
            )
        if found is not None:
            raise UploadRefused("xlsx_damaged" if found.code == "damaged" else "xlsx_no_workbook", name=name)
        return CheckedUpload(name, kind, size)
    if is_zip and found is None:
        found = Content("archive", "an XLSX workbook", "XLSX 통합 문서", True)
    if found is not None:
        code = "binary" if found.binary else "not_feedback"
        raise UploadRefused(code, name=name, suffix=suffix, what=_what(found), kind=kind.upper())
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


def persist_empty_too(persist: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Chainlit's session refuses to persist an upload with no bytes (a ValueError in the server that the
    browser never explains, and the send button stays disabled). Wrapped, an empty upload is kept as an
    empty file, so the upload check can tell the person that the file is empty."""
    if getattr(persist, "__wrapped__", None) is not None:
        return persist

    @functools.wraps(persist)
    async def persist_file(
        self: Any, name: str, mime: str, path: str | None = None, content: bytes | str | None = None
    ) -> Any:
        if not path and content is not None and len(content) == 0:
            folder = Path(self.files_dir)
            folder.mkdir(parents=True, exist_ok=True)
            empty = folder / f"empty-{uuid.uuid4().hex}"
            empty.touch()
            try:
                return await persist(self, name, mime, path=str(empty))
            finally:
                empty.unlink(missing_ok=True)
        return await persist(self, name, mime, path=path, content=content)

    return persist_file
