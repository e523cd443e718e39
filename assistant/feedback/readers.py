"""Readers that turn CSV/TSV, XLSX, JSON and JSONL files into numbered raw rows.

`open_table` checks everything it can before returning (format, encoding, header, zip sizes), so a file
that cannot be read at all raises IngestError before a single row is stored. Rows are then streamed:
a broken record becomes a RawRow with an error, never an exception that ends the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from assistant.contracts.feedback_records import RawRow
from assistant.errors import IngestError
from assistant.feedback.csv_records import Line, Record, records
from assistant.feedback.encoding import SAMPLE_BYTES, detect_encoding, looks_binary

MAX_FIELD_CHARS = 10_000_000  # the csv module's own guard; over-long cells are rejected later, per row
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_ZIP_RATIO = 200
MAX_JSON_BYTES = 256 * 1024 * 1024
DELIMITERS = (",", "\t", ";", "|")
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


@dataclass
class Table:
    """An opened file: its format, encoding, header, and a one-shot iterator of rows."""

    format: str
    encoding: str | None
    headers: list[str]
    rows: Iterator[RawRow]
    close: Callable[[], None] = lambda: None
    """Releases the file when the rows will not be read to the end."""


def open_table(path: Path, sheet: str | None = None) -> Table:
    """Open a feedback file, or raise IngestError with one sentence saying why it cannot be read."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(SAMPLE_BYTES)
    except OSError as exc:
        raise IngestError(f"{path}: cannot be opened ({exc.strerror}).") from exc
    if size == 0 or not head.strip():
        raise IngestError(f"{path}: the file is empty.")
    suffix = path.suffix.lower()
    try:
        if head.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
            return _open_xlsx(path, head, sheet)
        encoding = detect_encoding(head)
        if suffix == ".jsonl" or suffix == ".ndjson":
            return _open_jsonl(path, encoding)
        if suffix == ".json":
            return _open_json(path, encoding, size)
        return _open_delimited(path, encoding, head)
    except IngestError as exc:
        raise IngestError(f"{path}: {exc}") from None


# --- header helpers ----------------------------------------------------------------------------------


def clean_headers(raw: list[Any]) -> list[str]:
    """Unique, non-empty header names (duplicates get a numeric suffix, blanks a position name)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(raw, start=1):
        name = "" if value is None else str(value).strip().lstrip("\ufeff")[:200]
        name = name or f"column_{i}"
        if name.casefold() in seen:
            seen[name.casefold()] += 1
            name = f"{name}_{seen[name.casefold()]}"
        seen[name.casefold()] = seen.get(name.casefold(), 1)
        out.append(name)
    return out


# --- CSV / TSV ---------------------------------------------------------------------------------------


def _lines(fh: IO[bytes], encoding: str) -> Iterator[Line]:
    """Decoded physical lines, numbered, flagged when their bytes were not valid in the encoding."""
    number = 0

    def split(line: str, bad: bool) -> Iterator[Line]:
        nonlocal number
        if "\x00" in line:
            bad, line = True, line.replace("\x00", "")
        # Old Mac exports end lines with a lone CR.
        for part in _LONE_CR.split(line) if "\r" in line else (line,):
            if part:
                number += 1
                yield Line(number, part, bad)

    if encoding.startswith("utf-16"):
        # UTF-16 cannot be split on b"\n"; such exports are small, so decode them whole.
        text = fh.read().decode(encoding, errors="replace")
        for line in io.StringIO(text, newline=""):
            yield from split(line, False)
        return
    decoder_name = "utf-8" if encoding == "utf-8-sig" else encoding
    first = True
    for raw in fh:
        if first and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        first = False
        try:
            yield from split(raw.decode(decoder_name), False)
        except UnicodeDecodeError:
            yield from split(raw.decode(decoder_name, errors="replace"), True)


def _sniff_delimiter(sample_text: str) -> str:
    lines = [ln for ln in sample_text.splitlines()[:60] if ln.strip()]
    best, best_score = ",", (-1.0, 0)
    for delim in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _open_delimited(path: Path, encoding: str, head: bytes) -> Table:
    sample = head.decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="replace").lstrip("\ufeff")
    if path.suffix.lower() == ".json" or (
        sample.lstrip().startswith(("{", "[")) and path.suffix.lower() != ".csv"
    ):
        raise IngestError("the file looks like JSON; give it a .json or .jsonl name.")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(sample)
    csv.field_size_limit(MAX_FIELD_CHARS)
    fh = path.open("rb")
    recs = records(_lines(fh, encoding), delimiter)
    header = next((r for r in recs if r.cells is None or any(c.strip() for c in r.cells)), None)
    if header is None or header.cells is None:
        fh.close()
        raise IngestError("the file has no readable header line.")
    headers = clean_headers(header.cells)
    fmt = "tsv" if delimiter == "\t" else "csv"
    return Table(fmt, encoding, headers, _csv_rows(recs, headers, encoding, fh), fh.close)


def _csv_rows(recs: Iterator[Record], headers: list[str], encoding: str, fh: IO[bytes]) -> Iterator[RawRow]:
    row_no = 0
    try:
        for rec in recs:
            if rec.cells is not None and not any(c.strip() for c in rec.cells):
                continue  # blank lines are not rows
            row_no += 1
            if rec.bad_bytes:
                yield RawRow(row_no, None, f"bytes not valid in {encoding}")
            elif rec.cells is None:
                yield RawRow(row_no, None, rec.error or "broken line")
            elif len(rec.cells) != len(headers):
                yield RawRow(
                    row_no, None, f"broken line: {len(rec.cells)} fields where the header has {len(headers)}"
                )
            else:
                yield RawRow(row_no, dict(zip(headers, rec.cells, strict=True)))
    finally:
        fh.close()


# --- XLSX --------------------------------------------------------------------------------------------


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError("the file is not a valid XLSX workbook (broken zip).") from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_XLSX_UNCOMPRESSED or (total / packed > MAX_ZIP_RATIO and total > 50 * 1024 * 1024):
        raise IngestError(
            f"the workbook would expand to {total // (1024 * 1024)} MB; refusing it as a possible zip bomb."
        )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise IngestError("the file is a zip archive but not an XLSX workbook.")


def _cell_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _open_xlsx(path: Path, head: bytes, sheet: str | None) -> Table:
    if looks_binary(head) and not head.startswith(b"PK\x03\x04"):
        raise IngestError("the file is not a valid XLSX workbook.")
    _check_zip(path)
    from openpyxl import load_workbook  # imported here: openpyxl is slow to import and only XLSX needs it

    handle = path.open("rb")  # a handle, not the path: openpyxl refuses names not ending in .xlsx
    try:
        # data_only=False: formulas come back as their text and are stored as text, never evaluated.
        wb = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        handle.close()
        raise IngestError(f"the XLSX workbook cannot be read ({type(exc).__name__}).") from exc

    def close() -> None:
        wb.close()
        handle.close()

    if sheet is not None and sheet not in wb.sheetnames:
        close()
        raise IngestError(f"the workbook has no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)}).")
    ws = wb[sheet] if sheet is not None else wb.worksheets[0]
    values = ws.iter_rows(values_only=True)
    header_row = next((r for r in values if any(c is not None and str(c).strip() for c in r)), None)
    if header_row is None:
        close()
        raise IngestError("the sheet is empty.")
    headers = clean_headers(list(header_row))

    def rows() -> Iterator[RawRow]:
        row_no = 0
        try:
            for cells in values:
                if not any(c is not None and str(c).strip() for c in cells):
                    continue
                row_no += 1
                padded = list(cells) + [None] * (len(headers) - len(cells))
                if len(padded) > len(headers) and any(c not in (None, "") for c in padded[len(headers) :]):
                    yield RawRow(row_no, None, "broken line: cells beyond the last header column")
                    continue
                yield RawRow(row_no, {h: _cell_text(v) for h, v in zip(headers, padded, strict=False)})
        finally:
            close()

    return Table("xlsx", None, headers, rows(), close)


# --- JSON / JSONL ------------------------------------------------------------------------------------


def flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted keys; lists are kept as JSON text."""
    out: dict[str, Any] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False)
        else:
            out[name] = value
    return out


