"""Corrections: stored per map identity, part of the labels' cache key, and used for the other rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.contracts.requests import CorrectOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.errors import JourneyError
from assistant.workspace import Workspace

runner = CliRunner()
MAP = {
    "title": "Parcel shop",
    "stages": [
        {"name": "Checkout", "description": "Paying for the order with a card."},
        {"name": "Delivery", "description": "The courier brings the parcel."},
        {"name": "Support", "description": "Asking the help desk a question."},
    ],
}
# Made-up words, so the hashing embedder has no stage evidence for them: only corrections can place them.
TEXTS = [
    ("z1", "zorblax quintic wobble"),
    ("z2", "zorblax quintic wobble again today"),
    ("f1", "frobnitz ratchet grommet"),
    ("f2", "frobnitz ratchet grommet once more"),
    ("c1", "card payment failed at checkout"),
    ("d1", "courier left the parcel in the rain"),
]


def write_rows(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "comment"])
        writer.writerows(TEXTS)
    return path


@pytest.fixture
def filled(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.ingest(IngestRequest(files=[write_rows(tmp_path / "rows.csv")], source="s", id_column="id"))
    return workspace


def by_id(ws: Workspace, ref: object) -> dict[str, tuple[str | None, str, str]]:
    result = ws.assign(ref)  # type: ignore[arg-type]
    return {r.external_id or "": (r.stage, r.stage_method, r.sentiment) for r in result.rows}


def test_corrections_relabel_the_row_and_move_similar_rows(filled: Workspace) -> None:
    journey = map_from_data(MAP)
    first = filled.assign(journey)
    again = filled.assign(journey)
    assert again.labelling.rows_labelled == 0  # cached
    filled.correct(journey, CorrectOptions(feedback_id="z1", stage="Support", sentiment="negative"))
    result = filled.correct(journey, CorrectOptions(feedback_id="f1", stage="Checkout", sentiment="positive"))
    assert result.map_id == "title:parcel shop" and result.stage_corrections == 2
    after = filled.assign(journey)
    assert after.labelling.map_key != first.labelling.map_key  # corrections are part of the cache key
    assert after.labelling.rows_labelled == len(TEXTS)
    labels = {r.external_id: r for r in after.rows}
    assert (labels["z1"].stage, labels["z1"].stage_method) == ("Support", "correction")
    assert (labels["z1"].sentiment, labels["z1"].sentiment_method) == ("negative", "correction")
    # The near-duplicates of the corrected rows follow them.
    assert labels["z2"].stage == "Support" and labels["f2"].stage == "Checkout"
    assert labels["z2"].sentiment == "negative" and labels["f2"].sentiment == "positive"
    # Clearing brings back the first key (its labels were dropped when the first correction came in).
    filled.correct(journey, CorrectOptions(feedback_id="z1", clear=True))
    filled.correct(journey, CorrectOptions(feedback_id="f1", clear=True))
    restored = filled.assign(journey)
    assert restored.labelling.map_key == first.labelling.map_key
    assert [r.stage for r in restored.rows] == [r.stage for r in first.rows]
    stale = filled.db.conn.execute("SELECT COUNT(DISTINCT map_key) FROM row_stage").fetchone()[0]
    assert stale == 1


def test_saved_maps_keep_corrections_by_name_and_files_by_title(filled: Workspace) -> None:
    journey = map_from_data(MAP)
    filled.save_map("shop", journey)
    saved = filled.correct("shop", CorrectOptions(feedback_id="c1", stage="Delivery"))
    assert saved.map_id == "saved:shop"
    assert by_id(filled, "shop")["c1"][:2] == ("Delivery", "correction")
    # The same map used as an object (not by name) is another identity: the saved map's corrections stay its own.
    assert by_id(filled, journey)["c1"][1] != "correction"


def test_bad_corrections_are_refused_in_one_sentence(filled: Workspace) -> None:
    journey = map_from_data(MAP)
    with pytest.raises(JourneyError, match="no stage 'Returns'"):
        filled.correct(journey, CorrectOptions(feedback_id="c1", stage="Returns"))
    with pytest.raises(JourneyError, match="No stored feedback row"):
        filled.correct(journey, CorrectOptions(feedback_id="nope", stage="Delivery"))
    with pytest.raises(JourneyError, match="Give a stage"):
        filled.correct(journey, CorrectOptions(feedback_id="c1"))


def test_cli_label_stores_a_correction_that_assign_uses(
    journey_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    map_path = tmp_path / "map.json"
    map_path.write_text(json.dumps(MAP), encoding="utf-8")
    rows = write_rows(tmp_path / "rows.csv")
    assert runner.invoke(app, ["ingest", str(rows), "--id-column", "id", "--source", "s"]).exit_code == 0
    done = runner.invoke(
        app,
        [
            "label",
            "--map",
            str(map_path),
            "--feedback-id",
            "d1",
            "--stage",
            "Support",
            "--sentiment",
            "neutral",
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["stage"] == "Support"
    text = runner.invoke(app, ["label", "--map", str(map_path), "--feedback-id", "c1", "--stage", "Delivery"])
    assert text.exit_code == 0 and "stage = Delivery" in text.stdout
    bad = runner.invoke(app, ["label", "--map", str(map_path), "--feedback-id", "c1", "--stage", "Nope"])
    assert bad.exit_code != 0 and "no stage 'Nope'" in bad.output
    assigned = json.loads(runner.invoke(app, ["assign", "--map", str(map_path), "--json"]).stdout)
    got = {r["external_id"]: r for r in assigned["rows"]}
    assert (got["d1"]["stage"], got["d1"]["sentiment"]) == ("Support", "neutral")
    assert got["c1"]["stage_method"] == "correction"
