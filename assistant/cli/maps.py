"""CLI commands for journey maps: schema, export, import, demo, and the saved maps (`journey maps …`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.options import command, option
from assistant.cli.root import app, clear_errors, err, print_json
from assistant.cli.workspace import open_workspace
from assistant.contracts.requests import ExportRequest
from assistant.contracts.results import MapDiff, MapEditResult

maps_app = typer.Typer(
    help="Saved, versioned journey maps: add, list, show, edit, diff, undo.", no_args_is_help=True
)
app.add_typer(maps_app, name="maps")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]


@app.command()
def schema(
    ops: Annotated[bool, typer.Option("--ops", help="Print the schema of a map operation instead.")] = False,
) -> None:
    """Print the versioned JSON Schema (draft 2020-12) of a journey map, or of a map operation."""
    from assistant.domain.schema import committed_schema_text
    from assistant.maps.operations import operations_schema

    if ops:
        sys.stdout.write(json.dumps(operations_schema(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(committed_schema_text())


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


OUT = option(
    "out",
    Path | None,
    None,
    "--out",
    "-o",
    help="File to write. Text formats go to stdout when omitted; xlsx needs it.",
)


@command(
    app,
    "export",
    ExportRequest,
    arguments=("map",),
    flags={"format": ("--format", "-f")},
    extra=[OUT],
    help="Export a journey map (a saved map's name or a JSON file) for other tools: json, md, csv, xlsx, "
    "mermaid, html. Text from users is neutralised for each format. Example: journey export map.json "
    "--format html -o map.html",
)
def export_command(request: ExportRequest, out: Path | None) -> None:
    from assistant.exports import BINARY_FORMATS

    with clear_errors():
        if request.format in BINARY_FORMATS and out is None:
            err.print(
                f"[bold red]Error:[/] {request.format} is a binary format; give a file with -o, e.g. -o map.xlsx"
            )
            raise typer.Exit(2)
    with open_workspace() as ws:
        result = ws.export(request.map, request.format, request.version)
        if out is None:
            _write_stdout(result.content)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.content)
    err.print(f"Wrote {request.format} export to {out} ({result.size:,} bytes).", highlight=False)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="A map exported as JSON or CSV.", show_default=False),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Where to write the map JSON (stdout when omitted)."
    ),
) -> None:
    """Read a map back from its JSON or CSV export (the format is detected from the content).

    Bad files fail with one sentence; an invalid map lists the JSON paths of the bad fields.

    Example: journey import map.csv -o map.json
    """
    from assistant.exports import to_json
    from assistant.workspace import Workspace

    with clear_errors():
        journey = Workspace.import_map(file)
        text = to_json(journey)
        steps = sum(len(s.steps) for s in journey.stages)
        if out is None:
            _write_stdout(text.encode("utf-8"))
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        where = f" to {out}" if out else ""
        err.print(
            f"Imported “{journey.title}”: {len(journey.stages)} stages, {steps} steps{where}.",
            highlight=False,
        )


# --- saved maps ---------------------------------------------------------------------------------------


def _print_diff(diff: MapDiff) -> None:
    if not diff.changes:
        sys.stdout.write(f"No differences between versions {diff.from_version} and {diff.to_version}.\n")
    for change in diff.changes:
        sys.stdout.write(f"  {change.text}\n")


def _print_edit(result: MapEditResult) -> None:
    sys.stdout.write(f"{result.name}: now version {result.version}\n")
    _print_diff(result.diff)
    for warning in result.warnings:
        err.print(f"[yellow]Note:[/] {warning}", highlight=False)


@maps_app.command("add")
def maps_add(
    file: Annotated[
        Path, typer.Argument(help="A journey map JSON (or the product's CSV export).", show_default=False)
    ],
    name: Annotated[
        str | None, typer.Option(help="Name to save it under (default: the map's title).")
    ] = None,
    reason: Annotated[str, typer.Option(help="One line saying why.")] = "added from a file",
    as_json: JsonFlag = False,
) -> None:
    """Save a map file in the workspace (a new version if the name exists)."""
    with open_workspace() as ws:
        journey = ws.import_map(file)
        saved = ws.save_map(name or journey.title, journey, "user", reason)
    if as_json:
        print_json(saved.model_dump(mode="json", exclude={"map"}))
    else:
        sys.stdout.write(f"Saved “{saved.name}” as version {saved.version} ({len(journey.stages)} stages).\n")


@maps_app.command("list")
def maps_list(as_json: JsonFlag = False) -> None:
    """The saved maps, most recently changed first."""
    with open_workspace() as ws:
        maps = ws.list_maps()
    if as_json:
        print_json([m.model_dump(mode="json") for m in maps])
        return
    if not maps:
        sys.stdout.write("No saved maps yet: `journey maps add MAP.json`.\n")
        return
    table = Table("name", "title", "version", "stages", "updated", "by", "last change")
    for m in maps:
        table.add_row(
            m.name, m.title, str(m.version), str(m.stages), m.updated_at.isoformat(), m.author, m.reason
        )
    Console().print(table)


@maps_app.command("show")
def maps_show(
    name: Annotated[str, typer.Argument(help="The saved map's name.", show_default=False)],
    version: Annotated[int | None, typer.Option(min=1, help="A version (default: the latest).")] = None,
    history: Annotated[bool, typer.Option("--history", help="List every version instead.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a saved map (JSON with --json, else a summary), or its history."""
    with open_workspace() as ws:
        if history:
            versions = ws.map_history(name)
            if as_json:
                print_json([v.model_dump(mode="json") for v in versions])
            else:
                for v in versions:
                    sys.stdout.write(f"v{v.version}  {v.updated_at.isoformat()}  {v.author:<9} {v.reason}\n")
            return
        saved = ws.get_map(name, version)
    if as_json:
        print_json(saved.model_dump(mode="json"))
        return
    sys.stdout.write(f"{saved.map.title} — version {saved.version} by {saved.author} ({saved.reason})\n")
    for i, stage in enumerate(saved.map.stages, 1):
        sys.stdout.write(f"{i}. {stage.name}\n")
        for j, step in enumerate(stage.steps):
            mot = " ★" if step.moment_of_truth.is_moment else ""
            sys.stdout.write(
                f"   [{j}] {step.action} ({step.touchpoint or step.channel}; emotion {step.emotion.score:+d}){mot}\n"
            )


