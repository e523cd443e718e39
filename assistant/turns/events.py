"""What a turn of the conversation produces, as a stream of typed events.

The chat app, the terminal chat and the evals all consume the same stream: tool steps as they run,
map updates with their diff, diagnoses to draw, files to hand over, status lines while a model loads,
and one final answer that says which mode produced it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.analysis.claims import Claim
from assistant.contracts.chat_context import ChatContext
from assistant.contracts.results import AnswerScope, Diagnosis, ExportResult, IdeasResult, MapDiff
from assistant.domain.map_model import JourneyMap

Mode = Literal["cloud", "compatible", "embedded", "scripted"]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


class ModeInfo(_Event):
    """Which assistant runs, chosen once at start."""

    mode: Mode
    model: str
    """Model name, e.g. gpt-4o-mini, llama3.1:8b, qwen2.5-coder-1.5b-instruct-q4_k_m."""
    label: str
    """One line for a banner, e.g. 'Embedded model (offline): Qwen2.5-Coder 1.5B'."""
    endpoint: str | None = None
    """The OpenAI-compatible base URL, when one is used."""


class ToolStep(_Event):
    type: Literal["tool"] = "tool"
    name: str
    input: dict[str, Any]
    output: Any = None
    """The tool's result (JSON-ready), or None when it failed."""
    error: str | None = None
    seconds: float = 0.0


class TextChunk(_Event):
    """A piece of the answer while it is being written (streaming)."""

    type: Literal["text"] = "text"
    text: str


class MapUpdate(_Event):
    type: Literal["map"] = "map"
    name: str
    version: int
    map: JourneyMap
    diff: MapDiff | None = None
    """None for a new map."""


class DiagnosisView(_Event):
    type: Literal["diagnosis"] = "diagnosis"
    diagnosis: Diagnosis
    focus: str | None = None
    """The stage the user asked about, to highlight."""


class IdeasView(_Event):
    type: Literal["ideas"] = "ideas"
    ideas: IdeasResult


class FileExport(_Event):
    type: Literal["export"] = "export"
    export: ExportResult


class Status(_Event):
    """Progress of slow work the user should know about (assembling or loading the embedded model)."""

    type: Literal["status"] = "status"
    text: str
    progress: float | None = None
    """0..1 when known."""


class Choice(_Event):
    """Something the user can pick to answer the assistant's question (a button in the app)."""

    kind: Literal["map", "dataset", "all_feedback"]
    value: str
    """The map's or dataset's name ('' for all feedback)."""
    label: str
    """What the button says, e.g. 'airline_1500.csv (1,497 rows)'."""


class Final(_Event):
    """The answer of the turn."""

    type: Literal["final"] = "final"
    text: str
    language: Literal["en", "ko"]
    mode: Mode
    model: str
    grounded: bool = False
    """The claims check ran on this answer and every claim passed: each number tied to the tool result it
    cites (by key, sign and rounding), each quote verbatim under its id. False when the check did not run
    (a question back to the user) or a claim was dropped."""
    claims: list[Claim] = []
    """What the answer states, each with its value, `source` (the tool-result path) and `checked`."""
    dropped_claims: list[Claim] = []
    """Claims that failed the check and were taken out of the text (the answer says so)."""
    fallback: bool = False
    """The model's answer failed the check twice and was replaced (by the deterministic answer, or by its
    own text without the failing claims)."""
    map_name: str | None = None
    """The conversation's current map after this turn."""
    seconds: float = 0.0
    tokens: dict[str, int] = {}
    """prompt / completion tokens, when the mode reports them."""
    context: ChatContext | None = None
    """The conversation's map and data after this turn."""
    scope: AnswerScope | None = None
    """What the turn's diagnosis was about (map and version, datasets, filters, period, metric)."""
    guarded: list[str] = []
    """What the answer guard removed and the tool calls it refused this turn (assistant/turns/answer_guard.py,
    tool_guard.py): instructions from the data that were not followed."""
    needs: Literal["map", "data"] | None = None
    """Set when the answer is a question: the turn needs a map or data the conversation does not have."""
    choices: list[Choice] = []
    """What the user can pick to answer that question."""


Event = Annotated[
    ToolStep | TextChunk | MapUpdate | DiagnosisView | IdeasView | FileExport | Status | Final,
    Field(discriminator="type"),
]
