"""CLI commands for the search index: reindex, search."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, Progress, TextColumn

from assistant.cli.app import app, clear_errors, err, print_json

Which = Literal["feedback", "methodology", "all"]


@app.command()
def reindex(
    collection: Annotated[Which, typer.Option(help="Which collection to rebuild.")] = "all",
    knowledge_dir: Annotated[
        Path | None, typer.Option(help="Methodology notes folder (default: knowledge/methodology).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON on stdout.")] = False,
) -> None:
    """Rebuild the search index from the feedback store and the methodology notes."""
    from assistant.feedback.store import FeedbackStore
    from assistant.index.chroma_index import (
        feedback_index_counts,
        methodology_index_counts,
        open_chroma,
        rebuild_feedback_index,
        rebuild_methodology_index,
    )
    from assistant.index.embeddings import build_embedder
    from assistant.index.knowledge import read_knowledge
    from assistant.settings import load_settings

    result: dict[str, Any] = {"embedder": "", "collections": {}}
    with clear_errors():
        settings = load_settings()
        embedder = build_embedder(settings)
        result["embedder"] = embedder.name
        client = open_chroma(settings)
        if collection in ("feedback", "all"):
            with (
                FeedbackStore.open(settings.sqlite_path) as store,
                Progress(
                    TextColumn("Indexing feedback"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    console=err,
                    transient=True,
                ) as bar,
            ):
                task = bar.add_task("index", total=store.count())
                indexed = rebuild_feedback_index(
                    store, client, embedder, progress=lambda done, total: bar.update(task, completed=done)
                )
                counts = feedback_index_counts(store, client, embedder)
            result["collections"]["feedback"] = {**counts.as_dict(), "indexed": indexed}
        if collection in ("methodology", "all"):
            loaded = read_knowledge(knowledge_dir)
            for problem in loaded.problems:
                err.print(f"[yellow]Warning:[/] {problem}", highlight=False)
            with err.status("Indexing methodology notes…"):
                synced = rebuild_methodology_index(client, embedder, loaded.sections)
            counts = methodology_index_counts(client, embedder, loaded.sections)
            result["collections"]["methodology"] = {
                **counts.as_dict(),
                "indexed": synced.added + synced.updated,
                "skipped_files": loaded.problems,
            }
    if as_json:
        print_json(result)
        return
    for kind, info in result["collections"].items():
        mark = "[green]match[/]" if info["matches"] else "[red]MISMATCH[/]"
        source = "SQLite rows" if kind == "feedback" else "note sections"
        err.print(
            f"[bold]{kind}[/] ({info['collection']}): {source} {info['source_count']}, "
            f"Chroma {info['index_count']} {mark}",
            highlight=False,
        )


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for, in Korean or English.")],
    collection: Annotated[
        Literal["methodology", "feedback"], typer.Option(help="Search notes or customer feedback.")
    ] = "methodology",
    where: Annotated[
        list[str] | None,
        typer.Option(help="KEY=VALUE filter, repeatable: channel=app, source=shop, plan=pro (any column)."),
    ] = None,
    since: Annotated[str | None, typer.Option(help="Only feedback dated on or after (YYYY-MM-DD).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many passages.")] = 5,
    knowledge_dir: Annotated[
        Path | None, typer.Option(help="Methodology notes folder (default: knowledge/methodology).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON on stdout.")] = False,
) -> None:
    """Find passages in the methodology notes or in stored feedback, with source, location and score."""
    from assistant.index.chroma_index import open_chroma, sync_methodology_index
    from assistant.index.embeddings import build_embedder
    from assistant.index.knowledge import read_knowledge
    from assistant.index.search import parse_where_options, search
    from assistant.settings import load_settings

    with clear_errors():
        filters = parse_where_options(where)
        settings = load_settings()
        client = open_chroma(settings)
        embedder = build_embedder(settings)
        if collection == "methodology":
            # Notes change with the code; syncing re-embeds only edited sections, so it is cheap.
            loaded = read_knowledge(knowledge_dir)
            for problem in loaded.problems:
                err.print(f"[yellow]Warning:[/] {problem}", highlight=False)
            sync_methodology_index(client, embedder, loaded.sections)
        hits = search(
            query,
            client=client,
            embedder=embedder,
            collection=collection,
            where=filters or None,
            since=since,
            limit=limit,
        )
    if as_json:
        print_json({"query": query, "collection": collection, "hits": [h.as_dict() for h in hits]})
        return
    if not hits:
        err.print("No passages found. Run `journey reindex` if the index is empty.")
        return
    for n, hit in enumerate(hits, 1):
        typer.echo(f"{n}. [{hit.score:.4f}] {hit.source} {hit.location}")
        typer.echo("   " + hit.text.replace("\n", "\n   "))
