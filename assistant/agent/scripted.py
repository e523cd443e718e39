"""A scripted chat model: replays prepared replies (with tool calls) so tests, evals and the browser
tests drive the real agent through real tools without any model provider.

It is the only fake in the product, and it is never chosen unless JOURNEY_SCRIPTED_MODEL names a script.
A script is a JSON list of replies: {"content": "...", "tool_calls": [{"name": ..., "args": {...}}]}.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import PrivateAttr

from assistant.errors import ConfigError


def as_message(item: AIMessage | dict[str, Any] | str, n: int) -> AIMessage:
    if isinstance(item, AIMessage):
        return item
    if isinstance(item, str):
        return AIMessage(content=item)
    calls = [
        {
            "name": c["name"],
            "args": c.get("args", {}),
            "id": c.get("id", f"call_{n}_{k}"),
            "type": "tool_call",
        }
        for k, c in enumerate(item.get("tool_calls", []))
    ]
    return AIMessage(content=item.get("content", ""), tool_calls=calls)


class ScriptedChatModel(GenericFakeChatModel):
    """Replays the script in order; `bind_tools` returns the model itself so create_agent can use it."""

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _seen: list[list[Any]] = PrivateAttr(default_factory=list)
    _served: int = PrivateAttr(default=0)
    _total: int = PrivateAttr(default=0)

    @classmethod
    def from_replies(cls, replies: Sequence[AIMessage | dict[str, Any] | str]) -> ScriptedChatModel:
        messages = [as_message(r, n) for n, r in enumerate(replies)]
        model = cls(messages=iter(messages))
        model._total = len(messages)
        return model

    @classmethod
    def from_file(cls, path: Path) -> ScriptedChatModel:
        try:
            replies = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"JOURNEY_SCRIPTED_MODEL={path}: cannot read the script ({exc}).") from exc
        if not isinstance(replies, list):
            raise ConfigError(f"JOURNEY_SCRIPTED_MODEL={path}: a script is a JSON list of replies.")
        return cls.from_replies(replies)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, messages: list[Any], *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self._seen.append(list(messages))
            try:
                result = super()._generate(messages, *args, **kwargs)
            except StopIteration:
                raise RuntimeError(f"the scripted model ran out of replies after {self._served}") from None
            self._served += 1
            return result

    @property
    def seen(self) -> list[list[Any]]:
        """The messages the model was given at each call (tests check what reached it, and how)."""
        return self._seen

    @property
    def remaining(self) -> int:
        """Replies not used yet: a test asserts 0 at its end."""
        return self._total - self._served

    def iter_messages(self) -> Iterator[AIMessage]:  # pragma: no cover - debugging aid
        yield from self.messages  # type: ignore[misc]
