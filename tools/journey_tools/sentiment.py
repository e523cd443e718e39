"""Sentiment per feedback row: from the rating when there is one, otherwise from the text.

The text method is offline and multilingual. For an embedding model with a trained sentiment head
(tools/journey_tools/resources/sentiment_head_<model>.json: a three-class logistic regression over the row vector,
trained on the development part of evals/datasets/stage_sentiment by evals/train_sentiment_head.py),
the head classifies the stored vector, and a few sarcasm cues in English and Korean adjust it. For any other model each text is compared with short example sentences of each class
(tools/journey_tools/resources/sentiment_prototypes.json), then nudged by unambiguous cue words. Ratings follow the
usual scale conventions (NPS detractor/passive/promoter).
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

from journey_tools.encoders import Encoder
from journey_tools.survey_scales import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

Label = Literal["negative", "neutral", "positive"]
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")
TOP_K = 3
EXAMPLE_WEIGHT = 20.0
"""Logit weight of labelled examples' nearest-class-mean evidence (see TextSentiment)."""

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


_SARCASM = re.compile(
    r"(thanks? for nothing|great,? (another|more|now)|just (great|perfect|lovely)|oh (great|joy|good)|"
    r"(what|such) a (joke|surprise)|\bindeed\b|\bclassic\b|\bsure,? (because|that)|"
    r"덕분에.{0,30}(놓쳤|못 ?했|망했|늦었)|잘 ?(만들었|하시네|한다)[네다]|참 잘|아주 그냥|퍽이나|대단하(네|다)요?)",
    re.IGNORECASE,
)
"""Praise words used to complain: "great, another delay", "thanks for nothing", "덕분에 비행기 놓쳤네요"."""
SARCASM_SHIFT = 1.5
"""Logit moved from positive to negative when a sarcasm cue appears (chosen on the development part)."""


@dataclass(frozen=True, slots=True)
class SentimentHead:
    """A trained linear classifier over one embedding model's vectors: logits = scale * x @ W + b."""

    model: str
    weights: np.ndarray
    """(dim, 3), classes in LABELS order."""
    bias: np.ndarray
    scale: float

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(self.scale * vectors @ self.weights + self.bias, dtype=np.float32)


@lru_cache(maxsize=8)
def load_head(model: str) -> SentimentHead | None:
    """The trained head for an embedding model, or None when none was trained for it."""
    name = "sentiment_head_" + re.sub(r"[^a-z0-9]+", "_", model.casefold()) + ".json"
    path = resources.files("journey_tools.resources").joinpath(name)
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if list(data["classes"]) != list(LABELS):
        raise ValueError(f"{name}: classes must be {LABELS}")
    return SentimentHead(
        model=data["model"],
        weights=np.asarray(data["weights"], dtype=np.float32),
        bias=np.asarray(data["bias"], dtype=np.float32),
        scale=float(data["scale"]),
    )


def softmax3(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


@dataclass(frozen=True, slots=True)
class SentimentResult:
    label: Label
    score: float
    """-1 (very negative) .. +1 (very positive)."""
    method: Literal["rating", "text"]


def from_rating(rating: float, rating_type: str) -> SentimentResult:
    """NPS 0-6 negative, 7-8 neutral, 9-10 positive; CSAT 1-2 / 3 / 4-5; CES (1-7, higher is easier) 1-3 / 4 / 5-7."""
    if rating_type == "nps":
        label: Label = (
            "negative"
            if rating <= NPS_DETRACTOR_MAX
            else "neutral"
            if rating < NPS_PROMOTER_MIN
            else "positive"
        )
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
        resources.files("journey_tools.resources").joinpath("sentiment_prototypes.json").read_text("utf-8")
    )
    return {label: list(data[label]) for label in LABELS}


class TextSentiment:
    """Classifies texts with the model's trained head if it has one, else against the prototype sentences.

    `example_vectors`/`example_labels` are texts a person labelled (corrections, label indices into
    LABELS): every other text gets extra evidence for the classes whose examples it resembles more than
    it resembles the examples as a whole."""

    def __init__(
        self,
        encode: Encoder,
        head: SentimentHead | None = None,
        example_vectors: np.ndarray | None = None,
        example_labels: Sequence[int] = (),
    ) -> None:
        self.encode = encode
        self.head = head
        protos = prototype_texts()
        self.class_of = np.concatenate([np.full(len(protos[c]), i) for i, c in enumerate(LABELS)])
        self.prototypes = encode([t for c in LABELS for t in protos[c]]) if head is None else None
        self.example_labels = np.asarray(example_labels, dtype=int)
        self.examples = (
            np.asarray(example_vectors, dtype=np.float32)
            if example_vectors is not None and len(self.example_labels)
            else None
        )

    def class_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) similarity scores: mean of the top-k prototype similarities per class, plus cue nudges."""
        assert self.prototypes is not None
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

    def head_logits(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) logits of the trained head, with the sarcasm cues applied."""
        assert self.head is not None
        logits = self.head.logits(vectors)
        for i, text in enumerate(texts):
            if _SARCASM.search(text):
                logits[i, 0] += SARCASM_SHIFT
                logits[i, 2] -= SARCASM_SHIFT
        return logits

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, 3) class probabilities (negative, neutral, positive)."""
        if self.head is not None:
            logits = self.head_logits(vectors, texts)
        else:
            logits = self.class_scores(vectors, texts) / 0.01
        if self.examples is not None and len(texts):
            overall = self.examples.mean(axis=0)
            for k in np.unique(self.example_labels):
                centre = self.examples[self.example_labels == k].mean(axis=0)
                logits[:, k] += EXAMPLE_WEIGHT * (vectors @ (centre - overall))
        return softmax3(logits)

    def classify(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[SentimentResult]:
        if not texts:
            return []
        vecs = self.encode(texts) if vectors is None else vectors
        probs = self.probabilities(vecs, texts)
        best = probs.argmax(axis=1)
        polarity = np.clip(probs[:, 2] - probs[:, 0], -1.0, 1.0)
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
