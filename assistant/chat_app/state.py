"""What a chat session holds and the app's shared helpers: the user's workspace, settings and language,
the session's folder, the conversation's current map (shown as a picture and remembered in the thread),
the mode shown next to the message box, and work left to run in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import chainlit as cl

from assistant.chat_app import views
from assistant.chat_app.runtime import AppRuntime, get_runtime, owner_of
from assistant.chat_app.texts import t, ui_language
from assistant.contracts.chat_context import ChatContext
from assistant.contracts.requests import ChatSettings
from assistant.contracts.results import MapDiff
from assistant.domain.map_model import JourneyMap
from assistant.workspace import Workspace

log = logging.getLogger("journey.app")
MAX_MAPS_SCANNED = 30
_background: set[asyncio.Future[Any]] = set()
"""Tasks started for later (references kept until they finish)."""


def background(work: Awaitable[Any]) -> None:
    """Run `work` without waiting for it; a failure is logged."""
    task = asyncio.ensure_future(work)
    _background.add(task)

    def done(t: asyncio.Future[Any]) -> None:
        _background.discard(t)
        if not t.cancelled() and t.exception() is not None:
            log.warning("background work failed: %s", t.exception())

    task.add_done_callback(done)


def runtime() -> AppRuntime:
    return get_runtime()


def owner() -> str | None:
    user = cl.user_session.get("user")
    return owner_of(getattr(user, "identifier", None))


def workspace() -> Workspace:
    return runtime().workspace(owner())


def settings() -> dict[str, Any]:
    """The settings panel's values as the form sent them."""
    return cl.user_session.get("chat_settings") or {}


def chat_settings() -> ChatSettings:
    """The settings panel's values, read by their request model (a value that does not fit: its default)."""
    return ChatSettings.from_form(settings())


def language() -> str:
    """The language the app speaks: the chosen answer language, else the browser's."""
    chosen = chat_settings().language
    if chosen != "auto":
        return chosen
    return ui_language(getattr(cl.context.session, "language", None))


def session_dir() -> Path:
    return runtime().session_dir(cl.context.session.id)


async def remember_map(name: str, version: int | None = None, message_id: str | None = None) -> None:
    """The conversation's current map, kept in the session and in the thread (so a resume restores it),
    with the message that shows it."""
    values: dict[str, Any] = {"journey_map": name}
    if version is not None and message_id is not None:
        values |= {"journey_map_version": version, "journey_map_message": message_id}
    for key, value in values.items():
        cl.user_session.set(key, value)
    from chainlit.data import get_data_layer

    layer = get_data_layer()
    if layer is not None and cl.context.session.has_first_interaction:
        # Written in the background, like Chainlit's own writes of steps and elements: the user need
        # not wait for the database.
        background(layer.update_thread(cl.context.session.thread_id, metadata=values))


async def show_map(
    journey: JourneyMap, name: str, version: int, diff: MapDiff | None, lang: str, intro: str = ""
) -> None:
    ws = workspace()
    counterpart = await asyncio.to_thread(find_counterpart, ws, name, journey)
    message = await views.map_message(journey, name, version, diff, lang, counterpart, intro=intro)
    await remember_map(name, version, message.id)


_outlines: dict[tuple[str, str, int], tuple[str, frozenset[str]]] = {}
"""(workspace home, map name, version) -> (state, stage names): each saved version is read once."""


def find_counterpart(ws: Workspace, name: str, journey: JourneyMap) -> JourneyMap | None:
    """The saved map of the same journey in the other state (the to-be of an as-is map, or the reverse):
    at least half of its stages share names with this one's."""
    names = {s.casefold() for s in journey.stage_names}
    for summary in ws.list_maps()[:MAX_MAPS_SCANNED]:
        if summary.name == name:
            continue
        key = (str(ws.home), summary.name, summary.version)
        if key not in _outlines:
            other = ws.get_map(summary.name, summary.version).map
            _outlines[key] = (other.state, frozenset(s.casefold() for s in other.stage_names))
        state, stages = _outlines[key]
        if state != journey.state and len(names & stages) * 2 >= max(len(names), 1):
            return ws.get_map(summary.name, summary.version).map
    return None


def shown_context() -> ChatContext:
    """The chat's map and data as last shown next to the message box."""
    context = cl.user_session.get("journey_context")
    return context if isinstance(context, ChatContext) else ChatContext()


async def show_context(context: ChatContext) -> None:
    """Show the chat's (new) map and data in the pickers next to the message box."""
    cl.user_session.set("journey_context", context)
    await send_mode()


async def send_mode(loading: float | None = None, status: str | None = None) -> None:
    """The running mode, always visible next to the message box (the composer's picker; its menu shows the
    full label), then the chat's map and data pickers. While the embedded model is being assembled or
    loaded, the mode says so, with the progress."""
    from assistant.chat_app.context_bar import pickers

    lang = language()
    mode = runtime().mode()
    short = t(lang, f"mode_{mode.mode}", model=mode.model)
    description = mode.label
    if status is not None:
        short = f"{short} · {round(100 * loading)}%" if loading is not None else f"{short} · …"
        description = f"{status}\n{mode.label}"
    option = cl.ModeOption(id=mode.mode, name=short, description=description, icon="cpu", default=True)
    modes = [cl.Mode(id="assistant_mode", name=t(lang, "mode_name"), options=[option])]
    try:
        modes += await asyncio.to_thread(pickers, workspace(), shown_context(), lang)
    except Exception:  # the pickers are a convenience: the mode is shown even if the store is unreadable
        log.warning("the map and data pickers could not be built", exc_info=True)
    await cl.context.emitter.set_modes(modes)
