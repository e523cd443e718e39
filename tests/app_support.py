"""Helpers for the chat app's browser tests: the feedback file, and the scripted model's replies with the
numbers of the real diagnosis of the same data. The server and the browser guard are in evals/app_harness.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MAP = ROOT / "knowledge" / "maps" / "ecommerce-first-purchase-en.json"
SAMPLE_FEEDBACK = ROOT / "knowledge" / "feedback" / "shop-feedback-en.csv"
FEEDBACK_NAME = "shop-feedback-test.csv"
MAP_NAME = "shop-first-purchase"
FOCUS = "Checkout"
USERS = {"alice": "alice-pass-1", "bob": "bob-pass-2"}
SECRET = "test-secret-" + "x" * 40


def feedback_file(folder: Path) -> Path:
    """The sample shop feedback plus a duplicate row and two rows that must be rejected."""
    lines = SAMPLE_FEEDBACK.read_text(encoding="utf-8").splitlines()
    extra = [
        lines[1],  # the first data row again: a duplicate
        "SHOP-9001,2026-05-01T10:00:00Z,survey,member,,3",  # no text
        "SHOP-9002,someday soon,survey,guest,Checkout kept failing on my phone,2",  # no valid date
    ]
    path = folder / FEEDBACK_NAME
    path.write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    return path


@dataclass
class Expected:
    """What the real workspace computes from the same file and map (the app must show the same)."""

    rows_read: int
    rows_stored: int
    rows_duplicate: int
    rows_rejected: int
    reject_rows: list[int]
    n: int
    negative: int
    share: str
    low: str
    high: str
    quote_ids: list[str] = field(default_factory=list)
    quote_texts: list[str] = field(default_factory=list)


def _pct(value: float | None) -> str:
    assert value is not None
    return f"{100 * value:.1f}%"


def compute_expected(csv_path: Path, home: Path) -> tuple[Expected, dict[str, Any]]:
    """Ingest and diagnose in a private workspace exactly as the app will, and write the diagnosis answer
    the scripted model will give (checked here by the same grounding check the assistant runs)."""
    from assistant.agent.answers import DiagnosisAnswer, render
    from assistant.contracts.requests import DiagnoseOptions, IngestRequest
    from assistant.domain.loading import load_map
    from assistant.settings import load_settings
    from assistant.turns.grounding import check_answer
    from assistant.workspace import Workspace

    with Workspace.open(load_settings(journey_home=home, journey_embedding="hashing")) as ws:
        ingest = ws.ingest(IngestRequest(files=[csv_path]))
        journey = load_map(SAMPLE_MAP)
        ws.save_map(MAP_NAME, journey)
        diagnosis = ws.diagnose(MAP_NAME, DiagnoseOptions(stage=FOCUS))
        entry = diagnosis.stage(FOCUS)
        assert entry is not None and entry.n > 0 and entry.themes, "the sample data must give Checkout themes"
        quotes = [q for theme in entry.themes for q in theme.quotes][:2]
        comparison = entry.comparison
        summary = (
            f"{FOCUS}: {entry.negative} of {entry.n} feedback rows are negative ({_pct(entry.negative_share)}, "
            f"95% CI {_pct(entry.ci_low)}–{_pct(entry.ci_high)}), against {_pct(comparison.share2)} for the rest "
            f"of the journey ({comparison.n_other} rows)."
        )
        answer = DiagnosisAnswer(
            summary=summary,
            claims=[
                {
                    "statement": f"The biggest theme is '{entry.themes[0].label}' ({entry.themes[0].n} comments).",
                    "based_on_rows": entry.n,
                    "quote_ids": [q.feedback_id for q in quotes],
                }
            ],
        )
        stored = ws.quotes([q.feedback_id for q in quotes])
        text = render(answer, "en", stored)
        report = check_answer(text, [diagnosis.model_dump(mode="json")], stored)
        assert report.ok, f"the scripted diagnosis answer would fail the grounding check: {report.problems()}"
        report_file = ingest.files[0]
        expected = Expected(
            rows_read=ingest.totals.rows_read,
            rows_stored=ingest.totals.rows_stored,
            rows_duplicate=ingest.totals.rows_duplicate,
            rows_rejected=ingest.totals.rows_rejected,
            reject_rows=[r.row for r in report_file.rejects],
            n=entry.n,
            negative=entry.negative,
            share=_pct(entry.negative_share),
            low=_pct(entry.ci_low),
            high=_pct(entry.ci_high),
            quote_ids=[q.feedback_id for q in quotes],
            quote_texts=[q.text for q in quotes],
        )
        return expected, answer.model_dump(mode="json")


def call(tool: str, /, **args: Any) -> dict[str, Any]:
    """One scripted reply: a single tool call (the answer itself is a call to ChatAnswer/DiagnosisAnswer)."""
    return {"tool_calls": [{"name": tool, "args": args}]}


def script(diagnosis_answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The scripted model's replies, in the order the browser test asks."""
    journey = json.loads(SAMPLE_MAP.read_text(encoding="utf-8"))
    rename = {"op": "rename_stage", "stage": "Checkout", "new_name": "Payment"}
    return [
        # 1. the "Upload feedback" starter
        call(
            "ChatAnswer",
            message="Drag your CSV, TSV, XLSX, JSON or JSONL files onto the chat. Every row is stored, "
            "counted as a duplicate, or rejected with its row number and reason.",
        ),
        # 2. draft a map
        call("save_journey_map", map=journey, name=MAP_NAME),
        call(
            "ChatAnswer",
            message="I drafted the first-purchase journey: six stages from Discover to Come back.",
        ),
        # 3. edit it by asking
        call("apply_map_operations", operations=[rename]),
        call("ChatAnswer", message="Renamed the stage Checkout to Payment."),
        # 4. why does a stage underperform
        call("diagnose_journey", stage=FOCUS),
        call("DiagnosisAnswer", **diagnosis_answer),
    ]


def users_env() -> str:
    """alice with a SHA-256 hash, bob with bcrypt: both forms of JOURNEY_USERS."""
    from assistant.chat_app.auth import hash_password

    alice = "sha256:" + hashlib.sha256(USERS["alice"].encode()).hexdigest()
    return f"alice:{alice},bob:{hash_password(USERS['bob'])}"
