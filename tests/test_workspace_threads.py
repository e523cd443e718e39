"""One Workspace used from several threads at once, and one home written by two processes at once.

The chat app serves several conversations from one process, so ingest, diagnose, search and map edits
run side by side on one Workspace. Each thread must get the result it would get alone, no sqlite3
ProgrammingError (a connection used from the wrong thread), and no edit may be lost.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.contracts.requests import DiagnoseOptions, IngestRequest, SearchRequest
from assistant.domain import JourneyMap, load_map
from assistant.maps.operations import OPERATION_ADAPTER
from assistant.maps.store import MapConflict
from assistant.resources import sample_feedback_dir, sample_maps_dir
from assistant.settings import load_settings
from assistant.workspace import Workspace
from evals.bench_common import distinct_texts

ROOT = Path(__file__).resolve().parent.parent
JOURNEY = ROOT / ".venv" / "bin" / "journey"
ROUNDS = 3
EDITS = 8


def write_feedback(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "comment", "date"])
        for i, text in enumerate(texts):
            out.writerow([f"{path.stem}-{i}", text, f"2025-0{1 + i % 9}-{10 + i % 18}"])
    return path


def sample_map() -> JourneyMap:
    return load_map(sample_maps_dir() / "ecommerce-first-purchase-en.json")


def open_ws(home: Path) -> Workspace:
    return Workspace.open(load_settings(journey_home=home, journey_embedding="hashing"))


def step_op(k: int) -> Any:
    return OPERATION_ADAPTER.validate_python(
        {"op": "add_step", "stage": "Come back", "step": {"action": f"Thread step {k}"}}
    )


class Work:
    """The same work, run either in four threads at once or one after the other."""

    def __init__(self, ws: Workspace, files: list[Path]) -> None:
        self.ws = ws
        self.files = files
        self.out: dict[str, list[Any]] = {"ingest": [], "diagnose": [], "search": [], "edit": []}

    def ingest(self, k: int) -> None:
        for _ in range(ROUNDS):  # the later rounds find the file unchanged: reads racing with writes
            report = self.ws.ingest(IngestRequest(files=[self.files[k]], source=f"batch{k}"))
            self.out["ingest"].append((k, report.totals.rows_read, report.totals.rows_stored > 0))

    def diagnose(self) -> None:
        for _ in range(ROUNDS):
            result = self.ws.diagnose("shop", DiagnoseOptions(source="sample"))
            self.out["diagnose"].append(result.model_dump(mode="json", exclude={"labelling"}))

    def search(self) -> None:
        for query in ("moments of truth", "persona goals", "KPI per stage"):
            hits = self.ws.search(SearchRequest(query=query, collection="methodology", limit=3))
            self.out["search"].append([h.id for h in hits.hits])

    def edit(self) -> None:
        for k in range(EDITS):
            self.out["edit"].append(self.ws.edit_map("shop", [step_op(k)], "assistant").version)


def prepared(home: Path, tmp_path: Path) -> tuple[Workspace, list[Path]]:
    ws = open_ws(home)
    ws.save_map("shop", sample_map())
    ws.ingest(IngestRequest(files=[sample_feedback_dir() / "shop-feedback-en.csv"], source="sample"))
    files = [
        write_feedback(tmp_path / "first.csv", distinct_texts(400, seed=1)),
        write_feedback(tmp_path / "second.csv", distinct_texts(400, seed=2)),
    ]
    return ws, files


def outcome(ws: Workspace, work: Work) -> dict[str, Any]:
    diagnosis = ws.diagnose("shop", DiagnoseOptions(source="sample")).model_dump(
        mode="json", exclude={"labelling"}
    )
    return {
        "rows": {s: ws.feedback_count(s) for s in ws.sources()},
        "vectors": ws.db.vector_count(ws.embedder.name),
        "map": ws.get_map("shop").map.model_dump(mode="json", exclude={"created_at", "updated_at"}),
        "versions": len(ws.map_history("shop")),
        "diagnosis": diagnosis,
        "diagnoses": work.out["diagnose"],
        "searches": sorted(map(tuple, work.out["search"])),
        "ingests": sorted(work.out["ingest"]),
    }


def run_in_threads(jobs: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        start.wait()  # all at once, not one after another by accident of start-up time
        try:
            job()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


@pytest.mark.slow
def test_four_threads_on_one_workspace_match_the_same_work_done_in_sequence(tmp_path: Path) -> None:
    alone, files = prepared(tmp_path / "sequential", tmp_path)
    sequential = Work(alone, files)
    sequential.ingest(0)
    sequential.ingest(1)
    sequential.diagnose()
    sequential.search()
    sequential.edit()
    expected = outcome(alone, sequential)
    alone.close()

    ws, _ = prepared(tmp_path / "threads", tmp_path)
    together = Work(ws, files)
    errors = run_in_threads(
        [
            lambda: together.ingest(0),
            lambda: together.ingest(1),
            lambda: (together.diagnose(), together.search()),  # type: ignore[func-returns-value]
            together.edit,
        ]
    )
    assert not errors, [f"{type(e).__name__}: {e}" for e in errors]
    assert not any(isinstance(e, sqlite3.ProgrammingError) for e in errors)
    got = outcome(ws, together)
    ws.close()

    assert (
        got["rows"]
        == expected["rows"]
        == {"batch0": 400, "batch1": 400, "sample": expected["rows"]["sample"]}
    )
    assert got["vectors"] == expected["vectors"] == sum(expected["rows"].values())
    assert got["versions"] == expected["versions"] == 1 + EDITS
    assert sorted(together.out["edit"]) == list(range(2, 2 + EDITS))
    assert got["map"] == expected["map"]
    assert got["diagnosis"] == expected["diagnosis"]
    assert all(d == expected["diagnosis"] for d in got["diagnoses"])
    assert got["searches"] == expected["searches"]
    assert got["ingests"] == expected["ingests"]


def test_edits_from_threads_are_never_lost(workspace: Workspace) -> None:
    workspace.save_map("shop", sample_map())
    errors = run_in_threads(
        [
            lambda t=t: [workspace.edit_map("shop", [step_op(t * 100 + k)]) for k in range(EDITS)]
            for t in range(4)
        ]  # type: ignore[misc]
    )
    assert not errors, errors
    steps = [s.action for s in workspace.get_map("shop").map.stage("Come back").steps]
    assert sorted(s for s in steps if s.startswith("Thread")) == sorted(
        f"Thread step {t * 100 + k}" for t in range(4) for k in range(EDITS)
    )
    assert workspace.get_map("shop").version == 1 + 4 * EDITS


def test_two_workspaces_editing_one_map_never_drop_an_edit(tmp_path: Path) -> None:
    """Two workspaces on one home stand for two processes: an edit that raced another is refused
    (MapConflict, nothing stored) rather than stored on top of a version it never saw."""
    home = tmp_path / "home"
    first, second = open_ws(home), open_ws(home)
    first.save_map("shop", sample_map())
    stored: list[int] = []
    refused: list[int] = []

    def editor(ws: Workspace, base: int) -> None:
        for k in range(EDITS):
            try:
                ws.edit_map("shop", [step_op(base + k)])
                stored.append(base + k)
            except MapConflict:
                refused.append(base + k)

    errors = run_in_threads([lambda: editor(first, 0), lambda: editor(second, 100)])
    assert not errors, errors
    steps = [
        s.action for s in first.get_map("shop").map.stage("Come back").steps if s.action.startswith("Thread")
    ]
    assert sorted(steps) == sorted(f"Thread step {k}" for k in stored)
    assert first.get_map("shop").version == 1 + len(stored)
    assert len(stored) + len(refused) == 2 * EDITS
    first.close()
    second.close()


def journey_cmd() -> list[str]:
    if JOURNEY.exists():
        return [str(JOURNEY)]
    return [sys.executable, "-c", "from assistant.cli import app; app(prog_name='journey')"]


@pytest.mark.slow
def test_two_processes_ingesting_into_one_home_lose_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    rows = 3000
    files = [
        write_feedback(tmp_path / "north.csv", distinct_texts(rows, seed=3)),
        write_feedback(tmp_path / "south.csv", [f"{t} (south)" for t in distinct_texts(rows, seed=4)]),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_"))}
    # Small batches: many write transactions from each process, interleaved.
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", INGEST_BATCH_ROWS="200")
    procs = [
        subprocess.Popen(
            [*journey_cmd(), "ingest", str(path), "--json"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        report = json.loads(out)
        assert report["totals"]["rows_stored"] == rows
        assert report["rows_indexed"] >= 0

    with open_ws(home) as ws:
        assert {s: ws.feedback_count(s) for s in ws.sources()} == {"north.csv": rows, "south.csv": rows}
        assert ws.db.vector_count(ws.embedder.name) == 2 * rows
        # Each process indexed at least its own rows; a reindex-free sync now finds the index complete.
        collection = ws.chroma.get_collection(f"feedback__{ws.embedder.name}")
        assert collection.count() == 2 * rows
        hits = ws.search(
            SearchRequest(query="refund (south)", collection="feedback", where={"source": "south.csv"})
        )
        assert hits.hits and all(h.source == "south.csv" for h in hits.hits)
