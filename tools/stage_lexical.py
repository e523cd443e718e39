"""Lexical evidence for stage assignment: the words a row shares with each stage's own description.

A map's descriptions and steps say in the team's words what happens in a stage ("delayed", "cancelled",
"rebooked" in a departure stage). A row that uses those words is evidence for that stage, in proportion
to how specific the word is *within this map*: the weight of a term is its inverse document frequency
across the map's stages, so a word that every stage mentions ("flight" in an airline map) weighs
almost nothing, and a word only one stage mentions weighs most.

Terms are content words (stop words and Korean particles removed, tools/text_terms.py). English words
are cut to their first six letters (a crude stem: "delayed", "delays" → "delaye"/"delays" differ, but
"cancellation", "cancelled" → "cancel"), Korean stems are split into character bigrams, which matches
compounds and inflections without a morphological analyser ("번호이동" shares "번호", "이동").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from tools.text_terms import _WORD, _content_word

_HANGUL = re.compile(r"[가-힣]")
STEM = 6


@lru_cache(maxsize=200_000)
def _units(raw: str) -> tuple[str, ...]:
    """The matching units of one raw word (words repeat across rows far more than texts do)."""
    word = _content_word(raw)
    if word is None:
        return ()
    if _HANGUL.search(word):
        return tuple(word[i : i + 2] for i in range(len(word) - 1)) if len(word) > 1 else (word,)
    return (word[:STEM],)


def lexical_terms(text: str) -> set[str]:
    """The matching units of a text: English stems and Korean character bigrams."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for raw in _WORD.findall(text):
        out.update(_units(raw))
    return out


class LexicalIndex:
    """Per-stage term sets of one map, weighted by inverse document frequency across its stages."""

    def __init__(self, stage_texts: Sequence[Sequence[str]]) -> None:
        docs = [set().union(*(lexical_terms(t) for t in texts)) if texts else set() for texts in stage_texts]
        n = len(docs)
        df: dict[str, int] = {}
        for doc in docs:
            for term in doc:
                df[term] = df.get(term, 0) + 1
        self.n_stages = n
        # log((S+1)/(df+0.5)): a term of one stage out of six weighs 1.5, a term of every stage 0.08.
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for s, doc in enumerate(docs):
            for term in doc:
                self.postings.setdefault(term, []).append((s, math.log((n + 1) / (df[term] + 0.5))))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(n, stages): the summed weight of the stage's terms that each text contains."""
        out = np.zeros((len(texts), self.n_stages), dtype=np.float32)
        postings = self.postings
        for row, text in enumerate(texts):
            for term in lexical_terms(text):
                found = postings.get(term)
                if found is not None:
                    for stage, weight in found:
                        out[row, stage] += weight
        return out
