"""The part of a journey a brief asks for: "from the order confirmation to the sofa assembled", "심사 단계부터
대출금이 입금될 때까지만", "leave out browsing and paying", "상품을 알아보는 부분은 빼 줘".

A reference journey runs from first need to the end; a PM who asks for one part wants those stages only.
The brief's words are matched against each stage's name and step actions (word stems in English,
two-character pieces in Korean, which has no spaces inside words' endings), and the stages outside the span
or named to leave out are dropped. Pure: brief text and stages in, the kept stages out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from journey_tools.text import light_stem_en

_FROM_TO_EN = re.compile(
    r"\bfrom\s+(?P<start>[^.;:]{3,80}?)\s+(?:to|until|till|through|up to)\s+(?P<end>[^.;]{3,80}?)(?=[.;]|$|,\s*(?:and|but)\b)",
    re.I,
)
_FROM_TO_KO = re.compile(r"(?P<start>[^\s,.]+(?:\s[^\s,.]+){0,2}?)\s*부터\s+(?P<end>[^,.]{1,40}?)\s*까지")
_LEAVE_OUT_EN = re.compile(
    r"\b(?:leave out|leaving out|without|skip|skipping|except|excluding|exclude|not including)\s+(?P<what>[^.;]{3,80})",
    re.I,
)
_LEAVE_OUT_KO = re.compile(
    r"(?P<what>[^\s,.]+(?:\s[^\s,.]+){0,3}?)\s*(?:은|는|을|를)?\s*(?:빼\s*(?:고|줘|주세요)|제외)"
)
_STOP_EN = {
    "the",
    "a",
    "an",
    "their",
    "our",
    "your",
    "his",
    "her",
    "its",
    "in",
    "on",
    "at",
    "of",
    "and",
    "or",
    "to",
    "part",
    "stage",
    "step",
    "moment",
    "when",
    "they",
    "it",
    "is",
    "are",
    "customer",
    "customers",
    "first",
}
_STOP_KO = {"단계", "부분", "과정", "고객", "여정", "때", "까지", "부터"}
MIN_SCORE = 2.0
"""A span's end names a stage when a word of its name is in the phrase (2) or two words of its steps are:
one word shared with a step ("상품" in a contract step's "상품설명서") is too weak to cut the journey."""
"""A phrase must share at least one stem with a stage for the stage to be taken as its match."""


@dataclass
class Span:
    start: str | None = None
    end: str | None = None
    leave_out: list[str] = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return bool(self.start or self.end or self.leave_out)


def read_span(text: str, language: str) -> Span:
    span = Span()
    m = (_FROM_TO_KO if language == "ko" else _FROM_TO_EN).search(text)
    if m:
        span.start, span.end = m.group("start").strip(), m.group("end").strip()
    pattern = _LEAVE_OUT_KO if language == "ko" else _LEAVE_OUT_EN
    for found in pattern.finditer(text):
        parts = re.split(r",|\band\b|\bor\b|와|과|이나", found.group("what"))
        span.leave_out += [p.strip() for p in parts if p.strip()]
    return span


def _pieces(text: str, language: str) -> set[str]:
    text = text.casefold().replace("-", "")  # check-in, check-out: one word each, as customers write them
    if language == "ko":
        words = [w for w in re.findall(r"[\uac00-\ud7a3]+|[a-z]+", text) if w not in _STOP_KO]
        return {w[i : i + 2] for w in words for i in range(len(w) - 1)} | {w for w in words if len(w) == 1}
    words = [w for w in re.findall(r"[a-z]+", text) if w not in _STOP_EN and len(w) >= 3]
    return {light_stem_en(w) for w in words}


def _shared(want: set[str], have: set[str], language: str) -> int:
    if language == "ko":
        return len(want & have)
    # English stems match when one begins the other (pay / payment, assembl / assembly).
    return sum(any(h.startswith(w) or w.startswith(h) for h in have) for w in want)


def _score(phrase: str, stage: dict[str, Any], language: str) -> float:
    want = _pieces(phrase, language)
    name = _pieces(stage.get("name", ""), language)
    steps: set[str] = set()
    for step in stage.get("steps", []):
        steps |= _pieces(step.get("action", ""), language)
    return 2.0 * _shared(want, name, language) + _shared(want, steps, language)


def _best(
    phrase: str, stages: Sequence[dict[str, Any]], language: str, least: float = MIN_SCORE
) -> int | None:
    """The stage the phrase names: the highest score, at least `least`, and not tied with another stage."""
    scores = [_score(phrase, s, language) for s in stages]
    top = max(scores, default=0.0)
    if top < least or scores.count(top) > 1:
        return None
    return scores.index(top)


def _named(phrase: str, stage: dict[str, Any], language: str) -> bool:
    return _shared(_pieces(phrase, language), _pieces(stage.get("name", ""), language), language) > 0


def scope_stages(
    stages: list[dict[str, Any]], span: Span, language: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The stages the brief's span keeps (at least two, else all), and the names dropped."""
    if not span.asked or len(stages) < 3:
        return stages, []
    first = _best(span.start, stages, language) if span.start else 0
    last = _best(span.end, stages, language) if span.end else len(stages) - 1
    first = 0 if first is None else first
    last = len(stages) - 1 if last is None or last < first else last
    kept = list(range(first, last + 1))
    removed: set[int] = set()
    for phrase in span.leave_out:
        # Leaving a stage out needs its name to match, and only one name: words shared with steps alone
        # are too weak to drop a stage the PM may want.
        named = [i for i in range(len(stages)) if _named(phrase, stages[i], language)]
        if len(named) == 1:
            removed.add(named[0])
    kept = [i for i in kept if i not in removed]
    if len(kept) < 2:  # the span's end matched too early: run on to the journey's end
        kept = [i for i in range(first, len(stages)) if i not in removed]
    if len(kept) < 2 or len(kept) == len(stages):
        return stages, []
    return [stages[i] for i in kept], [s["name"] for i, s in enumerate(stages) if i not in kept]
