"""The chat's flows, called by the handlers in `assistant/chat_app/handlers.py`: starting and resuming a chat, a message
(files and/or a question), and the map's buttons (undo, export).

Each flow reads the session (user, settings, current map), calls the workspace or the assistant, and
hands the results to `views`; turns are in `answering`, uploads in `ingesting`, shared state in `state`.
Synchronous work runs in worker threads so the page stays live.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, get_args

import chainlit as cl

from assistant.chat_app import views
from assistant.chat_app.answering import run_turn
from assistant.chat_app.context_bar import read_pick
from assistant.chat_app.forms import form_inputs
from assistant.chat_app.ingesting import ingest_uploads, name_thread_after_files, uploaded
from assistant.chat_app.state import (
    background,
    chat_settings,
    language,
    owner,
    runtime,
    send_mode,
    session_dir,
    settings,
    show_context,
    show_map,
    shown_context,
    workspace,
)
from assistant.chat_app.texts import t, ui_language
from assistant.chat_app.turns import TurnClock
from assistant.contracts.requests import ChatSettings, ExportFormat
from assistant.errors import JourneyError, without_paths

log = logging.getLogger("journey.app")


# --- start and resume -------------------------------------------------------------------------------------


async def send_settings(lang: str, values: dict[str, Any] | None = None) -> None:
    """The chat's settings panel, built from the ChatSettings request model (assistant/chat_app/forms.py)."""
    inputs = form_inputs(ChatSettings, lang, values, choices={"model": runtime().models()})
    chosen = await cl.ChatSettings(inputs).send()
    cl.user_session.set("chat_settings", chosen)


def prepare_in_background() -> None:
    """Build this user's assistant while they read the page (errors surface on their first message)."""
    rt, who, model = runtime(), owner(), chat_settings().model

    def prepare() -> None:
        try:
            rt.prepare(who, model)
        except Exception:
            log.debug("preparing the assistant failed", exc_info=True)

    asyncio.get_running_loop().run_in_executor(None, prepare)


async def start_chat() -> None:
    lang = language()
    await send_settings(lang)
    await send_mode()
    prepare_in_background()


async def resume_chat(thread: dict[str, Any]) -> None:
    """Restore the thread's current map: the history already shows its picture (the elements are stored);
    its buttons are attached again, or the map is shown anew if it changed meanwhile."""
    lang = language()
    await send_settings(lang, settings())
    await send_mode()
    prepare_in_background()
    background(show_thread_context())
    cl.user_session.set("thread_named", True)
    metadata = thread.get("metadata") or {}
    name = metadata.get("journey_map") if isinstance(metadata, dict) else None
    if not name:
        return
    ws = workspace()
    try:
        saved = await asyncio.to_thread(ws.get_map, name)
    except JourneyError:
        saved = None
    shown_version = metadata.get("journey_map_version")
    message_id = metadata.get("journey_map_message")

    async def after_history_is_shown() -> None:
        if saved is None:
            await cl.Message(content=t(lang, "resumed_missing", name=name)).send()
        elif message_id and shown_version == saved.version:
            await views.reattach_map_actions(str(message_id), saved.name, saved.version, lang)
        else:
            intro = t(lang, "resumed_changed", version=saved.version)
            await show_map(saved.map, saved.name, saved.version, None, lang, intro=intro)

    await after_resume(after_history_is_shown)


async def after_resume(task: Callable[[], Awaitable[None]]) -> None:
    """Run `task` once Chainlit has sent the thread's history to the page: anything sent before is
    replaced by that history. (Chainlit sends it right after `on_chat_resume` returns.)"""
    emitter = cl.context.emitter
    shown = asyncio.Event()
    original = emitter.resume_thread

    async def resume_thread(thread: Any) -> Any:
        try:
            return await original(thread)
        finally:
            shown.set()

    emitter.resume_thread = resume_thread  # type: ignore[method-assign,assignment]

    async def run() -> None:
        try:
            await asyncio.wait_for(shown.wait(), timeout=30)
        except TimeoutError:
            return
        await task()

    background(run())


def starters(browser_language: str | None) -> list[cl.Starter]:
    lang = ui_language(browser_language)
    return [
        cl.Starter(
            label=t(lang, f"starter_{key}"), message=t(lang, f"starter_{key}_msg"), icon=f"/public/{icon}.svg"
        )
        for key, icon in (
            ("draft", "map"),
            ("diagnose", "stethoscope"),
            ("upload", "upload"),
            ("export", "download"),
        )
    ]


# --- a message and the map's buttons ------------------------------------------------------------------


