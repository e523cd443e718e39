"""How the assistant's events and the workspace's results appear in the chat: messages, steps, the map
picture, charts and files. Each function takes what it shows and sends it; none decides anything about
the data (the numbers come from the results as they are).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.element import Element
from pydantic.dataclasses import dataclass

from assistant.analysis.render import ideas_answer, pct, shorten
from assistant.chat_app import charts
from assistant.chat_app.grid import grid_props
from assistant.chat_app.texts import EXPORT_LABELS, t
from assistant.contracts.results import Diagnosis, ExportResult, IngestResult, MapDiff, StageDiagnosis
from assistant.domain.map_model import JourneyMap
from assistant.turns.answer_guard import inert_markdown
from assistant.turns.events import DiagnosisView, IdeasView, ToolStep


@dataclass
class PlotlyFigure(cl.Plotly):
    """Chainlit's Plotly element for a figure given as Plotly JSON (plain dicts, validated by the chart
    builders' tests), sent without building a `plotly.graph_objects.Figure` first."""

    def __post_init__(self) -> None:
        layout = {**self.figure.get("layout", {}), "autosize": True}
        layout.pop("width", None)
        self.content = json.dumps({**self.figure, "layout": layout}, ensure_ascii=False)
        self.mime = "application/json"
        Element.__post_init__(self)


STEP_OUTPUT_CHARS = 30_000
REJECTS_SHOWN = 5
QUOTES_PER_THEME = 2
THEMES_SHOWN = 3


def _json(value: Any, limit: int = STEP_OUTPUT_CHARS) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit:,} more characters)"


