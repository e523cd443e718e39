"""CLI commands for journey maps: schema, export, import, demo."""

from __future__ import annotations

import sys

from assistant.cli.app import app


@app.command()
def schema() -> None:
    """Print the versioned JSON Schema (draft 2020-12) of a journey map."""
    from assistant.domain.schema import committed_schema_text

    sys.stdout.write(committed_schema_text())
