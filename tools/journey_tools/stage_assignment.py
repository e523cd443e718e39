"""Assign feedback rows to the stages of a journey map, with a confidence, offline.

Each stage becomes a few "profile" texts: its name, its description as a whole and item by item, each
step (action, touchpoint, thoughts, pain points), and, where the stage's name is a common stage
(tools/journey_tools/resources/stage_archetypes.json), that archetype's customer vocabulary, so a hand-written map
with bare stage names still works. A row's score for a stage is its embedding similarity to the
stage's best profiles (with the sentiment direction projected out), plus lexical evidence: the words it
shares with the stage's own texts, weighted by how well they separate the stages within the map and
among the customers' rows (tools/journey_tools/stage_lexical.py: a word most rows use, like "flight" in airline
posts, carries nothing). Rows are read without handles, links and redaction marks
(tools/journey_tools/text_clean.py). An explicit stage column wins. Rows a person labelled (corrections) become
examples that pull similar rows to their stage.

A row is left unassigned, with the reason, when no stage is evidenced rather than forcing a guess that
would move the ranking:
- ``no_evidence``: a short text with no word specific to any stage that is not closer to one stage's
  profiles than to the map as a whole ("worst airline ever", "thanks for nothing");
- ``ambiguous``: the best stage does not stand out (its probability is below the threshold).
Long texts (complaint narratives) always say what went wrong somewhere, so only the second applies.

Every constant below was chosen on the development parts of evals/datasets (stage_sentiment, social,
narratives) only.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from journey_tools.encoders import Encoder, normalise_rows
from journey_tools.sentiment import prototype_texts
from journey_tools.stage_corrections import CorrectionModel
from journey_tools.stage_lexical import LexicalIndex, lexical_terms

TEMPERATURE = 0.015
"""Softmax temperature over the scores (e5 similarities sit in a narrow band)."""
MIN_CONFIDENCE = 0.30
"""Below this probability the row is left unassigned ..."""
MIN_LIFT = 1.8
"""... or below MIN_LIFT times the uniform share (1/stages), whichever is lower, so maps with many
stages do not leave most rows unassigned."""
LEXICAL_WEIGHT = 0.012
"""Score added per unit of weighted shared terms (a term of one stage in six, used by few rows, weighs
about 1.5). Raised from 0.006 with the corpus discount and stemming: dev macro-F1 narratives 0.585 ->
0.642, social 0.674 -> 0.727, stage_sentiment 0.773 -> 0.767 (within noise)."""
EVIDENCE_MARGIN = 0.02
"""A short row is unassigned for lack of evidence when its best stage's embedding score exceeds its mean
over the stages by less than this and ..."""
EVIDENCE_LEXICAL = 0.5
"""... no stage gets this much lexical evidence (about one stage-specific word used by few rows)."""
LONG_TEXT_TERMS = 40
"""Rows with this many matching terms or more are long texts: never unassigned for lack of evidence."""
EXAMPLE_WEIGHT = 0.2
"""Weight of the labelled examples' evidence: a row's similarity to the mean of a stage's examples minus
its similarity to the mean of all examples (a nearest-class-mean direction, zero for stages without
examples). Larger weights, a k-nearest-examples vote, fitted per-stage biases and a logistic
regression offset from the zero-shot scores all did worse on the development maps with 10-50 randomly
chosen corrections: see evals/ANALYSIS_QUALITY.md."""


@dataclass(frozen=True, slots=True)
class Assignment:
    stage: str | None
    confidence: float
    method: str
    """'column' (the data named the stage), 'similarity', 'correction' (a person labelled the row) or
    'none'."""
    reason: str = ""
    """Why a row is unassigned: 'no_evidence' or 'ambiguous' ('' when assigned)."""


@dataclass(frozen=True, slots=True)
class StepSpec:
    """What the assigner reads of a step of the map."""

    action: str
    touchpoint: str = ""
    thoughts: str = ""
    pain_points: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageSpec:
    """What the assigner reads of a stage of the map (plain data, so tools/ needs no domain model)."""

    name: str
    description: str = ""
    goal: str = ""
    steps: tuple[StepSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Archetype:
    id: str
    names: tuple[str, ...]
    cues: tuple[str, ...]


@lru_cache(maxsize=1)
def archetypes() -> tuple[Archetype, ...]:
    raw = json.loads(
        resources.files("journey_tools.resources").joinpath("stage_archetypes.json").read_text("utf-8")
    )
    return tuple(Archetype(a["id"], tuple(a["names"]), tuple(a["cues"])) for a in raw["archetypes"])


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-/&·.]+", " ", text).strip()


def _name_tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,·&/()\-]+", norm(text)) if t]


def match_archetypes(stage: StageSpec) -> list[Archetype]:
    """Archetypes one of whose names is a whole word (or run of words) of the stage's name.

    Whole words only: "요금" (billing) must not match "요금제 상담" (plan advice)."""
    name = _name_tokens(stage.name)
    found = []
    for arch in archetypes():
        for alias in arch.names:
            words = _name_tokens(alias)
            if words and any(name[i : i + len(words)] == words for i in range(len(name) - len(words) + 1)):
                found.append(arch)
                break
    return found


def map_archetypes(stages: Sequence[StageSpec]) -> list[list[Archetype]]:
    """Per stage, the archetypes it matches that no other stage of the map matches: a vocabulary shared
    by two stages cannot tell them apart, so it is left out."""
    matched = [match_archetypes(s) for s in stages]
    count: dict[str, int] = {}
    for found in matched:
        for arch in found:
            count[arch.id] = count.get(arch.id, 0) + 1
    return [[a for a in found if count[a.id] == 1] for found in matched]


def description_items(text: str) -> list[str]:
    """A description split into its items ("cleanliness, noise, bed and wifi" → four items)."""
    parts = re.split(r"[,;:，、.()]|\band\b|\bor\b| 및 | 또는 ", text)
    return [p.strip() for p in parts if len(p.strip()) >= 2]


def stage_profiles(stage: StageSpec, vocabulary: Sequence[Archetype] = ()) -> list[str]:
    """The texts that describe what customers say about a stage."""
    head = " ".join(x for x in (stage.name, stage.description, stage.goal) if x)
    texts = [head, stage.name]
    texts.extend(f"{stage.name}: {item}" for item in description_items(stage.description))
    for step in stage.steps:
        parts = [step.action, step.touchpoint, step.thoughts, *step.pain_points]
        texts.append(f"{stage.name}: " + ", ".join(p for p in parts if p))
    for arch in vocabulary:
        texts.extend(f"{stage.name}: {cue}" for cue in arch.cues)
    return list(dict.fromkeys(texts))


def sentiment_axis(encode: Encoder) -> np.ndarray:
    """Unit vector from the positive to the negative prototype sentences' centroid."""
    protos = prototype_texts()
    axis = encode(protos["negative"]).mean(axis=0) - encode(protos["positive"]).mean(axis=0)
    return (axis / (np.linalg.norm(axis) or 1.0)).astype(np.float32)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = (scores - scores.max(axis=1, keepdims=True)) / temperature
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def confidence_threshold(n_stages: int) -> float:
    """The least probability at which a row is assigned, for a map with `n_stages` stages."""
    return min(MIN_CONFIDENCE, MIN_LIFT / max(n_stages, 1))


