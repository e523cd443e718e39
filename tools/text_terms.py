"""Light, language-aware term extraction for theme labels (Korean and English, no model needed)."""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣'+-]*")
_HANGUL = re.compile(r"[가-힣]")

EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "without",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "they",
        "them",
        "their",
        "his",
        "her",
        "do",
        "does",
        "did",
        "done",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "not",
        "no",
        "nor",
        "very",
        "really",
        "just",
        "too",
        "also",
        "only",
        "even",
        "still",
        "again",
        "already",
        "yet",
        "more",
        "most",
        "much",
        "many",
        "some",
        "any",
        "all",
        "each",
        "every",
        "than",
        "then",
        "when",
        "where",
        "what",
        "which",
        "who",
        "whom",
        "why",
        "how",
        "up",
        "down",
        "out",
        "over",
        "under",
        "into",
        "onto",
        "off",
        "am",
        "pm",
        "get",
        "got",
        "getting",
        "go",
        "going",
        "went",
        "come",
        "came",
        "make",
        "made",
        "take",
        "took",
        "thing",
        "things",
        "way",
        "lot",
        "bit",
        "one",
        "two",
        "three",
        "im",
        "ive",
        "dont",
        "didnt",
        "doesnt",
        "cant",
        "couldnt",
        "wont",
        "wasnt",
        "isnt",
        "arent",
        "thats",
        "theres",
        "youre",
        "whats",
        "ok",
        "okay",
        "please",
        "thanks",
        "thank",
        "like",
        "well",
        "yes",
        "yeah",
        "hi",
        "hello",
    ]
)
KO_STOP = frozenset(
    [
        "그리고",
        "그런데",
        "그래서",
        "하지만",
        "그냥",
        "너무",
        "정말",
        "진짜",
        "완전",
        "좀",
        "잘",
        "안",
        "못",
        "더",
        "또",
        "다시",
        "이미",
        "아직",
        "계속",
        "제가",
        "저는",
        "저도",
        "나는",
        "내가",
        "우리",
        "이거",
        "그거",
        "저거",
        "이게",
        "그게",
        "여기",
        "거기",
        "하는",
        "하고",
        "해서",
        "했는데",
        "했어요",
        "해요",
        "합니다",
        "있어요",
        "있는",
        "없어요",
        "없는",
        "되는",
        "돼요",
        "됐어요",
        "같아요",
        "같은",
        "것",
        "거",
        "수",
        "때",
        "때문에",
        "좋아요",
        "별로",
        "그래도",
        "근데",
        "ㅠㅠ",
        "ㅋㅋ",
        "ㅎㅎ",
        "왜",
        "뭐",
        "어떻게",
        "언제",
        "어디",
        "했어",
        "와서",
        "와요",
        "가요",
        "나요",
        "줘요",
        "봐요",
        "해서",
        "돼서",
        "같아",
        "있어",
        "없어",
        "했네",
        "하네",
        "했지만",
        "하는데",
        "되네",
        "되어서",
        "주세요",
        "해주세요",
        "싶어요",
        "싶어",
    ]
)
# Particles and endings stripped from Korean words so "인증번호가" and "인증번호를" count as one term.
KO_SUFFIXES = tuple(
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


_KO_SUFFIX = re.compile(r"^(.{2,}?)(?:" + "|".join(map(re.escape, KO_SUFFIXES)) + r")$")


@lru_cache(maxsize=200_000)
def _strip_korean(word: str) -> str:
    """Drop the longest particle or ending that leaves a stem of two or more characters."""
    m = _KO_SUFFIX.match(word)
    return m.group(1) if m else word


@lru_cache(maxsize=200_000)
def _content_word(raw: str) -> str | None:
    """The term a raw word stands for, or None for stop words and noise (cached: words repeat a lot)."""
    if _HANGUL.search(raw):
        word = _strip_korean(raw)
        return word if len(word) >= 2 and word not in KO_STOP else None
    word = raw.lower().strip("'+-")
    acronym = raw.isupper() and len(raw) >= 2
    return word if (len(word) >= 3 or acronym) and word not in EN_STOP and not word.isdigit() else None


def tokens(text: str) -> list[str]:
    """Content words: lower-cased English words without stop words, Korean stems without particles."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return [w for w in map(_content_word, _WORD.findall(text)) if w is not None]


_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]{4,}$")


@lru_cache(maxsize=200_000)
def _compound_parts(word: str) -> tuple[str, ...]:
    """The two-syllable head and tail of a long Korean word (본인인증 → 본인, 인증; 인증번호 → 인증, 번호):
    Korean writes compounds without spaces, so the complaint shared by 본인인증, 인증번호 and 인증 would
    otherwise be three different words, none common enough to be a theme."""
    if not _HANGUL_WORD.match(word):
        return ()
    return tuple(p for p in (word[:2], word[-2:]) if p not in KO_STOP and p not in _PART_STOP)


# Two-syllable pieces of verb endings a long word's tail often is (알려주세요 → 주세).
_PART_STOP = frozenset(
    [
        "주세",
        "하세",
        "해주",
        "습니",
        "합니",
        "됩니",
        "니다",
        "세요",
        "는데",
        "어서",
        "해서",
        "면서",
        "었는",
        "았는",
        "하는",
        "되는",
        "했는",
        "이라",
        "라고",
    ]
)


def _terms_of(words: list[str]) -> set[str]:
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words) if a != b}


def terms(text: str) -> set[str]:
    """Single content words and adjacent pairs ("boarding pass"), the candidates for a theme label."""
    return _terms_of(tokens(text))


def terms_and_parts(text: str) -> tuple[set[str], set[str]]:
    """`terms`, and the two-syllable heads and tails of the text's long Korean words (see
    `_compound_parts`), from one reading of the text; a caller keeps only the parts customers also write
    as words of their own (인증, not 주세 of 알려주세요)."""
    words = tokens(text)
    return _terms_of(words), {p for w in words for p in _compound_parts(w)}
