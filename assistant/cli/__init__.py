"""The `journey` command: a thin face over the workspace; every command has --help, most have --json."""

from __future__ import annotations

from assistant.cli import (  # noqa: F401  (registers commands)
    analysis,
    app_server,
    chat,
    datasets,
    evals,
    feedback,
    maps,
    migrate,
    model,
    search,
)
from assistant.cli.root import app

__all__ = ["app"]
