"""Understanding a request without a language model: which job it is, and its slots.

The intent comes from the nearest example requests (assistant/turns/resources/intent_examples.json)
in the product's embedding space, with a few high-precision word rules in front; the slots (stage,
period, segment, export format) come from the map's own stage names, the stored columns, and small
word lists in both languages. It runs in milliseconds, so the embedded mode answers diagnosis,
ideas, search and export requests while its language model is still loading.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.domain.map_model import JourneyMap
from assistant.embedding import Embedder
from journey_tools.language import Language

Intent = Literal[
    "draft_map",
    "draft_personas",
    "edit_map",
    "undo",
    "diagnose",
    "ideas",
    "survey",
    "search_methodology",
    "search_feedback",
    "export",
    "help",
]
INTENTS: tuple[Intent, ...] = (
    "draft_map",
    "draft_personas",
    "edit_map",
    "undo",
    "diagnose",
    "ideas",
    "survey",
    "search_methodology",
    "search_feedback",
    "export",
    "help",
)
ExportFormat = Literal["json", "md", "csv", "xlsx", "mermaid", "html"]
K = 5

_FORMATS: list[tuple[ExportFormat, re.Pattern[str]]] = [
    ("xlsx", re.compile(r"xlsx|excel|엑셀|스프레드시트|spreadsheet", re.I)),
    ("csv", re.compile(r"\bcsv\b", re.I)),
    ("mermaid", re.compile(r"mermaid|머메이드|다이어그램|diagram", re.I)),
    ("html", re.compile(r"\bhtml\b|웹\s?페이지|web page", re.I)),
    ("md", re.compile(r"markdown|마크다운|\bmd\b", re.I)),
    ("json", re.compile(r"\bjson\b", re.I)),
]
_EXPORT_VERB = re.compile(r"export|download|save|send me|내보내|다운로드|저장|파일로|받을|받고", re.I)
_UNDO = re.compile(r"^\s*(undo|revert|go back|되돌|원래대로|취소|이전 버전)", re.I)
_PREVIOUS = re.compile(
    r"last (quarter|month|period|year)|previous (quarter|month|period)|than before|compared (to|with) (last|the previous)"
    r"|worse than|better than|지난\s?(분기|달|기간|해)|전\s?분기|이전\s?(분기|기간)|전보다|예전보다|나빠|좋아졌",
    re.I,
)
_WHICH_STAGE = re.compile(
    r"which (stage|step|part)\b.{0,60}\b(worst|weakest|most complaints|most negative|underperform\w*|lowest|highest"
    r"|complain\w*)|\b(worst|weakest|underperforming) (stage|step)|\bmost complaints\b"
    r"|(어느|어떤|무슨)\s?단계.{0,30}(부진|나쁘|나빠|불만|낮|약하)|가장\s?(부진|나쁜|약한)|불만이\s?(가장|제일)\s?많",
    re.I,
)
"""A question about which stage does worst: a diagnosis, whatever the nearest examples say."""
_CHANGE_MAP = re.compile(
    r"\b(add|insert|remove|delete|rename|move|merge|split)\b|추가|삽입|넣어|삭제|지워|빼 ?줘|이름을|옮겨|바꿔",
    re.I,
)
_SEGMENT_EN = re.compile(r"\bby ([\w\-]+)|\bper ([\w\-]+)|\bfor each ([\w\-]+)", re.I)
_SEGMENT_KO = re.compile(r"(\w+)별")


def detect_language(text: str, default: Language = "en") -> Language:
    """Korean when Hangul outweighs Latin letters."""
    hangul = sum(1 for c in text if "\uac00" <= c <= "\ud7a3" or "\u3131" <= c <= "\u318e")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    if hangul == 0 and latin == 0:
        return default
    return "ko" if hangul * 2 >= latin else "en"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


@lru_cache(maxsize=1)
def examples() -> dict[Intent, list[str]]:
    raw = json.loads(
        resources.files("assistant.turns").joinpath("resources", "intent_examples.json").read_text("utf-8")
    )
    return {intent: list(raw[intent]) for intent in INTENTS}


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    confidence: float
    language: Language
    stage: str | None = None
    """A stage of the current map the request names."""
    compare_to: Literal["rest", "previous"] = "rest"
    segment_by: str | None = None
    export_format: ExportFormat | None = None
    text: str = ""


class IntentClassifier:
    """Nearest examples in embedding space, voted by similarity, behind a few exact rules.

    The examples' vectors are kept in `cache_dir` (keyed by the model and the examples' text), so only
    the first start pays for embedding them."""

    def __init__(self, embedder: Embedder, cache_dir: Path | None = None) -> None:
        self.embedder = embedder
        pairs = [(intent, text) for intent, texts in examples().items() for text in texts]
        self.labels = [p[0] for p in pairs]
        texts = [p[1] for p in pairs]
        digest = hashlib.sha256(json.dumps([embedder.name, texts], ensure_ascii=False).encode()).hexdigest()[
            :16
        ]
        cached = cache_dir / f"intent-examples-{digest}.npy" if cache_dir is not None else None
        if cached is not None and cached.is_file():
            self.vectors = np.load(cached)
        else:
            self.vectors = embedder.embed(texts, "query")
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                np.save(cached, self.vectors)

    def classify(self, text: str) -> tuple[Intent, float]:
        if _UNDO.search(text):
            return "undo", 1.0
        if _EXPORT_VERB.search(text) and any(p.search(text) for _, p in _FORMATS):
            return "export", 1.0
        if _WHICH_STAGE.search(text) and not _CHANGE_MAP.search(text):
            return "diagnose", 1.0
        vector = self.embedder.embed([text], "query")[0]
        sims = self.vectors @ vector
        top = np.argsort(-sims)[:K]
        votes: dict[Intent, float] = {}
        for i in top:
            votes[self.labels[i]] = votes.get(self.labels[i], 0.0) + float(np.exp(sims[i] / 0.05))
        best = max(votes, key=lambda k: votes[k])
        return best, votes[best] / sum(votes.values())


_STOP = {"and", "the", "with", "for", "from", "into", "stage", "step", "your", "our", "단계", "및", "그리고"}


def _distinctive_words(name: str) -> set[str]:
    """Words of a stage name that can stand for it: long enough, and not filler."""
    words = {_norm(p) for p in re.split(r"[·/&,()\-\s]+", name)}
    return {w for w in words if w not in _STOP and (len(w) >= 4 or (len(w) >= 2 and not w.isascii()))}


def find_stage(text: str, journey: JourneyMap | None) -> str | None:
    """The stage the text names: its full name, else a distinctive word of it that no other stage shares."""
    if journey is None:
        return None
    folded = _norm(text)
    words = {name: _distinctive_words(name) for name in journey.stage_names}
    best: tuple[int, str] | None = None
    for name in journey.stage_names:
        shared = set().union(*(w for other, w in words.items() if other != name))
        for cand in {_norm(name), *(words[name] - shared)}:
            pattern = rf"(?<![\w]){re.escape(cand)}" if cand.isascii() else re.escape(cand)
            if cand and re.search(pattern, folded) and (best is None or len(cand) > best[0]):
                best = (len(cand), name)
    return best[1] if best else None


def find_segment(text: str, columns: Sequence[str]) -> str | None:
    """A stored column the text asks to break down by ("by channel", "채널별").

    Never the feedback's own stage column: every diagnosis is already per stage, and "심사 단계" names a
    stage, not a breakdown by a column called 단계."""
    from assistant.feedback.columns import ROLE_NAMES, normalise

    columns = [c for c in columns if normalise(c) not in ROLE_NAMES["stage"] and c != "stage_label"]
    lookup = {_norm(c): c for c in columns}
    for m in list(_SEGMENT_EN.finditer(text)) + list(_SEGMENT_KO.finditer(text)):
        word = _norm(next(g for g in m.groups() if g))
        if word in lookup:
            return lookup[word]
        for key, column in lookup.items():
            if word and (word in key or key in word):
                return column
    # "concentrated in particular app versions", "which region is worst": a column named in the question
    # (underscores read as spaces, an English plural allowed), the longest name first.
    folded = " ".join(text.casefold().split())
    for column in sorted(columns, key=len, reverse=True):
        name = " ".join(column.replace("_", " ").replace("-", " ").casefold().split())
        # Korean names take particles (채널에서): only an English name needs a word end after it.
        end = r"(?:e?s)?(?!\w)" if name[-1].isascii() else ""
        if len(name) >= 2 and re.search(rf"(?<!\w){re.escape(name)}{end}", folded):
            return column
    return None


def asks_for_export(text: str) -> bool:
    """The message asks for a file: an export verb or a file format in the user's own words."""
    return bool(_EXPORT_VERB.search(text) or any(p.search(text) for _, p in _FORMATS))


def understand(
    text: str,
    classifier: IntentClassifier,
    journey: JourneyMap | None = None,
    columns: Sequence[str] = (),
    language: Language | None = None,
) -> Understanding:
    intent, confidence = classifier.classify(text)
    fmt = next((f for f, p in _FORMATS if p.search(text)), None)
    return Understanding(
        intent=intent,
        confidence=round(confidence, 3),
        language=language or detect_language(text),
        stage=find_stage(text, journey),
        compare_to="previous" if _PREVIOUS.search(text) else "rest",
        segment_by=find_segment(text, columns),
        export_format=fmt,
        text=text,
    )
