"""Diagnosis on small hand-made data with known answers, through the real store and SQL aggregates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from assistant.contracts.requests import DiagnoseOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.errors import JourneyError
from assistant.workspace import Workspace

STAGES = ["Discover", "Sign up", "Checkout", "Delivery"]
JOURNEY = map_from_data({"title": "Shop", "stages": [{"name": s} for s in STAGES]})


def build_store(
    ws: Workspace,
    tmp_path: Path,
    negative_rates: dict[str, float],
    n: int = 200,
    plan_for_bad: str | None = None,
) -> Workspace:
    """n rows per stage, with a CSAT rating that makes exactly rate*n of them negative (1) and the rest positive (5)."""
    path = tmp_path / "feedback.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "stage", "comment", "csat", "plan", "date"])
        for stage, rate in negative_rates.items():
            bad = round(rate * n)
            for i in range(n):
                negative = i < bad
                # Customers word the same problem differently (copies of one text are one voice to themes).
                froze = ("the page froze again", "page froze at the last step", "it froze, the whole page")[
                    i % 3
                ]
                text = f"{stage} problem: {froze} #{i}" if negative else f"{stage} went fine #{i}"
                plan = (
                    plan_for_bad if negative and plan_for_bad and i % 2 == 0 else ("pro" if i % 2 else "free")
                )
                month = "2026-02-10" if i % 2 else "2026-05-10"
                w.writerow([f"{stage}-{i}", stage, text, 1 if negative else 5, plan, month])
    ws.ingest(IngestRequest(files=[path], source="test", rating_type="csat", index=False))
    return ws


def test_stage_worse_by_construction_ranks_first_and_is_significant(
    workspace: Workspace, tmp_path: Path
) -> None:
    store = build_store(
        workspace, tmp_path, {"Discover": 0.1, "Sign up": 0.1, "Checkout": 0.3, "Delivery": 0.1}
    )
    result = store.diagnose(JOURNEY).model_dump(mode="json")
    assert result["ranking"][0] == "Checkout"
    checkout = next(c for c in result["comparisons"] if c["stage"] == "Checkout")
    assert checkout["p_adjusted"] < 0.05 and checkout["significant"]
    stage = next(s for s in result["stages"] if s["stage"] == "Checkout")
    assert (stage["n"], stage["negative"]) == (200, 60)
    assert stage["ci_low"] < 0.3 < stage["ci_high"]
    assert stage["csat"]["n"] == 200 and stage["csat"]["satisfied_share"] == pytest.approx(0.7)
    others = [c for c in result["comparisons"] if c["stage"] != "Checkout"]
    assert not any(c["significant"] for c in others)


def test_equal_stages_are_not_flagged(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(workspace, tmp_path, dict.fromkeys(STAGES, 0.2))
    result = store.diagnose(JOURNEY).model_dump(mode="json")
    assert not any(c.get("significant") for c in result["comparisons"])
    assert all(s["negative_share"] == pytest.approx(0.2) for s in result["stages"])


def test_explicit_stage_column_wins_and_every_row_is_assigned(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(workspace, tmp_path, dict.fromkeys(STAGES, 0.2), n=20)
    result = store.assign(JOURNEY).model_dump(mode="json")
    assert len(result["rows"]) == 80
    assert all(
        r["stage"] == r["external_id"].rsplit("-", 1)[0] and r["confidence"] == 1.0 for r in result["rows"]
    )
    assert {r["sentiment"] for r in result["rows"]} == {"negative", "positive"}


def test_themes_quote_the_feedback_and_segments_break_down(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(
        workspace,
        tmp_path,
        {"Discover": 0.1, "Sign up": 0.1, "Checkout": 0.4, "Delivery": 0.1},
        plan_for_bad="legacy",
    )
    result = store.diagnose(JOURNEY, DiagnoseOptions(stage="Checkout", segment_by="plan")).model_dump(
        mode="json"
    )
    (stage,) = result["stages"]
    theme = stage["themes"][0]
    assert "froze" in theme["label"] or "page" in theme["label"]
    assert theme["n"] == 80
    assert all("froze" in q["text"] for q in theme["quotes"])
    assert set(result["segments"]) == {"legacy", "pro", "free"}
    assert stage["gap"]["segments"][0]["value"] == "legacy"
    assert stage["gap"]["themes"][0]["label"] == theme["label"]


def test_previous_period_comparison_uses_equal_windows(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(workspace, tmp_path, dict.fromkeys(STAGES, 0.2), n=40)
    result = store.diagnose(JOURNEY, DiagnoseOptions(compare_to="previous")).model_dump(mode="json")
    assert result["current_window"] == {"since": "2026-04-01", "until": "2026-05-10"}
    assert result["previous_window"] == {"since": "2026-01-01", "until": "2026-03-31"}
    assert all(c["n"] == 20 and c["n_other"] == 20 for c in result["comparisons"])


def test_unknown_stage_or_column_is_a_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(workspace, tmp_path, dict.fromkeys(STAGES, 0.2), n=5)
    with pytest.raises(JourneyError, match="no stage 'Payment'"):
        store.diagnose(JOURNEY, DiagnoseOptions(stage="Payment"))
    with pytest.raises(JourneyError, match="column 'region'"):
        store.diagnose(JOURNEY, DiagnoseOptions(segment_by="region"))


def test_complaints_only_data_says_shares_cannot_rank_and_counts_can(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A complaints database is negative everywhere: the diagnosis says shares cannot separate the stages
    and points to counts, which still do (Checkout holds most of the complaints)."""
    path = tmp_path / "complaints.csv"
    per_stage = {"Discover": 40, "Sign up": 40, "Checkout": 100, "Delivery": 40}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "stage", "comment", "csat"])
        for stage, n in per_stage.items():
            for i in range(n):
                w.writerow([f"{stage}-{i}", stage, f"{stage}: complaint number {i}, nothing worked", 1])
    store = workspace
    store.ingest(IngestRequest(files=[path], source="complaints", rating_type="csat", index=False))
    result = store.diagnose(JOURNEY).model_dump(mode="json")
    codes = [w["code"] for w in result["warning_details"]]
    assert "nearly_all_negative" in codes
    detail = next(w for w in result["warning_details"] if w["code"] == "nearly_all_negative")
    assert detail["params"]["negative"] == detail["params"]["total"] == result["n"]
    counts = store.diagnose(JOURNEY, DiagnoseOptions(metric="negative_count")).model_dump(mode="json")
    assert counts["metric_ranking"]["stages"][0]["stage"] == "Checkout"


def test_ordinary_data_has_no_complaints_only_warning(workspace: Workspace, tmp_path: Path) -> None:
    store = build_store(
        workspace, tmp_path, {"Discover": 0.1, "Sign up": 0.1, "Checkout": 0.3, "Delivery": 0.1}
    )
    codes = [w["code"] for w in store.diagnose(JOURNEY).model_dump(mode="json")["warning_details"]]
    assert "nearly_all_negative" not in codes