async def handle_message(message: cl.Message) -> None:
    clock = TurnClock()
    files = uploaded(message)
    text = (message.content or "").strip()
    first = not cl.user_session.get("thread_named")
    cl.user_session.set("thread_named", True)  # only the first message names a chat
    pick = read_pick(getattr(message, "modes", None), shown_context())
    if files:
        datasets = await ingest_uploads(files, clock)
        if datasets:
            await join_datasets(datasets)
        if (
            first and not text
        ):  # after the ingest: Chainlit has by then named the thread after the (empty) text
            await name_thread_after_files(files)
    final = await run_turn(text, clock, pick) if text else None
    remaining = runtime().script_remaining()
    log.info(
        "turn timing: total=%.3f waiting=%.3f app=%.3f files=%d mode=%s%s",
        clock.total,
        clock.waiting,
        clock.app,
        len(files),
        final.mode if final else "-",
        "" if remaining is None else f" script_remaining={remaining}",
    )


# --- the chat's context: uploads join it, a pick changes it ----------------------------------------------


async def chat_assistant() -> Any:
    rt = runtime()
    return await asyncio.to_thread(rt.assistant, owner(), chat_settings().model)


async def join_datasets(names: list[str]) -> None:
    """Files uploaded in this chat: their datasets join the chat's data."""
    assistant = await chat_assistant()
    thread_id = cl.context.session.thread_id
    context = shown_context()
    for name in names:
        context = await asyncio.to_thread(assistant.add_dataset, thread_id, name)
    await show_context(context)


async def show_thread_context() -> None:
    """A resumed chat shows the map and data it worked on (kept with its thread)."""
    try:
        assistant = await chat_assistant()
        context = await asyncio.to_thread(assistant.context, cl.context.session.thread_id)
    except Exception:
        log.warning("the chat's context could not be read", exc_info=True)
        return
    await show_context(context)


async def pick_context(action: cl.Action) -> None:
    """A button under the assistant's question 'which map / which data?': the pick becomes the chat's
    context, and the question it held back is answered."""
    lang = language()
    kind = str(action.payload.get("kind", ""))
    value = str(action.payload.get("value", ""))
    assistant = await chat_assistant()
    thread_id = cl.context.session.thread_id
    try:
        if kind == "map":
            context = await asyncio.to_thread(assistant.set_context, thread_id, value)
        elif kind == "dataset":
            context = await asyncio.to_thread(assistant.add_dataset, thread_id, value)
        elif kind == "all_feedback":
            context = await asyncio.to_thread(lambda: assistant.set_context(thread_id, all_feedback=True))
        else:
            return
    except JourneyError as exc:
        await cl.Message(content=str(exc)).send()
        return
    await show_context(context)
    line = await asyncio.to_thread(workspace().chat_line, context, "ko" if lang == "ko" else "en")
    await cl.Message(content=t(lang, "ctx_picked", line=line)).send()
    pending = await asyncio.to_thread(assistant.take_pending, thread_id)
    if pending:
        await run_turn(pending, TurnClock())


# --- the map's buttons ------------------------------------------------------------------------------------


async def undo(action: cl.Action) -> None:
    lang = language()
    name = str(action.payload.get("map", ""))
    ws = workspace()
    try:
        result = await asyncio.to_thread(ws.undo_map, name, "user")
        saved = await asyncio.to_thread(ws.get_map, result.name, result.version)
    except JourneyError as exc:
        await cl.Message(content=t(lang, "nothing_to_undo", why=without_paths(str(exc)))).send()
        return
    intro = t(lang, "undone", title=saved.map.title, version=saved.version)
    await show_map(saved.map, saved.name, saved.version, result.diff, lang, intro=intro)


async def export(action: cl.Action) -> None:
    lang = language()
    name = str(action.payload.get("map", ""))
    fmt = str(action.payload.get("format", ""))
    version = action.payload.get("version")
    if fmt not in get_args(ExportFormat):
        return
    ws = workspace()
    started = time.perf_counter()
    try:
        result = await asyncio.to_thread(
            ws.export,
            name,
            fmt,  # type: ignore[arg-type]  # checked against the formats above
            int(version) if isinstance(version, int) else None,
            False,
        )
    except JourneyError as exc:
        await cl.Message(content=without_paths(str(exc))).send()
        return
    await views.file_message(result, session_dir(), lang)
    log.info("export %s of %r in %.3f s", fmt, name, time.perf_counter() - started)


async def end_chat() -> None:
    runtime().drop_session(cl.context.session.id)
