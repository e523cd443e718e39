"""What the assistant remembers about each conversation besides its messages: the map in use, the
answer language, and a draft brief still waiting for missing essentials. Kept in the workspace's
database by the conversation store (assistant/storage/conversations.py), so a conversation resumes
after a restart in every mode."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from assistant.contracts.chat_context import ChatContext
from assistant.feedback.store import FeedbackStore
from assistant.storage.conversations import ConversationStore


class ThreadState(BaseModel):
    context: ChatContext = Field(default_factory=ChatContext)
    """The map and the datasets this conversation works on (never another conversation's)."""
    language: Literal["en", "ko"] | None = None
    """The language of the user's last message."""
    pending_brief: dict[str, Any] | None = None
    """A drafting request still missing essentials (who, which journey, type, as-is or to-be)."""
    history: list[dict[str, str]] = Field(default_factory=list)
    """Recent turns (role, text) for modes without a checkpointer (the embedded pipeline)."""
    pending_question: str | None = None
    """A question held back until the user picks the map or data it needs."""
    pending_task: str | None = None
    """The job (draft_map, draft_personas, edit_map) whose last answer asked the user something: a reply
    that answers it continues that job (assistant/turns/routing.py)."""

    @model_validator(mode="before")
    @classmethod
    def _older_state(cls, data: Any) -> Any:
        """Threads saved before contexts existed kept only the map's name."""
        if isinstance(data, dict) and "current_map" in data:
            data = dict(data)
            name = data.pop("current_map")
            data.setdefault("context", {"map": name})
        return data

    @property
    def current_map(self) -> str | None:
        return self.context.map


class ThreadStore:
    """Each conversation's `ThreadState`, read and written whole through the conversation store."""

    def __init__(self, db: FeedbackStore) -> None:
        self.db = db
        self.store = ConversationStore(db)

    def get(self, thread_id: str) -> ThreadState:
        found = self.store.get(thread_id)
        return ThreadState.model_validate(json.loads(found)) if found is not None else ThreadState()

    def put(self, thread_id: str, state: ThreadState) -> None:
        state.history = state.history[-20:]
        self.store.put(thread_id, state.model_dump_json())
