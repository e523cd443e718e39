"""The reference journeys closest to a brief, by meaning and by keywords, in Korean and English.

Meaning: the brief (an e5 `query`) against each reference's own description (title, summary, stages and
keywords, as a `passage`); a domain scores the better of its two languages, so a Korean brief finds an
English-described domain too. Keywords: the share of the brief's content tokens (Korean as character
bigrams) found in the domain's keywords, titles and stage names in either language. The two are blended;
the threshold below which nothing is close was measured on the drafting eval (evals/drafting/).
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import snowballstemmer

from assistant.drafting.library import Reference, by_domain
from assistant.embedding import Embedder
from journey_tools.language import Language
from journey_tools.text import search_tokens as tokenize

MEANING_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
MEANING_SPAN = 0.1
"""A cosine lead over the median domain of this much counts as a full meaning match."""
CLOSE_ENOUGH = 0.31
"""Blended score from which a reference is adapted (below: drafted from the methodology alone). Measured
on evals/drafting/briefs.jsonl: see evals/drafting/README.md."""

# Request words and bigrams of the request's endings carry no domain: they would match every reference.
_NOISE = frozenset(
    [
        "journey",
        "journeys",
        "map",
        "maps",
        "draft",
        "make",
        "create",
        "please",
        "customer",
        "customers",
        "user",
        "users",
        "first",
        "time",
        "new",
        "current",
        "future",
        "as-is",
        "to-be",
        "mobile",
        "app",
        "apps",
        "online",
        "web",
        "website",
        "persona",
        "personas",
        "one",
        "two",
        "three",
        "여정",
        "지도",
        "고객",
        "만들",
        "들어",
        "어줘",
        "그려",
        "려줘",
        "작성",
        "성해",
        "해줘",
        "주세",
        "세요",
        "현재",
        "앞으",
        "미래",
        "모바",
        "바일",
        "페르",
        "르소",
        "소나",
        "사용",
        "용자",
        "이용",
        "하는",
        "하고",
        "에서",
        "으로",
        "있는",
        # Korean request and journey-type words, as whole stems (bigrams of them are above).
        "처음",
        "신규",
        "우리",
        "대상",
        "기준",
        "문제",
        "해결",
        # Who, not which journey: an office worker (직장인) borrows, studies and joins a gym alike.
        "직장",
        "장인",
        "새로",
        # English function words and the journey-type phrasing ("solving a problem", "as it works today"):
        # they carry no domain, and a word no domain uses weighs the most in the keyword share.
        "the",
        "and",
        "for",
        "from",
        "with",
        "without",
        "about",
        "into",
        "onto",
        "our",
        "their",
        "them",
        "they",
        "we",
        "us",
        "you",
        "your",
        "it",
        "its",
        "that",
        "this",
        "these",
        "those",
        "who",
        "whom",
        "which",
        "what",
        "when",
        "where",
        "how",
        "is",
        "are",
        "be",
        "been",
        "was",
        "were",
        "do",
        "does",
        "did",
        "get",
        "gets",
        "getting",
        "got",
        "some",
        "something",
        "maybe",
        "may",
        "might",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "only",
        "also",
        "more",
        "most",
        "very",
        "keep",
        "keeps",
        "today",
        "now",
        "then",
        "there",
        "here",
        "not",
        "all",
        "any",
        "each",
        "every",
        "after",
        "before",
        "until",
        "while",
        "works",
        "work",
        "solving",
        "solve",
        "problem",
        "problems",
        "issue",
        "issues",
        "want",
        "wants",
        "need",
        "needs",
        "like",
        # What the user asks the map to rest on, not what it is about.
        "feedback",
        "pain",
        "point",
        "points",
        "ground",
        "grounded",
        "load",
        "loaded",
        "uploaded",
        "based",
        "피드",
        "드백",
        "의견",
        "올려",
    ]
)

# Particles and verb endings glued to a Korean word ("대출을", "고객의", "비교하는"): dropped before the word
# is cut into bigrams, so "출을" or "객의" is not read as a keyword. Longest first.
_KO_ENDINGS = tuple(
    sorted(
        [
            "에서부터",
            "으로부터",
            "에게서",
            "부터",
            "까지",
            "에서",
            "에게",
            "으로",
            "하는",
            "하고",
            "해서",
            "하여",
            "하기",
            "했는데",
            "하려는",
            "하려고",
            "이고",
            "이며",
            "이나",
            "이라",
            "입니다",
            "이에요",
            "예요",
            "들의",
            "들이",
            "들을",
            "을",
            "를",
            "이",
            "가",
            "은",
            "는",
            "의",
            "에",
            "로",
            "와",
            "과",
            "도",
            "만",
            "들",
        ],
        key=len,
        reverse=True,
    )
)
_HANGUL_WORD = re.compile(r"[가-힣]+")


@dataclass(frozen=True)
class Match:
    domain: str
    references: dict[Language, Reference]
    score: float
    meaning: float
    keywords: float

    def reference(self, language: Language) -> Reference:
        """The reference in this language (the other one when the domain has only one)."""
        return self.references.get(language) or next(iter(self.references.values()))

    def close(self) -> bool:
        return self.score >= CLOSE_ENOUGH


_STEMMER = snowballstemmer.stemmer("english")
PHRASE_BONUS = 0.15
"""Added to the keyword score for each of a domain's multi-word keywords the brief contains verbatim
("credit card", "위탁 수하물"), at most twice: a phrase says more than its words apart."""


def _korean_stem(word: str) -> str:
    for ending in _KO_ENDINGS:
        # A one-character particle only after two characters ("이사" keeps its 이); a longer ending after one
        # ("앱으로" is 앱).
        if word.endswith(ending) and len(word) - len(ending) >= (2 if len(ending) == 1 else 1):
            return word[: -len(ending)]
    return word


def _tokens(text: str) -> set[str]:
    """Content tokens: English words stemmed (purchasing = purchase), Korean words without their particle
    or ending, as character bigrams; request and function words dropped."""
    english = {_STEMMER.stemWord(t) for t in tokenize(text) if t.isascii() and t not in _NOISE and len(t) > 1}
    korean: set[str] = set()
    for word in _HANGUL_WORD.findall(text):
        stem = _korean_stem(word)
        if stem in _NOISE:
            continue
        korean |= {stem[i : i + 2] for i in range(len(stem) - 1)}
    return english | (korean - _NOISE)


def _phrases(refs: dict[Language, Reference]) -> set[str]:
    return {k.casefold() for ref in refs.values() for k in ref.keywords if " " in k.strip()}


def _domain_tokens(refs: dict[Language, Reference]) -> set[str]:
    words: set[str] = set()
    for ref in refs.values():
        words |= _tokens(" ".join([ref.title, *ref.keywords, *ref.essentials, *ref.map.stage_names]))
    return words


def _passages(refs: list[Reference], embedder: Embedder, cache_dir: Path | None) -> np.ndarray:
    """The references' vectors, kept on disk per embedder and library content (embedding 42 passages
    takes the offline model tens of seconds; a brief should not wait for it twice)."""
    texts = [r.describe() for r in refs]
    key = hashlib.blake2b("\x00".join([embedder.name, *texts]).encode(), digest_size=12).hexdigest()
    path = cache_dir / f"reference-journeys-{key}.npy" if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            cached = np.load(path)
            if cached.shape[0] == len(texts):
                return cached
        except (OSError, ValueError):
            pass
    vectors = embedder.embed(texts, "passage")
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        except OSError:
            pass
    return vectors


def retrieve(
    text: str,
    library: tuple[Reference, ...],
    embedder: Embedder,
    k: int = 3,
    cache_dir: Path | None = None,
) -> list[Match]:
    """The `k` closest domains, best first."""
    domains = by_domain(library)
    names = sorted(domains)
    refs = [r for name in names for r in domains[name].values()]
    passages = _passages(refs, embedder, cache_dir)
    query = embedder.embed([text], "query")[0]
    cosine = passages @ query
    best: dict[str, float] = {}
    for ref, value in zip(refs, cosine, strict=True):
        best[ref.domain] = max(best.get(ref.domain, -1.0), float(value))
    # Keywords weighted by how few domains use them: "booking" or "payment" says less than "dental".
    vocab = {name: _domain_tokens(domains[name]) for name in names}
    df: dict[str, int] = {}
    for words in vocab.values():
        for w in words:
            df[w] = df.get(w, 0) + 1
    n = len(names)

    def idf(token: str) -> float:
        return math.log((n + 1) / (df.get(token, 0) + 1))

    brief_tokens = _tokens(text)
    lowered = " ".join(text.casefold().split())
    total = sum(idf(t) for t in brief_tokens) or 1.0
    # e5 puts every brief close to every journey (cosines 0.75-0.95): what tells is how far a domain stands
    # above the typical one, so meaning is the cosine's lead over the median domain, scaled.
    median = float(np.median(list(best.values())))
    matches = []
    for name in names:
        phrases = sum(1 for p in _phrases(domains[name]) if p in lowered)
        keyword = min(1.0, 1.5 * sum(idf(t) for t in brief_tokens & vocab[name]) / total)
        keyword = min(1.0, keyword + PHRASE_BONUS * min(phrases, 2))
        meaning = min(1.0, max(0.0, (best[name] - median) / MEANING_SPAN))
        score = MEANING_WEIGHT * meaning + KEYWORD_WEIGHT * keyword
        matches.append(Match(name, domains[name], round(score, 4), round(best[name], 4), round(keyword, 4)))
    matches.sort(key=lambda m: -m.score)
    return matches[:k]


def cosine_spread(values: np.ndarray) -> float:
    """How far the best score stands above the rest (for reports)."""
    ordered = np.sort(values)[::-1]
    return float(ordered[0] - ordered[1]) if len(ordered) > 1 else 0.0
