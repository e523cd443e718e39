"""Pain themes: groups of a stage's negative feedback that share a distinctive term.

A theme is the term (word or word pair) that covers the most negative comments of the stage while
being rarer elsewhere; its comments are removed and the next theme is searched among the rest. This
is fast (no model), explainable (the label is the customers' own word, so it is in their language),
and every count is a count of rows. Positive comments of the same stage that use the theme's term
are returned as counter-evidence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from tools.text_terms import terms_and_parts

MAX_THEMES = 6
QUOTES_PER_THEME = 3


_INSTRUCTION_LIKE = re.compile(
    r"ignore (?:all |any )?(?:previous|prior|above) instructions|system prompt|https?://|\bexport_map\b"
    r"|이전 지시|지시(?:를|는)? (?:모두 )?무시|시스템 프롬프트|관리자 지시",
    re.IGNORECASE,
)


def looks_like_instructions(text: str) -> bool:
    """Text written at the assistant rather than about the journey (planted instructions, links).

    Such a row still counts in every number; it is only not picked as the quote that stands for a theme,
    since a reader takes a theme's quote as what customers typically say."""
    return bool(_INSTRUCTION_LIKE.search(text))


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


def _min_support(n: int) -> int:
    return max(2, math.ceil(0.03 * n))


def find_themes(
    negatives: Sequence[Comment],
    positives: Sequence[Comment] = (),
    background: Sequence[str] = (),
    max_themes: int = MAX_THEMES,
    exclude: frozenset[str] = frozenset(),
) -> list[Theme]:
    """Themes among `negatives`, most common first. `background` texts make common words less attractive;
    `exclude` holds terms that say nothing as a label (the stage's own name)."""
    if not negatives:
        return []
    read = [
        [terms_and_parts(t) for t in texts]
        for texts in ([c.text for c in negatives], [c.text for c in positives], background)
    ]
    # A part of a long Korean compound (인증 of 본인인증) is a term only where customers also write it as
    # a word of its own; otherwise it is a fragment of an ending (주세 of 알려주세요).
    words = {t for group in read for ts, _ in group for t in ts if " " not in t}
    neg_terms, pos_terms, bg_terms = ([ts | (parts & words) for ts, parts in group] for group in read)
    bg_counts: Counter[str] = Counter()
    for ts in bg_terms:
        bg_counts.update(ts)
    bg_n = max(len(background), 1)
    remaining = set(range(len(negatives)))
    # Rows written at the assistant still count in a theme they share a term with, but a term needs its
    # support from other rows to become a label: a label is shown as what customers say (a planted code
    # word would be echoed), and a complaint with instructions appended counts as the complaint alone would.
    planted = {i for i, c in enumerate(negatives) if looks_like_instructions(c.text)}
    themes: list[Theme] = []
    support = _min_support(len(negatives))
    while remaining and len(themes) < max_themes:
        counts: Counter[str] = Counter()
        clean: Counter[str] = Counter()
        for i in remaining:
            counts.update(neg_terms[i])
            if i not in planted:
                clean.update(neg_terms[i])
        best, best_score = None, 0.0
        for term, k in counts.items():
            if k < support or clean[term] < support or term in exclude:
                continue
            lift = (k / len(negatives) + 0.01) / (bg_counts[term] / bg_n + 0.01)
            # Pairs read better as labels; prefer them when they cover nearly as much.
            score = k * math.log1p(lift) * (1.15 if " " in term else 1.0)
            if score > best_score:
                best, best_score = term, score
        if best is None:
            break
        members = [i for i in remaining if best in neg_terms[i]]
        co: Counter[str] = Counter()
        for i in members:
            co.update(t for t in neg_terms[i] if t != best and t not in best and best not in t)
        extra = [t for t, k in co.most_common(2) if k >= max(2, 0.4 * len(members)) and clean[t] >= support]
        label_terms = [best, *extra[:1]]
        ranked = sorted(
            members,
            key=lambda i: (
                looks_like_instructions(negatives[i].text),
                -sum(t in neg_terms[i] for t in label_terms),
                abs(len(negatives[i].text) - 80),
            ),
        )
        quotes = [negatives[i] for i in ranked[:QUOTES_PER_THEME]]
        counter = [c for c, c_terms in zip(positives, pos_terms, strict=True) if best in c_terms]
        counter.sort(key=lambda c: looks_like_instructions(c.text))  # stable: otherwise in order
        themes.append(
            Theme(
                label=" · ".join(label_terms),
                terms=label_terms,
                n=len(members),
                share=len(members) / len(negatives),
                quotes=quotes,
                counter_evidence=counter[:QUOTES_PER_THEME],
                counter_n=len(counter),
            )
        )
        remaining -= set(members)
    return themes
