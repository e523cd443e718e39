"""A turn of the assistant in the chat: `send` runs in a worker thread, and each event it yields is shown
as it arrives (tool steps, the map picture, charts, files, status), then the answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import chainlit as cl

from assistant.chat_app import views
from assistant.chat_app.context_bar import Pick
from assistant.chat_app.state import (
    chat_settings,
    language,
    owner,
    remember_map,
    runtime,
    send_mode,
    session_dir,
    show_context,
    show_map,
)
from assistant.chat_app.texts import t
from assistant.chat_app.turns import TurnClock, iterate_in_thread
from assistant.contracts.requests import DiagnoseOptions
from assistant.contracts.results import Diagnosis
from assistant.errors import JourneyError, without_paths
from assistant.turns.events import (
    DiagnosisView,
    FileExport,
    Final,
    IdeasView,
    MapUpdate,
    Status,
    TextChunk,
    ToolStep,
)
from assistant.workspace import Workspace

log = logging.getLogger("journey.app")
SLOW_EVENT_SECONDS = 0.25


def full_diagnosis(ws: Workspace, view: DiagnosisView, map_name: str | None) -> Diagnosis | None:
    """Every stage, for the chart, when the assistant asked about one stage only: same map, data, filters,
    period and measure as the answer (labels are cached, so this costs a few SQL aggregates)."""
    d = view.diagnosis
    scope = d.scope
    name = scope.map if scope is not None and scope.map_version is not None else map_name
    if not view.focus or len(d.stages) > 1 or name is None:
        return None
    options = DiagnoseOptions(
        compare_to=d.compare_to,
        since=d.current_window.since,
        until=d.current_window.until,
        language=d.language,
    )
    if scope is not None:
        options = options.model_copy(
            update={
                "source": [] if scope.all_feedback else [x.name for x in scope.datasets],
                "where": list(scope.where),
                "metric": scope.metric,
            }
        )
    try:
        return ws.diagnose(name, options)
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


async def run_turn(text: str, clock: TurnClock, pick: Pick | None = None) -> Final | None:
    from assistant.conversation import TurnOptions  # LangChain: loaded by the warm-up, not at import

    rt = runtime()
    lang = language()
    chosen = chat_settings()
    who = owner()
    assistant = await asyncio.to_thread(rt.assistant, who, chosen.model)
    ws = assistant.workspace
    options = TurnOptions(
        language=chosen.language,
        personas=chosen.personas,
        # The chat's own context is kept with its thread; only a pick in the composer changes it here.
        current_map=pick.map if pick else None,
        datasets=pick.datasets if pick else None,
        all_feedback=pick.all_feedback if pick else None,
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
        await cl.Message(content=without_paths(str(exc))).send()
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
    if final.context is not None:
        await show_context(final.context)
    content = final.text
    if final.fallback:
        content += f"\n\n_{t(final.language, 'fallback')}_"
    # The assistant asked which map or data to use: each choice is a button (typing the name works too).
    actions = [
        cl.Action(
            name="pick_context",
            payload={"kind": c.kind, "value": c.value},
            label=c.label,
            tooltip=t(lang, "ctx_pick_label", label=c.label),
        )
        for c in final.choices
    ]
    if answer is None:
        await cl.Message(content=content, actions=actions).send()
    else:
        answer.content = content
        answer.actions = actions
        await answer.update()
    return final
