"""Split decoded CSV lines into records, so one broken record cannot swallow the rest of the file.

Python's csv module, given an opening quote that is never closed, silently reads to the end of the
file as one field. Here a record is only handed to the csv parser once its quotes are balanced; a
record still open at the end of the file (or absurdly long) is reported broken and the lines after
its first one are read again as records of their own.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

MAX_RECORD_LINES = 5000
MAX_RECORD_CHARS = 10_000_000


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    text: str
    bad_bytes: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    cells: list[str] | None
    bad_bytes: bool = False
    error: str | None = None


def ends_in_quote(text: str, delimiter: str, inside: bool) -> bool:
    """Whether a quoted field is still open after `text`, given the state before it.

    A quote opens a field only at the start of a field; inside, a doubled quote is an escaped quote."""
    if '"' not in text:
        return inside
    i, n = 0, len(text)
    at_field_start = not inside
    while i < n:
        ch = text[i]
        if inside:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                inside = False
        elif ch == '"' and at_field_start:
            inside = True
        at_field_start = ch in (delimiter, "\n", "\r") and not inside
        i += 1
    return inside


def _parse(text: str, delimiter: str) -> list[str]:
    if '"' not in text:
        return text.rstrip("\r\n").split(delimiter)
    return next(csv.reader([text], delimiter=delimiter), [])


def records(lines: Iterable[Line], delimiter: str) -> Iterator[Record]:
    """Records from lines; a broken record yields Record(cells=None, error=...)."""
    source = iter(lines)
    pushback: deque[Line] = deque()
    while True:
        first = pushback.popleft() if pushback else next(source, None)
        if first is None:
            return
        buffer = [first]
        inside = ends_in_quote(first.text, delimiter, False)
        size = len(first.text)
        while inside and len(buffer) < MAX_RECORD_LINES and size < MAX_RECORD_CHARS:
            nxt = pushback.popleft() if pushback else next(source, None)
            if nxt is None:
                break
            buffer.append(nxt)
            size += len(nxt.text)
            inside = ends_in_quote(nxt.text, delimiter, True)
        bad = any(line.bad_bytes for line in buffer)
        if inside:
            # Unterminated quote: only the first line is the broken record; re-read the others.
            pushback.extendleft(reversed(buffer[1:]))
            yield Record(None, bad, f"broken line: a quote opened on line {first.number} is never closed")
            continue
        text = "".join(line.text for line in buffer)
        try:
            yield Record(_parse(text, delimiter), bad)
        except csv.Error as exc:
            yield Record(None, bad, f"broken line: {exc}")
