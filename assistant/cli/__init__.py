"""The `journey` command: a thin face over the workspace; every command has --help, most have --json."""

from __future__ import annotations

from assistant.cli import analysis, chat, chat_app, evals, feedback, maps, migrate, model, search  # noqa: F401  (registers commands)
from assistant.cli.app import app

__all__ = ["app"]
