"""Progress on stderr for the workspace's long steps (reading, embedding, indexing, labelling)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from assistant.cli.root import err
from assistant.workspace.core import Progress as ProgressCallback

LABELS = {
    "embedding": "Embedding new rows",
    "indexing": "Indexing for search",
    "labelling": "Labelling feedback",
}


LARGE_JOB = 20_000
"""From this many rows to embed, a slow model's bar says what the fast tier would take."""


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


@contextmanager
def progress_bars(faster: tuple[str, float] | None = None) -> Iterator[ProgressCallback]:
    """A callback that shows one bar per phase, with row counts and the time remaining when known.

    `faster`: (setting, speed-up) of a faster embedding tier; for a large embedding job the bar then says
    how long that tier would take for what remains."""
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
            if phase == "embedding" and faster is not None and total >= LARGE_JOB:
                remaining = bar.tasks[tasks[phase]].time_remaining
                if remaining:
                    name, speedup = faster
                    bar.update(
                        tasks[phase],
                        description=f"{LABELS['embedding']} (JOURNEY_EMBEDDING={name}: about "
                        f"{_minutes(remaining / speedup)} instead of {_minutes(remaining)})",
                    )

        yield update
