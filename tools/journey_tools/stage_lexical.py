"""Lexical evidence for stage assignment: the words a row shares with each stage's own texts, weighted by
how well they separate the map's stages.

A map's descriptions and steps say in the team's words what happens in a stage ("delayed", "cancelled",
"rebooked" in a departure stage). A row that uses those words is evidence for that stage, in proportion
to how specific the word is:

- *within the map*: the inverse document frequency across the map's stages, so a word every stage's
  description uses weighs almost nothing;
- *among the customers*: a word that a large share of the rows use ("flight" in airline posts,
  "account" in banking complaints) is used by every stage's customers, so it cannot tell their stages
  apart, however specific the map makes it look. Its weight is divided by 1 + (share / CORPUS_HALF)²:
  a word in 15 % of the rows keeps half its weight, one in 45 % a tenth. The shares come from the rows
  being labelled (`document_frequencies`), so no list of domain words is needed.

Rows are read after `tools/journey_tools/text_clean.py` (no handles, links or redaction marks). English words are
stemmed (Snowball: "calls", "called", "calling" → "call"), Korean stems are split into character
bigrams, which matches compounds and inflections without a morphological analyser ("번호이동" shares
"번호", "이동").
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import snowballstemmer

from journey_tools.text import WORD as _WORD
from journey_tools.text import clean_text
from journey_tools.text import content_word as _content_word

_HANGUL = re.compile(r"[가-힣]")
_STEMMER = snowballstemmer.stemmer("english")
CORPUS_HALF = 0.15
"""Share of rows at which a word keeps half its weight (chosen on the dev sets: 0.1-0.2 gave the same
macro-F1 within noise; 0.3 and no discount were worse on the real narratives)."""


@lru_cache(maxsize=200_000)
def _units(raw: str) -> tuple[str, ...]:
    """The matching units of one raw word (words repeat across rows far more than texts do)."""
    word = _content_word(raw)
    if word is None:
        return ()
    if _HANGUL.search(word):
        return tuple(word[i : i + 2] for i in range(len(word) - 1)) if len(word) > 1 else (word,)
    return (str(_STEMMER.stemWord(word)),)


def lexical_terms(text: str) -> set[str]:
    """The matching units of a cleaned text: English stems and Korean character bigrams."""
    text = clean_text(text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for raw in _WORD.findall(text):
        out.update(_units(raw))
    return out


def document_frequencies(texts: Iterable[str]) -> dict[str, float]:
    """Share of `texts` containing each matching unit (empty when there are no texts)."""
    counts: Counter[str] = Counter()
    n = 0
    for text in texts:
        counts.update(lexical_terms(text))
        n += 1
    return {term: k / n for term, k in counts.items()} if n else {}


@lru_cache(maxsize=1)
def background_shares() -> dict[str, float]:
    """Share of real complaint narratives using each English stem (our own count over unlabelled public
    narratives, `tools/journey_tools/resources/background_terms_en.json`, built by
    `evals/datasets/narratives/background.py`): how widely a word is used in complaints in general."""
    raw = resources.files("journey_tools.resources").joinpath("background_terms_en.json").read_text("utf-8")
    return {str(k): float(v) for k, v in json.loads(raw)["shares"].items()}


def background_share(term: str) -> float | None:
    """How widely the words of `term` (a word or phrase) are used in complaints in general: the least
    background share of its words' stems (a phrase is at most as common as its rarest word); None for a
    term with a Korean or no matching word (the table is English)."""
    table = background_shares()
    shares = []
    for raw in term.split():
        units = _units(raw)
        if not units or _HANGUL.search(raw):
            return None
        shares.append(min(table.get(u, 0.0) for u in units))
    return min(shares) if shares else None


def blend_shares(
    local: Mapping[str, float], n: int, background: Mapping[str, float], strength: float
) -> dict[str, float]:
    """Shares of the rows in scope smoothed toward the background: (k + a·b) / (n + a) for a term in k
    of n rows with background share b, so a few dozen rows do not decide alone which words are
    everywhere."""
    if strength <= 0:
        return dict(local)
    out = {}
    for term in set(local) | set(background):
        out[term] = (local.get(term, 0.0) * n + strength * background.get(term, 0.0)) / (n + strength)
    return out


def corpus_discount(share: float) -> float:
    """Weight kept by a word that `share` of the rows contain."""
    return 1.0 / (1.0 + (share / CORPUS_HALF) ** 2)


class LexicalIndex:
    """Per-stage term sets of one map, weighted by how specific each term is within the map and, when
    `corpus` shares are given, among the customers' rows."""

    def __init__(
        self, stage_texts: Sequence[Sequence[str]], corpus: Mapping[str, float] | None = None
    ) -> None:
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
                weight = math.log((n + 1) / (df[term] + 0.5))
                if corpus:
                    weight *= corpus_discount(corpus.get(term, 0.0))
                self.postings.setdefault(term, []).append((s, weight))

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