def _utc(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat() + "Z"  # Chainlit's own timestamp format


async def tool_step(event: ToolStep) -> None:
    """A tool call as a step: its input and its output (or its error) as JSON, with the time it took. The
    call is over when the app hears of it, so the step is sent once, finished."""
    step = cl.Step(name=event.name, type="tool", show_input="json", language="json")
    step.input = _json(event.input)
    step.output = _json({"error": event.error}) if event.error else _json(event.output)
    step.is_error = event.error is not None
    end = datetime.now(UTC)
    step.start, step.end = _utc(end - timedelta(seconds=max(event.seconds, 0.0))), _utc(end)
    await step.send()


# --- maps -----------------------------------------------------------------------------------------------


def map_elements(
    journey: JourneyMap, name: str, version: int, diff: MapDiff | None, counterpart: JourneyMap | None
) -> list[Any]:
    return [
        cl.CustomElement(
            name="JourneyGrid", props=grid_props(journey, name, version, diff), display="inline"
        ),
        PlotlyFigure(
            name="emotion-curve.json",
            figure=charts.emotion_curve(journey, counterpart),
            display="inline",
            size="large",
        ),
    ]


def map_actions(name: str, version: int, language: str, undo: bool) -> list[cl.Action]:
    actions = []
    if undo:
        actions.append(
            cl.Action(
                name="undo_map",
                payload={"map": name, "version": version},
                label=t(language, "map_undo"),
                tooltip=t(language, "map_undo"),
                icon="undo-2",
            )
        )
    actions += [
        cl.Action(
            name="export_map",
            payload={"map": name, "version": version, "format": fmt},
            label=label,
            tooltip=f"{label} ({fmt})",
            icon="download",
        )
        for fmt, label in EXPORT_LABELS.items()
    ]
    return actions


def map_text(journey: JourneyMap, version: int, diff: MapDiff | None, language: str, intro: str = "") -> str:
    if diff is None or not diff.changes:
        head = t(
            language,
            "map_new",
            title=journey.title,
            version=version,
            stages=len(journey.stages),
            steps=sum(len(s.steps) for s in journey.stages),
        )
        return f"{intro}\n\n{head}".strip()
    lines = [t(language, "map_edit", title=journey.title, version=version)]
    lines += [f"- {change.text}" for change in diff.changes[:30]]
    if len(diff.changes) > 30:
        lines.append(f"- … (+{len(diff.changes) - 30})")
    return "\n".join([intro, *lines]).strip()


async def map_message(
    journey: JourneyMap,
    name: str,
    version: int,
    diff: MapDiff | None,
    language: str,
    counterpart: JourneyMap | None = None,
    intro: str = "",
) -> cl.Message:
    """The map as a picture (grid and emotion curve), what changed, and its buttons."""
    # Only the newest map keeps its buttons: undo always applies to the latest edit. (Kept as dicts: the
    # session is saved with the thread as JSON.)
    for action in cl.user_session.get("map_actions") or []:
        if isinstance(action, dict):
            await cl.context.emitter.emit("remove_action", action)
    actions = map_actions(name, version, language, undo=version > 1)
    message = cl.Message(
        content=map_text(journey, version, diff, language, intro),
        elements=map_elements(journey, name, version, diff, counterpart),
        actions=actions,
    )
    await message.send()
    cl.user_session.set("map_actions", [a.to_dict() for a in actions])
    return message


async def reattach_map_actions(message_id: str, name: str, version: int, language: str) -> None:
    """The buttons of a map message restored from history (Chainlit keeps messages, not their buttons)."""
    actions = map_actions(name, version, language, undo=version > 1)
    for action in actions:
        await action.send(for_id=message_id)
    cl.user_session.set("map_actions", [a.to_dict() for a in actions])


# --- diagnosis ------------------------------------------------------------------------------------------


def quotes_markdown(entry: StageDiagnosis, language: str) -> str:
    """The stage's pain themes with the customers' words and their feedback ids."""
    # Customers' words and the names from a map are data: shown as written, never as links or markup.
    stage = inert_markdown(entry.stage)
    lines = [t(language, "quotes_head", stage=stage, n=entry.n, share=pct(entry.negative_share))]
    for theme in entry.themes[:THEMES_SHOWN]:
        lines.append(f"- **{inert_markdown(theme.label)}** ({theme.n}, {pct(theme.share_of_negative)})")
        for quote in theme.quotes[:QUOTES_PER_THEME]:
            lines.append(f"  - “{inert_markdown(shorten(quote.text))}” `{quote.feedback_id}`")
        if theme.counter_evidence.n:
            lines.append(f"  - _{t(language, 'counter', n=theme.counter_evidence.n)}_")
    return "\n".join(lines)


def focus_entry(diagnosis: Diagnosis, focus: str | None) -> StageDiagnosis | None:
    if focus and (entry := diagnosis.stage(focus)) is not None:
        return entry
    return diagnosis.stage(diagnosis.ranking[0]) if diagnosis.ranking else None


async def diagnosis_message(view: DiagnosisView, full: Diagnosis | None, language: str) -> None:
    """The chart of every stage (from `full` when the view covers the asked stage only) and the quotes."""
    diagnosis = full or view.diagnosis
    entry = focus_entry(view.diagnosis, view.focus)
    content = quotes_markdown(entry, language) if entry is not None and entry.themes else ""
    await cl.Message(
        content=content,
        elements=[
            PlotlyFigure(
                name="diagnosis.json",
                figure=charts.diagnosis_chart(diagnosis, view.focus),
                display="inline",
                size="large",
            )
        ],
    ).send()


async def ideas_message(view: IdeasView, language: str) -> None:
    ideas = view.ideas
    if not ideas.ideas:
        return
    text, _ = ideas_answer(ideas, "ko" if language == "ko" else "en", escape=inert_markdown)
    await cl.Message(content=text).send()


# --- files ----------------------------------------------------------------------------------------------


def write_export(result: ExportResult, folder: Path) -> Path:
    """The exported bytes, in the session's own folder (a new sub-folder each time, so names never clash)."""
    n = 1
    while (folder / "exports" / str(n)).exists():
        n += 1
    target = folder / "exports" / str(n) / result.filename
    target.parent.mkdir(parents=True)
    target.write_bytes(result.content)
    return target


async def file_message(result: ExportResult, folder: Path, language: str) -> None:
    path = write_export(result, folder)
    await cl.Message(
        content=t(language, "export_ready", filename=result.filename, size=result.size),
        elements=[cl.File(name=result.filename, path=str(path), mime=result.media_type, display="inline")],
    ).send()


# --- uploads --------------------------------------------------------------------------------------------


def rejects_csv(result: IngestResult) -> bytes:
    """Every rejected row with its file, row number and reason (UTF-8 with BOM so Excel reads Korean)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "row", "reason"])
    for report in result.files:
        for reject in report.rejects:
            writer.writerow([Path(report.path).name, reject.row, reject.reason])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def accounting_markdown(result: IngestResult, language: str) -> str:
    h = {k: t(language, f"col_{k}") for k in ("file", "read", "stored", "duplicate", "rejected")}
    lines = [
        t(language, "accounting"),
        "",
        f"| {h['file']} | {h['read']} | {h['stored']} | {h['duplicate']} | {h['rejected']} |",
        "|---|---:|---:|---:|---:|",
    ]
    for report in result.files:
        name = Path(report.path).name.replace("|", "/")
        lines.append(
            f"| {name} | {report.rows_read:,} | {report.rows_stored:,} | {report.rows_duplicate:,} | "
            f"{report.rows_rejected:,} |"
        )
    totals = result.totals
    if len(result.files) > 1:
        lines.append(
            f"| **{t(language, 'total')}** | **{totals.rows_read:,}** | **{totals.rows_stored:,}** | "
            f"**{totals.rows_duplicate:,}** | **{totals.rows_rejected:,}** |"
        )
    notes = []
    for report in result.files:
        name = Path(report.path).name
        if report.unchanged:
            notes.append(t(language, "unchanged", name=name))
        used = ", ".join(
            f"{role} = {inert_markdown(column)}" for role, column in report.columns.items() if column
        )
        if used:
            notes.append(t(language, "columns", name=name, columns=used))
    if notes:
        lines += ["", *notes]
    rejects = [(Path(r.path).name, x) for r in result.files for x in r.rejects]
    if rejects:
        lines += ["", t(language, "rejects_head", n=min(len(rejects), REJECTS_SHOWN))]
        lines += [f"- {name}, row {x.row}: {inert_markdown(x.reason)}" for name, x in rejects[:REJECTS_SHOWN]]
    return "\n".join(lines)


async def accounting_message(result: IngestResult, folder: Path, language: str) -> None:
    elements: list[Any] = []
    if result.totals.rows_rejected:
        n = 1
        while (folder / "rejects" / str(n)).exists():
            n += 1
        path = folder / "rejects" / str(n) / t(language, "rejects_file")
        path.parent.mkdir(parents=True)
        path.write_bytes(rejects_csv(result))
        elements.append(cl.File(name=path.name, path=str(path), mime="text/csv", display="inline"))
    content = accounting_markdown(result, language)
    if result.totals.rows_stored:
        content += "\n\n" + t(language, "after_upload")
    await cl.Message(content=content, elements=elements).send()
