"""The offline demo: every export of a sample map, and a diagnosis of the sample's own feedback in a
private workspace inside the output folder (never the user's JOURNEY_HOME)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.contracts.requests import DiagnoseOptions, IngestRequest
from assistant.contracts.results import Diagnosis
from assistant.domain import JourneyMap, load_map
from assistant.exports.sample import WrittenExport, sample_map_path, write_all_exports
from assistant.settings import load_settings
from assistant.workspace import Workspace

FEEDBACK_FOR_MAP = {
    "loan-application-ko": "loan-app-feedback-ko.csv",
    "ecommerce-first-purchase-en": "shop-feedback-en.csv",
}


def sample_feedback_for(map_path: Path) -> Path | None:
    """The bundled feedback file written for a bundled sample map, if any."""
    from assistant.resources import sample_feedback_dir

    name = FEEDBACK_FOR_MAP.get(map_path.stem)
    path = sample_feedback_dir() / name if name else None
    return path if path is not None and path.is_file() else None


@dataclass
class DemoResult:
    source: Path
    journey: JourneyMap
    written: list[WrittenExport]
    feedback: Path | None
    diagnosis: Diagnosis | None


def run_demo(out: Path, map_file: Path | None = None, diagnose: bool = True) -> DemoResult:
    source = map_file or sample_map_path()
    journey = load_map(source)
    written = write_all_exports(journey, out, source.stem)
    feedback = sample_feedback_for(source) if diagnose else None
    diagnosis = None
    if feedback is not None:
        # A private home, but the same settings (JOURNEY_EMBEDDING is honoured).
        settings = load_settings(journey_home=out / ".journey-demo")
        with Workspace.open(settings) as ws:
            ws.ingest(IngestRequest(files=[feedback], source="sample", index=False))
            diagnosis = ws.diagnose(journey, DiagnoseOptions(source="sample"))
        (out / "diagnosis.json").write_text(
            json.dumps(diagnosis.model_dump(mode="json"), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return DemoResult(source, journey, written, feedback, diagnosis)
