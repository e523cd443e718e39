"""CLI commands for feedback: ingest."""

from __future__ import annotations

from assistant.cli.options import JSON_FLAG, command
from assistant.cli.progress import progress_bars
from assistant.cli.root import app, err, print_json
from assistant.cli.workspace import open_workspace
from assistant.contracts.requests import IngestRequest
from assistant.contracts.results import IngestResult


def _print_summary(report: IngestResult) -> None:
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
    if report.rows_indexed:
        err.print(f"Indexed {report.rows_indexed} new rows for search.", highlight=False)
    for note in report.notes:
        err.print(f"[yellow]Note:[/] {note}", highlight=False)


@command(app, "ingest", IngestRequest, arguments=("files",), extra=[JSON_FLAG])
def ingest(request: IngestRequest, as_json: bool) -> None:
    """Store customer feedback files; every row is stored, a duplicate, or rejected with its reason."""
    with open_workspace() as ws, progress_bars(ws.faster_tier) as progress:
        report = ws.ingest(request, progress)
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        _print_summary(report)
