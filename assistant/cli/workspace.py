"""The CLI's one way to open the workspace."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assistant.cli.root import clear_errors
from assistant.workspace import Workspace


@contextmanager
def open_workspace() -> Iterator[Workspace]:
    """The workspace under JOURNEY_HOME; configuration and workspace errors become one sentence."""
    with clear_errors():
        ws = Workspace.open()
        try:
            yield ws
        finally:
            ws.close()
