"""The assistant in the terminal: `journey map`, `journey ask` and `journey chat`.

Thin faces over `Assistant.send`: they print the mode once, show tool steps and map changes as they
happen on stderr, and the answer on stdout (or the structured result with --json).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from assistant.cli.root import app, clear_errors, err, print_json

LanguageOption = Annotated[
    Literal["auto", "en", "ko"], typer.Option(help="Answer language (auto: the language of your message).")
]
SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        help="A dataset the conversation reads (repeatable; default: all stored feedback). `journey datasets` "
        "lists them.",
    ),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where", help="Only rows where a stored column matches: COLUMN=VALUE or COLUMN!=VALUE (repeatable)."
    ),
]


def _data_options(source: list[str] | None, where: list[str] | None) -> dict[str, Any]:
    """TurnOptions' data fields from --source/--where: the named datasets, else all stored feedback."""
    from assistant.cli.options import OptionError
    from assistant.contracts.requests import RowFilter

    try:
        filters = [RowFilter.parse(w) for w in where or []]
    except ValueError as exc:
        raise OptionError(f"--where: {exc}.") from None
    if source:
        return {"datasets": list(source), "where": filters}
    return {"all_feedback": True, "where": filters}


def _start(map_ref: str | None = None) -> tuple[Any, Any, str | None]:
    """Workspace, assistant and the conversation's map name (a JSON file is saved into the workspace)."""
    from assistant.conversation import Assistant
    from assistant.workspace import Workspace

    ws = Workspace.open()
    assistant = Assistant.start(ws)
    err.print(f"[dim]{assistant.mode.label}[/]", highlight=False)
    name = None
    if map_ref is not None:
        if ws.maps.exists(map_ref):
            name = map_ref
        else:
            journey = ws.import_map(Path(map_ref))
            name = ws.save_map(journey.title, journey, "user", f"loaded from {Path(map_ref).name}").name
    return ws, assistant, name


def _run_turn(
    assistant: Any, thread: str, text: str, options: Any, exports: Path | None
) -> tuple[Any, list[Any]]:
    return _show(assistant.send(thread, text, options), exports)


def _show(stream: Any, exports: Path | None) -> tuple[Any, list[Any]]:
    """Print a turn's events as they come (steps, map changes, files) and return its final answer."""
    from assistant.turns.events import FileExport, Final, MapUpdate, Status, ToolStep

    final: Final | None = None
    events: list[Any] = []
    for event in stream:
        events.append(event)
        if isinstance(event, ToolStep):
            mark = "[red]✗[/]" if event.error else "[green]✓[/]"
            err.print(f"  {mark} [dim]{event.name}[/] {event.error or ''}", highlight=False)
        elif isinstance(event, Status):
            err.print(f"  [yellow]…[/] {event.text}", highlight=False)
        elif isinstance(event, MapUpdate):
            err.print(f"  [cyan]map[/] {event.name} v{event.version}", highlight=False)
            for change in (event.diff.changes if event.diff else [])[:20]:
                err.print(f"    {change.text}", highlight=False)
        elif isinstance(event, FileExport) and exports is not None:
            exports.mkdir(parents=True, exist_ok=True)
            path = exports / event.export.filename
            path.write_bytes(event.export.content)
            err.print(f"  [cyan]file[/] {path}", highlight=False)
        elif isinstance(event, Final):
            final = event
    return final, events


@app.command("map")
def map_command(
    brief: Annotated[
        str, typer.Argument(help="What to map, e.g. 'first-time borrowers applying for a loan on mobile'.")
    ],
    persona: Annotated[
        list[str] | None, typer.Option(help="A persona to follow (repeatable), in a few words.")
    ] = None,
    use_feedback: Annotated[bool, typer.Option(help="Ground pain points in the stored feedback.")] = True,
    save: Annotated[str | None, typer.Option(help="Name to save the map under (default: its title).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write the map JSON here.")] = None,
    language: LanguageOption = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
) -> None:
    """Draft a journey map from a brief: adapted from the closest reference journey, with its assumptions
    stated. Writes a map, or exits 2 with the one question it needs answered (the brief names neither the
    customer nor the journey)."""
    from assistant.conversation import TurnOptions

    with clear_errors():
        ws, assistant, _ = _start()
        try:
            text = brief + "".join(f"\nPersona: {p}" for p in persona or [])
            options = TurnOptions(
                language=language,
                personas=max(1, len(persona or [])),
                intent="draft_map",
                use_feedback=use_feedback,
                all_feedback=use_feedback,
            )
            final, events = _run_turn(assistant, f"map-{uuid.uuid4().hex[:12]}", text, options, None)
            saved = ws.get_map(final.map_name) if final and final.map_name else None
            if saved is not None and save and save != saved.name:
                saved = ws.save_map(save, saved.map, "user", f"saved as {save}")
            if saved is not None and out is not None:
                from assistant.exports import to_json

                out.write_text(to_json(saved.map), encoding="utf-8")
        finally:
            ws.close()
    if as_json:
        print_json(
            {
                "mode": assistant.mode.model_dump(),
                "text": final.text if final else "",
                "asked": saved is None,
                "name": saved.name if saved else None,
                "version": saved.version if saved else None,
                "map": saved.map.model_dump(mode="json") if saved else None,
            }
        )
    else:
        sys.stdout.write((final.text if final else "") + "\n")
    if saved is None:
        # No map: the brief needs an answer first (exit 2, the question is the text above), or drafting
        # failed and said why (exit 1). Never exit 0 without a map.
        asked = any(
            getattr(e, "name", None) == "draft_journey_map" and (e.output or {}).get("question")
            for e in events
            if getattr(e, "type", None) == "tool"
        )
        raise typer.Exit(2 if asked else 1)


