"""The chat's flows, called by the handlers in `assistant/app.py`: starting and resuming a chat, ingesting
uploads, running a turn of the assistant, and the map buttons (undo, export).

Each flow reads the session (user, settings, current map), calls the workspace or the assistant, and
hands the results to `views`. Synchronous work runs in worker threads so the page stays live.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.input_widget import Select, Slider

from assistant.agent.events import (
    DiagnosisView,
    FileExport,
    Final,
    IdeasView,
    MapUpdate,
    Status,
    TextChunk,
    ToolStep,
)
from assistant.chat_app import views
from assistant.chat_app.runtime import AppRuntime, get_runtime, owner_of
from assistant.chat_app.texts import t, ui_language
from assistant.chat_app.turns import TurnClock, call_in_thread, iterate_in_thread
from assistant.chat_app.uploads import UploadRefused, check_upload, stage_upload
from assistant.domain.model import JourneyMap
from assistant.errors import JourneyError
from assistant.workspace import Workspace
from assistant.workspace.requests import DiagnoseOptions, IngestRequest
from assistant.workspace.results import Diagnosis, MapDiff

log = logging.getLogger("journey.app")
PROGRESS_SECONDS = 0.3
SLOW_EVENT_SECONDS = 0.25
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


# --- the session's state ----------------------------------------------------------------------------------


def runtime() -> AppRuntime:
    return get_runtime()


def owner() -> str | None:
    user = cl.user_session.get("user")
    return owner_of(getattr(user, "identifier", None))


def workspace() -> Workspace:
    return runtime().workspace(owner())


def settings() -> dict[str, Any]:
    return cl.user_session.get("chat_settings") or {}


def language() -> str:
    """The language the app speaks: the chosen answer language, else the browser's."""
    chosen = settings().get("language")
    if chosen in ("en", "ko"):
        return str(chosen)
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


# --- start and resume -------------------------------------------------------------------------------------


async def send_settings(lang: str, values: dict[str, Any] | None = None) -> None:
    rt = runtime()
    values = values or {}
    inputs: list[Any] = [
        Select(
            id="language",
            label=t(lang, "set_language"),
            items={t(lang, "set_language_auto"): "auto", "English": "en", "한국어": "ko"},
            initial_value=str(values.get("language", "auto")),
        ),
        Slider(
            id="personas",
            label=t(lang, "set_personas"),
            initial=float(values.get("personas", 1)),
            min=1,
            max=3,
            step=1,
        ),
    ]
    models = rt.models()
    if len(models) > 1:
        inputs.append(
            Select(
                id="model",
                label=t(lang, "set_model"),
                values=models,
                initial_value=str(values.get("model", models[0])),
            )
        )
    chosen = await cl.ChatSettings(inputs).send()
    cl.user_session.set("chat_settings", chosen)


async def send_mode(loading: float | None = None, status: str | None = None) -> None:
    """The running mode, always visible next to the message box (the composer's picker; its menu shows the
    full label). While the embedded model is being assembled or loaded, it says so, with the progress."""
    mode = runtime().mode()
    short = {
        "embedded": "Embedded (offline)",
        "cloud": f"OpenAI · {mode.model}",
        "compatible": f"{mode.model} (server)",
        "scripted": "Scripted model",
    }[mode.mode]
    description = mode.label
    if status is not None:
        short = f"{short} · {round(100 * loading)}%" if loading is not None else f"{short} · …"
        description = f"{status}\n{mode.label}"
    option = cl.ModeOption(id=mode.mode, name=short, description=description, icon="cpu", default=True)
    await cl.context.emitter.set_modes([cl.Mode(id="assistant_mode", name="Mode", options=[option])])


def prepare_in_background() -> None:
    """Build this user's assistant while they read the page (errors surface on their first message)."""
    rt, who, model = runtime(), owner(), settings().get("model")

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


# --- uploads ----------------------------------------------------------------------------------------------


def _uploaded(message: cl.Message) -> list[Any]:
    return [e for e in message.elements or [] if getattr(e, "path", None)]


