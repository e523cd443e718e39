"""The Typer application object and the shared way commands report errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from assistant.errors import JourneyError

app = typer.Typer(
    name="journey",
    help="Journey Assistant: design and diagnose customer journeys from your own feedback.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Progress and messages go to stderr so `--json` output on stdout stays machine-readable.
err = Console(stderr=True)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Turn a JourneyError into one sentence on stderr and the error's exit code."""
    try:
        yield
    except JourneyError as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def print_json(data: Any) -> None:
    """Write one JSON document to stdout (UTF-8, Korean kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


@app.callback()
def _root() -> None:
    """Journey Assistant: design and diagnose customer journeys from your own feedback."""
