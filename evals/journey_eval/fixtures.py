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

from assistant.contracts.requests import IngestRequest, SearchRequest
from assistant.settings import Settings, load_settings
from assistant.workspace import Workspace
from evals.journey_eval.scenario import ROOT, FeedbackFixture, Injection, Setup


def workspace_settings(home: Path, embedding: str, mode: str) -> Settings:
    """Settings for a scenario's workspace. Only the openai mode may see a model endpoint; the embedded
    and scripted modes are kept off any key or URL set in the environment."""
    overrides: dict[str, Any] = {"journey_home": home, "journey_embedding": embedding, "chroma_url": None}
    if mode != "openai":
        overrides.update(openai_api_key=None, openai_base_url=None, journey_scripted_model=None)
    return load_settings(**overrides)


LABEL_COLUMNS = frozenset({"true_stage", "true_sentiment", "true_theme", "label", "labels"})
"""Answer columns: never ingested (the product must find stages and sentiment itself); a fixture keeps
them in its side file `<name>.labels.json`, keyed by row id, which only the evaluator reads."""


def labels_path(fixture: Path) -> Path:
    """The side file with a fixture's answer key (`fixtures/x.csv` → `fixtures/x.labels.json`)."""
    return fixture.with_name(fixture.stem + ".labels.json")


def read_labels(fixture: Path) -> dict[str, dict[str, str]]:
    """The answer key of a fixture file by row id ({} when it has none)."""
    side = labels_path(fixture)
    return json.loads(side.read_text(encoding="utf-8")) if side.is_file() else {}


def _refuse_answer_columns(path: Path) -> None:
    import csv

    if path.suffix.lower() != ".csv":
        return
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    leaked = sorted({h.strip().casefold() for h in header} & LABEL_COLUMNS)
    if leaked:
        raise ValueError(
            f"{path.name}: the fixture holds answer columns {leaked}; move them to "
            f"{labels_path(path).name} (keyed by row id) so the product never ingests them"
        )


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
                    planted_problem.write_csv(path, n_rows=fx.rows)
                    planted_problem.write_labels(labels_path(path), n_rows=fx.rows)
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

    def labels(self, setup: Setup) -> dict[str, dict[str, str]]:
        """The answer keys of the setup's feedback files, merged by row id (evaluators only)."""
        merged: dict[str, dict[str, str]] = {}
        for fx in setup.feedback:
            if fx.generate == "planted_problem":
                merged.update(read_labels(self.folder / "generated" / f"planted_problem_{fx.rows}.csv"))
            elif fx.file:
                merged.update(read_labels(ROOT / fx.file))
        return merged

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
                from assistant.turns.understand import IntentClassifier

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
                _refuse_answer_columns(path)
                ws.ingest(
                    IngestRequest(
                        files=[path],
                        source=fx.source,
                        rating_type=fx.rating_type,
                        stage_column=fx.stage_column,
                        text_column=fx.text_column,
                    )
                )
            answers = self.labels(setup)
            agreement: dict[str, Any] = {}
            for name, path in maps:
                journey = load_map(path)
                ws.save_map(name, journey, "user", "scenario setup")
                if ws.feedback_count():
                    ws.label(journey)  # labels are cached per map: the first question is not the slow one
                    if answers:
                        agreement[name] = _agreement(ws, name, answers)
            (stored / "agreement.json").write_text(json.dumps(agreement), encoding="utf-8")
        finally:
            ws.close()
        (stored / "ready").write_text("ok", encoding="utf-8")

    def agreement(self, setup: Setup, control: bool = False) -> dict[str, Any]:
        """Per saved map, how the product's own stage and sentiment labels agree with the fixture's answer
        key ({} when the setup has no answer key or no map)."""
        path = self.folder / "stores" / self.key(setup, control) / "agreement.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _agreement(ws: Workspace, name: str, answers: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Share of labelled rows whose stage (sentiment) the product put where the answer key does."""
    rows = [r for r in ws.assign(name).rows if r.external_id in answers]
    if not rows:
        return {"rows": 0}
    stage_ok = sum(r.stage == answers[str(r.external_id)]["stage"] for r in rows)
    sentiment_ok = sum(r.sentiment == answers[str(r.external_id)]["sentiment"] for r in rows)
    return {
        "rows": len(rows),
        "stage_accuracy": round(stage_ok / len(rows), 4),
        "unassigned": sum(r.stage is None for r in rows),
        "sentiment_accuracy": round(sentiment_ok / len(rows), 4),
    }
