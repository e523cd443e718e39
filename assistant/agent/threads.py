"""What the assistant remembers about each conversation besides its messages: the map in use, the
answer language, and a draft brief still waiting for missing essentials. Kept in the workspace's
database, so a conversation resumes after a restart in every mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from assistant.feedback.store import FeedbackStore
from assistant.workspace.context import ChatContext

THREAD_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversation_threads (
    thread_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""


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
    that answers it continues that job (assistant/agent/routing.py)."""

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
    def __init__(self, db: FeedbackStore) -> None:
        self.db = db
        self.db.conn.executescript(THREAD_SCHEMA)

    def get(self, thread_id: str) -> ThreadState:
        row = self.db.conn.execute(
            "SELECT state FROM conversation_threads WHERE thread_id = ?", (thread_id,)
        ).fetchone()
        return ThreadState.model_validate(json.loads(row[0])) if row else ThreadState()

    def put(self, thread_id: str, state: ThreadState) -> None:
        state.history = state.history[-20:]
        with self.db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO conversation_threads (thread_id, state, updated_at) VALUES (?, ?, ?)",
                (thread_id, state.model_dump_json(), datetime.now(UTC).isoformat(timespec="seconds")),
            )
