"""The grounding check every answer passes before the user sees it, in every mode.

Every number in an answer must come from a tool result of the same turn (as shown: a share 0.4706 may
appear as 47%, 47.1% or 0.47; a difference 0.104 as 10.4 points), and every quote must be a stored
feedback text, verbatim, under its own id. An answer that fails is regenerated once, then replaced by
the deterministic answer, and the event is logged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A number as people write it: 1,234 / 47% / 0.47 / -18.2 / 10.4%p. Dates, quarters and ids are removed
# before matching, so their digits are not mistaken for claims.
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[-−]?\d+(?:\.\d+)?")
_IGNORED = [
    re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:]+Z?)?"),  # dates
    re.compile(r"\d{4}-(?:Q[1-4]|W\d{2}|\d{2})"),  # periods: 2026-Q2, 2026-W09, 2026-03
    re.compile(r"\[[0-9a-f]{8,40}\]"),  # feedback ids in brackets
    re.compile(r"\b[0-9a-f]{20}\b"),  # bare feedback ids
    re.compile(r"95\s?%\s?(?:CI|confidence|신뢰)"),  # the confidence level is a convention, not a claim
    re.compile(r"\b(?:v|version|버전)\s?\d+", re.IGNORECASE),
    re.compile(r"^\s*\d+[.)]\s", re.MULTILINE),  # list numbering
]
_QUOTE = re.compile(r"[“\"]([^”\"]{8,}?)[”\"]\s*\[([0-9A-Za-z_-]{6,64})\]")
ALWAYS_ALLOWED = {0.0, 1.0, 2.0, 3.0, 95.0, 100.0}
"""Small counting words ('two themes', 'top 3') and the conventional 95% / 100% carry no data."""


@dataclass
class GroundingReport:
    numbers_checked: int = 0
    unsupported_numbers: list[str] = field(default_factory=list)
    quotes_checked: int = 0
    bad_quotes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unsupported_numbers and not self.bad_quotes

    def problems(self) -> str:
        parts = []
        if self.unsupported_numbers:
            parts.append(
                "numbers not found in this turn's tool results: " + ", ".join(self.unsupported_numbers)
            )
        if self.bad_quotes:
            parts.append("quotes that are not verbatim stored feedback: " + "; ".join(self.bad_quotes))
        return "; ".join(parts)


@dataclass
class KnownNumbers:
    """The tool results' numbers, by the form they can take in an answer."""

    counts: set[float] = field(default_factory=set)
    """Integers (rows, comments, promoters…)."""
    decimals: set[float] = field(default_factory=set)
    """Every number as given (means, p-values, scores)."""
    percents: set[float] = field(default_factory=set)
    """Shares and differences (|x| ≤ 1) times 100, and numbers written with % in tool text."""


def tool_numbers(results: Iterable[Any]) -> KnownNumbers:
    """Every number in the tool results, sorted by the forms people write them in."""
    found = KnownNumbers()

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            if math.isfinite(value):
                found.decimals.add(float(value))
                if float(value).is_integer():
                    found.counts.add(float(value))
                if -1.0 <= value <= 1.0:
                    found.percents.add(
                        float(value) * 100.0
                    )  # a share or a difference shown in percent / points
            return
        if isinstance(value, str):
            text = _strip_ignored(value)
            for m in _NUMBER.finditer(text):
                number = _parse(m.group())
                found.decimals.add(number)
                found.counts.add(number)
                found.percents.add(number)
            return
        if isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    for r in results:
        walk(r)
    return found


def _strip_ignored(text: str) -> str:
    for pattern in _IGNORED:
        text = pattern.sub(" ", text)
    return text


def _parse(token: str) -> float:
    return float(token.replace(",", "").replace("−", "-"))


def _decimals(token: str) -> int:
    return len(token.split(".")[1]) if "." in token else 0


_PERCENT_AFTER = re.compile(r"^\s?(%|％|퍼센트|percent|pts?\b|points?\b|%p|포인트)", re.IGNORECASE)


def _supported(token: str, after: str, known: KnownNumbers) -> bool:
    value = _parse(token)
    if abs(value) in ALWAYS_ALLOWED:
        return True
    if _PERCENT_AFTER.match(after):
        pool = known.percents
    elif "." in token:
        pool = known.decimals | known.percents
    else:
        pool = known.counts
    step = 10.0 ** -_decimals(token)
    # Shown with d decimals, a tool number rounds to it (half a step either way, plus float slack).
    return any(abs(abs(value) - abs(k)) <= step / 2 + 1e-9 for k in pool)


def check_answer(text: str, results: Iterable[Any], stored_text: Mapping[str, str]) -> GroundingReport:
    """Check an answer against the turn's tool results and the stored feedback (id -> text)."""
    report = GroundingReport()
    known = tool_numbers(list(results))
    quotes = list(_QUOTE.finditer(text))
    body = text
    for m in quotes:
        report.quotes_checked += 1
        quote, fid = m.group(1).strip(), m.group(2)
        stored = stored_text.get(fid)
        fragment = quote.rstrip("…").rstrip(".").strip()
        if stored is None:
            report.bad_quotes.append(f"[{fid}] does not exist")
        elif " ".join(fragment.split()) not in " ".join(stored.split()):
            report.bad_quotes.append(f"[{fid}] does not say “{quote[:60]}”")
        body = body.replace(m.group(0), " ")  # numbers inside a customer's words are theirs, not claims
    stripped = _strip_ignored(body)
    for m in _NUMBER.finditer(stripped):
        report.numbers_checked += 1
        if not _supported(m.group(), stripped[m.end() : m.end() + 8], known):
            report.unsupported_numbers.append(
                m.group() + ("%" if stripped[m.end() : m.end() + 1] == "%" else "")
            )
    return report


def quote_ids(text: str) -> list[str]:
    return [m.group(2) for m in _QUOTE.finditer(text)]
