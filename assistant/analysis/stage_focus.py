"""Which stage an answer is about, and which stages have too little feedback to say anything.

Pure: a diagnosis and the map's stage names come in (the workspace computes and reads them), names come
out. One rule for every face: the stage asked about, else the worst-ranked one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.errors import JourneyError

if TYPE_CHECKING:
    from assistant.contracts.results import Diagnosis
    from assistant.domain.map_model import JourneyMap


def focus_stage(diagnosis: Diagnosis, stage: str | None = None) -> str | None:
    """The stage an answer is about: the one asked about, else the worst-ranked (None: nothing ranked)."""
    return stage or (diagnosis.ranking[0] if diagnosis.ranking else None)


def thin_stages(stage_names: Sequence[str], diagnosis: Diagnosis) -> list[str]:
    """The stages (in the order given) the diagnosis has under MIN_N rows for: too few to say anything,
    worth a survey question."""
    from journey_tools.stats import MIN_N  # statistics load on first use, not when the app imports this

    return [name for name in stage_names if (d := diagnosis.stage(name)) is not None and d.n < MIN_N]


def unknown_stage_error(asked: str | None, stage_names: Sequence[str]) -> JourneyError:
    """The one sentence for a stage the map does not have."""
    return JourneyError(f"The map has no stage {asked!r}; its stages are {', '.join(stage_names)}.")


def check_stages(asked: Sequence[str], stage_names: Sequence[str]) -> None:
    """Every stage asked about is one of the map's (ignoring case)."""
    known = {s.casefold() for s in stage_names}
    unknown = [n for n in asked if n.casefold() not in known]
    if unknown:
        raise unknown_stage_error(unknown[0], stage_names)


def is_moment_of_truth(journey: JourneyMap, stage: str) -> bool:
    """Whether any step of the stage is marked as a moment of truth (its ideas weigh more)."""
    return any(s.moment_of_truth.is_moment for s in journey.stage(stage).steps)


def map_description(journey: JourneyMap) -> str:
    """The map's title and its stages' names and descriptions: what the map is about, for inferring the
    business domain its ideas come from."""
    return " ".join([journey.title, *(f"{s.name} {s.description}" for s in journey.stages)])
