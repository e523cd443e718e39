"""CLI commands for journey maps: schema, export, import, demo."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.app import app, clear_errors, err, print_json


class ExportFormat(StrEnum):
    json = "json"
    md = "md"
    csv = "csv"
    xlsx = "xlsx"
    mermaid = "mermaid"
    html = "html"


@app.command()
def schema() -> None:
    """Print the versioned JSON Schema (draft 2020-12) of a journey map."""
    from assistant.domain.schema import committed_schema_text

    sys.stdout.write(committed_schema_text())


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@app.command("export")
def export_command(
    map_file: Path = typer.Argument(..., help="Journey map JSON file.", show_default=False),
    fmt: ExportFormat = typer.Option(
        ExportFormat.json,
        "--format",
        "-f",
        help="json (exact copy), md (document), csv (one row per step, re-importable), xlsx (workbook), "
        "mermaid (journey diagram), html (self-contained page with the emotion curve).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="File to write. Text formats go to stdout when omitted; xlsx needs it."
    ),
) -> None:
    """Export a journey map for other tools (Miro, FigJam, Notion, Confluence, GitHub, spreadsheets).

    Text from users is neutralised for each format: no spreadsheet formulas, escaped HTML, escaped Mermaid syntax.

    Example: journey export map.json --format html -o map.html
    """
    from assistant.domain import load_map
    from assistant.exports import BINARY_FORMATS, export_map

    with clear_errors():
        journey = load_map(map_file)
        if fmt.value in BINARY_FORMATS and out is None:
            err.print(
                f"[bold red]Error:[/] {fmt.value} is a binary format; give a file with -o, e.g. -o map.xlsx"
            )
            raise typer.Exit(2)
        data = export_map(journey, fmt.value)
        if out is None:
            _write_stdout(data)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        err.print(
            f"Wrote {fmt.value} export of “{journey.title}” to {out} ({len(data):,} bytes).", highlight=False
        )


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
    from assistant.exports import import_map, to_json

    with clear_errors():
        journey = import_map(file)
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
    import json

    from assistant.demo_diagnosis import diagnose_sample, sample_feedback_for
    from assistant.domain import load_map
    from assistant.exports.demo import sample_map_path, write_all_exports

    diagnosis: dict[str, Any] | None = None
    with clear_errors():
        source = map_file or sample_map_path()
        journey = load_map(source)
        written = write_all_exports(journey, out, source.stem)
        feedback = sample_feedback_for(source) if diagnose else None
        if feedback is not None:
            with err.status("Diagnosing the sample feedback offline…"):
                _report, diagnosis = diagnose_sample(journey, feedback, out / ".journey-demo")
            (out / "diagnosis.json").write_text(
                json.dumps(diagnosis, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
            )
    if as_json:
        print_json(
            {
                "map": str(source),
                "title": journey.title,
                "files": [{"format": w.format, "path": str(w.path), "bytes": w.size} for w in written],
                "diagnosis": None if diagnosis is None else str(out / "diagnosis.json"),
            }
        )
        return
    console = Console()
    table = Table(title=f"“{journey.title}” exported", title_justify="left")
    table.add_column("Format")
    table.add_column("File")
    table.add_column("Size", justify="right")
    for w in written:
        table.add_row(w.format, str(w.path), f"{w.size:,} B")
    console.print(f"Sample map: {source}", highlight=False)
    console.print(table)
    console.print(
        "No API key needed: this ran offline. Open the .html file in a browser, the .xlsx in a spreadsheet, "
        "or paste the .mmd into any Mermaid viewer.",
        highlight=False,
    )
    if diagnosis is not None:
        from assistant.analysis.report import diagnosis_text
        from tools.language import language_of

        console.print(
            f"\n[bold]Diagnosis of the sample feedback[/] ({feedback}), full result in {out / 'diagnosis.json'}:"
        )
        text = diagnosis_text(diagnosis, max_themes=1, language=language_of(journey.language))
        console.print(text, highlight=False, markup=False)
