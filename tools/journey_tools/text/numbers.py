"""Numbers written in words, in English and Korean: "twenty-five", "열여덟", "스물", "십팔", "a couple of".

The claim checker reads every number a text states (assistant/analysis/claims.py); the router reads how
many personas a message asks for (assistant/turns/routing.py). Both take the words' values from here.
"""

from __future__ import annotations

import re

EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_WORD = "|".join([*EN_TENS, *sorted(EN_UNITS, key=len, reverse=True), "hundred", "thousand"])
EN_NUMBER = re.compile(rf"\b(?:{_EN_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_EN_WORD}))*\b", re.IGNORECASE)
"""An English number in words ("eighteen", "twenty-five", "two hundred and ten")."""

KO_TENS = {
    "열": 10,
    "스물": 20,
    "스무": 20,
    "서른": 30,
    "마흔": 40,
    "쉰": 50,
    "예순": 60,
    "일흔": 70,
    "여든": 80,
    "아흔": 90,
}
KO_UNITS = {
    "하나": 1,
    "한": 1,
    "둘": 2,
    "두": 2,
    "셋": 3,
    "세": 3,
    "넷": 4,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
"""Native Korean units, with the forms they take before a counter (한 명, 두 개, 세 가지)."""
KO_SINO = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
"""Sino-Korean digits (십팔 = 18)."""

COUNT_WORDS: dict[str, int] = {
    **{w: v for w, v in EN_UNITS.items() if 1 <= v <= 10},
    "a": 1,
    "an": 1,
    "single": 1,
    "a couple of": 2,
    "a pair of": 2,
    **KO_UNITS,
    "석": 3,
    "열": 10,
}
"""Words that say how many of something a message asks for, one to ten ("two personas", "페르소나 세 개",
"석 달"), lower-cased."""


def en_value(words: str) -> int:
    """The value of an `EN_NUMBER` match ("twenty-five" → 25, "two hundred and ten" → 210)."""
    total, current = 0, 0
    for w in re.split(r"[\s-]+", words.lower()):
        if w == "and" or not w:
            continue
        if w in EN_UNITS:
            current += EN_UNITS[w]
        elif w in EN_TENS:
            current += EN_TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
    return total + current


def ko_native_value(tens: str | None, unit: str | None) -> int:
    """The value of a native Korean number from its tens word and its unit word (열여덟 → 18, 스물 → 20,
    다섯 → 5); either may be missing."""
    return (KO_TENS[tens] if tens else 0) + (KO_UNITS.get(unit, 0) if unit else 0)


def ko_sino_value(head: str | None, tail: str | None) -> int:
    """The value of a Sino-Korean ten from the digits around 십 (십팔 → 18, 이십 → 20, 삼십오 → 35)."""
    return (KO_SINO[head] if head else 1) * 10 + (KO_SINO[tail] if tail else 0)


def count_value(word: str) -> int | None:
    """How many `word` says: digits, or a counting word in `COUNT_WORDS` (case-folded); None otherwise."""
    word = word.casefold()
    if word.isdigit():
        return int(word)
    return COUNT_WORDS.get(word)
