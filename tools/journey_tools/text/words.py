"""Words of a Korean or English text, for the three readers that need them:

- **content words** (`tokens`, `terms`, `terms_and_parts`): themes and stage evidence. English words of
  three letters or more (or an acronym) without stop words, lower-cased; Korean stems without particles
  (`korean.strip_particles`), two characters or more, without stop words. NFKC first, so full-width
  letters and compatibility characters read as the plain ones.
- **search tokens** (`search_tokens`): BM25 over the methodology notes. Latin words and digits lower-cased
  without the question words (`EN_SEARCH_STOP`); each run of Hangul as overlapping character pairs, which
  match whatever particle or ending follows.
- **runs** (`runs`): the case-folded Hangul runs and Latin/digit words that keyword search builds its
  query terms from (assistant/feedback/keywords.py).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Any

from journey_tools.text.korean import HANGUL, HANGUL_SYLLABLE, bigrams, compound_parts, strip_particles
from journey_tools.text.stopwords import EN_SEARCH_STOP, EN_STOP, KO_STOP

WORD = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣'+-]*")
"""A raw word of a content text: letters, digits and Hangul, with inner apostrophes, '+' and '-'."""
_RUN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+|[^\W_]+", re.UNICODE)


@lru_cache(maxsize=200_000)
def content_word(raw: str) -> str | None:
    """The term a raw word (a `WORD` match) stands for, or None for stop words and noise (cached: words
    repeat a lot)."""
    if HANGUL_SYLLABLE.search(raw):
        word = strip_particles(raw)
        return word if len(word) >= 2 and word not in KO_STOP else None
    word = raw.lower().strip("'+-")
    acronym = raw.isupper() and len(raw) >= 2
    return word if (len(word) >= 3 or acronym) and word not in EN_STOP and not word.isdigit() else None


def nfkc(text: str) -> str:
    """The text in NFKC (unchanged, and not copied, when it already is)."""
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def tokens(text: str) -> list[str]:
    """Content words: lower-cased English words without stop words, Korean stems without particles."""
    return [w for w in map(content_word, WORD.findall(nfkc(text))) if w is not None]


def _terms_of(words: list[str]) -> set[str]:
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words) if a != b}


def terms(text: str) -> set[str]:
    """Single content words and adjacent pairs ("boarding pass"), the candidates for a theme label."""
    return _terms_of(tokens(text))


def terms_and_parts(text: str) -> tuple[set[str], set[str]]:
    """`terms`, and the two-syllable heads and tails of the text's long Korean words
    (`korean.compound_parts`), from one reading of the text; a caller keeps only the parts customers
    also write as words of their own (인증, not 주세 of 알려주세요)."""
    words = tokens(text)
    return _terms_of(words), {p for w in words for p in compound_parts(w)}


def runs(text: str) -> list[str]:
    """Case-folded runs of Hangul, and Latin/digit words, in order."""
    return _RUN.findall(text.casefold())


def is_hangul(run: str) -> bool:
    """Whether a run (from `runs`) is Korean."""
    return HANGUL.match(run) is not None


def search_tokens(text: str) -> list[str]:
    """BM25 tokens: Hangul runs as character pairs, other words lower-cased without question words."""
    out: list[str] = []
    for run in runs(text):
        if is_hangul(run):
            out.extend(bigrams(run))
        elif run not in EN_SEARCH_STOP:
            out.append(run)
    return out


@lru_cache(maxsize=1)
def _snowball() -> Any:
    import snowballstemmer  # imported on first use: loading every language's stemmer takes a while

    return snowballstemmer.stemmer("english")


def stem_en(word: str) -> str:
    """The Snowball stem of a lower-cased English word ("calls", "called", "calling" → "call")."""
    return str(_snowball().stemWord(word))


_LIGHT_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s")


def light_stem_en(word: str) -> str:
    """A light suffix cut (paying, payment → pay; assembled → assembl) that leaves three letters or more:
    unlike Snowball it keeps "checkout" whole, so it does not match check-in."""
    for suffix in _LIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
