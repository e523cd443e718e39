"""CLI commands: feedback."""

from __future__ import annotations

from assistant.cli.app import app  # noqa: F401
