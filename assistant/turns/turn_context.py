"""What one turn of the conversation carries into the tools: the workspace, the thread's current map,
the answer language, and a sink for the events and results the tools produce.

LangGraph hands it to each tool as `runtime.context`, so nothing is global and two conversations in
two threads never see each other's state.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.analysis.claims import Claim
from assistant.analysis.question_scope import QuestionScope
from assistant.contracts.requests import RowFilter
from assistant.data_blocks import new_tag
from assistant.domain.map_model import JourneyMap
from assistant.turns.events import Event
from assistant.workspace import Workspace
from journey_tools.language import Language


def result_key(results: Mapping[str, Any], name: str) -> str:
    """The name a tool result is kept and cited by: the tool's name, `name@2` for its second call, …"""
    key, k = name, 1
    while key in results:
        k += 1
        key = f"{name}@{k}"
    return key


@dataclass
class TurnContext:
    workspace: Workspace
    thread_id: str
    current_map: str | None
    """Name of the saved map the conversation is about."""
    language: Language
    personas: int = 1
    """How many personas to draft (1 to MAX_PERSONAS)."""
    personas_asked: bool = False
    """The user's message named the number of personas: exactly that many are drafted."""
    intent: str | None = None
    """The job this turn was routed to (assistant/turns/routing.py), once known."""
    use_feedback: bool = True
    """Whether drafting may use the stored feedback."""
    datasets: list[str] = field(default_factory=list)
    """The conversation's datasets, as a request's `source` takes them ([]: every dataset)."""
    has_data: bool = True
    """False when the conversation has no data chosen: questions about feedback ask for it first."""
    where: list[RowFilter] = field(default_factory=list)
    """Row filters the caller fixed for this turn (`journey ask --where`), added to the question's own."""
    scope: QuestionScope | None = None
    """What the question itself names: stored values as filters, a period, a measure (added to `where`)."""
    toolset: frozenset[str] | None = None
    """The tools the model is offered this turn (None: all). Each tool definition costs tokens on every
    model call, so a diagnosis question is not sent the map-editing schemas."""
    material: str | None = None
    """For a drafting turn of a tool-calling model: the reference journey and methodology notes it drafts
    from (assistant/drafting/material.py), added to its instructions for this turn only."""
    events: list[Event] = field(default_factory=list)
    """Events the tools produced, in order (map updates, diagnoses, files)."""
    results: dict[str, Any] = field(default_factory=dict)
    """Every tool result of the turn by name (a second call of a tool is `name@2`), as the claims of the
    answer cite them (`diagnose_journey.stages[2].negative_share`); what the model was shown of a result
    is `name:shown`."""
    claims: list[Claim] = field(default_factory=list)
    """The claims code rendered into this turn's answer (the embedded pipeline's diagnosis and ideas)."""
    tag: str = field(default_factory=new_tag)
    """This turn's data-block tag: tool results and the map summary reach the model inside blocks marked
    with it, and the system prompt names it (assistant/data_blocks.py)."""
    user_text: str = ""
    """The user's own message this turn: the only place a tool argument may take a path or URL from, and
    what an export must have been asked in (assistant/turns/tool_guard.py)."""
    read_data: bool = False
    """A tool result has brought data (customers' words, a map, a file) into this turn."""
    model_written: list[Any] = field(default_factory=list)
    """What the model wrote into maps and personas this turn: the answer guard does not take it as the
    data's own labels."""
    refused: list[str] = field(default_factory=list)
    """Tool calls refused this turn (not allowed for its job, or arguments taken from data), one line each."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def emit(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def refuse(self, why: str) -> None:
        with self._lock:
            self.refused.append(why)

    def record(self, name: str, result: Any, shown: Any = None) -> str:
        """Keep a tool result for the claims check; returns the name its claims cite it by."""
        with self._lock:
            key = result_key(self.results, name)
            self.results[key] = result
            if shown is not None:
                self.results[f"{key}:shown"] = shown
            return key

    def journey(self) -> JourneyMap | None:
        if self.current_map is None:
            return None
        return self.workspace.get_map(self.current_map).map
