"""Running synchronous work (the assistant's `send`, an ingest) in a worker thread while the UI stays
live: events cross to the event loop through a queue, and the time the app itself spends is measured
apart from the time it waits for the assistant.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


@dataclass
class TurnClock:
    """Wall time of a turn, split into waiting for the worker and the app's own handling."""

    started: float = field(default_factory=time.perf_counter)
    waiting: float = 0.0

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started

    @property
    def app(self) -> float:
        return max(0.0, self.total - self.waiting)


async def iterate_in_thread(
    produce: Callable[[], Iterator[T]], clock: TurnClock | None = None
) -> AsyncIterator[T]:
    """Yield what `produce()` yields, computed in a worker thread. If the consumer stops early (the user
    pressed stop), the worker stops at its next item and the generator is closed."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = threading.Event()

    def work() -> None:
        iterator = produce()
        try:
            for item in iterator:
                loop.call_soon_threadsafe(queue.put_nowait, (True, item))
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, which decides what the user sees
            loop.call_soon_threadsafe(queue.put_nowait, (False, exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
            loop.call_soon_threadsafe(queue.put_nowait, (True, _DONE))

    worker = threading.Thread(target=work, name="journey-turn", daemon=True)
    worker.start()
    try:
        while True:
            before = time.perf_counter()
            ok, item = await queue.get()
            if clock is not None:
                clock.waiting += time.perf_counter() - before
            if not ok:
                raise item
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()


async def call_in_thread(fn: Callable[[], T], clock: TurnClock | None = None) -> T:
    """`fn()` in a worker thread; its time counts as waiting, not as the app's own."""
    before = time.perf_counter()
    try:
        return await asyncio.to_thread(fn)
    finally:
        if clock is not None:
            clock.waiting += time.perf_counter() - before
