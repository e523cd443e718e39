"""Pain themes: groups of a stage's negative feedback that share a problem the stage is distinctive for.

A theme is found from the customers' words: the term (word or word pair) that covers the most negative
comments of the stage among the terms that are *distinctive* for it, i.e. used in its negative comments
far more than in the rest of the rows in scope (a log-odds ratio with an informative Dirichlet prior,
Monroe et al. 2008, read as a z-score). Its comments are removed and the next theme is searched among the
rest. Never a label:

- a handle, a company or person's name (`tools/text_clean.name_terms`: handles, the words a handle
  starts with, words written with a capital letter nearly everywhere), or a redaction mark;
- a word of the map's stage names (`exclude`), which says where, not what went wrong;
- an everywhere word: one in EVERYWHERE or more of the rows in scope and not much commoner in the
  stage ("flight" in airline posts).

Labels are short problem phrases in the customers' own words: the most frequent two- or three-word
phrase of the theme's comments that contains its term ("on hold" for `hold`, "lost my bag" for
`lost bag`), else the term. A theme needs its support from MIN_DISTINCT distinct comments: copies of one
text (a pasted template, a planted message) are one voice, so a word only such copies share is never
shown as what customers say. When the comments' vectors are given, themes whose comments mean the same
(centroids closer than MERGE_SIMILARITY) are merged, and a theme's quotes are its most representative
comments (nearest its centroid), else the ones that share most of its frequent words; every count is a
count of rows. Positive comments of the same stage that use the theme's term are its counter-evidence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from journey_tools.stage_lexical import background_share
from journey_tools.text import HANGUL_SYLLABLE as _HANGUL
from journey_tools.text import clean_text, name_terms, terms_and_parts, tokens

MAX_THEMES = 6
QUOTES_PER_THEME = 3
EVERYWHERE = 0.2
"""A term in this share of the rows in scope or more, and less than twice as common in the stage's
negative comments, is not a label: every stage's customers use it."""
MIN_Z = 1.5
"""A term must be this distinctive for the stage (log-odds z-score against the rows in scope)."""
MIN_DISTINCT = 2
FOCUS = 0.6
"""Share of a comment its theme sentence must make up for the comment to be quoted before others."""
LONG_COMMENTS = 40
"""Median number of words of a stage's negative comments from which they are long texts (complaint
narratives): every comment then uses many ordinary words, so ..."""
MIN_Z_LONG = 2.0
"""... a term must be this distinctive, and ...
(dev narratives, with BACKGROUND_LIFT 1.5: share of top-3 labels that are handles, brands or generic
0.154 -> 0.125, distinctiveness 0.389 -> 0.513, labels found 13 -> 8; short texts are not affected)"""
BACKGROUND_LIFT = 1.5
"""... this many times commoner in the stage's comments than in complaints in general
(`tools.stage_lexical.background_share`: "days", "now", "phone number" are in every long complaint).
On its own (at 2.0) it changed no dev label: a guard for narratives unlike dev's."""
MERGE_SIMILARITY = 0.93
"""Cosine between two themes' comment centroids above which they are one theme (e5 vectors)."""


@dataclass(frozen=True, slots=True)
class Comment:
    feedback_id: str
    text: str
    source: str = ""
    row: int = 0


@dataclass
class Theme:
    label: str
    terms: list[str]
    n: int
    share: float
    """Share of the stage's negative comments in this theme."""
    quotes: list[Comment] = field(default_factory=list)
    counter_evidence: list[Comment] = field(default_factory=list)
    counter_n: int = 0
    rest_rate: float | None = None
    """Share of the rest of the journey's rows that are negative comments with this theme's term, when known."""
    distinctiveness: float | None = None
    """Log-odds z-score of the theme's term in the stage's negative comments against the rows in scope."""


def _min_support(n: int) -> int:
    return max(MIN_DISTINCT, math.ceil(0.03 * n))


def _voice(text: str) -> frozenset[str]:
    """What makes two comments the same voice: their words, ignoring numbers and case."""
    return frozenset(tokens(re.sub(r"\d+", " ", clean_text(text))))


def _log_odds(k: int, n: int, k_bg: int, n_bg: int, prior: float) -> float:
    """z-score of a term's log-odds in the stage (k of n comments) against the background (k_bg of n_bg),
    with a Dirichlet prior of `prior` pseudo-counts spread by the term's pooled frequency."""
    a = prior * (k + k_bg + 1) / (n + n_bg + 2)
    a0 = prior
    delta = math.log((k + a) / (n + a0 - k - a)) - math.log((k_bg + a) / (n_bg + a0 - k_bg - a))
    return delta / math.sqrt(1 / (k + a) + 1 / (k_bg + a))


_CODE = re.compile(r"\d.*[a-z가-힣]|[a-z가-힣].*\d")
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_PHRASE_WORD = re.compile(r"[0-9A-Za-z가-힣][0-9A-Za-z가-힣'-]*")
_EDGE_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "to",
        "of",
        "for",
        "with",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "i",
        "me",
        "you",
        "we",
        "it",
        "this",
        "that",
    ]
)


