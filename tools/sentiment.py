"""Sentiment per feedback row: from the rating when there is one, otherwise from the text.

The text method is offline and multilingual: each text is compared with short example sentences of
each class (tools/resources/sentiment_prototypes.json) in the embedding space, then nudged by a few
unambiguous cue words. Ratings follow the usual scale conventions (NPS detractor/passive/promoter).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import numpy as np

from tools.encoders import Encoder

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")
TOP_K = 3

_NEG_CUES = re.compile(
    r"(ㅠ|ㅜ|짜증|최악|불편|실패|오류|에러|안\s?돼|안\s?되|안\s?와|못\s?했|못\s?하|늦|답답|환불|불친절|"
    r"\b(never|failed|fail|error|worst|terrible|awful|broken|crash\w*|late|refund|annoy\w*|useless|rude|"
    r"slow|charged twice|can't|cannot|won't|doesn't|didn't|not working|on hold|waited|waiting|still)\b|기다|대기)",
    re.IGNORECASE,
)
_POS_CUES = re.compile(
    r"(감사|좋아|좋았|만족|최고|편리|편해|친절|빠르|깔끔|ㅎㅎ|추천|"
    r"\b(thanks?|thank you|great|love|excellent|easy|smooth|quick(ly)?|helpful|perfect|happy|amazing|awesome)\b)",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"(\?|나요|까요|인가요|ㄹ까|\b(how|where|when|what|can i|is there)\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SentimentResult:
    label: Label
    score: float
    """-1 (very negative) .. +1 (very positive)."""
    method: Literal["rating", "text"]


def from_rating(rating: float, rating_type: str) -> SentimentResult:
    """NPS 0-6 negative, 7-8 neutral, 9-10 positive; CSAT 1-2 / 3 / 4-5; CES (1-7, higher is easier) 1-3 / 4 / 5-7."""
    if rating_type == "nps":
        label: Label = "negative" if rating <= 6 else "neutral" if rating <= 8 else "positive"
        score = (rating - 5.0) / 5.0
    elif rating_type == "ces":
        label = "negative" if rating <= 3 else "neutral" if rating < 5 else "positive"
        score = (rating - 4.0) / 3.0
    else:
        label = "negative" if rating <= 2 else "neutral" if rating < 4 else "positive"
        score = (rating - 3.0) / 2.0
    return SentimentResult(label, float(np.clip(score, -1, 1)), "rating")


@lru_cache(maxsize=1)
def prototype_texts() -> dict[Label, list[str]]:
    data = json.loads(
        resources.files("tools.resources").joinpath("sentiment_prototypes.json").read_text("utf-8")
    )
    return {label: list(data[label]) for label in LABELS}


class TextSentiment:
    """Classifies texts against the prototype sentences, using the given encoder."""

    def __init__(self, encode: Encoder) -> None:
        self.encode = encode
        protos = prototype_texts()
        self.class_of = np.concatenate([np.full(len(protos[c]), i) for i, c in enumerate(LABELS)])
        self.prototypes = encode([t for c in LABELS for t in protos[c]])

    def class_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) similarity scores: mean of the top-k prototype similarities per class, plus cue nudges."""
        sims = vectors @ self.prototypes.T
        scores = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for i in range(len(LABELS)):
            cls = sims[:, self.class_of == i]
            k = min(TOP_K, cls.shape[1])
            scores[:, i] = np.sort(cls, axis=1)[:, -k:].mean(axis=1)
        for row, text in enumerate(texts):
            neg, pos = len(_NEG_CUES.findall(text)), len(_POS_CUES.findall(text))
            scores[row, 0] += 0.012 * min(neg, 3)
            scores[row, 2] += 0.012 * min(pos, 3)
            if _QUESTION.search(text) and not neg and not pos:
                scores[row, 1] += 0.01
        return scores

    def classify(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[SentimentResult]:
        if not texts:
            return []
        vecs = self.encode(texts) if vectors is None else vectors
        scores = self.class_scores(vecs, texts)
        best = scores.argmax(axis=1)
        # Positive minus negative evidence, scaled so typical clear cases land near +-0.5..1.
        polarity = np.clip((scores[:, 2] - scores[:, 0]) * 12.0, -1.0, 1.0)
        return [
            SentimentResult(LABELS[int(b)], round(float(p), 3), "text")
            for b, p in zip(best, polarity, strict=True)
        ]


def classify_rows(
    texts: Sequence[str],
    ratings: Sequence[float | None],
    rating_types: Sequence[str | None],
    text_model: TextSentiment | None,
    vectors: np.ndarray | None = None,
) -> list[SentimentResult]:
    """Rating-based where a rating exists, text-based for the rest (only those texts are encoded)."""
    results: list[SentimentResult | None] = [
        from_rating(r, t) if r is not None and t is not None else None
        for r, t in zip(ratings, rating_types, strict=True)
    ]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        if text_model is None:
            raise ValueError("rows without a rating need a text sentiment model")
        sub_vectors = vectors[todo] if vectors is not None else None
        for i, res in zip(todo, text_model.classify([texts[i] for i in todo], sub_vectors), strict=True):
            results[i] = res
    return [r for r in results if r is not None]
