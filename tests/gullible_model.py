"""A gullible chat model: it reads the tools' results and does what the data tells it to.

Tests give it what to read first, then what "obeying" each planted instruction means (a tool call to
make, words to write in its answer), keyed by a piece of the planted text. It stands for the worst case of a
real model that understood the instruction and followed it, so a test built on it fails if the product's
defences (not the model's good sense) let the instruction through. It is a test fake, like
ScriptedChatModel, and is never used by the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import PrivateAttr


@dataclass
class Obey:
    trigger: str
    """A piece of the planted text: when a tool result holds it, the model obeys."""
    calls: list[dict[str, Any]] = field(default_factory=list)
    """Tool calls the instruction asks for: {"name": ..., "args": {...}}."""
    say: str = ""
    """Words the instruction asks the answer to contain."""


class GullibleChatModel(BaseChatModel):
    reads: list[dict[str, Any]]
    """The calls it makes first, to read data."""
    obeys: list[Any]
    """Obey items."""
    answer: str = "Here is what the data says."

    _phase: int = PrivateAttr(default=0)
    _obeyed: list[str] = PrivateAttr(default_factory=list)
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "gullible"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> GullibleChatModel:
        return self

    @property
    def obeyed(self) -> list[str]:
        """The triggers it found in the data (and so acted on)."""
        return self._obeyed

    @property
    def seen(self) -> list[list[BaseMessage]]:
        return self._seen

    def _calls(self, calls: list[dict[str, Any]]) -> AIMessage:
        return AIMessage(
            content="",
            tool_calls=[
                {
                    "name": c["name"],
                    "args": c.get("args", {}),
                    "id": f"g{self._phase}_{k}",
                    "type": "tool_call",
                }
                for k, c in enumerate(calls)
            ],
        )

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self._seen.append(list(messages))
        data = "\n".join(str(m.content) for m in messages if isinstance(m, ToolMessage))
        found = [o for o in self.obeys if o.trigger in data]
        message: AIMessage | None = None
        if self._phase == 0:
            message = self._calls(self.reads)
        elif self._phase == 1:
            self._obeyed = [o.trigger for o in found]
            calls = [c for o in found for c in o.calls]
            if calls:
                message = self._calls(calls)
            else:
                self._phase += 1
        if message is None:
            said = " ".join(o.say for o in found if o.say)
            message = self._calls(
                [{"name": "ChatAnswer", "args": {"message": f"{said} {self.answer}".strip()}}]
            )
        self._phase += 1
        return ChatResult(generations=[ChatGeneration(message=message)])