def _phrase(term: str, texts: Sequence[str], avoid: Callable[[str], bool] = lambda w: False) -> str:
    """The most frequent 2-3 word surface phrase of `texts` containing every word of `term` (English),
    used by at least two texts and without a word `avoid` refuses (a name, an everywhere word); else
    the term itself."""
    words = term.split()
    if _HANGUL.search(term) or not texts:
        return term
    counts: Counter[str] = Counter()
    for text in texts:
        raw = [w.casefold() for w in _PHRASE_WORD.findall(clean_text(text))]
        seen: set[str] = set()
        for size in (2, 3):
            for i in range(len(raw) - size + 1):
                gram = raw[i : i + size]
                if gram[-1] in _EDGE_STOP or gram[0] in _EDGE_STOP - {"no", "on", "in", "not"}:
                    continue
                joined = " ".join(gram)
                if any(avoid(g) for g in gram if not any(g == w or g.startswith(w) for w in words)):
                    continue
                if all(any(g == w or g.startswith(w) for g in gram) for w in words):
                    seen.add(joined)
        counts.update(seen)
    best = [(k, -len(p.split()), p) for p, k in counts.items() if k >= 2]
    return max(best)[2] if best else term


def _generic(term: str, stage_share: float) -> bool:
    """A term of long complaints no commoner in the stage than in complaints in general."""
    general = background_share(term)
    return general is not None and general > 0 and stage_share < BACKGROUND_LIFT * general


def find_themes(
    negatives: Sequence[Comment],
    positives: Sequence[Comment] = (),
    background: Sequence[str] = (),
    max_themes: int = MAX_THEMES,
    exclude: frozenset[str] = frozenset(),
    vectors: np.ndarray | None = None,
) -> list[Theme]:
    """Themes among `negatives`, most common first.

    `background` is a sample of the rows in scope (all stages): what a stage's terms must stand out
    against, and where everywhere words and names are recognised. `exclude` holds terms that say nothing
    as a label (the map's stage names). `vectors`, one per negative comment in the same order, merge
    themes that mean the same and choose representative quotes."""
    if not negatives:
        return []
    read = [
        [terms_and_parts(clean_text(t)) for t in texts]
        for texts in ([c.text for c in negatives], [c.text for c in positives], background)
    ]
    # A part of a long Korean compound (인증 of 본인인증) is a term only where customers also write it as
    # a word of its own; otherwise it is a fragment of an ending (주세 of 알려주세요).
    words = {t for group in read for ts, _ in group for t in ts if " " not in t}
    neg_terms, pos_terms, bg_terms = ([ts | (parts & words) for ts, parts in group] for group in read)
    names = name_terms([c.text for c in negatives] + [c.text for c in positives] + list(background))
    bg_counts: Counter[str] = Counter()
    for ts in bg_terms:
        bg_counts.update(ts)
    n_bg = len(background)

    stage_counts: Counter[str] = Counter()
    for ts in neg_terms:
        stage_counts.update(ts)
    long_texts = float(np.median([len(tokens(clean_text(c.text))) for c in negatives])) >= LONG_COMMENTS
    min_z = MIN_Z_LONG if long_texts else MIN_Z

    def unusable(term: str) -> bool:
        parts = term.split()
        if any(_CODE.search(p) for p in parts):
            return True  # an identifier (order number, code word), not a customer's word for a problem
        bg_share = bg_counts[term] / n_bg if n_bg >= 20 else 0.0
        return (
            term in exclude
            or any(p in exclude or p in names or (p.startswith("x") and set(p) <= {"x"}) for p in parts)
            # An everywhere word: common in the rows in scope and not much commoner in this stage.
            or (bg_share >= EVERYWHERE and stage_counts[term] / len(negatives) < 2 * bg_share)
            or (long_texts and _generic(term, stage_counts[term] / len(negatives)))
        )

    voices = [_voice(c.text) for c in negatives]
    remaining = set(range(len(negatives)))
    themes: list[Theme] = []
    support = _min_support(len(negatives))
    n = len(negatives)
    while remaining and len(themes) < max_themes:
        counts: Counter[str] = Counter()
        distinct: dict[str, set[frozenset[str]]] = {}
        for i in remaining:
            counts.update(neg_terms[i])
            for term in neg_terms[i]:
                distinct.setdefault(term, set()).add(voices[i])
        best, best_score, best_z = None, 0.0, 0.0
        for term, k in counts.items():
            if k < support or len(distinct[term]) < support or unusable(term):
                continue
            z = _log_odds(k, n, bg_counts[term], n_bg, prior=10.0) if n_bg else min_z
            if z < min_z:
                continue
            # Coverage times distinctiveness; pairs read better as labels when they cover nearly as much.
            score = k * math.log1p(max(z, 0.0)) * (1.15 if " " in term else 1.0)
            if score > best_score:
                best, best_score, best_z = term, score, z
        if best is None:
            break
        members = [i for i in remaining if best in neg_terms[i]]
        co: Counter[str] = Counter()
        for i in members:
            co.update(
                t for t in neg_terms[i] if t != best and t not in best and best not in t and not unusable(t)
            )
        extra = [t for t, k in co.most_common(2) if k >= max(2, 0.4 * len(members))]
        label_terms = [best, *extra[:1]]
        themes.append(
            Theme(
                label=_phrase(best, [negatives[i].text for i in members], avoid=unusable),
                terms=label_terms,
                n=len(members),
                share=len(members) / n,
                distinctiveness=round(best_z, 2),
                quotes=[negatives[i] for i in members],  # chosen below, once themes are merged
            )
        )
        remaining -= set(members)
    index = {c.feedback_id: i for i, c in enumerate(negatives)}
    if vectors is not None and len(vectors) == n:
        themes = _merge(themes, vectors, index)
    for theme in themes:
        members = [index[c.feedback_id] for c in theme.quotes]
        theme.quotes = [
            _excerpt(c, theme.terms)
            for c in _representative(members, negatives, neg_terms, vectors, theme.terms)
        ]
        counter = [c for c, c_terms in zip(positives, pos_terms, strict=True) if theme.terms[0] in c_terms]
        theme.counter_evidence = counter[:QUOTES_PER_THEME]
        theme.counter_n = len(counter)
    return themes


