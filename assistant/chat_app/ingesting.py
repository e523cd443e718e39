"""Uploads in the chat: every file checked before it is read, ingested with progress, then the accounting
(stored, duplicate, rejected) and the rejected rows as a file; a chat that starts with files is named
after them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import chainlit as cl

from assistant.chat_app import views
from assistant.chat_app.state import (
    background,
    chat_settings,
    language,
    owner,
    runtime,
    session_dir,
    show_context,
    show_map,
    workspace,
)
from assistant.chat_app.texts import t
from assistant.chat_app.turns import TurnClock, call_in_thread
from assistant.chat_app.uploads import UploadRefused, check_upload, stage_upload
from assistant.contracts.requests import IngestRequest
from assistant.errors import JourneyError, without_paths
from assistant.turns.events import Final, MapUpdate, ToolStep

log = logging.getLogger("journey.app")

PROGRESS_SECONDS = 0.3


def uploaded(message: cl.Message) -> list[Any]:
    return [e for e in message.elements or [] if getattr(e, "path", None)]


async def ingest_uploads(files: list[Any], clock: TurnClock) -> list[str]:
    """Ingest the message's files; the datasets they went into (which join this chat's data)."""
    rt = runtime()
    lang = language()
    folder = session_dir()
    accepted: list[Path] = []
    maps: list[tuple[Path, str]] = []
    shown_as: dict[str, str] = {}
    refused: list[str] = []
    for element in files[: rt.app.journey_app_upload_files]:
        try:
            check_upload(Path(element.path), element.name, rt.app.upload_bytes)
        except UploadRefused as exc:
            refused.append(exc.message(lang))
            continue
        staged = stage_upload(Path(element.path), folder / "uploads", element.name)
        if workspace().file_kind(staged) == "map":
            maps.append((staged, element.name))
        else:
            accepted.append(staged)
            shown_as[str(staged)] = element.name
    for element in files[rt.app.journey_app_upload_files :]:
        refused.append(
            UploadRefused("too_many", name=element.name, limit=rt.app.journey_app_upload_files).message(lang)
        )
    if refused:
        await cl.Message(content="\n".join(f"- {t(lang, 'refused', why=why)}" for why in refused)).send()
    for path, name in maps:
        await import_map_file(path, name, lang, clock)
    if not accepted:
        return []
    progress = cl.Message(content=t(lang, "reading", name=", ".join(p.name for p in accepted)))
    await progress.send()
    latest: list[tuple[str, int, int]] = []

    def report(phase: str, done: int, total: int) -> None:
        latest.append((phase, done, total))

    ws = workspace()
    task = asyncio.ensure_future(
        call_in_thread(lambda: ws.ingest(IngestRequest(files=accepted), progress=report), clock)
    )
    started = time.perf_counter()
    shown = ""
    while not task.done():
        await asyncio.wait([task], timeout=PROGRESS_SECONDS)
        # The latest phase, and the seconds so far (loading the embedding model reports nothing).
        line = progress_text(lang, *latest[-1]) if latest else progress.content.split(" · ")[0]
        line += " · " + t(lang, "elapsed", seconds=time.perf_counter() - started)
        if line != shown:
            shown = line
            progress.content = line
            await progress.update()
    try:
        result = task.result()
    except JourneyError as exc:
        progress.content = t(lang, "ingest_failed", why=without_paths(with_upload_names(str(exc), shown_as)))
        await progress.update()
        return []
    except Exception as exc:  # a bug, not the file: logged with its traceback, one sentence for the user
        log.exception("ingest failed")
        progress.content = t(lang, "ingest_failed", why=type(exc).__name__)
        await progress.update()
        return []
    await progress.remove()
    await views.accounting_message(result, folder, lang)
    return list(
        dict.fromkeys(
            f.dataset
            for f in result.files
            if f.dataset and (f.rows_stored or f.unchanged or f.rows_duplicate)
        )
    )


async def import_map_file(path: Path, name: str, lang: str, clock: TurnClock) -> None:
    """A map file dropped in the chat: imported by the assistant, shown, and kept as the chat's map."""
    rt = runtime()
    assistant = await asyncio.to_thread(rt.assistant, owner(), chat_settings().model)
    thread_id = cl.context.session.thread_id
    events = await call_in_thread(
        lambda: list(assistant.add_file(thread_id, path, name, "ko" if lang.startswith("ko") else "en")),
        clock,
    )
    final = events[-1] if events and isinstance(events[-1], Final) else None
    if final is not None and final.context is not None:
        await show_context(final.context)  # the map picker shows the imported map
    for event in events:
        if isinstance(event, ToolStep):
            await views.tool_step(event)
        elif isinstance(event, MapUpdate):
            await show_map(
                event.map, event.name, event.version, event.diff, lang, intro=final.text if final else ""
            )
            return
    if final is not None:
        await cl.Message(content=final.text).send()


def with_upload_names(message: str, shown_as: dict[str, str]) -> str:
    """The message with each staged copy's server path replaced by the name the person uploaded."""
    for path, name in sorted(shown_as.items(), key=lambda item: -len(item[0])):
        message = message.replace(path, name)
    return message


def progress_text(lang: str, phase: str, done: int, total: int) -> str:
    if phase.startswith("reading "):
        return t(lang, "progress_reading", file=phase[len("reading ") :], done=done)
    label = t(lang, f"phase_{phase}") if phase in ("embedding", "indexing", "labelling") else phase
    if total:
        bar = "▰" * round(10 * done / total) + "▱" * (10 - round(10 * done / total))
        return f"{t(lang, 'progress_phase', phase=label, done=done, total=total)} {bar}"
    return f"{label}: {done:,}"


async def name_thread_after_files(files: list[Any]) -> None:
    """A conversation that starts with files only gets their names as its title in the history."""
    from chainlit.data import get_data_layer

    from assistant.chat_app.persistence import JourneyDataLayer

    layer = get_data_layer()
    if not isinstance(layer, JourneyDataLayer):
        return
    names = ", ".join(str(getattr(f, "name", "")) for f in files)[:100]
    background(
        layer.name_if_unnamed(cl.context.session.thread_id, t(language(), "thread_files", names=names))
    )
