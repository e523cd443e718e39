"""Keyword tokens for BM25 that work for Korean and English alike.

Korean attaches particles and endings to words (배송이, 배송은, 배송을), so whole-word tokens rarely
match between a question and a passage. Overlapping character bigrams of each Hangul run do match;
Latin text and digits become lowercase words.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+|[^\W_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "the",
        "this",
        "to",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
    ]
)


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for run in _RUN.findall(text.casefold()):
        if _HANGUL.match(run):
            if len(run) == 1:
                tokens.append(run)
            else:
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        elif run not in STOPWORDS:
            tokens.append(run)
    return tokens
