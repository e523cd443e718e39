"""Workspaces for scenarios: built once per distinct setup, then copied, so every scenario starts from a
fresh store of its own without paying for ingest, indexing and labelling again.

A setup is stored (feedback ingested and indexed, maps saved, every map labelled, the methodology notes
indexed) in a cache folder keyed by what it contains and the embedding model; a scenario gets a copy of
that folder as its JOURNEY_HOME. An injection scenario's control run uses the same files with the
planted instructions removed, which makes a different key and a store of its own.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from assistant.settings import Settings, load_settings
from assistant.workspace import Workspace
from assistant.workspace.requests import IngestRequest, SearchRequest
from evals.journey_eval.scenario import ROOT, FeedbackFixture, Injection, Setup


def workspace_settings(home: Path, embedding: str, mode: str) -> Settings:
    """Settings for a scenario's workspace. Only the openai mode may see a model endpoint; the embedded
    and scripted modes are kept off any key or URL set in the environment."""
    overrides: dict[str, Any] = {"journey_home": home, "journey_embedding": embedding, "chroma_url": None}
    if mode != "openai":
        overrides.update(openai_api_key=None, openai_base_url=None, journey_scripted_model=None)
    return load_settings(**overrides)


def _strip(text: str, injections: list[Injection]) -> str:
    for inj in injections:
        text = text.replace(inj.text, inj.control)
    return text


class FixtureCache:
    """Stores built once per (setup, control, embedding) in one temporary folder."""

    def __init__(self, embedding: str, mode: str, folder: Path | None = None) -> None:
        self.embedding = embedding
        self.mode = mode
        self._tmp = None if folder is not None else tempfile.TemporaryDirectory(prefix="journey-eval-")
        self.folder = folder or Path(self._tmp.name)  # type: ignore[union-attr]
        self.built: dict[str, float] = {}
        """Seconds spent building each stored setup (reported once, not per scenario)."""

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def _files(
        self, setup: Setup, control: bool, folder: Path
    ) -> tuple[list[tuple[FeedbackFixture, Path]], list[tuple[str, Path]]]:
        """The fixture files to load, written out when they are generated or have injections removed."""
        folder.mkdir(parents=True, exist_ok=True)
        feedback: list[tuple[FeedbackFixture, Path]] = []
        for k, fx in enumerate(setup.feedback):
            if fx.generate == "planted_problem":
                from evals.scenarios import planted_problem

                path = self.folder / "generated" / f"planted_problem_{fx.rows}.csv"
                if not path.exists():  # one file per size, shared by every store that uses it
                    path.parent.mkdir(parents=True, exist_ok=True)
                    planted_problem.write_csv(path, n_rows=fx.rows, with_labels=True)
            else:
                path = ROOT / str(fx.file)
            if control and setup.injections:
                clean = folder / f"control_{k}_{path.name}"
                clean.write_text(_strip(path.read_text(encoding="utf-8"), setup.injections), encoding="utf-8")
                path = clean
            feedback.append((fx, path))
        maps: list[tuple[str, Path]] = []
        for k, m in enumerate(setup.maps):
            path = ROOT / m.file
            if control and setup.injections:
                clean = folder / f"control_map_{k}_{path.name}"
                clean.write_text(_strip(path.read_text(encoding="utf-8"), setup.injections), encoding="utf-8")
                path = clean
            maps.append((m.name, path))
        return feedback, maps

    def key(self, setup: Setup, control: bool) -> str:
        parts: list[Any] = [
            self.embedding,
            control,
            setup.model_dump(mode="json", exclude={"canaries", "current_map"}),
        ]
        for fx in setup.feedback:
            if fx.file:
                parts.append(hashlib.sha256((ROOT / fx.file).read_bytes()).hexdigest())
        for m in setup.maps:
            parts.append(hashlib.sha256((ROOT / m.file).read_bytes()).hexdigest())
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def home_for(self, setup: Setup, target: Path, control: bool = False) -> Path:
        """A fresh JOURNEY_HOME at `target` holding the setup (built first if this is its first use)."""
        import time

        key = self.key(setup, control)
        stored = self.folder / "stores" / key
        if not (stored / "ready").exists():
            started = time.perf_counter()
            self._build(setup, control, stored)
            self.built[key] = round(time.perf_counter() - started, 2)
        shutil.copytree(stored / "home", target)
        return target

    def _base(self) -> Path:
        """A home with the methodology notes indexed, which every store starts from (the notes are the
        same for every scenario, so they are embedded once per run)."""
        base = self.folder / "stores" / "_base"
        if not (base / "ready").exists():
            ws = Workspace.open(workspace_settings(base / "home", self.embedding, self.mode))
            try:
                ws.search(SearchRequest(query="journey stages", collection="methodology", limit=1))
                from assistant.agent.understand import IntentClassifier

                IntentClassifier(ws.embedder, ws.home / "cache").classify("warm up")  # caches example vectors
            finally:
                ws.close()
            (base / "ready").write_text("ok", encoding="utf-8")
        return base / "home"

    def _build(self, setup: Setup, control: bool, stored: Path) -> None:
        from assistant.domain import load_map

        if stored.exists():
            shutil.rmtree(stored)
        feedback, maps = self._files(setup, control, stored / "files")
        shutil.copytree(self._base(), stored / "home")
        ws = Workspace.open(workspace_settings(stored / "home", self.embedding, self.mode))
        try:
            for fx, path in feedback:
                ws.ingest(
                    IngestRequest(
                        files=[path],
                        source=fx.source,
                        rating_type=fx.rating_type,
                        stage_column=fx.stage_column,
                        text_column=fx.text_column,
                    )
                )
            for name, path in maps:
                journey = load_map(path)
                ws.save_map(name, journey, "user", "scenario setup")
                if ws.feedback_count():
                    ws.label(journey)  # labels are cached per map: the first question is not the slow one
        finally:
            ws.close()
        (stored / "ready").write_text("ok", encoding="utf-8")
