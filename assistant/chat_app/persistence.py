"""Where chats are kept: Chainlit's SQLAlchemy data layer on SQLite under JOURNEY_HOME, or on PostgreSQL
when DATABASE_URL names one (a team deployment); the same code for both.

Chainlit ships no schema for this layer, and the one in its documentation lacks columns this version
writes (`steps."autoCollapse"`, `steps."modes"`, `steps."icon"`): without them every step is silently
dropped. The tables are declared in `assistant/storage/ui_history.py` (the SQL layer), whose
`ensure_schema` creates them and adds any missing column to an older database.
SQLite cannot bind Python lists or dicts, so the few such values are stored as JSON text there, and
thread auto-tagging stays off (`.chainlit/config.toml`).

Every write is checked against its owner. Chainlit's own routes check only part of it (`PUT /feedback`
checks nothing, the element routes check only that the session is the caller's), so the data layer
refuses (`NotOwner`) any write to a thread, step, element or feedback that belongs to another user than
the one acting: the user of the verified request (`ACTOR`, set by the guard in front of every route) or
of the chat session the write comes from. A refused write changes nothing.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.data.utils import queue_until_user_message

# The tables live with the rest of the product's SQL; the app reaches them through this module.
from assistant.storage.ui_history import TABLES, database_urls, ensure_schema

if TYPE_CHECKING:
    from chainlit.element import Element
    from chainlit.types import Feedback

log = logging.getLogger("journey.app")

ACTOR: ContextVar[str | None] = ContextVar("journey_actor", default=None)
"""The signed-in user of the HTTP request being served (set by the app's guard from the verified token)."""


class NotOwner(PermissionError):
    """A write to something another user owns (403), or about a message that does not exist (404);
    nothing was changed."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def acting_user() -> str | None:
    """Who is writing: the request's verified user, else the user of the current chat session; None for
    the app's own work outside any request or session (then there is nobody to check against)."""
    actor = ACTOR.get()
    if actor is not None:
        return actor
    try:
        from chainlit.context import context

        user = context.session.user
    except Exception:  # no Chainlit context: not in a request or a chat session
        return None
    return None if user is None else str(user.identifier)


def _parse_json(row: Any, key: str, default: Any) -> None:
    value = row.get(key)
    if isinstance(value, str):
        try:
            row[key] = json.loads(value)
        except json.JSONDecodeError:
            row[key] = default


def _unqueued(method: Any) -> Any:
    """Chainlit's method without its queueing wrapper (the override queues, then checks and writes)."""
    return getattr(method, "__wrapped__", method)


def _json_text(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


class JourneyDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQLAlchemy data layer with the gaps closed: dict values (and, on SQLite, lists) are
    stored as JSON text, and thread metadata and element props come back as objects on every database."""

    def __init__(self, conninfo: str, storage_provider: BaseStorageClient | None) -> None:
        super().__init__(conninfo=conninfo, storage_provider=storage_provider)
        self.sqlite = conninfo.startswith("sqlite")

    async def execute_sql(self, query: str, parameters: dict) -> Any:
        # Neither driver binds a dict (steps."modes", an element's props): JSON text goes into the JSON
        # column. Lists (tags) are arrays on PostgreSQL, JSON text on SQLite.
        parameters = {
            k: _json_text(v) if isinstance(v, dict) or (self.sqlite and isinstance(v, list)) else v
            for k, v in parameters.items()
        }
        return await super().execute_sql(query, parameters)

    async def get_all_user_threads(self, user_id: str | None = None, thread_id: str | None = None) -> Any:
        threads = await super().get_all_user_threads(user_id=user_id, thread_id=thread_id)
        for thread in threads or []:
            _parse_json(thread, "metadata", {})
            _parse_json(thread, "tags", [])
            for element in thread.get("elements") or []:
                # A custom element is drawn from its props, which SQLite returns as text.
                _parse_json(element, "props", {})
        return threads

    async def name_if_unnamed(self, thread_id: str, name: str, wait_s: float = 30.0) -> None:
        """Give a thread a name unless it has one. Chainlit names a thread after its first message's text,
        in a task of its own: wait until it has (the name is then set, if only to ""), then fill it in."""
        import asyncio

        for _ in range(max(1, int(wait_s / 0.2))):
            rows = await self.execute_sql('SELECT "name" FROM threads WHERE "id" = :id', {"id": thread_id})
            if isinstance(rows, list) and rows and rows[0].get("name") is not None:
                break
            await asyncio.sleep(0.2)
        await self.execute_sql(
            """UPDATE threads SET "name" = :name WHERE "id" = :id AND ("name" IS NULL OR "name" = '')""",
            {"id": thread_id, "name": name},
        )

    # --- ownership: every write is checked against the acting user ---------------------------------------

    async def _first(self, query: str, parameters: dict) -> dict[str, Any] | None:
        rows = await self.execute_sql(query, parameters)
        return rows[0] if isinstance(rows, list) and rows else None

    async def thread_owner(self, thread_id: str | None) -> tuple[bool, str | None]:
        """(whether the thread exists, the identifier of its owner)."""
        if not thread_id:
            return False, None
        row = await self._first('SELECT "userIdentifier" FROM threads WHERE "id" = :id', {"id": thread_id})
        return (row is not None, None if row is None else row.get("userIdentifier"))

    async def thread_of(self, table: str, row_id: str | None) -> str | None:
        """The thread a step, element or feedback belongs to (None when there is no such row)."""
        if not row_id or table not in ("steps", "elements", "feedbacks"):
            return None
        row = await self._first(f'SELECT "threadId" FROM {table} WHERE "id" = :id', {"id": row_id})
        return None if row is None else (str(row["threadId"]) if row.get("threadId") else None)

    async def check_threads(self, *thread_ids: str | None, actor: str | None = None) -> None:
        """Raise NotOwner when any of the threads belongs to another user than the acting one. A thread
        that does not exist yet, or has no owner yet, is the acting user's to create."""
        actor = actor if actor is not None else acting_user()
        if actor is None:
            return
        for thread_id in {t for t in thread_ids if t}:
            _, owner = await self.thread_owner(thread_id)
            if owner is not None and owner != actor:
                log.warning("refused a write by %r to a thread of another user", actor)
                raise NotOwner("This conversation belongs to another user.")

    async def check_rows(self, table: str, *row_ids: str | None, actor: str | None = None) -> None:
        """Raise NotOwner when any existing step, element or feedback lies in another user's thread."""
        threads = [await self.thread_of(table, row_id) for row_id in row_ids if row_id]
        await self.check_threads(*threads, actor=actor)

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict | None = None,
        tags: list[str] | None = None,
    ) -> None:
        await self.check_threads(thread_id)
        actor = acting_user()
        if user_id and actor is not None and await self._get_user_identifer_by_id(user_id) != actor:
            raise NotOwner("A conversation can only be given to the user who is signed in.")
        await super().update_thread(thread_id, name=name, user_id=user_id, metadata=metadata, tags=tags)

    async def delete_thread(self, thread_id: str) -> None:
        await self.check_threads(thread_id)
        await super().delete_thread(thread_id)

    # Chainlit queues these until the chat's first message; the check runs when the write does.

    @queue_until_user_message()
    async def create_step(self, step_dict: Any) -> None:
        await self.check_threads(step_dict.get("threadId"))
        await self.check_rows("steps", step_dict.get("id"))
        await _unqueued(SQLAlchemyDataLayer.create_step)(self, step_dict)

    @queue_until_user_message()
    async def delete_step(self, step_id: str) -> None:
        await self.check_rows("steps", step_id)
        await _unqueued(SQLAlchemyDataLayer.delete_step)(self, step_id)

    async def upsert_feedback(self, feedback: Feedback) -> str:
        step_thread = await self.thread_of("steps", feedback.forId)
        if step_thread is None:
            raise NotOwner("There is no such message to give feedback on.", status=404)
        await self.check_threads(step_thread, feedback.threadId)
        await self.check_rows("feedbacks", feedback.id)
        feedback.threadId = step_thread  # the message's own thread, whatever the request said
        return str(await super().upsert_feedback(feedback))

    async def delete_feedback(self, feedback_id: str) -> bool:
        await self.check_rows("feedbacks", feedback_id)
        return bool(await super().delete_feedback(feedback_id))

    @queue_until_user_message()
    async def create_element(self, element: Element) -> None:
        await self.check_threads(element.thread_id)
        await self.check_rows("elements", element.id)
        await _unqueued(SQLAlchemyDataLayer.create_element)(self, element)

    @queue_until_user_message()
    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        await self.check_threads(thread_id)
        await self.check_rows("elements", element_id)
        await _unqueued(SQLAlchemyDataLayer.delete_element)(self, element_id, thread_id)

    # --- sign-in sessions: a server-side table, so a token can be ended before it expires -------------------

    async def add_session(
        self, session_id: str, user: str, expires_at: float, credential: str, client: str
    ) -> None:
        import time

        # Rows of sessions over for a week are of no more use.
        await self.execute_sql(
            'DELETE FROM journey_sessions WHERE "expiresAt" < :old', {"old": time.time() - 7 * 24 * 3600}
        )
        await self.execute_sql(
            'INSERT INTO journey_sessions ("id", "user", "createdAt", "expiresAt", "credential", "client") '
            "VALUES (:id, :user, :created, :expires, :credential, :client)",
            {
                "id": session_id,
                "user": user,
                "created": time.time(),
                "expires": expires_at,
                "credential": credential,
                "client": client,
            },
        )

    async def get_session(self, session_id: str) -> dict[str, Any] | None:
        return await self._first('SELECT * FROM journey_sessions WHERE "id" = :id', {"id": session_id})

    async def revoke_session(self, session_id: str) -> None:
        import time

        await self.execute_sql(
            'UPDATE journey_sessions SET "revokedAt" = :now WHERE "id" = :id AND "revokedAt" IS NULL',
            {"id": session_id, "now": time.time()},
        )

    async def revoke_stale_sessions(self, credentials: dict[str, str]) -> None:
        """End the sessions of users no longer configured, or whose password changed."""
        import time

        rows = await self.execute_sql(
            'SELECT "id", "user", "credential" FROM journey_sessions WHERE "revokedAt" IS NULL', {}
        )
        for row in rows if isinstance(rows, list) else []:
            if credentials.get(row["user"]) != row["credential"]:
                await self.execute_sql(
                    'UPDATE journey_sessions SET "revokedAt" = :now WHERE "id" = :id',
                    {"id": row["id"], "now": time.time()},
                )


__all__ = ["ACTOR", "TABLES", "JourneyDataLayer", "NotOwner", "acting_user", "database_urls", "ensure_schema"]