def _excerpt(comment: Comment, theme_terms: Sequence[str]) -> Comment:
    """The comment cut to its sentence that speaks most to the theme (verbatim): a quote stands for the
    theme, not for whatever else the row goes on to say (another topic, or text addressed at the
    assistant). The whole comment when it is one sentence or no sentence carries a theme term."""
    parts = [p for p in _SENTENCE.split(comment.text) if p.strip()]
    if len(parts) < 2:
        return comment
    wanted = set(theme_terms)
    hits = [len(wanted & (lambda tp: tp[0] | tp[1])(terms_and_parts(clean_text(p)))) for p in parts]
    if not any(hits):
        return comment
    best = max(range(len(parts)), key=lambda i: (hits[i], -i))
    return Comment(comment.feedback_id, parts[best].strip(), comment.source, comment.row)


def _centroid(vectors: np.ndarray, members: Sequence[int]) -> np.ndarray:
    c = np.asarray(vectors[list(members)], dtype=np.float32).mean(axis=0)
    return c / (np.linalg.norm(c) or 1.0)


def _merge(themes: list[Theme], vectors: np.ndarray, index: dict[str, int]) -> list[Theme]:
    """Later themes whose comments mean what an earlier theme's mean join it (counts add up)."""
    kept: list[Theme] = []
    for theme in themes:
        members = [index[c.feedback_id] for c in theme.quotes]
        centre = _centroid(vectors, members)
        home = next(
            (
                k
                for k in kept
                if float(_centroid(vectors, [index[c.feedback_id] for c in k.quotes]) @ centre)
                >= MERGE_SIMILARITY
            ),
            None,
        )
        if home is None:
            kept.append(theme)
            continue
        total = home.n + theme.n
        home.quotes = home.quotes + theme.quotes
        home.share = home.share * total / home.n if home.n else home.share
        home.n = total
        home.terms = list(dict.fromkeys([*home.terms, theme.terms[0]]))
    return kept


def _representative(
    members: Sequence[int],
    negatives: Sequence[Comment],
    neg_terms: Sequence[set[str]],
    vectors: np.ndarray | None,
    theme_terms: Sequence[str] = (),
) -> list[Comment]:
    """The theme's most representative comments, one per voice: first those that are mostly about the
    theme (its best sentence is at least FOCUS of the text: a row that goes on about something else, or
    carries text addressed at the assistant, is quoted last), then nearest the centroid of the members'
    vectors, or, without vectors, sharing most of the members' frequent terms."""
    if vectors is not None and len(vectors) == len(negatives):
        centre = _centroid(vectors, members)
        closeness = {i: float(np.asarray(vectors[i], dtype=np.float32) @ centre) for i in members}
    else:
        freq: Counter[str] = Counter()
        for i in members:
            freq.update(neg_terms[i])
        closeness = {i: sum(freq[t] for t in neg_terms[i]) / (1 + len(neg_terms[i])) for i in members}
    chosen: list[Comment] = []
    voices: set[frozenset[str]] = set()
    focus = {
        i: len(_excerpt(negatives[i], theme_terms).text) / max(len(negatives[i].text), 1) >= FOCUS
        for i in members
    }
    for i in sorted(members, key=lambda i: (not focus[i], -closeness[i], abs(len(negatives[i].text) - 80))):
        voice = _voice(negatives[i].text)
        if voice in voices:
            continue
        voices.add(voice)
        chosen.append(negatives[i])
        if len(chosen) == QUOTES_PER_THEME:
            break
    return chosen
