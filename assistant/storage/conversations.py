"""The assistant's memory of each conversation, in the workspace database (table `conversation_threads`):
one JSON document per thread, written whole. What the document holds (the map in use, the answer
language, a pending brief, recent turns for the embedded pipeline) is the agent's business
(assistant/turns/threads.py `ThreadState`); where and how it is kept is this module's.

The same store serves the LangChain agent and the embedded pipeline, in every mode (CLI, app, evals),
on SQLite and PostgreSQL; `journey migrate` copies it with the rest of the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from assistant.storage.engine import SqlConnection
from assistant.storage.schema import conversation_threads
from assistant.storage.writes import upsert


class Database(Protocol):
    """What a conversation store needs of the workspace database (assistant/feedback/store.py)."""

    @property
    def conn(self) -> SqlConnection: ...

    def write(self) -> AbstractContextManager[SqlConnection]: ...


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, thread_id: str) -> str | None:
        """The thread's state document (JSON text), or None for a thread never saved."""
        t = conversation_threads.c
        found = self.db.conn.run(sa.select(t.state).where(t.thread_id == thread_id)).scalar()
        return None if found is None else str(found)

    def put(self, thread_id: str, state: str) -> None:
        """Replace the thread's state document."""
        row: dict[str, Any] = {
            "thread_id": thread_id,
            "state": state,
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self.db.write() as conn:
            upsert(conn, conversation_threads, [row])

    def thread_ids(self) -> Iterator[str]:
        """Every saved thread, most recently updated first."""
        t = conversation_threads.c
        yield from self.db.conn.run(
            sa.select(t.thread_id).order_by(t.updated_at.desc(), t.thread_id)
        ).scalars()