class StageAssigner:
    """Built once per map; assigns any number of rows.

    `example_vectors`/`example_stages` are rows a person labelled (corrections): their stored vectors
    and stage indices. Every other row gets extra evidence for the stages whose examples it resembles
    more than it resembles the examples as a whole."""

    def __init__(
        self,
        stages: Sequence[StageSpec],
        encode: Encoder,
        use_archetypes: bool = True,
        example_vectors: np.ndarray | None = None,
        example_stages: Sequence[int] = (),
        corpus: Mapping[str, float] | None = None,
        example_texts: Sequence[str] = (),
    ) -> None:
        """`corpus` holds the share of the customers' rows containing each lexical term
        (`tools.stage_lexical.document_frequencies` over the rows in scope, or a sample of them).
        `example_texts` are the corrected rows' texts: with enough of them a per-map classifier is
        fitted (tools/journey_tools/stage_corrections.py)."""
        self.stages = list(stages)
        self.names = [s.name for s in self.stages]
        self.encode = encode
        vocab = map_archetypes(self.stages) if use_archetypes else [[] for _ in self.stages]
        owners: list[int] = []
        texts: list[str] = []
        per_stage: list[list[str]] = []
        for i, stage in enumerate(self.stages):
            profiles = stage_profiles(stage, vocab[i])
            per_stage.append(profiles)
            texts.extend(profiles)
            owners.extend([i] * len(profiles))
        self.owner = np.asarray(owners)
        self.sentiment_axis = sentiment_axis(encode)
        self.profiles = self.topic(encode(texts))
        self.lexical = LexicalIndex(per_stage, corpus)
        self.keywords = [
            sorted(
                {norm(stage.name)}
                | {norm(n) for a in match_archetypes(stage) for n in a.names if len(n) >= 3}
            )
            for stage in self.stages
        ]
        self._by_label = {norm(n): n for n in self.names}
        self.example_stages = np.asarray(example_stages, dtype=int)
        self.examples = (
            self.topic(np.asarray(example_vectors, dtype=np.float32))
            if example_vectors is not None and len(self.example_stages)
            else np.zeros((0, self.profiles.shape[1]), dtype=np.float32)
        )
        self.corrections: CorrectionModel | None = None
        if len(example_texts) == len(self.example_stages) and len(self.example_stages):
            features = self._features(np.asarray(example_vectors, dtype=np.float32), example_texts)[0]
            self.corrections = CorrectionModel.fit(features, list(self.example_stages), len(self.names))

    def from_label(self, label: str | None) -> str | None:
        """A stage named by the data itself (an explicit stage column), matched loosely."""
        if not label:
            return None
        key = norm(label)
        if key in self._by_label:
            return self._by_label[key]
        for i, words in enumerate(self.keywords):
            if key in words:
                return self.names[i]
        return None

    def topic(self, vectors: np.ndarray) -> np.ndarray:
        """Vectors with the negative-positive direction removed.

        Embeddings carry sentiment strongly, so without this every complaint drifts toward whichever stage
        is described in complaint-like words (support, typically). Measured on the labelled set and the
        planted scenario: stage accuracy up 0.7-3.8 points on 4 of 5 maps, and the support stage no longer
        collects other stages' complaints."""
        u = self.sentiment_axis
        return normalise_rows(vectors - np.outer(vectors @ u, u))

    def topic_dot(self, vectors: np.ndarray, other: np.ndarray) -> np.ndarray:
        """`self.topic(vectors) @ other` without building the projected matrix: projecting out the
        sentiment axis u leaves v - (v·u)u, of length sqrt(|v|² - (v·u)²), so the product is
        (v @ other - (v·u)(u @ other)) / that length (the same numbers to float rounding, a fraction
        of the work over a million rows)."""
        u = self.sentiment_axis
        along = vectors @ u
        lengths = np.sqrt(np.maximum(np.einsum("ij,ij->i", vectors, vectors) - along * along, 0.0))
        lengths[lengths == 0] = 1.0
        product = vectors @ other - np.outer(along, u @ other)
        return (product / lengths.reshape(-1, *([1] * (product.ndim - 1)))).astype(np.float32)

    def embedding_scores(self, vectors: np.ndarray) -> np.ndarray:
        """(n, stages): the best profile similarities per stage."""
        sims = self.topic_dot(vectors, self.profiles.T)
        scores = np.full((len(vectors), len(self.names)), -1.0, dtype=np.float32)
        for i in range(len(self.names)):
            cols = sims[:, self.owner == i]
            top = np.sort(cols, axis=1)[:, -2:]
            scores[:, i] = top.max(axis=1) * 0.7 + top.mean(axis=1) * 0.3
        return scores

    def stage_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, stages) score: the best profile similarities per stage plus the lexical evidence."""
        return self.embedding_scores(vectors) + LEXICAL_WEIGHT * self.lexical.scores(texts)

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, stages) probabilities: zero-shot scores plus the labelled examples' evidence, if any."""
        return self._probabilities(vectors, texts)[0]

    def _features(
        self, vectors: np.ndarray, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(classifier features, embedding scores, lexical scores) of rows."""
        embedding = self.embedding_scores(vectors)
        lexical = self.lexical.scores(texts)
        features = np.hstack([embedding, LEXICAL_WEIGHT * lexical, self.topic(vectors)])
        return features, embedding, lexical

    def _probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, whether each row is evidenced)."""
        scores, evidenced, features = self._scores(vectors, texts)
        probs = softmax(scores, TEMPERATURE)
        if self.corrections is not None and len(texts):
            probs = self.corrections.blend(probs, features)
        return probs, evidenced

    def _scores(self, vectors: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(scores, whether each row is evidenced, classifier features): the stage scores with the
        examples' evidence, and False for a short row with neither a stage-specific word nor a stage its
        embedding prefers."""
        features, embedding, lexical = self._features(vectors, texts)
        scores = embedding + LEXICAL_WEIGHT * lexical
        if len(self.example_stages) and len(texts):
            overall = self.examples.mean(axis=0)
            for k in np.unique(self.example_stages):
                centre = self.examples[self.example_stages == k].mean(axis=0)
                scores[:, k] += EXAMPLE_WEIGHT * self.topic_dot(vectors, (centre - overall)[:, None])[:, 0]
        margin = embedding.max(axis=1) - embedding.mean(axis=1)
        long_text = np.array([len(lexical_terms(t)) >= LONG_TEXT_TERMS for t in texts], dtype=bool)
        evidenced = (
            long_text | (margin >= EVIDENCE_MARGIN) | (lexical.max(axis=1, initial=0.0) >= EVIDENCE_LEXICAL)
        )
        return scores, evidenced, features

    def assign(
        self,
        texts: Sequence[str],
        labels: Sequence[str | None] | None = None,
        vectors: np.ndarray | None = None,
        min_confidence: float | None = None,
        corrected: Sequence[str | None] | None = None,
    ) -> list[Assignment]:
        """One assignment per text. `labels` are explicit stage labels from the data (a stage column);
        `corrected` are stages a person set (both win over the model)."""
        threshold = confidence_threshold(len(self.names)) if min_confidence is None else min_confidence
        labels = labels or [None] * len(texts)
        corrected = corrected or [None] * len(texts)
        out: list[Assignment] = []
        for fixed, label in zip(corrected, labels, strict=True):
            if fixed is not None and fixed in self.names:
                out.append(Assignment(fixed, 1.0, "correction"))
            elif (stage := self.from_label(label)) is not None:
                out.append(Assignment(stage, 1.0, "column"))
            else:
                out.append(Assignment(None, 0.0, "none"))
        todo = [i for i, a in enumerate(out) if a.method == "none"]
        if not todo:
            return out
        vecs = vectors[todo] if vectors is not None else self.encode([texts[i] for i in todo])
        probs, evidenced = self._probabilities(vecs, [texts[i] for i in todo])
        best = probs.argmax(axis=1)
        for j, i in enumerate(todo):
            conf = round(float(probs[j, best[j]]), 4)
            if not evidenced[j]:
                out[i] = Assignment(None, conf, "none", "no_evidence")
            elif conf < threshold:
                out[i] = Assignment(None, conf, "none", "ambiguous")
            else:
                out[i] = Assignment(self.names[int(best[j])], conf, "similarity")
        return out
