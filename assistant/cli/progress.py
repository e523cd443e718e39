"""Progress on stderr for the workspace's long steps (reading, embedding, indexing, labelling)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from assistant.cli.app import err
from assistant.workspace.core import Progress as ProgressCallback

LABELS = {
    "embedding": "Embedding new rows",
    "indexing": "Indexing for search",
    "labelling": "Labelling feedback",
}


@contextmanager
def progress_bars() -> Iterator[ProgressCallback]:
    """A callback that shows one bar per phase, with row counts and the time remaining when known."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                label = LABELS.get(phase, phase[:1].upper() + phase[1:])
                tasks[phase] = bar.add_task(label, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield update
