"""Compatibility names for the text toolkit (`tools/text/`), kept while `tools/themes.py` and
`tools/stage_lexical.py` still import them from here; new code imports `tools.text`.

When those two modules switch (themes: `HANGUL_SYLLABLE`, `terms_and_parts`, `tokens`; stage evidence:
`WORD`, `content_word`, `bigrams`, `stem_en`), this module can be deleted.
"""

from __future__ import annotations

from tools.text import (
    EN_STOP,
    HANGUL_SYLLABLE,
    KO_STOP,
    KO_SUFFIXES,
    WORD,
    content_word,
    terms,
    terms_and_parts,
    tokens,
)

_WORD = WORD
_HANGUL = HANGUL_SYLLABLE
_content_word = content_word

__all__ = [
    "EN_STOP",
    "KO_STOP",
    "KO_SUFFIXES",
    "_HANGUL",
    "_WORD",
    "_content_word",
    "terms",
    "terms_and_parts",
    "tokens",
]
