"""The openai mode end to end against an OpenAI-compatible endpoint on 127.0.0.1 that plays the scenario's
script (evals/journey_eval/stub.py): start-up checks, ChatOpenAI, tool calls as JSON over HTTP, token
usage from the responses and the conversation read back from the checkpointer. No real model is called;
this checks the runner's openai path, not a model's quality."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.journey_eval import cli
from evals.journey_eval.records import read_jsonl
from evals.journey_eval.scenario import load_scenarios
from evals.journey_eval.stub import StubServer


@pytest.mark.parametrize("scenario_id", ["why-stage-ko", "edit-undo-en"])
def test_the_openai_mode_runs_a_scenario_through_an_endpoint(
    scenario_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [scenario] = load_scenarios(only=[scenario_id])
    out = tmp_path / "openai.jsonl"
    with StubServer(scenario) as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("OPENAI_MODEL", StubServer.MODEL)
        code = cli.main(
            ["--model", "openai", "--scenario", scenario_id, "--embedding", "hashing", "--out", str(out)]
        )
    [record] = read_jsonl(out)
    assert record["status"] == "passed", [c for c in record["checks"] if c["passed"] is False] or record[
        "error"
    ]
    assert code == 0 and record["mode"] == "openai" and record["model"] == StubServer.MODEL
    assert record["tokens"]["prompt"] > 0 and record["tokens"]["completion"] > 0  # usage from the responses
    names = {c["name"] for c in record["checks"] if c["passed"] is not None}
    assert "script_followed" not in names and "numbers_grounded" in names


def test_the_openai_mode_needs_an_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--model", "openai"]) == 2
    assert "OPENAI_API_KEY" in capsys.readouterr().out
