"""Assign feedback rows to the stages of a journey map, with a confidence, offline.

Each stage becomes a few "profile" texts: its name and description, each step (action, touchpoint,
thoughts, pain points), and the customer vocabulary of the common stage it resembles (from
tools/resources/stage_archetypes.json), so a hand-written map with bare stage names still works.
A row goes to the stage whose profiles it is most similar to; when the best stage does not stand out
clearly the row stays unassigned rather than being forced somewhere. An explicit stage column wins.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from tools.encoders import Encoder, normalise_rows
from tools.sentiment import prototype_texts

TEMPERATURE = 0.015
"""Softmax temperature over cosine similarities (e5 similarities sit in a narrow band)."""
MIN_CONFIDENCE = 0.35
"""Below this the row is left unassigned."""
KEYWORD_BONUS = 0.02


@dataclass(frozen=True, slots=True)
class Assignment:
    stage: str | None
    confidence: float
    method: str
    """'column' (the data named the stage), 'similarity', or 'none'."""


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
    raw = json.loads(resources.files("tools.resources").joinpath("stage_archetypes.json").read_text("utf-8"))
    return tuple(Archetype(a["id"], tuple(a["names"]), tuple(a["cues"])) for a in raw["archetypes"])


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-/&·.]+", " ", text).strip()


def match_archetypes(stage: StageSpec) -> list[Archetype]:
    """Archetypes whose names appear in the stage's name (or the stage name in theirs)."""
    name = norm(stage.name)
    found = []
    for arch in archetypes():
        for alias in arch.names:
            a = norm(alias)
            if a == name or re.search(rf"(^|\s){re.escape(a)}($|\s)", name) or (len(a) >= 2 and a in name):
                found.append(arch)
                break
    return found


def stage_profiles(stage: StageSpec) -> list[str]:
    """The texts that describe what customers say about a stage."""
    head = " ".join(x for x in (stage.name, stage.description, stage.goal) if x)
    texts = [head]
    for step in stage.steps:
        parts = [step.action, step.touchpoint, step.thoughts, *step.pain_points]
        texts.append(f"{stage.name}: " + ", ".join(p for p in parts if p))
    for arch in match_archetypes(stage):
        texts.extend(f"{stage.name}: {cue}" for cue in arch.cues)
    return texts


def stage_keywords(stage: StageSpec) -> list[str]:
    words = {norm(stage.name)}
    for arch in match_archetypes(stage):
        words.update(norm(n) for n in arch.names if len(n) >= 3)
    return sorted(w for w in words if w)


def sentiment_axis(encode: Encoder) -> np.ndarray:
    """Unit vector from the positive to the negative prototype sentences' centroid."""
    protos = prototype_texts()
    axis = encode(protos["negative"]).mean(axis=0) - encode(protos["positive"]).mean(axis=0)
    return (axis / (np.linalg.norm(axis) or 1.0)).astype(np.float32)


class StageAssigner:
    """Built once per map; assigns any number of rows."""

    def __init__(self, stages: Sequence[StageSpec], encode: Encoder) -> None:
        self.stages = list(stages)
        self.names = [s.name for s in self.stages]
        self.encode = encode
        owners: list[int] = []
        texts: list[str] = []
        for i, stage in enumerate(self.stages):
            profiles = stage_profiles(stage)
            texts.extend(profiles)
            owners.extend([i] * len(profiles))
        self.owner = np.asarray(owners)
        self.sentiment_axis = sentiment_axis(encode)
        self.profiles = self.topic(encode(texts))
        self.keywords = [stage_keywords(s) for s in self.stages]
        self._by_label = {norm(n): n for n in self.names}

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

    def stage_scores(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """(n, stages) score: the best profile similarity per stage, plus a bonus for naming the stage."""
        sims = self.topic(vectors) @ self.profiles.T
        scores = np.full((len(texts), len(self.names)), -1.0, dtype=np.float32)
        for i in range(len(self.names)):
            cols = sims[:, self.owner == i]
            top = np.sort(cols, axis=1)[:, -2:]
            scores[:, i] = top.max(axis=1) * 0.7 + top.mean(axis=1) * 0.3
        for row, text in enumerate(texts):
            t = norm(text)
            for i, words in enumerate(self.keywords):
                if any(w in t for w in words):
                    scores[row, i] += KEYWORD_BONUS
        return scores

    def assign(
        self,
        texts: Sequence[str],
        labels: Sequence[str | None] | None = None,
        vectors: np.ndarray | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> list[Assignment]:
        labels = labels or [None] * len(texts)
        explicit = [self.from_label(lbl) for lbl in labels]
        todo = [i for i, stage in enumerate(explicit) if stage is None]
        out: list[Assignment] = [
            Assignment(stage, 1.0, "column") if stage is not None else Assignment(None, 0.0, "none")
            for stage in explicit
        ]
        if not todo:
            return out
        vecs = vectors[todo] if vectors is not None else self.encode([texts[i] for i in todo])
        scores = self.stage_scores(vecs, [texts[i] for i in todo])
        z = (scores - scores.max(axis=1, keepdims=True)) / TEMPERATURE
        probs = np.exp(z)
        probs /= probs.sum(axis=1, keepdims=True)
        best = probs.argmax(axis=1)
        for j, i in enumerate(todo):
            conf = float(probs[j, best[j]])
            stage = self.names[int(best[j])] if conf >= min_confidence else None
            out[i] = Assignment(stage, round(conf, 4), "similarity" if stage else "none")
        return out
