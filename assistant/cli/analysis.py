"""CLI commands: analysis."""

from __future__ import annotations

from assistant.cli.app import app  # noqa: F401