@maps_app.command("diff")
def maps_diff(
    name: Annotated[str, typer.Argument(help="The saved map's name.", show_default=False)],
    a: Annotated[int, typer.Argument(min=1, help="From version.", show_default=False)],
    b: Annotated[int, typer.Argument(min=1, help="To version.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """What changed between two versions: stages and steps added, removed, renamed, moved; fields old → new."""
    with open_workspace() as ws:
        diff = ws.diff_map(name, a, b)
    if as_json:
        print_json(diff.model_dump(mode="json"))
    else:
        _print_diff(diff)


@maps_app.command("undo")
def maps_undo(
    name: Annotated[str, typer.Argument(help="The saved map's name.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Go back to the version before the last edit (recorded as a new version)."""
    with open_workspace() as ws:
        result = ws.undo_map(name, "user")
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_edit(result)


@maps_app.command("edit")
def maps_edit(
    name: Annotated[str, typer.Argument(help="The saved map's name.", show_default=False)],
    op: Annotated[
        list[str],
        typer.Option(
            help='An operation as JSON, e.g. \'{"op": "rename_stage", "stage": "A", "new_name": "B"}\'. '
            "Repeatable; applied in order, all or nothing. `journey schema --ops` lists them."
        ),
    ],
    reason: Annotated[
        str | None, typer.Option(help="One line saying why (default: what the operations do).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Edit a saved map with typed operations; an edit that would make the map invalid stores nothing."""
    from pydantic import ValidationError

    from assistant.domain.loading import json_path
    from assistant.errors import MapValidationError
    from assistant.maps.operations import OPERATION_ADAPTER, OPERATION_NAMES

    with clear_errors():
        operations = []
        for k, text in enumerate(op):
            try:
                operations.append(OPERATION_ADAPTER.validate_json(text))
            except ValidationError as exc:
                first = exc.errors()[0]
                loc = tuple(first["loc"])
                # pydantic puts the union member's tag first (`rename_stage.new_name`); the user's JSON
                # has no such key, so the path starts after it. A wrong or missing tag is about `op`.
                if loc and loc[0] in OPERATION_NAMES:
                    loc = loc[1:]
                elif first["type"] in ("union_tag_invalid", "union_tag_not_found"):
                    loc = ("op",)
                where = json_path(loc)
                msg = first["msg"].rstrip(".")
                if first["type"] == "union_tag_not_found":
                    msg = 'missing: every operation names itself, e.g. "op": "rename_stage"'
                elif first["type"] == "union_tag_invalid":
                    msg = (
                        f"unknown operation; `journey schema --ops` lists them ({', '.join(OPERATION_NAMES)})"
                    )
                raise MapValidationError(f"--op {k + 1}: {where}: {msg}.", [(where, msg)]) from None
    with open_workspace() as ws:
        result = ws.edit_map(name, operations, "user", reason)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        _print_edit(result)


# --- demo ---------------------------------------------------------------------------------------------


@app.command()
def demo(
    out: Path = typer.Option(Path("demo-exports"), "--out", "-o", help="Folder for the exported files."),
    map_file: Path | None = typer.Option(
        None, "--map", help="Map to export instead of the bundled Korean loan sample."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the written files as JSON."),
    diagnose: bool = typer.Option(
        True, help="Also ingest the sample's bundled feedback into a private demo store and diagnose it."
    ),
) -> None:
    """Export the sample journey map in every format into a folder, and diagnose its sample feedback.

    Runs offline; no API key needed."""
    from assistant.offline_demo import run_demo

    with clear_errors():
        result = run_demo(out, map_file, diagnose)
    if as_json:
        print_json(
            {
                "map": str(result.source),
                "title": result.journey.title,
                "files": [{"format": w.format, "path": str(w.path), "bytes": w.size} for w in result.written],
                "diagnosis": None if result.diagnosis is None else str(out / "diagnosis.json"),
            }
        )
        return
    console = Console()
    table = Table(title=f"“{result.journey.title}” exported", title_justify="left")
    table.add_column("Format")
    table.add_column("File")
    table.add_column("Size", justify="right")
    for w in result.written:
        table.add_row(w.format, str(w.path), f"{w.size:,} B")
    console.print(f"Sample map: {result.source}", highlight=False)
    console.print(table)
    console.print(
        "No API key needed: this ran offline. Open the .html file in a browser, the .xlsx in a spreadsheet, "
        "or paste the .mmd into any Mermaid viewer.",
        highlight=False,
    )
    if result.diagnosis is not None:
        from assistant.analysis.render import diagnosis_report

        console.print(
            f"\n[bold]Diagnosis of the sample feedback[/] ({result.feedback}), full result in {out / 'diagnosis.json'}:"
        )
        text, _ = diagnosis_report(result.diagnosis, result.diagnosis.language, max_themes=1)
        console.print(text, highlight=False, markup=False)
