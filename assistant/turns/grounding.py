"""The check every answer passes before the user sees it, in every mode (embedded, agent, scripted).

An answer's claims (assistant/analysis/claims.py) are checked against the tool results of the same turn,
each against the result it cites, by key, sign and the rounding shown; quotes must be verbatim in the
row whose id they carry. Here the turn's results meet the store: the rows an answer quotes are read by id
and added to the results as `feedback.<id>.text`, then the pure check runs. A claim that fails is
dropped with the sentence that states it, and the answer says so in one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.analysis.claims import CheckReport, Claim, strip, verify

_QUOTE = re.compile(r"[“\"]([^”\"]{8,}?)[”\"]\s*\[([^\]\s]{6,120})\]")
"""A quote with its id, as answers write them: “the customer's words” [id]."""


def quote_ids(text: str) -> list[str]:
    return [m.group(2) for m in _QUOTE.finditer(text)]


def with_stored(results: Mapping[str, Any], stored: Mapping[str, str]) -> dict[str, Any]:
    """The turn's results plus the stored rows an answer quotes (id -> text), under `feedback`."""
    return {**results, "feedback": {i: {"feedback_id": i, "text": t} for i, t in stored.items()}}


def check_text(
    text: str,
    results: Mapping[str, Any],
    quotes: Callable[[list[str]], Mapping[str, str]],
    given: Sequence[Claim] = (),
    skip: str | None = None,
) -> CheckReport:
    """The claims of `text`, checked; `quotes` reads stored rows by id; `skip` is a line written from the
    answer's scope (which map, data and rows), not a claim."""
    ids = quote_ids(text)
    probe = text
    if skip and skip in text:
        i = text.index(skip)
        probe = text[:i] + " " * len(skip) + text[i + len(skip) :]
    return verify(probe, with_stored(results, quotes(ids) if ids else {}), given)


@dataclass
class Grounded:
    text: str
    claims: list[Claim]
    dropped: list[Claim]
    ok: bool


def ground(
    text: str,
    results: Mapping[str, Any],
    quotes: Callable[[list[str]], Mapping[str, str]],
    language: str,
    given: Sequence[Claim] = (),
    skip: str | None = None,
) -> Grounded:
    """Check the text's claims; drop those that fail (with their sentences) and say so."""
    report = check_text(text, results, quotes, given, skip)
    kept = [c for c in report.claims if c.checked]
    return Grounded(strip(text, report, language), kept, report.failed, report.ok)


# --- the former report, for the evaluators that read it ----------------------------------------------------


@dataclass
class GroundingReport:
    numbers_checked: int = 0
    unsupported_numbers: list[str] = field(default_factory=list)
    quotes_checked: int = 0
    bad_quotes: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unsupported_numbers and not self.bad_quotes

    def problems(self) -> str:
        return "; ".join(f"{c.shown or c.text or c.value}: {c.problem}" for c in self.claims if not c.checked)


def report_of(check: CheckReport) -> GroundingReport:
    out = GroundingReport(claims=check.claims)
    for c in check.claims:
        if c.kind == "quote":
            out.quotes_checked += 1
            if not c.checked:
                out.bad_quotes.append(f"[{c.feedback_id}] {c.problem}" if c.feedback_id else str(c.problem))
        else:
            out.numbers_checked += 1
            if not c.checked:
                out.unsupported_numbers.append(c.shown or f"{c.value:g}")
    return out


def check_answer(text: str, results: Iterable[Any], stored_text: Mapping[str, str]) -> GroundingReport:
    """Check an answer against tool results given without names (`result[i]`) and stored rows."""
    named = {f"result{i}": r for i, r in enumerate(results)}
    return report_of(
        check_text(text, named, lambda ids: {i: stored_text[i] for i in ids if i in stored_text})
    )
