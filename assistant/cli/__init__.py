"""The `journey` command: a thin face over the workspace; every command has --help, most have --json."""

from __future__ import annotations

from assistant.cli import (  # noqa: F401  (registers commands)
    analysis,
    chat,
    chat_app,
    datasets,
    evals,
    feedback,
    maps,
    migrate,
    model,
    search,
)
from assistant.cli.app import app

__all__ = ["app"]
