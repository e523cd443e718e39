"""A drafted map's evidence, checked against the stored feedback: every pain point either cites stored
rows verbatim or is marked inferred.

Pure: the map and the stored rows it cites come in (`Workspace.ground_map` reads them), the map with
only the evidence that holds comes out, with one note per change. A quote counts when it appears in the
row's stored text, whitespace aside; the citation then carries the row's file and row number as stored,
never as the model wrote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.contracts.feedback_records import StoredFeedback
from assistant.domain.loading import map_from_data
from assistant.domain.map_model import Evidence, JourneyMap


def cited_ids(journey: JourneyMap) -> list[str]:
    """The feedback ids the map's pain points cite, in map order."""
    return [
        e.feedback_id
        for stage in journey.stages
        for step in stage.steps
        for pain in step.pain_points
        for e in pain.evidence
        if e.feedback_id
    ]


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def ground_evidence(
    journey: JourneyMap, stored: Mapping[str, StoredFeedback]
) -> tuple[JourneyMap, list[str]]:
    """The map with each pain point's evidence kept only where it quotes the stored row it cites
    (`stored`: the rows by feedback id), and a pain point said to come from feedback marked inferred when
    none is left; with a note for each dropped citation and each pain point marked."""
    data: dict[str, Any] = journey.model_dump(mode="json")
    notes: list[str] = []
    for stage in data["stages"]:
        for step in stage["steps"]:
            for pain in step["pain_points"]:
                kept = []
                for ev in pain["evidence"]:
                    row = stored.get(ev.get("feedback_id") or "")
                    if row is None or _squeezed(ev["quote"]) not in _squeezed(row.text):
                        notes.append(
                            f"dropped evidence {ev.get('feedback_id')!r} for '{pain['description'][:60]}': "
                            "not a verbatim stored feedback row"
                        )
                        continue
                    kept.append(
                        Evidence(
                            feedback_id=row.feedback_id,
                            source_file=row.file_name,
                            row=row.row,
                            quote=ev["quote"],
                            sentiment=ev.get("sentiment"),
                        ).model_dump(mode="json")
                    )
                pain["evidence"] = kept
                if pain["provenance"] == "feedback" and not kept:
                    pain["provenance"] = "inferred"
                    notes.append(
                        f"marked '{pain['description'][:60]}' as inferred: it cites no stored feedback"
                    )
    return map_from_data(data), notes
