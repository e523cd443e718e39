"""A person's correction of a row's stage or sentiment: which row, which stage, what is stored, and which
rows a correction teaches most.

Pure: the candidate row ids, the map's stage names and the assigned rows come in (the workspace reads
them), decisions come out; an impossible correction is refused with a sentence saying what to give.
The workspace writes what is decided (`Workspace.correct`, `Workspace.assign`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.errors import JourneyError
from journey_tools.sentiment import LABELS, Label
from journey_tools.stage_corrections import most_uncertain

if TYPE_CHECKING:
    from assistant.contracts.results import AssignmentRow

SETTLED_METHODS = ("correction", "column")
"""Rows whose stage a person or the data gave: a correction teaches nothing there."""


def one_row(found: Sequence[str], asked: str) -> str:
    """The one stored row an id names (`found`: the feedback ids whose feedback id or own id is `asked`)."""
    if not found:
        raise JourneyError(f"No stored feedback row has the id {asked!r}.")
    if len(found) > 1:
        raise JourneyError(
            f"{len(found)} rows have the id {asked!r} (in different sources); "
            "give the feedback_id that `journey assign` shows."
        )
    return found[0]


def corrected_stage(stage_names: Sequence[str], asked: str | None) -> str | None:
    """The map's stage a correction names (ignoring case), as the map spells it; None when none is asked."""
    if asked is None:
        return None
    stage = next((n for n in stage_names if n.casefold() == asked.casefold()), None)
    if stage is None:
        raise JourneyError(f"The map has no stage {asked!r}; its stages are {', '.join(stage_names)}.")
    return stage


def check_correction(stage: str | None, sentiment: Label | None, clear: bool) -> None:
    """A correction gives a stage, a sentiment, or asks to clear the row's corrections."""
    if not clear and stage is None and sentiment is None:
        raise JourneyError("Give a stage, a sentiment, or --clear.")


def sentiment_score(label: Label) -> int:
    """A sentiment as the corrections store it: -1, 0 or 1."""
    return LABELS.index(label) - 1


def sentiment_label(score: int) -> Label:
    """The sentiment a stored correction score stands for."""
    return LABELS[score + 1]


def unsettled(rows: Sequence[AssignmentRow]) -> list[AssignmentRow]:
    """The rows whose stage no person or column settled: those a correction can teach from."""
    return [r for r in rows if r.stage_method not in SETTLED_METHODS]


def rows_to_correct(rows: Sequence[AssignmentRow], texts: Mapping[str, str], n: int) -> list[AssignmentRow]:
    """The `n` unsettled rows whose stage is least certain, one per distinct text (active learning: the
    corrections that teach most). `texts` holds the text of each unsettled row by feedback id."""
    open_rows = unsettled(rows)
    keep = most_uncertain([r.confidence for r in open_rows], [texts[r.feedback_id] for r in open_rows], n)
    return [open_rows[i] for i in keep]
