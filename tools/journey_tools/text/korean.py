"""Korean words without a morphological analyser: particles and endings cut off, long compounds split into
their two-syllable head and tail, runs of Hangul into overlapping character pairs.

Korean attaches particles and endings to words (배송이, 배송은, 배송을) and writes compounds without spaces
(본인인증, 인증번호), so whole words rarely match between two texts; stems, parts and character pairs do.
"""

from __future__ import annotations

import re
from functools import lru_cache

from journey_tools.text.stopwords import KO_PART_STOP, KO_STOP

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
"""A Hangul syllable or compatibility jamo (ㅠㅠ, ㅋㅋ)."""
HANGUL_SYLLABLE = re.compile(r"[가-힣]")
"""A Hangul syllable (no jamo)."""

KO_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        [
            "은",
            "는",
            "이",
            "가",
            "을",
            "를",
            "에",
            "의",
            "도",
            "만",
            "로",
            "와",
            "과",
            "요",
            "서",
            "고",
            "지",
            "죠",
            "께",
            "랑",
            "에서",
            "에게",
            "으로",
            "까지",
            "부터",
            "에는",
            "에도",
            "이랑",
            "하고",
            "처럼",
            "보다",
            "마다",
            "이나",
            "이요",
            "예요",
            "이에요",
            "네요",
            "어요",
            "아요",
            "해요",
            "했어요",
            "했는데",
            "했고",
            "해서",
            "하는",
            "하게",
            "하니",
            "하면",
            "합니다",
            "했습니다",
            "입니다",
            "인데",
            "인지",
            "이라",
            "라서",
            "라고",
            "였어요",
            "이었어요",
            "됐어요",
            "돼요",
            "되고",
            "되는",
            "되어",
            "없어요",
            "없음",
            "없고",
            "있어요",
            "있고",
            "있는데",
            "던데",
            "네",
            "여서",
            "해도",
        ],
        key=len,
        reverse=True,
    )
)
"""Particles and endings cut from Korean words (longest first), so 인증번호가 and 인증번호를 are one stem."""

_SUFFIX = re.compile(r"^(.{2,}?)(?:" + "|".join(map(re.escape, KO_SUFFIXES)) + r")$")
_LONG_WORD = re.compile(r"^[\uac00-\ud7a3]{4,}$")


@lru_cache(maxsize=200_000)
def strip_particles(word: str) -> str:
    """The word without the longest particle or ending that leaves a stem of two or more characters."""
    m = _SUFFIX.match(word)
    return m.group(1) if m else word


@lru_cache(maxsize=200_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """The two-syllable head and tail of a long Korean word (본인인증 → 본인, 인증; 인증번호 → 인증, 번호):
    Korean writes compounds without spaces, so the complaint shared by 본인인증, 인증번호 and 인증 would
    otherwise be three different words, none common enough to be a theme."""
    if not _LONG_WORD.match(word):
        return ()
    return tuple(p for p in (word[:2], word[-2:]) if p not in KO_STOP and p not in KO_PART_STOP)


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of a run (배송비 → 배송, 송비); a single character stays itself."""
    if len(run) <= 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]
