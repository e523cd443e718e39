"""What a batch of stored rows gets from labelling, decided apart from SQL, models and caching.

`assistant/workspace/labelling.py` reads rows in batches, runs the stage assigner and the sentiment
model over them and writes the results. The decisions in between live here, on plain data with named
fields, so they can be tested without a store:

- which rows need a sentiment label (those without one cached) and whether the text model is needed
  (a row without a rating);
- a row's sentiment record: the person's correction wins over the model;
- a row's stage record: the stage index (-1 unassigned), the method with the reason of an unassigned
  row (`none:no_evidence`), the row's sentiment label and the copied feedback fields;
- how many rows were left unassigned, per reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass

from journey_tools.sentiment import LABELS, SentimentResult
from journey_tools.stage_assignment import Assignment


@dataclass(frozen=True, slots=True)
class PendingRow:
    """A stored row still to be labelled for a map, with what is already known about it."""

    feedback_id: str
    text: str
    rating: float | None
    rating_type: str | None
    stage_label: str | None
    """The data's own stage column, if any."""
    source: str
    date: str | None
    vector: bytes | None
    """The stored vector (float16 bytes), None when the row was stored after the embedding pass."""
    sentiment: int | None
    """The cached sentiment label (-1, 0, 1) of this labeller, None when not labelled yet."""


@dataclass(frozen=True, slots=True)
class SentimentRecord:
    """One row of `sentiment_labels`."""

    labeller: str
    feedback_id: str
    label: int
    score: float
    method: str

    def as_row(self) -> tuple[str, str, int, float, str]:
        return astuple(self)


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One row of `row_stage`."""

    map_key: str
    feedback_id: str
    stage: int
    confidence: float
    method: str
    label: int
    source: str
    date: str | None
    rating: float | None
    rating_type: str | None

    def as_row(self) -> tuple[object, ...]:
        return astuple(self)


def needs_sentiment(rows: Sequence[PendingRow]) -> list[int]:
    """Positions of the rows without a cached sentiment label."""
    return [i for i, r in enumerate(rows) if r.sentiment is None]


def needs_text_model(rows: Sequence[PendingRow], todo: Sequence[int]) -> bool:
    """Whether any row to label has no rating (only those are read by the text model)."""
    return any(rows[i].rating is None for i in todo)


def sentiment_records(
    labeller: str,
    rows: Sequence[PendingRow],
    todo: Sequence[int],
    results: Sequence[SentimentResult],
    corrections: Mapping[str, int],
) -> list[SentimentRecord]:
    """The sentiment labels of the rows at `todo` (one result each); a corrected row keeps the
    person's label, with the method 'correction'."""
    out = []
    for i, res in zip(todo, results, strict=True):
        fid = rows[i].feedback_id
        fixed = corrections.get(fid)
        if fixed is None:
            out.append(SentimentRecord(labeller, fid, LABELS.index(res.label) - 1, res.score, res.method))
        else:
            out.append(SentimentRecord(labeller, fid, fixed, float(fixed), "correction"))
    return out


def stage_method(assignment: Assignment) -> str:
    """The stored method: 'similarity', 'column', 'correction', or 'none:<reason>' when unassigned."""
    return f"{assignment.method}:{assignment.reason}" if assignment.reason else assignment.method


def stage_records(
    map_key: str,
    rows: Sequence[PendingRow],
    assignments: Sequence[Assignment],
    stage_index: Mapping[str, int],
    fresh: Sequence[SentimentRecord] = (),
) -> list[StageRecord]:
    """The stage labels of a batch, each with the row's sentiment label (cached or `fresh`)."""
    sentiment = {r.feedback_id: r.sentiment for r in rows if r.sentiment is not None}
    sentiment.update({s.feedback_id: s.label for s in fresh})
    return [
        StageRecord(
            map_key=map_key,
            feedback_id=r.feedback_id,
            stage=stage_index[a.stage] if a.stage is not None else -1,
            confidence=a.confidence,
            method=stage_method(a),
            label=sentiment[r.feedback_id],
            source=r.source,
            date=r.date,
            rating=r.rating,
            rating_type=r.rating_type,
        )
        for r, a in zip(rows, assignments, strict=True)
    ]


def count_unassigned(assignments: Sequence[Assignment], into: dict[str, int]) -> dict[str, int]:
    """Adds the batch's unassigned rows per reason to `into` (and returns it)."""
    for a in assignments:
        if a.reason:
            into[a.reason] = into.get(a.reason, 0) + 1
    return into
