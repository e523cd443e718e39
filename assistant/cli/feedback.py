"""CLI commands for feedback: ingest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.cli.app import app, clear_errors, err, print_json
from assistant.feedback.records import IngestOptions, IngestReport, RatingType

if TYPE_CHECKING:
    from assistant.feedback.store import FeedbackStore
    from assistant.settings import Settings


def _print_summary(report: IngestReport) -> None:
    for f in report.files:
        cols = ", ".join(f"{role}={col}" for role, col in f.columns.items() if col)
        note = " (unchanged since last ingest)" if f.unchanged else ""
        err.print(
            f"[bold]{f.path}[/] {f.format} {f.encoding or ''}{note}\n"
            f"  columns: {cols or '-'}\n"
            f"  read {f.rows_read} = stored {f.rows_stored} + duplicate {f.rows_duplicate}"
            f" + rejected {f.rows_rejected}",
            highlight=False,
        )
        for r in f.rejects[:20]:
            err.print(f"  row {r.row}: {r.reason}", highlight=False)
        if len(f.rejects) > 20:
            err.print(f"  … and {len(f.rejects) - 20} more rejected rows (see --json)")
    t = report.totals
    err.print(
        f"[bold]Total[/]: read {t.rows_read} = stored {t.rows_stored} + duplicate {t.rows_duplicate}"
        f" + rejected {t.rows_rejected}",
        highlight=False,
    )


def _index_new_rows(settings: Settings, store: FeedbackStore) -> None:
    """Embed what was just stored, so search and the agent see it (SQLite stays the source of truth)."""
    from assistant.index.chroma_index import open_chroma, sync_feedback_index
    from assistant.index.embeddings import build_embedder

    with Progress(
        TextColumn("Indexing for search"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} rows"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("index", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        sync_feedback_index(store, open_chroma(settings), build_embedder(settings), progress=progress)


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, TSV, XLSX, JSON (array) or JSONL files.")],
    source: Annotated[str | None, typer.Option(help="Source name (default: the file name).")] = None,
    text_column: Annotated[str | None, typer.Option(help="Column holding the feedback text.")] = None,
    rating_column: Annotated[str | None, typer.Option(help="Column holding a score.")] = None,
    rating_type: Annotated[RatingType | None, typer.Option(help="Scale of the score.")] = None,
    date_column: Annotated[str | None, typer.Option(help="Column holding the date.")] = None,
    id_column: Annotated[str | None, typer.Option(help="Column holding your own row id.")] = None,
    stage_column: Annotated[str | None, typer.Option(help="Column naming the journey stage.")] = None,
    channel_column: Annotated[str | None, typer.Option(help="Column naming the channel.")] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX sheet name (default: the first).")] = None,
    index: Annotated[bool, typer.Option(help="Also update the search index.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
) -> None:
    """Store customer feedback files; every row is stored, a duplicate, or rejected with its reason."""
    from assistant.feedback.ingest import ingest_files
    from assistant.feedback.store import FeedbackStore
    from assistant.settings import load_settings

    with clear_errors():
        settings = load_settings()
        options = IngestOptions(
            source=source,
            text_column=text_column,
            rating_column=rating_column,
            rating_type=rating_type,
            date_column=date_column,
            id_column=id_column,
            stage_column=stage_column,
            channel_column=channel_column,
            sheet=sheet,
        )
        with (
            FeedbackStore.open(settings.sqlite_path) as store,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed} rows"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar,
        ):
            tasks: dict[str, TaskID] = {}

            def progress(path: str, rows: int) -> None:
                if path not in tasks:
                    tasks[path] = bar.add_task(f"Reading {Path(path).name}", total=None)
                bar.update(tasks[path], completed=rows)

            report = ingest_files(
                files,
                store,
                options,
                progress=progress,
                batch_rows=settings.ingest_batch_rows,
                max_cell=settings.max_cell_chars,
            )
            if index and report.totals.rows_stored:
                _index_new_rows(settings, store)
    if as_json:
        print_json(report.model_dump(include={"files", "totals"}, mode="json"))
    else:
        _print_summary(report)
