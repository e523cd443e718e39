"""How big the agent's request is before any conversation: the system prompt plus the schemas of the
tools offered (and of the structured answers), per toolset.

A small local model behind an OpenAI-compatible server (Ollama, vLLM, llama.cpp) reads all of it on
every model call: with every tool offered it is about 15,000 tokens (the map-editing tool's schema alone
is over half), more than a 1.5B model's usual context and minutes of prompt reading on a laptop CPU.
The agent therefore offers a compact toolset per turn (assistant.agent.agent.TOOLSETS, chosen from the
turn's job; COMPACT_TOOLSET when the job is unclear in the compatible mode). `count` takes any
tokenizer (a server's /tokenize, or characters / 4 as a rough stand-in).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from assistant.domain.map_model import MAX_PERSONAS
from assistant.prompts import load_prompt


@dataclass(frozen=True)
class AgentRequest:
    """What the model reads before the conversation: the system prompt and the tool schemas."""

    system: str
    tools: list[dict[str, Any]]
    """OpenAI-style tool definitions: the offered tools, then the structured answers."""

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.tools]

    def text(self) -> str:
        """The request as one text (what a tokenizer is given to count it)."""
        return self.system + "\n" + "\n".join(json.dumps(t, ensure_ascii=False) for t in self.tools)


def agent_request(toolset: Iterable[str] | None = None, language: str = "English") -> AgentRequest:
    """The agent's system prompt (no map yet) and the schemas of `toolset` (None: every tool)."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from assistant.agent.answers import ChatAnswer, DiagnosisAnswer
    from assistant.agent.llm_tools import build_tools

    wanted = None if toolset is None else set(toolset)
    tools = [convert_to_openai_tool(t) for t in build_tools() if wanted is None or t.name in wanted]
    answers = [convert_to_openai_tool(m) for m in (DiagnosisAnswer, ChatAnswer)]
    system = load_prompt("system").render(language=language, personas=MAX_PERSONAS, map_summary="none yet.")
    return AgentRequest(system=system, tools=tools + answers)


def rough_tokens(text: str) -> int:
    """About four characters a token for English and JSON (Korean takes more tokens per character)."""
    return (len(text) + 3) // 4


def count(request: AgentRequest, tokens: Callable[[str], int] = rough_tokens) -> dict[str, int]:
    """Tokens of the system prompt, of each tool schema, and in all."""
    sizes = {"system": tokens(request.system)}
    for name, tool in zip(request.tool_names, request.tools, strict=True):
        sizes[name] = tokens(json.dumps(tool, ensure_ascii=False))
    sizes["total"] = tokens(request.text())
    return sizes


def compact_schema(model: type[BaseModel], short: Iterable[str] = ("Origin",)) -> dict[str, Any]:
    """A model's JSON schema as a tool argument, inlined and shortened for the model that reads it: no
    titles, no defaults, no `null` alternatives (an optional field is simply left out), no length caps
    (validation still applies them and says which one failed), and the definitions in `short` described
    once and then, wherever else they appear, without their descriptions.

    LangChain inlines every `$ref` of a tool's schema, so a definition used in six places (a map's
    origins) is read six times on every model call; validation still uses the full model."""
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs", {})
    described: set[str] = set()

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            inlined = walk(defs[name])
            if name in short and name in described:
                inlined = _without_descriptions(inlined)
            described.add(name)
            return {**inlined, **{k: walk(v) for k, v in node.items() if k != "$ref"}}
        any_of = node.get("anyOf")
        if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
            kept = next(v for v in any_of if v != {"type": "null"})
            return walk({**kept, **{k: v for k, v in node.items() if k != "anyOf"}})
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("title", "default", "maxLength", "maxItems"):
                continue
            out[key] = {k: walk(v) for k, v in value.items()} if key == "properties" else walk(value)
        return out

    compact: dict[str, Any] = walk(schema)
    return compact


def _without_descriptions(node: Any) -> Any:
    """The schema without its descriptions (a property that is *named* description stays)."""
    if isinstance(node, list):
        return [_without_descriptions(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _without_descriptions(p) for name, p in value.items()}
        elif key != "description":
            out[key] = _without_descriptions(value)
    return out
