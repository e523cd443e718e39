"""The analysis as other parts call it: CLI commands, LangChain tools, and the count-based score maths."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from assistant.agent.scripted import ScriptedChatModel
from assistant.cli import app
from assistant.contracts.requests import IngestRequest
from assistant.conversation import Assistant, TurnOptions
from assistant.domain import map_from_data
from assistant.settings import load_settings
from assistant.turns.events import ToolStep
from assistant.workspace import Workspace
from journey_tools.counts import Counts
from journey_tools.rating_metrics import ces_from_counts, csat_from_counts, nps_from_counts

runner = CliRunner()
MAP = {
    "title": "Shop",
    "stages": [
        {
            "name": "Checkout",
            "goal": "pay for my order",
            "steps": [{"action": "pays", "moment_of_truth": {"is_moment": True}}],
        },
        {"name": "Delivery"},
        {"name": "Support"},
    ],
}


def write_feedback(path: Path) -> Path:
    rows = [["id", "stage", "comment", "csat"]]
    for i in range(60):
        bad = i < 30
        failed = (
            "Payment failed and the card was declined again",
            "My card was declined, payment failed twice",
            "Payment failed at the last step, card declined",
        )[i % 3]
        text = failed if bad else "Paid in seconds, smooth"
        rows.append([f"c{i}", "Checkout", f"{text} ({i})", 1 if bad else 5])
    for i in range(60):
        rows.append([f"d{i}", "Delivery", f"Parcel arrived on time ({i})", 5 if i % 6 else 2])
    for i in range(10):
        rows.append([f"s{i}", "Support", f"Agent answered my question ({i})", 4])
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def home(journey_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    (tmp_path / "map.json").write_text(json.dumps(MAP), encoding="utf-8")
    with Workspace.open() as ws:
        ws.ingest(IngestRequest(files=[write_feedback(tmp_path / "f.csv")], source="shop"))
    return tmp_path


def test_ideas_command_ranks_ideas_for_the_worst_stage_with_measurement_plans(home: Path) -> None:
    result = runner.invoke(app, ["ideas", "--map", str(home / "map.json"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["stage"] == "Checkout" and doc["based_on_rows"] == 60
    top = doc["ideas"][0]
    assert top["kpi"] == "Payment success rate"
    assert top["expected_impact"]["negatives_addressed"] == 30
    assert top["expected_impact"]["negative_share_now"] == 0.5
    assert top["expected_impact"]["negative_share_if_fixed"] == 0.0
    assert set(top["measurement"]) == {"who", "what", "when", "why"}
    # Support has 10 rows (< 30): it gets comparable survey questions.
    assert [b["stage"] for b in doc["survey_questions"]] == ["Support"]


def test_ideas_in_korean_and_user_given_effort(home: Path) -> None:
    result = runner.invoke(app, ["ideas", "--map", str(home / "map.json"), "--language", "ko", "--json"])
    label = json.loads(result.stdout)["ideas"][0]["theme"]
    result = runner.invoke(
        app,
        ["ideas", "--map", str(home / "map.json"), "--language", "ko", "--effort", f"{label}=high", "--json"],
    )
    idea = json.loads(result.stdout)["ideas"][0]
    assert idea["effort"] == "high" and idea["effort_source"] == "user"
    assert "결제" in idea["idea"]


def test_bad_effort_is_one_clear_sentence(home: Path) -> None:
    result = runner.invoke(app, ["ideas", "--map", str(home / "map.json"), "--effort", "payment=huge"])
    assert result.exit_code == 2
    assert "--effort" in result.output and "'low', 'medium' or 'high'" in result.output
    result = runner.invoke(app, ["ideas", "--map", str(home / "map.json"), "--effort", "payment"])
    assert result.exit_code == 2 and "KEY=VALUE" in result.output


def test_assign_writes_csv_with_every_row(home: Path) -> None:
    out = home / "assigned.csv"
    result = runner.invoke(app, ["assign", "--map", str(home / "map.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 130
    assert {r["stage"] for r in rows} == {"Checkout", "Delivery", "Support"}


def test_agent_tools_return_what_the_workspace_computes(home: Path, journey_home: Path) -> None:
    """The agent's tools are adapters: a scripted model calls them, and each result equals the workspace's."""
    journey = map_from_data(MAP)
    with Workspace.open(load_settings()) as ws:
        ws.save_map("shop", journey)
        model = ScriptedChatModel.from_replies(
            [
                {"tool_calls": [{"name": "diagnose_journey", "args": {}}]},
                {"tool_calls": [{"name": "propose_improvements", "args": {"stage": "Checkout"}}]},
                {"tool_calls": [{"name": "propose_survey_questions", "args": {"stages": ["Support"]}}]},
                {"tool_calls": [{"name": "diagnose_journey", "args": {"stage": "Payment"}}]},
                {"tool_calls": [{"name": "ChatAnswer", "args": {"message": "Done."}}]},
            ]
        )
        assistant = Assistant.start(ws, chat_model=model)
        events = list(assistant.send("t", "diagnose", TurnOptions(current_map="shop", all_feedback=True)))
        steps = [e for e in events if isinstance(e, ToolStep)]
        assert [s.name for s in steps] == [
            "diagnose_journey",
            "propose_improvements",
            "propose_survey_questions",
            "diagnose_journey",
        ]
        direct = ws.diagnose(journey).model_dump(mode="json")
        assert (
            steps[0].output["diagnosis"]["ranking"]
            == direct["ranking"]
            == ["Checkout", "Delivery", "Support"]
        )
        assert steps[0].output["diagnosis"]["stages"] == direct["stages"]
        assert steps[0].output["ideas"]["stage"] == "Checkout"  # the worst stage's ideas come along
        assert steps[1].output["ideas"][0]["expected_impact"]["severity"] >= 4  # moment of truth + blocked
        assert steps[2].output["stages"][0]["questions"][0]["scale"].startswith("1 (very difficult)")
        assert steps[3].error is not None and "no stage 'Payment'" in steps[3].error
        # The model's text, after the line every diagnosis answer starts with (map, data, scope).
    assert events[-1].text.startswith("Map: shop v1 · Data: ") and events[-1].text.endswith("\n\nDone.")
    assert model.remaining == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_count_based_scores_equal_the_ones_computed_from_the_answers(seed: int) -> None:
    """The product's scores come from SQL counts and sums; computed from the raw answers with numpy and
    scipy they are the same (the trinomial NPS interval, Wilson for shares, t for means)."""
    rng = np.random.default_rng(seed)
    nps = rng.integers(0, 11, 500).astype(float)
    n = nps_from_counts(len(nps), int((nps >= 9).sum()), int((nps <= 6).sum()))
    per_answer = np.where(nps >= 9, 100.0, np.where(nps <= 6, -100.0, 0.0))
    half = 1.959964 * per_answer.std(ddof=0) / np.sqrt(len(nps))
    assert n is not None and n["nps"] == pytest.approx(per_answer.mean(), abs=0.05)
    assert n["ci_low"] == pytest.approx(per_answer.mean() - half, abs=0.05)
    assert n["ci_high"] == pytest.approx(per_answer.mean() + half, abs=0.05)
    csat = rng.integers(1, 6, 300).astype(float)
    c = csat_from_counts(len(csat), int((csat >= 4).sum()), float(csat.sum()), float((csat**2).sum()))
    mean_low, _ = sps.t.interval(0.95, len(csat) - 1, loc=csat.mean(), scale=sps.sem(csat))
    assert c is not None and c["satisfied_share"] == pytest.approx((csat >= 4).mean(), abs=1e-4)
    assert c["mean_ci_low"] == pytest.approx(mean_low, abs=1e-3)
    ces = rng.integers(1, 8, 300).astype(float)
    e = ces_from_counts(len(ces), int((ces >= 5).sum()), float(ces.sum()), float((ces**2).sum()))
    _, mean_high = sps.t.interval(0.95, len(ces) - 1, loc=ces.mean(), scale=sps.sem(ces))
    assert e is not None and e["mean"] == pytest.approx(ces.mean(), abs=1e-3)
    assert e["ci_high"] == pytest.approx(mean_high, abs=1e-3)


def test_counts_add() -> None:
    a, b = Counts(n=2, negative=1), Counts(n=3, negative=2, csat_sum=4.0)
    a.add(b)
    assert (a.n, a.negative, a.csat_sum) == (5, 3, 4.0)


def test_diagnose_summary_speaks_the_maps_language(home: Path) -> None:
    korean = dict(MAP, title="쇼핑 여정", language="ko")
    (home / "map_ko.json").write_text(json.dumps(korean, ensure_ascii=False), encoding="utf-8")
    ko = runner.invoke(app, ["diagnose", "--map", str(home / "map_ko.json")])
    en = runner.invoke(app, ["diagnose", "--map", str(home / "map_ko.json"), "--language", "en"])
    assert ko.exit_code == 0 and en.exit_code == 0, ko.output + en.output
    assert "'쇼핑 여정' 진단: 피드백 130건 기준" in ko.stdout
    assert "1. Checkout: 부정 30/60건 = 50%" in ko.stdout
    assert "주의: 표본이 작습니다(30건 미만): Support." in ko.stdout
    assert "Diagnosis of '쇼핑 여정' from 130 feedback rows" in en.stdout
    assert "Warning: Small samples (fewer than 30 rows): Support." in en.stdout


def test_warnings_keep_codes_for_programs(home: Path) -> None:
    result = runner.invoke(app, ["diagnose", "--map", str(home / "map.json"), "--json"])
    doc = json.loads(result.stdout)
    # Every row has a CSAT score, so the solicited-only warning is right too.
    assert [w["code"] for w in doc["warning_details"]] == ["small_samples", "solicited_only"]
    assert doc["warning_details"][0]["params"] == {"min_n": 30, "stages": ["Support"]}
    assert doc["warnings"][0] == (
        "Small samples (fewer than 30 rows): Support. Their shares and tests are unreliable."
    )
