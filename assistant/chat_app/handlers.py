"""The chat app: Chainlit handlers, each a thin call into `assistant/chat_app/`.

Run it with `journey app` (which prepares the app folder under JOURNEY_HOME and prints the URL). Importing
this module opens nothing: the settings, workspaces and the chat database are created on first use.
Sign-in is decided from the environment here (no file is read): password sign-in when users are
configured, otherwise the local demo's single user signed in automatically (so chats still have a
history), or no sign-in at all when no cookie secret is set.
"""

from __future__ import annotations

import os
from typing import Any

import chainlit as cl
import chainlit.server as chainlit_server
from chainlit.config import config as chainlit_config
from chainlit.session import WebsocketSession
from chainlit.types import ThreadDict
from fastapi import HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse

from assistant.chat_app import session
from assistant.chat_app.auth import LOCAL_USER, check_password
from assistant.chat_app.guard import CLIENT, Guard
from assistant.chat_app.offline import offline_template
from assistant.chat_app.persistence import NotOwner
from assistant.chat_app.runtime import get_runtime
from assistant.chat_app.storage import ROUTE, serve_headers
from assistant.chat_app.uploads import persist_empty_too


def auth_mode() -> str:
    """'password', 'local' or 'none', as `journey app` decided it (or from the environment)."""
    decided = os.environ.get("JOURNEY_APP_AUTH")
    if decided in ("password", "local", "none"):
        return decided
    if not os.environ.get("CHAINLIT_AUTH_SECRET"):
        return "none"
    return "password" if os.environ.get("JOURNEY_USERS") or os.environ.get("JOURNEY_USERS_FILE") else "local"


# --- the page and the stored files --------------------------------------------------------------------------

if not hasattr(chainlit_server.get_html_template, "__wrapped__"):
    chainlit_server.get_html_template = offline_template(chainlit_server.get_html_template)

# An empty upload reaches the chat (and is answered "the file is empty") instead of failing in the server.
WebsocketSession.persist_file = persist_empty_too(WebsocketSession.persist_file)  # type: ignore[method-assign,assignment]


async def stored_file(object_key: str, expires: int, signature: str) -> FileResponse:
    """A chart or file of a stored conversation, by a signed link that expires (no path reaches the disk)."""
    storage = get_runtime().storage()
    if not storage.verify(object_key, expires, signature):
        raise HTTPException(status_code=403, detail="This link has expired or is not valid.")
    found = storage.read(object_key)
    if found is None:
        raise HTTPException(status_code=404, detail="File not found")
    path, meta = found
    return FileResponse(
        path, media_type=str(meta.get("mime") or "application/octet-stream"), headers=serve_headers(meta)
    )


def _install_route() -> None:
    routes = chainlit_server.app.router.routes
    if any(getattr(r, "path", "") == ROUTE + "/{object_key:path}" for r in routes):
        return
    chainlit_server.app.add_api_route(ROUTE + "/{object_key:path}", stored_file, methods=["GET"])
    # Before Chainlit's catch-all page route, which would otherwise answer first.
    routes.insert(0, routes.pop())


_install_route()


# --- the guard in front of every route (origins, sessions, sign-in throttling, ownership) ------------------


async def not_owner(request: Request, exc: Exception) -> JSONResponse:
    """A write the data layer refused: nothing was changed."""
    return JSONResponse({"detail": str(exc)}, status_code=getattr(exc, "status", 403))


def _install_guard() -> None:
    app = chainlit_server.app
    if any(m.cls is Guard for m in app.user_middleware):
        return
    app.add_middleware(Guard, auth_mode=auth_mode)  # outermost: it runs before Chainlit's own middleware
    app.add_exception_handler(NotOwner, not_owner)


_install_guard()


# --- lifecycle, persistence and sign-in ----------------------------------------------------------------------


@cl.on_app_startup
def startup() -> None:
    import logging
    import threading

    # Chainlit's logging setup prints INFO records of every logger; the app's say what each turn cost.
    logging.getLogger("journey").setLevel(logging.INFO)
    rt = get_runtime()  # validates the settings before the first visitor
    # Login tokens (and their cookies) last as long as a session may; the session table ends them sooner.
    chainlit_config.project.user_session_timeout = rt.app.session_seconds
    threading.Thread(
        target=rt.warm_up, args=(auth_mode() != "password",), name="journey-warm-up", daemon=True
    ).start()


@cl.on_app_shutdown
def shutdown() -> None:
    get_runtime().close()


@cl.data_layer
def data_layer() -> Any:
    from assistant.chat_app.persistence import JourneyDataLayer, database_urls, ensure_schema

    rt = get_runtime()
    async_url, sync_url = database_urls(rt.app.database_url, rt.settings.journey_home)
    ensure_schema(sync_url)
    return JourneyDataLayer(async_url, storage_provider=rt.storage())


if auth_mode() == "password":

    @cl.password_auth_callback
    async def password_login(username: str, password: str) -> cl.User | None:
        import asyncio
        import time

        from chainlit.data import get_data_layer

        from assistant.chat_app.sessions import SESSION_CLAIM, credential_fingerprint, new_session_id

        rt = get_runtime()
        users = rt.current_users()
        if not await asyncio.to_thread(check_password, users, username, password):
            return None
        sid = new_session_id()
        layer: Any = get_data_layer()
        await layer.add_session(
            sid,
            username,
            time.time() + rt.app.session_seconds,
            credential_fingerprint(users[username]),
            CLIENT.get(),
        )
        return cl.User(
            identifier=username, metadata={"role": "user", "provider": "credentials", SESSION_CLAIM: sid}
        )

elif auth_mode() == "local":

    @cl.header_auth_callback
    async def local_login(headers: Any) -> cl.User | None:
        return cl.User(identifier=LOCAL_USER, metadata={"role": "local"})


# --- the chat ------------------------------------------------------------------------------------------------


@cl.set_starters
async def starters(user: cl.User | None = None, language: str | None = None) -> list[cl.Starter]:
    return session.starters(language)


@cl.on_chat_start
async def chat_start() -> None:
    await session.start_chat()


@cl.on_chat_resume
async def chat_resume(thread: ThreadDict) -> None:
    await session.resume_chat(dict(thread))


@cl.on_settings_update
async def settings_update(values: dict[str, Any]) -> None:
    cl.user_session.set("chat_settings", values)


@cl.on_message
async def message(msg: cl.Message) -> None:
    await session.handle_message(msg)


@cl.action_callback("undo_map")
async def undo_map(action: cl.Action) -> None:
    await session.undo(action)


@cl.action_callback("pick_context")
async def pick_context(action: cl.Action) -> None:
    await session.pick_context(action)


@cl.action_callback("export_map")
async def export_map(action: cl.Action) -> None:
    await session.export(action)


@cl.on_chat_end
async def chat_end() -> None:
    await session.end_chat()
