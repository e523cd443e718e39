"""The text toolkit: how the product reads Korean and English words, in one place.

Keyword search, BM25 over the methodology notes, themes and stage evidence all take their words from
here, so a stop word, a particle or a cleaning rule changes once for all of them.

| need | name | module |
|---|---|---|
| the customer's words only (no handles, links, retweet or redaction marks) | `clean_text`, `handles`, `name_terms`, `strip_names`, `sentences`, `text_for_embedding` | `tools/journey_tools/text_clean.py` |
| content words and theme candidates | `tokens`, `terms`, `terms_and_parts`, `content_word`, `WORD` | `words` |
| BM25 tokens; keyword-search runs | `search_tokens`; `runs`, `is_hangul` | `words` |
| English stems | `stem_en` (Snowball), `light_stem_en` (suffix cut) | `words` |
| Korean stems, compound parts, character pairs | `strip_particles`, `compound_parts`, `bigrams`, `KO_SUFFIXES` | `korean` |
| stop words, one list per language | `EN_STOP` (`EN_SEARCH_STOP` its part search drops), `KO_STOP` | `stopwords` |
| numbers in words | `EN_NUMBER`, `en_value`, `ko_native_value`, `ko_sino_value`, `count_value` | `numbers` |

Pure functions over strings; nothing here imports `assistant`.
"""

from __future__ import annotations

from journey_tools.text.korean import (
    HANGUL,
    HANGUL_SYLLABLE,
    KO_SUFFIXES,
    bigrams,
    compound_parts,
    strip_particles,
)
from journey_tools.text.numbers import (
    COUNT_WORDS,
    EN_NUMBER,
    EN_TENS,
    EN_UNITS,
    KO_SINO,
    KO_TENS,
    KO_UNITS,
    count_value,
    en_value,
    ko_native_value,
    ko_sino_value,
)
from journey_tools.text.stopwords import EN_SEARCH_STOP, EN_STOP, KO_PART_STOP, KO_STOP
from journey_tools.text.words import (
    WORD,
    content_word,
    is_hangul,
    light_stem_en,
    nfkc,
    runs,
    search_tokens,
    stem_en,
    terms,
    terms_and_parts,
    tokens,
)
from journey_tools.text_clean import (
    clean_text,
    handles,
    name_terms,
    sentences,
    strip_names,
    text_for_embedding,
)

__all__ = [
    "COUNT_WORDS",
    "EN_NUMBER",
    "EN_SEARCH_STOP",
    "EN_STOP",
    "EN_TENS",
    "EN_UNITS",
    "HANGUL",
    "HANGUL_SYLLABLE",
    "KO_PART_STOP",
    "KO_SINO",
    "KO_STOP",
    "KO_SUFFIXES",
    "KO_TENS",
    "KO_UNITS",
    "WORD",
    "bigrams",
    "clean_text",
    "compound_parts",
    "content_word",
    "count_value",
    "en_value",
    "handles",
    "is_hangul",
    "ko_native_value",
    "ko_sino_value",
    "light_stem_en",
    "name_terms",
    "nfkc",
    "runs",
    "search_tokens",
    "sentences",
    "stem_en",
    "strip_names",
    "strip_particles",
    "terms",
    "terms_and_parts",
    "text_for_embedding",
    "tokens",
]
