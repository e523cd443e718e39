"""A map diff's change lines in the user's language.

The workspace writes each change's `text` in English (`assistant/maps/diff.py`, fixed formats); a Korean
conversation shows them in Korean. Names inside quotes are the map's own and stay as they are.
"""

from __future__ import annotations

import re

from assistant.contracts.results import Change
from journey_tools.language import Language

_Q = r"'(?P<{0}>.*?)'"
_KO: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^Renamed stage {_Q.format('a')} → {_Q.format('b')}$"), "단계 이름 변경: '{a}' → '{b}'"),
    (re.compile(rf"^Removed stage {_Q.format('a')} \((?P<n>\d+) steps?\)$"), "단계 삭제: '{a}' (스텝 {n}개)"),
    (re.compile(rf"^Added stage {_Q.format('a')} at position (?P<n>\d+)$"), "단계 추가: '{a}' ({n}번째)"),
    (
        re.compile(rf"^Moved stage {_Q.format('a')} from position (?P<x>\d+) to (?P<y>\d+)$"),
        "단계 이동: '{a}' {x}번째 → {y}번째",
    ),
    (
        re.compile(rf"^Renamed step {_Q.format('a')} → {_Q.format('b')} in {_Q.format('s')}$"),
        "스텝 이름 변경('{s}'): '{a}' → '{b}'",
    ),
    (
        re.compile(rf"^Moved step {_Q.format('a')} in {_Q.format('s')} from (?P<x>\d+) to (?P<y>\d+)$"),
        "스텝 이동('{s}'): '{a}' {x}번째 → {y}번째",
    ),
    (
        re.compile(rf"^Moved step {_Q.format('a')} from {_Q.format('s')} to {_Q.format('t')}$"),
        "스텝 이동: '{a}' '{s}' → '{t}'",
    ),
    (re.compile(rf"^Removed step {_Q.format('a')} from {_Q.format('s')}$"), "스텝 삭제: '{s}'의 '{a}'"),
    (re.compile(rf"^Added step {_Q.format('a')} to {_Q.format('s')}$"), "스텝 추가: '{s}'에 '{a}'"),
    (re.compile(rf"^Removed persona {_Q.format('a')}$"), "페르소나 삭제: '{a}'"),
    (re.compile(rf"^Added persona {_Q.format('a')}$"), "페르소나 추가: '{a}'"),
    (re.compile(r"^Map (?P<rest>.*)$", re.S), "지도 {rest}"),
]


def change_text(change: Change, language: Language) -> str:
    """The change's line for a reader of `language` (field changes keep their field names)."""
    if language != "ko":
        return change.text
    for pattern, template in _KO:
        m = pattern.match(change.text)
        if m:
            return template.format(**m.groupdict())
    return "변경: " + change.text