async def ingest_uploads(files: list[Any], clock: TurnClock) -> None:
    rt = runtime()
    lang = language()
    folder = session_dir()
    accepted: list[Path] = []
    refused: list[str] = []
    for element in files[: rt.app.journey_app_upload_files]:
        try:
            check_upload(Path(element.path), element.name, rt.app.upload_bytes)
        except UploadRefused as exc:
            refused.append(exc.message(lang))
            continue
        accepted.append(stage_upload(Path(element.path), folder / "uploads", element.name))
    for element in files[rt.app.journey_app_upload_files :]:
        refused.append(
            UploadRefused("too_many", name=element.name, limit=rt.app.journey_app_upload_files).message(lang)
        )
    if refused:
        await cl.Message(content="\n".join(f"- {t(lang, 'refused', why=why)}" for why in refused)).send()
    if not accepted:
        return
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
        progress.content = t(lang, "ingest_failed", why=str(exc))
        await progress.update()
        return
    except Exception as exc:  # a bug, not the file: logged with its traceback, one sentence for the user
        log.exception("ingest failed")
        progress.content = t(lang, "ingest_failed", why=type(exc).__name__)
        await progress.update()
        return
    await progress.remove()
    await views.accounting_message(result, folder, lang)


def progress_text(lang: str, phase: str, done: int, total: int) -> str:
    if phase.startswith("reading "):
        return t(lang, "progress_reading", file=phase[len("reading ") :], done=done)
    label = t(lang, f"phase_{phase}") if phase in ("embedding", "indexing", "labelling") else phase
    if total:
        bar = "▰" * round(10 * done / total) + "▱" * (10 - round(10 * done / total))
        return f"{t(lang, 'progress_phase', phase=label, done=done, total=total)} {bar}"
    return f"{label}: {done:,}"


# --- a turn -----------------------------------------------------------------------------------------------


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


def full_diagnosis(ws: Workspace, view: DiagnosisView, map_name: str | None) -> Diagnosis | None:
    """Every stage, for the chart, when the assistant asked about one stage only (labels are cached, so
    this costs a few SQL aggregates)."""
    if not view.focus or len(view.diagnosis.stages) > 1 or map_name is None:
        return None
    d = view.diagnosis
    options = DiagnoseOptions(
        compare_to=d.compare_to,
        since=d.current_window.since,
        until=d.current_window.until,
        language=d.language,
    )
    try:
        return ws.diagnose(map_name, options)
    except JourneyError:
        return None


class WaitIndicator:
    """What the user sees while the assistant works between events: the latest status it reported
    (fetching or loading the embedded model), else "Working…" once nothing has arrived for a few seconds,
    with the seconds so far. It goes away as soon as something else arrives, and at the end of the turn."""

    IDLE_SECONDS = 3.0
    TICK_SECONDS = 1.0

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.line: str | None = None
        self.message: cl.Message | None = None
        self.since = time.perf_counter()
        self.task: asyncio.Task[None] | None = None

    def _text(self) -> str:
        seconds = t(self.lang, "elapsed", seconds=time.perf_counter() - self.since)
        return f"{self.line or t(self.lang, 'working')} · {seconds}"

    async def _show(self) -> None:
        if self.message is None:
            self.message = cl.Message(content=self._text())
            await self.message.send()
        else:
            self.message.content = self._text()
            await self.message.update()

    def start(self) -> None:
        async def tick() -> None:
            while True:
                await asyncio.sleep(self.TICK_SECONDS)
                if self.line is not None or time.perf_counter() - self.since >= self.IDLE_SECONDS:
                    await self._show()

        self.task = asyncio.ensure_future(tick())

    async def status(self, line: str, done: bool) -> None:
        """A status line; once the slow part is `done` (the model is ready), back to plain waiting."""
        if self.line is None:
            self.since = time.perf_counter()
        self.line = line
        await self._show()
        if done:
            self.line, self.since = None, time.perf_counter()

    async def event(self) -> None:
        """Something else arrived: the wait is over."""
        self.line, self.since = None, time.perf_counter()
        if self.message is not None:
            message, self.message = self.message, None
            await message.remove()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.event()


