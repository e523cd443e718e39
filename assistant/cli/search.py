"""CLI commands for the search index: reindex, search."""

from __future__ import annotations

import typer

from assistant.cli.options import JSON_FLAG, command
from assistant.cli.progress import progress_bars
from assistant.cli.root import app, err, print_json
from assistant.cli.workspace import open_workspace
from assistant.contracts.requests import ReindexRequest, SearchRequest


@command(app, "reindex", ReindexRequest, extra=[JSON_FLAG])
def reindex(request: ReindexRequest, as_json: bool) -> None:
    """Rebuild the search index from the feedback store and the methodology notes."""
    with open_workspace() as ws, progress_bars(ws.faster_tier) as progress:
        result = ws.reindex(request, progress)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    for kind, info in result.collections.items():
        mark = "[green]match[/]" if info.matches else "[red]MISMATCH[/]"
        source = "SQLite rows" if kind == "feedback" else "note sections"
        err.print(
            f"[bold]{kind}[/] ({info.collection}): {source} {info.source_count}, Chroma {info.index_count} {mark}",
            highlight=False,
        )
        for problem in info.skipped_files:
            err.print(f"[yellow]Warning:[/] {problem}", highlight=False)


@command(app, "search", SearchRequest, arguments=("query",), extra=[JSON_FLAG])
def search_command(request: SearchRequest, as_json: bool) -> None:
    """Find passages in the methodology notes or in stored feedback, with source, location and score."""
    with open_workspace() as ws:
        result = ws.search(request)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    if not result.hits:
        err.print("No passages found. Run `journey reindex` if the index is empty.")
        return
    for n, hit in enumerate(result.hits, 1):
        typer.echo(f"{n}. [{hit.score:.4f}] {hit.source} {hit.location}")
        typer.echo("   " + hit.text.replace("\n", "\n   "))
