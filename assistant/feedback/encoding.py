"""Text encoding detection for feedback exports (Korean company exports are often CP949)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from assistant.errors import IngestError

SAMPLE_BYTES = 1 << 20

# Bytes that never appear in text files; a NUL in a non-UTF-16 sample means binary.
_BINARY_SIGNATURES = (
    b"\x89PNG",
    b"\x7fELF",
    b"MZ",
    b"%PDF",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
)


def looks_binary(sample: bytes) -> bool:
    if sample.startswith(_BINARY_SIGNATURES):
        return True
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    head = sample[:8192]
    if not head:
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return (b"\x00" in head[:1024] and controls / len(head) > 0.05) or controls / len(head) > 0.3


def _decodes(sample: bytes, encoding: str) -> bool:
    # A sample cut at an arbitrary byte may end inside a multi-byte character; ignore the tail.
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """Pick the encoding of a text file from its first bytes.

    BOMs decide first; then strict UTF-8; then CP949 (a superset of EUC-KR, what Korean Excel writes);
    then charset-normalizer's best guess. Raises IngestError for binary content.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if looks_binary(sample):
        raise IngestError("the file is binary, not text (is it really a CSV/JSON export?)")
    if _decodes(sample, "utf-8"):
        return "utf-8"
    if _decodes(sample, "cp949"):
        return "cp949"
    best = from_bytes(sample).best()
    if best is None:
        raise IngestError("the file's text encoding could not be recognised")
    return str(best.encoding)