@app.command("ask")
def ask_command(
    question: Annotated[
        str, typer.Argument(help="A question, e.g. 'Why is onboarding worse than last quarter?'.")
    ],
    map_ref: Annotated[
        str | None, typer.Option("--map", help="A saved map's name or a map JSON file.")
    ] = None,
    source: SourceOption = None,
    where: WhereOption = None,
    language: LanguageOption = "auto",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the answer, its context and the tool results as JSON.")
    ] = False,
) -> None:
    """Ask the assistant one question about your journey and feedback (without --map it asks which map)."""
    from assistant.conversation import TurnOptions

    with clear_errors():
        data = _data_options(source, where)
        ws, assistant, name = _start(map_ref)
        try:
            final, events = _run_turn(
                assistant,
                f"ask-{uuid.uuid4().hex[:12]}",
                question,
                TurnOptions(language=language, current_map=name, **data),
                None,
            )
        finally:
            ws.close()
    if as_json:
        print_json(
            {
                "mode": assistant.mode.model_dump(),
                "context": _context_json(final),
                "answer": final.model_dump(mode="json") if final else None,
                "tools": [e.model_dump(mode="json") for e in events if e.type == "tool"],
            }
        )
        return
    sys.stdout.write((final.text if final else "") + "\n")


def _context_json(final: Any) -> dict[str, Any] | None:
    """What the answer was about, for scripts: the map and version, the datasets with their rows, the
    filters, period, metric and comparison of its analysis (or the conversation's map and data when the
    turn analysed nothing)."""
    if final is None:
        return None
    if final.scope is not None:
        return dict(final.scope.model_dump(mode="json"))
    ctx = final.context
    return {
        "map": ctx.map if ctx else None,
        "map_version": None,
        "datasets": [{"name": d, "rows": None} for d in (ctx.datasets if ctx else [])],
        "all_feedback": bool(ctx and ctx.all_feedback),
        "where": [],
        "since": None,
        "until": None,
        "metric": None,
        "compare_to": None,
        "segment_by": None,
        "rows_in_scope": None,
    }


@app.command("chat")
def chat_command(
    thread: Annotated[
        str | None, typer.Option(help="Resume this conversation (its id is printed at start).")
    ] = None,
    map_ref: Annotated[
        str | None, typer.Option("--map", help="A saved map's name or a map JSON file.")
    ] = None,
    source: SourceOption = None,
    where: WhereOption = None,
    language: LanguageOption = "auto",
    exports: Annotated[Path, typer.Option(help="Folder for files the assistant exports.")] = Path(
        "journey-exports"
    ),
) -> None:
    """A conversation in the terminal with the same assistant as the app (/file PATH adds a map or feedback
    file to it; /exit leaves)."""
    from assistant.conversation import TurnOptions

    with clear_errors():
        data = _data_options(source, where)
        ws, assistant, name = _start(map_ref)
    thread_id = thread or f"cli-{uuid.uuid4().hex[:12]}"
    if thread is not None and not source:
        data.pop("all_feedback", None)  # a resumed conversation keeps the data it chose
    err.print(
        f"[dim]conversation {thread_id} (resume with --thread {thread_id}); /file PATH adds a map or feedback "
        "file; /exit to leave[/]",
        highlight=False,
    )
    try:
        first = True
        while True:
            try:
                text = input("you> ").strip()
            except EOFError:
                break
            if text in ("/exit", "/quit", "exit", "quit"):
                break
            if not text:
                continue
            if text.startswith("/file "):
                # A map file becomes the conversation's map; a feedback file joins its data.
                path = Path(text[len("/file ") :].strip().strip("\"'")).expanduser()
                lang = language if language != "auto" else "en"
                with clear_errors():
                    final, shown = _show(assistant.add_file(thread_id, path, path.name, lang), exports)
                if any(e.type == "map" for e in shown):
                    name = None  # the file's map, not --map, is the conversation's map now
                sys.stdout.write(f"assistant> {final.text if final else ''}\n")
                continue
            with clear_errors():
                final, _ = _run_turn(
                    assistant,
                    thread_id,
                    text,
                    TurnOptions(
                        language=language, current_map=name if first else None, **(data if first else {})
                    ),
                    exports,
                )
            first = False
            sys.stdout.write(f"assistant> {final.text if final else ''}\n")
    finally:
        ws.close()
