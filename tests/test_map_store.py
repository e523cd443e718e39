"""Maps as stored, versioned objects: save, list, versions, history, undo, and the diff a person reads.

Everything goes through the Workspace on a real SQLite file in a temporary home.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.domain import JourneyMap, map_from_data
from assistant.errors import JourneyError
from assistant.maps.operations import OPERATION_ADAPTER
from assistant.maps.store import MAX_NAME, MapNotFound
from assistant.settings import load_settings
from assistant.workspace import Workspace


def journey(**changes: Any) -> JourneyMap:
    data: dict[str, Any] = {
        "title": "Loan application",
        "personas": [{"name": "Careful borrower", "age": "34"}],
        "stages": [
            {
                "name": "Explore",
                "steps": [{"action": "Reads the rate table"}, {"action": "Uses the calculator"}],
            },
            {"name": "Apply", "steps": [{"action": "Uploads documents"}, {"action": "Signs the contract"}]},
            {"name": "Receive", "steps": [{"action": "Gets the money"}]},
        ],
    }
    data.update(changes)
    return map_from_data(data)


def edit(ws: Workspace, name: str, *ops: dict[str, Any], author: str = "user") -> int:
    result = ws.edit_map(name, [OPERATION_ADAPTER.validate_python(o) for o in ops], author)  # type: ignore[arg-type]
    return result.version


def texts(ws: Workspace, name: str, a: int, b: int) -> list[str]:
    return [c.text for c in ws.diff_map(name, a, b).changes]


# --- saving, names, versions ----------------------------------------------------------------------------


def test_save_list_show_versions(workspace: Workspace) -> None:
    first = workspace.save_map("Loans", journey(), "user", "from the workshop")
    assert (first.name, first.version, first.author, first.reason) == (
        "Loans",
        1,
        "user",
        "from the workshop",
    )
    workspace.save_map("Cards", journey(title="Card application"), "assistant", "drafted")
    edit(workspace, "loans", {"op": "rename_stage", "stage": "Apply", "new_name": "Application"})

    listed = {m.name: m for m in workspace.list_maps()}
    assert set(listed) == {"Loans", "Cards"}
    assert (listed["Loans"].version, listed["Loans"].stages, listed["Loans"].title) == (
        2,
        3,
        "Loan application",
    )
    assert (listed["Cards"].author, listed["Cards"].reason) == ("assistant", "drafted")

    assert workspace.get_map("LOANS", 1).map.stage_names == ["Explore", "Apply", "Receive"]
    assert workspace.get_map("loans").map.stage_names == ["Explore", "Application", "Receive"]
    assert workspace.get_map("loans").map.version == 2
    assert [h.version for h in workspace.map_history("Loans")] == [1, 2]


def test_saving_an_unchanged_map_adds_no_version(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    again = workspace.save_map("Loans", journey(), "user", "saved again")
    assert again.version == 1
    # The stored map itself, read back and saved, is unchanged too.
    assert workspace.save_map("loans", workspace.get_map("Loans").map).version == 1
    assert len(workspace.map_history("Loans")) == 1


def test_adding_the_same_file_twice_adds_no_version(workspace: Workspace, tmp_path: Path) -> None:
    """A hand-written map file has no `created_at`, so each read stamps a new one; that is not a change."""
    path = tmp_path / "map.json"
    path.write_text(
        json.dumps(journey().model_dump(mode="json", exclude={"created_at", "updated_at"})), "utf-8"
    )
    assert workspace.save_map("Loans", workspace.import_map(path)).version == 1
    time.sleep(1.1)  # timestamps have one-second resolution
    assert workspace.save_map("Loans", workspace.import_map(path)).version == 1


def test_saving_a_changed_map_adds_a_version(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    changed = workspace.save_map(
        "Loans", journey(goal="Find where applicants give up"), "user", "added a goal"
    )
    assert changed.version == 2
    assert texts(workspace, "Loans", 1, 2) == ["Map goal: '' → 'Find where applicants give up'"]


def test_names_are_unique_regardless_of_case(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    workspace.save_map("LOANS", journey(title="Loan application v2"))
    assert [m.name for m in workspace.list_maps()] == ["LOANS"]  # one map; the latest spelling is shown
    assert [h.version for h in workspace.map_history("loans")] == [1, 2]
    assert workspace.get_map("lOaNs").map.title == "Loan application v2"


@pytest.mark.parametrize("bad", ["", "   ", "x" * (MAX_NAME + 1), "tab\tname", "line\nbreak"])
def test_bad_names_are_refused(workspace: Workspace, bad: str) -> None:
    with pytest.raises(JourneyError, match="A map name is"):
        workspace.save_map(bad, journey())
    assert workspace.list_maps() == []


def test_missing_map_and_missing_version_say_what_exists(workspace: Workspace) -> None:
    with pytest.raises(MapNotFound, match="No saved map is called 'ghost'"):
        workspace.get_map("ghost")
    with pytest.raises(MapNotFound, match="No saved map"):
        workspace.map_history("ghost")
    workspace.save_map("Loans", journey())
    with pytest.raises(MapNotFound, match="has versions 1-1; there is no version 5"):
        workspace.get_map("Loans", 5)


def test_maps_survive_reopening_the_workspace(tmp_path: Path) -> None:
    settings = load_settings(journey_home=tmp_path / "home", journey_embedding="hashing")
    with Workspace.open(settings) as ws:
        ws.save_map("Loans", journey())
        edit(ws, "Loans", {"op": "remove_stage", "stage": "Receive"}, author="assistant")
    with Workspace.open(settings) as ws:
        latest = ws.get_map("loans")
        assert (latest.version, latest.author) == (2, "assistant")
        assert latest.map.stage_names == ["Explore", "Apply"]


# --- undo ----------------------------------------------------------------------------------------------


def test_undo_goes_back_one_edit_and_is_itself_a_version(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "Apply", "new_name": "Application"})

    undone = workspace.undo_map("Loans")

    assert undone.version == 3
    assert [c.text for c in undone.diff.changes] == ["Renamed stage 'Application' → 'Apply'"]
    latest = workspace.get_map("Loans")
    assert latest.map.stage_names == ["Explore", "Apply", "Receive"]
    assert latest.reason == "undo: back to version 1"
    assert [h.version for h in workspace.map_history("Loans")] == [1, 2, 3]
    # The undone edit is still in the history and can be looked at.
    assert workspace.get_map("Loans", 2).map.stage_names == ["Explore", "Application", "Receive"]


def test_undo_twice_walks_back_two_edits_then_stops(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "Apply", "new_name": "A2"})
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "A2", "new_name": "A3"})

    workspace.undo_map("Loans")
    assert workspace.get_map("Loans").map.stage_names[1] == "A2"
    workspace.undo_map("Loans")  # not a redo of the first undo
    assert workspace.get_map("Loans").map.stage_names[1] == "Apply"
    assert [h.reason for h in workspace.map_history("Loans")][-2:] == [
        "undo: back to version 2",
        "undo: back to version 1",
    ]
    with pytest.raises(JourneyError, match="Nothing to undo"):
        workspace.undo_map("Loans")
    assert workspace.get_map("Loans").version == 5


def test_undo_after_an_edit_that_followed_an_undo(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "Apply", "new_name": "A2"})  # v2
    workspace.undo_map("Loans")  # v3 = v1
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "Receive", "new_name": "Payout"})  # v4
    workspace.undo_map("Loans")  # v5 = v3
    assert workspace.get_map("Loans").map.stage_names == ["Explore", "Apply", "Receive"]
    assert workspace.get_map("Loans").reason == "undo: back to version 3"
    # v3 had undone the only earlier edit, so the map is back at its start: undo says so, it does not
    # redo the undone rename.
    with pytest.raises(JourneyError, match="Nothing to undo"):
        workspace.undo_map("Loans")


def test_undo_at_version_one_is_a_clear_error(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    with pytest.raises(JourneyError) as refused:
        workspace.undo_map("Loans")
    assert "Nothing to undo" in str(refused.value) and "first version" in str(refused.value)
    assert workspace.get_map("Loans").version == 1
    with pytest.raises(MapNotFound):
        workspace.undo_map("ghost")


# --- the diff a person reads ---------------------------------------------------------------------------


def test_diff_of_a_stage_renamed_with_its_steps_is_a_rename(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    renamed = journey()
    renamed.stages[1].name = "Application"
    workspace.save_map("Loans", renamed)
    diff = workspace.diff_map("Loans", 1, 2)
    assert [(c.kind, c.before, c.after) for c in diff.changes] == [("stage_renamed", "Apply", "Application")]


def test_diff_of_an_empty_stage_renamed_in_place_is_a_rename(workspace: Workspace) -> None:
    workspace.save_map("Tiny", map_from_data({"title": "T", "stages": [{"name": "A"}, {"name": "B"}]}))
    workspace.save_map("Tiny", map_from_data({"title": "T", "stages": [{"name": "A"}, {"name": "C"}]}))
    assert texts(workspace, "Tiny", 1, 2) == ["Renamed stage 'B' → 'C'"]


def test_diff_of_stage_and_step_moves(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(
        workspace,
        "Loans",
        {"op": "reorder_stages", "order": ["Receive", "Explore", "Apply"]},
        {"op": "move_step", "stage": "Explore", "step": "Uses the calculator", "position": 0},
        {
            "op": "move_step",
            "stage": "Apply",
            "step": "Signs the contract",
            "to_stage": "Receive",
            "position": 0,
        },
    )
    said = texts(workspace, "Loans", 1, 2)
    assert sorted(said) == sorted(
        [
            "Moved stage 'Receive' from position 3 to 1",
            "Moved step 'Uses the calculator' in 'Explore' from 2 to 1",
            "Moved step 'Signs the contract' from 'Apply' to 'Receive'",
        ]
    )


def test_diff_lists_field_changes_old_to_new(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(
        workspace,
        "Loans",
        {"op": "set_emotion", "stage": "Apply", "step": "Uploads", "score": -2, "label": "stressed"},
        {"op": "update_stage", "stage": "Explore", "goal": "Know the rate"},
        {"op": "add_kpi", "stage": "Receive", "kpi": {"name": "Time to money"}},
    )
    changes = workspace.diff_map("Loans", 1, 2).changes
    by_path = {c.path: (c.before, c.after, c.text) for c in changes}
    assert by_path["stages[Apply].steps[0].emotion.score"][:2] == (0, -2)
    assert by_path["stages[Apply].steps[0].emotion.label"][2] == (
        "'Apply' / 'Uploads documents': emotion.label '' → 'stressed'"
    )
    assert by_path["stages[Explore].goal"][2] == "Stage 'Explore': goal '' → 'Know the rate'"
    assert (
        by_path["stages[Receive].kpis"][2] == "Stage 'Receive': kpis 0 items → 1 item (added 'Time to money')"
    )
    assert all(c.kind == "field_changed" for c in changes)


def test_diff_of_personas_added_removed_changed(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(workspace, "Loans", {"op": "upsert_persona", "persona": {"name": "Careful borrower", "age": "35"}})
    edit(workspace, "Loans", {"op": "upsert_persona", "persona": {"name": "Small business owner"}})
    workspace.save_map("Loans", journey(personas=[{"name": "Small business owner"}]), "user", "one persona")
    assert texts(workspace, "Loans", 1, 2) == ["Persona 'Careful borrower': age '34' → '35'"]
    assert texts(workspace, "Loans", 2, 3) == ["Added persona 'Small business owner'"]
    assert texts(workspace, "Loans", 3, 4) == ["Removed persona 'Careful borrower'"]
    assert [c.kind for c in workspace.diff_map("Loans", 1, 4).changes] == ["persona_removed", "persona_added"]


def test_diff_stages_and_steps_added_and_removed(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(
        workspace,
        "Loans",
        {"op": "add_stage", "stage": {"name": "Repay", "steps": [{"action": "Sets up a direct debit"}]}},
        {"op": "remove_stage", "stage": "Receive"},
        {"op": "remove_step", "stage": "Explore", "step": "calculator"},
        {"op": "add_step", "stage": "Apply", "step": {"action": "Books a video call"}},
    )
    said = texts(workspace, "Loans", 1, 2)
    assert sorted(said) == sorted(
        [
            "Removed stage 'Receive' (1 steps)",
            "Added stage 'Repay' at position 3",
            "Removed step 'Uses the calculator' from 'Explore'",
            "Added step 'Books a video call' to 'Apply'",
        ]
    )


def test_diff_between_any_two_versions_and_backwards(workspace: Workspace) -> None:
    workspace.save_map("Loans", journey())
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "Apply", "new_name": "A2"})
    edit(workspace, "Loans", {"op": "rename_stage", "stage": "A2", "new_name": "A3"})
    assert texts(workspace, "Loans", 1, 3) == ["Renamed stage 'Apply' → 'A3'"]
    assert texts(workspace, "Loans", 3, 1) == ["Renamed stage 'A3' → 'Apply'"]
    assert texts(workspace, "Loans", 2, 2) == []
    with pytest.raises(MapNotFound, match="no version 9"):
        workspace.diff_map("Loans", 1, 9)


@pytest.mark.parametrize("module", ["assistant.maps.store", "assistant.maps.diff", "assistant.maps.apply"])
def test_map_modules_import_on_their_own(module: str) -> None:
    """Found by this suite: importing the map store (or diff) before the workspace was a circular import,
    so `from assistant.maps.store import MapConflict` failed in a fresh process."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
