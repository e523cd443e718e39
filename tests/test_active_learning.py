"""Learning from corrections: which rows to ask about (the least certain), and the per-map classifier that
takes over as corrections accumulate (scikit-learn), measured in evals/ANALYSIS_QUALITY.md."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from assistant.contracts.requests import AssignOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.workspace import Workspace
from journey_tools.stage_corrections import MIN_CORRECTIONS, CorrectionModel, most_uncertain

MAP = {
    "title": "Parcel shop",
    "stages": [
        {"name": "Checkout", "description": "Paying for the order with a card."},
        {"name": "Delivery", "description": "The courier brings the parcel."},
        {"name": "Support", "description": "Asking the help desk a question."},
    ],
}


def test_the_least_certain_rows_come_first_one_per_text() -> None:
    texts = ["a", "b", "A", "c", "d"]
    assert most_uncertain([0.9, 0.4, 0.3, 0.5, 0.2], texts, 3) == [
        4,
        2,
        1,
    ]  # "A" and "a" are one text: 0 is not


def test_the_classifier_needs_enough_corrections_in_two_stages() -> None:
    rng = np.random.default_rng(0)
    few = rng.normal(size=(MIN_CORRECTIONS - 1, 5))
    assert CorrectionModel.fit(few, [i % 2 for i in range(len(few))], 3) is None
    one_stage = rng.normal(size=(MIN_CORRECTIONS, 5))
    assert CorrectionModel.fit(one_stage, [0] * MIN_CORRECTIONS, 3) is None
    x = np.vstack([rng.normal(0, 1, (15, 5)) + 3, rng.normal(0, 1, (15, 5)) - 3])
    model = CorrectionModel.fit(x, [0] * 15 + [1] * 15, 3)
    assert model is not None
    zero = np.full((2, 3), 1 / 3)
    blended = model.blend(zero, np.vstack([np.full(5, 3.0), np.full(5, -3.0)]))
    assert blended[0, 0] > blended[0, 1] and blended[1, 1] > blended[1, 0]
    assert np.allclose(blended[:, 2], 1 / 3)  # a stage nobody corrected keeps its zero-shot share
    assert np.allclose(blended.sum(axis=1), 1.0)


def test_assign_can_list_only_the_rows_worth_correcting(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows(
            [
                ("c1", "card payment failed at checkout"),
                ("c2", "checkout rejected my card twice"),
                ("d1", "courier left the parcel in the rain"),
                ("s1", "help desk never answered my question"),
                ("x1", "hmm"),
            ]
        )
    workspace.ingest(IngestRequest(files=[path], source="s", index=False))
    journey = map_from_data(MAP)
    everything = workspace.assign(journey).rows
    top = workspace.assign(journey, AssignOptions(uncertain=2)).rows
    assert len(top) == 2
    assert [r.confidence for r in top] == sorted(r.confidence for r in everything)[:2]
