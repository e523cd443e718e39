"""The reference journeys in `knowledge/journeys/`: our own worked examples, one per domain and language,
each a valid journey map with what a practitioner expects of the domain (its essential stages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.domain import JourneyMap, map_from_data
from assistant.resources import reference_journeys_dir
from journey_tools.language import Language, language_of


@dataclass(frozen=True)
class Reference:
    id: str
    """E.g. 'consumer-loan-mobile.ko'."""
    domain: str
    """E.g. 'consumer-loan-mobile' (both languages share it)."""
    language: Language
    title: str
    summary: str
    keywords: tuple[str, ...]
    essentials: tuple[str, ...]
    """Words the domain's stages must cover (a loan: review, agreement, disbursement, repayment)."""
    map: JourneyMap

    def describe(self) -> str:
        """The text retrieval embeds: what the journey is about, in its own words."""
        stages = ", ".join(self.map.stage_names)
        return f"{self.title}. {self.summary} {stages}."


def load_reference(path: Path) -> Reference:
    data = json.loads(path.read_text(encoding="utf-8"))
    head = data["reference"]
    journey = map_from_data(data["map"])
    return Reference(
        id=head["id"],
        domain=head["domain"],
        language=language_of(head.get("language") or journey.language),
        title=head.get("title") or journey.title,
        summary=head.get("summary", ""),
        keywords=tuple(head.get("keywords", [])),
        essentials=tuple(head.get("essentials", [])),
        map=journey,
    )


@lru_cache(maxsize=4)
def _load(folder: str) -> tuple[Reference, ...]:
    return tuple(load_reference(p) for p in sorted(Path(folder).glob("*.json")))


def load_library(folder: Path | None = None) -> tuple[Reference, ...]:
    """Every reference journey (read once per process)."""
    return _load(str(folder or reference_journeys_dir()))


def by_domain(library: tuple[Reference, ...]) -> dict[str, dict[Language, Reference]]:
    out: dict[str, dict[Language, Reference]] = {}
    for ref in library:
        out.setdefault(ref.domain, {})[ref.language] = ref
    return out