async def run_turn(text: str, clock: TurnClock) -> Final | None:
    from assistant.agent.conversation import TurnOptions  # LangChain: loaded by the warm-up, not at import

    rt = runtime()
    lang = language()
    chosen = settings()
    who = owner()
    assistant = await asyncio.to_thread(rt.assistant, who, chosen.get("model"))
    ws = assistant.workspace
    options = TurnOptions(
        language=chosen.get("language", "auto") if chosen.get("language") in ("auto", "en", "ko") else "auto",
        personas=int(chosen.get("personas", 1) or 1),
        current_map=cl.user_session.get("journey_map"),
    )
    thread_id = cl.context.session.thread_id
    answer: cl.Message | None = None
    waiting = WaitIndicator(lang)
    loading_shown = False
    final: Final | None = None
    # A tool reports what it produced (a map, a diagnosis, a file) before its own step; they are shown
    # after the step, in the order the user expects.
    pending: list[Any] = []

    async def show(event: Any) -> None:
        if isinstance(event, MapUpdate):
            await show_map(event.map, event.name, event.version, event.diff, lang)
        elif isinstance(event, DiagnosisView):
            full = await asyncio.to_thread(full_diagnosis, ws, event, cl.user_session.get("journey_map"))
            await views.diagnosis_message(event, full, lang)
        elif isinstance(event, IdeasView):
            await views.ideas_message(event, lang)
        elif isinstance(event, FileExport):
            await views.file_message(event.export, session_dir(), lang)

    waiting.start()
    try:
        async for event in iterate_in_thread(lambda: assistant.send(thread_id, text, options), clock):
            handled = time.perf_counter()
            if not isinstance(event, Status):
                await waiting.event()
            if isinstance(event, ToolStep):
                await views.tool_step(event)
                for held in pending:
                    await show(held)
                pending.clear()
            elif isinstance(event, Status):
                done = event.progress is not None and event.progress >= 1.0
                line = event.text + (f" {round(100 * event.progress)}%" if event.progress is not None else "")
                await waiting.status(line, done)
                await send_mode(None if done else event.progress, None if done else event.text)
                loading_shown = not done
            elif isinstance(event, TextChunk):
                if answer is None:
                    answer = cl.Message(content="")
                await answer.stream_token(event.text)
            elif isinstance(event, MapUpdate | DiagnosisView | IdeasView | FileExport):
                pending.append(event)
            elif isinstance(event, Final):
                final = event
            if (spent := time.perf_counter() - handled) > SLOW_EVENT_SECONDS:
                log.info("showing %s took %.2f s", type(event).__name__, spent)
        for held in pending:
            await show(held)
    except JourneyError as exc:
        await cl.Message(content=str(exc)).send()
        return None
    except ImportError as exc:
        log.warning("turn failed: %s", exc)
        if (exc.name or "").startswith("assistant.llm"):
            await cl.Message(content=t(lang, "no_embedded_model")).send()
        else:
            await cl.Message(
                content=t(lang, "failed", what=f"{exc.name or 'a module'} is not installed")
            ).send()
        return None
    except Exception as exc:
        log.exception("turn failed")
        await cl.Message(content=t(lang, "failed", what=type(exc).__name__)).send()
        return None
    finally:
        await waiting.stop()
        if loading_shown:
            await send_mode()
    if final is None:
        return None
    if final.map_name and final.map_name != cl.user_session.get("journey_map"):
        await remember_map(final.map_name)
    content = final.text
    if final.fallback:
        content += f"\n\n_{t(final.language, 'fallback')}_"
    if answer is None:
        await cl.Message(content=content).send()
    else:
        answer.content = content
        await answer.update()
    return final


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


async def handle_message(message: cl.Message) -> None:
    clock = TurnClock()
    files = _uploaded(message)
    text = (message.content or "").strip()
    first = not cl.user_session.get("thread_named")
    cl.user_session.set("thread_named", True)  # only the first message names a chat
    if files:
        await ingest_uploads(files, clock)
        if (
            first and not text
        ):  # after the ingest: Chainlit has by then named the thread after the (empty) text
            await name_thread_after_files(files)
    final = await run_turn(text, clock) if text else None
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


# --- the map's buttons ------------------------------------------------------------------------------------


async def undo(action: cl.Action) -> None:
    lang = language()
    name = str(action.payload.get("map", ""))
    ws = workspace()
    try:
        result = await asyncio.to_thread(ws.undo_map, name, "user")
        saved = await asyncio.to_thread(ws.get_map, result.name, result.version)
    except JourneyError as exc:
        await cl.Message(content=t(lang, "nothing_to_undo", why=str(exc))).send()
        return
    intro = t(lang, "undone", title=saved.map.title, version=saved.version)
    await show_map(saved.map, saved.name, saved.version, result.diff, lang, intro=intro)


async def export(action: cl.Action) -> None:
    lang = language()
    name = str(action.payload.get("map", ""))
    fmt = str(action.payload.get("format", ""))
    version = action.payload.get("version")
    if fmt not in ("json", "md", "csv", "xlsx", "mermaid", "html"):
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
        await cl.Message(content=str(exc)).send()
        return
    await views.file_message(result, session_dir(), lang)
    log.info("export %s of %r in %.3f s", fmt, name, time.perf_counter() - started)


async def end_chat() -> None:
    runtime().drop_session(cl.context.session.id)
