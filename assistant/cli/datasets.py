"""CLI commands for datasets: `journey datasets [--json]`, `journey datasets rename`, `journey datasets remove`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from assistant.cli.options import JSON_FLAG, command
from assistant.cli.root import app, clear_errors, print_json
from assistant.cli.workspace import open_workspace
from assistant.contracts.requests import DatasetRemove, DatasetRename

datasets_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="The stored datasets (one per upload or `journey ingest --source`), with their row counts.",
)
app.add_typer(datasets_app, name="datasets")


@datasets_app.callback()
def datasets(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")] = False,
) -> None:
    """List the datasets; `rename` and `remove` change one."""
    if ctx.invoked_subcommand is not None:
        return
    with clear_errors(), open_workspace() as ws:
        result = ws.datasets()
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    if not result.datasets:
        sys.stdout.write("No datasets yet: `journey ingest FILE` stores one.\n")
        return
    for d in result.datasets:
        dates = f", {d.first_date} to {d.last_date}" if d.first_date else ""
        sys.stdout.write(f"{d.name}: {d.rows:,} rows from {', '.join(d.files)}{dates}\n")
    sys.stdout.write(f"Total: {result.total_rows:,} rows in {len(result.datasets)} dataset(s)\n")


@command(datasets_app, "rename", DatasetRename, arguments=("name", "new_name"), extra=[JSON_FLAG])
def rename(request: DatasetRename, as_json: bool) -> None:
    """Rename a dataset (its rows keep their labels and corrections)."""
    with open_workspace() as ws:
        result = ws.rename_dataset(request)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        sys.stdout.write(f"Renamed {result.name} to {result.new_name} ({result.rows:,} rows).\n")


@command(datasets_app, "remove", DatasetRemove, arguments=("name",), extra=[JSON_FLAG])
def remove(request: DatasetRemove, as_json: bool) -> None:
    """Remove a dataset with its rows, vectors, labels and corrections."""
    with open_workspace() as ws:
        result = ws.remove_dataset(request)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        sys.stdout.write(f"Removed {result.name} ({result.rows:,} rows).\n")