def _headers_of(objs: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for obj in objs:
        for key in obj:
            seen.setdefault(str(key), None)
    return list(seen)


def _open_json(path: Path, encoding: str, size: int) -> Table:
    if size > MAX_JSON_BYTES:
        raise IngestError(f"the JSON file is over {MAX_JSON_BYTES // (1024 * 1024)} MB; export it as JSONL.")
    try:
        data = json.loads(path.read_bytes().decode(encoding))
    except UnicodeDecodeError as exc:
        raise IngestError(f"the JSON file is not valid {encoding} text.") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(f"the file is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    if not isinstance(data, list):
        raise IngestError(f"the JSON must be an array of objects, but it is a {type(data).__name__}.")
    flat = [flatten(o) if isinstance(o, dict) else o for o in data]
    headers = _headers_of([o for o in flat if isinstance(o, dict)])

    def rows() -> Iterator[RawRow]:
        for i, obj in enumerate(flat, start=1):
            if isinstance(obj, dict):
                yield RawRow(i, obj)
            else:
                yield RawRow(i, None, f"not an object (a {type(obj).__name__})")

    return Table("json", encoding, headers, rows())


def _open_jsonl(path: Path, encoding: str) -> Table:
    decoder_name = "utf-8" if encoding == "utf-8-sig" else encoding

    def parsed() -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
        row_no = 0
        with path.open("rb") as fh:
            data = (
                io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="\n")
                if (encoding.startswith("utf-16"))
                else None
            )
            lines: Any = data if data is not None else fh
            for raw in lines:
                text = raw if isinstance(raw, str) else raw.decode(decoder_name, errors="replace")
                text = text.lstrip("\ufeff")
                if not text.strip():
                    continue
                row_no += 1
                if isinstance(raw, bytes):
                    try:
                        raw.decode(decoder_name)
                    except UnicodeDecodeError:
                        yield row_no, None, f"bytes not valid in {encoding}"
                        continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    yield row_no, None, f"invalid JSON: {exc.msg}"
                    continue
                if not isinstance(obj, dict):
                    yield row_no, None, f"not an object (a {type(obj).__name__})"
                    continue
                yield row_no, flatten(obj), None

    sample: list[tuple[int, dict[str, Any] | None, str | None]] = []
    stream = parsed()
    for item in stream:
        sample.append(item)
        if len(sample) >= 500:
            break
    if not sample:
        raise IngestError("the JSONL file has no records.")
    if all(obj is None for _, obj, _ in sample):
        raise IngestError("no line of the file is a JSON object; is it really JSONL?")
    headers = _headers_of([obj for _, obj, _ in sample if obj is not None])

    def rows() -> Iterator[RawRow]:
        for row_no, obj, error in itertools.chain(sample, stream):
            yield RawRow(row_no, obj, error)

    return Table("jsonl", encoding, headers, rows())
