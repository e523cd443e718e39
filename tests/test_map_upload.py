"""A map file given in a chat is imported as the chat's map; feedback files stay feedback; and no message
shows the server's folder for an upload (tested with files under a temporary upload folder)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.agent.scripted import ScriptedChatModel
from assistant.chat_app.uploads import check_upload
from assistant.cli import app
from assistant.conversation import Assistant, TurnOptions
from assistant.domain import map_from_data
from assistant.errors import JourneyError, without_paths
from assistant.exports import export_map
from assistant.turns.events import Final, MapUpdate
from assistant.workspace import Workspace

AIRLINE = map_from_data(
    {
        "title": "US airline trip",
        "stages": [
            {"name": n, "steps": [{"action": f"{n} step"}]} for n in ("Booking", "Airport", "Departure")
        ],
    }
)


def upload_dir(tmp_path: Path) -> Path:
    """Where the app stages an upload: a server folder the user must never see."""
    folder = tmp_path / "srv-secret" / "uploads" / "upload-2"
    folder.mkdir(parents=True)
    return folder


def feedback_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["comment", "rating"])
        w.writerows([["the gate changed twice", 1], ["smooth boarding", 5], ["bag lost", 1]])
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = upload_dir(tmp_path)
    out = {
        "export_json": folder / "airline_map.json",
        "export_csv": folder / "airline_map.csv",
        "hand": folder / "hand.json",
        "hand_ko": folder / "대출_지도.json",
        "feedback_csv": feedback_csv(folder / "tweets.csv"),
        "feedback_json": folder / "rows.json",
        "other_json": folder / "settings.json",
        "bad_map": folder / "broken_map.json",
    }
    out["export_json"].write_bytes(export_map(AIRLINE, "json"))
    out["export_csv"].write_bytes(export_map(AIRLINE, "csv"))
    out["hand"].write_text(
        json.dumps({"title": "Trip", "stages": ["Airport", "Departure"]}), encoding="utf-8"
    )
    out["hand_ko"].write_text(json.dumps({"stages": [{"name": "신청"}, {"name": "심사"}]}), encoding="utf-8")
    out["feedback_json"].write_text(json.dumps([{"comment": "late again", "rating": 1}]), encoding="utf-8")
    out["other_json"].write_text(json.dumps({"comment": "not a list", "rating": 1}), encoding="utf-8")
    # Two stages with one name: a map, but an invalid one.
    out["bad_map"].write_text(json.dumps({"title": "X", "stages": ["Airport", "airport"]}), encoding="utf-8")
    return out


def test_maps_are_told_from_feedback_by_content(workspace: Workspace, files: dict[str, Path]) -> None:
    kinds = {k: workspace.file_kind(p) for k, p in files.items()}
    assert kinds == {
        "export_json": "map",
        "export_csv": "map",
        "hand": "map",
        "hand_ko": "map",
        "feedback_csv": "feedback",
        "feedback_json": "feedback",
        "other_json": "feedback",
        "bad_map": "map",
    }
    # The app's first check lets a map JSON through (it starts with '{').
    assert check_upload(files["export_json"], "airline_map.json", 10_000_000).kind == "json"


def test_every_map_format_imports_and_feedback_is_ingested(
    workspace: Workspace, files: dict[str, Path]
) -> None:
    for key in ("export_json", "export_csv"):
        added = workspace.add_file(files[key])
        assert added.kind == "map" and added.map is not None
        assert added.map.map.stage_names == ["Booking", "Airport", "Departure"]
    assert workspace.get_map("US airline trip").version == 1  # the same map twice is one version
    hand = workspace.add_file(files["hand"]).map
    assert hand is not None and hand.name == "Trip" and hand.map.stage_names == ["Airport", "Departure"]
    ko = workspace.add_file(files["hand_ko"]).map
    assert ko is not None and ko.map.title == "대출 지도" and ko.map.language == "ko"
    added = workspace.add_file(files["feedback_csv"], "tweets.csv")
    assert added.kind == "feedback" and added.ingest is not None and added.ingest.totals.rows_stored == 3
    assert workspace.feedback_count() == 3 and added.source == "tweets.csv"


def test_no_error_names_the_upload_folder(
    workspace: Workspace, files: dict[str, Path], tmp_path: Path
) -> None:
    for key in ("other_json", "bad_map"):
        with pytest.raises(JourneyError) as caught:
            workspace.add_file(files[key], files[key].name)
        message = str(caught.value)
        assert files[key].name in message and str(tmp_path) not in message and "srv-secret" not in message
    with pytest.raises(JourneyError, match=r"broken_map\.json: Invalid journey map: .*duplicate stage name"):
        workspace.add_file(files["bad_map"])
    staged = str(files["other_json"])
    assert without_paths(f"{staged}: the JSON must be an array") == "settings.json: the JSON must be an array"
    assert (
        without_paths("see https://example.org/a/b and 2024/05/01")
        == "see https://example.org/a/b and 2024/05/01"
    )


def test_a_dropped_map_becomes_the_chats_map(
    workspace: Workspace, files: dict[str, Path], tmp_path: Path
) -> None:
    workspace.save_map("other chat's map", map_from_data({"title": "Loan", "stages": [{"name": "신청"}]}))
    op = {"op": "add_stage", "position": 2, "stage": {"name": "Security"}}
    model = ScriptedChatModel.from_replies(
        [
            {"tool_calls": [{"name": "apply_map_operations", "args": {"operations": [op]}}]},
            {"tool_calls": [{"name": "ChatAnswer", "args": {"message": "Added."}}]},
        ]
    )
    assistant = Assistant.start(workspace, chat_model=model)
    events = list(assistant.add_file("chat-a", files["export_json"], "airline_map.json"))
    update = next(e for e in events if isinstance(e, MapUpdate))
    final = events[-1]
    assert isinstance(final, Final) and update.name == "US airline trip"
    assert "airline_map.json is a journey map" in final.text and final.map_name == "US airline trip"
    assert assistant.context("chat-a").map == "US airline trip" and assistant.context("chat-b").map is None
    # The next message in that chat edits that map, without naming it.
    list(assistant.send("chat-a", "add a Security stage between Airport and Departure", TurnOptions()))
    assert workspace.get_map("US airline trip").map.stage_names[2] == "Security" and model.remaining == 0
    # A feedback file joins the chat's data; a broken file is one sentence naming the file only.
    events = list(assistant.add_file("chat-a", files["feedback_csv"], "tweets.csv", "ko"))
    assert "3건" in events[-1].text and assistant.context("chat-a").datasets == ["tweets.csv"]  # type: ignore[union-attr]
    for key in ("other_json", "bad_map"):
        text = list(assistant.add_file("chat-a", files[key], files[key].name))[-1].text  # type: ignore[union-attr]
        assert text.startswith(f"{files[key].name} could not be added") and str(tmp_path) not in text
    assert assistant.context("chat-a").map == "US airline trip"
    assistant.close()


def test_journey_chat_takes_a_map_file(journey_home: Path, files: dict[str, Path], tmp_path: Path) -> None:
    lines = [f"/file {files['hand']}", "add a Security stage between Airport and Departure", "/exit"]
    result = CliRunner().invoke(app, ["chat"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "hand.json is a journey map" in result.output
    ws = Workspace.open()
    try:
        assert ws.get_map("Trip").map.stage_names == ["Airport", "Security", "Departure"]
    finally:
        ws.close()
    result = CliRunner().invoke(app, ["chat"], input=f"/file {files['bad_map']}\n/exit\n")
    assert "broken_map.json could not be added" in result.output and str(tmp_path) not in result.stdout
