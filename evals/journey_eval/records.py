"""Eval results as JSON lines: one record per scenario (or per measured part of another suite).

Every record carries when it ran, which suite, mode, model and embedder, the git commit of the code, the
scenario id, whether it passed, every check, latency and tokens, so two files can be compared scenario by
scenario (compare.py) whenever a prompt, a model or a method changes.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.journey_eval.runner import ScenarioResult
from evals.journey_eval.scenario import ROOT

SCORED = ("passed", "failed", "error", "fixed")
"""Statuses that count in the pass rate: skipped scenarios and known issues do not."""


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if out.returncode != 0:
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() + ("-dirty" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def base(suite: str, mode: str, model: str, embedding: str, commit: str) -> dict[str, Any]:
    return {
        "time": now(),
        "suite": suite,
        "mode": mode,
        "model": model,
        "embedding": embedding,
        "commit": commit,
    }


def scenario_record(result: ScenarioResult, embedding: str, commit: str) -> dict[str, Any]:
    s = result.scenario
    record = base("assistant", result.mode, result.model, embedding, commit)
    record.update(
        scenario=s.id,
        job=s.job,
        language=s.language,
        status=result.status,
        passed=result.status == "passed",
        checks=[c.as_dict() for c in result.checks],
        seconds=result.seconds,
        tokens=result.tokens,
        turns=[
            {
                "turn": t.index,
                "seconds": t.seconds,
                "tokens": t.tokens,
                "tools": t.called(),
                "answer": t.answer[:600],
            }
            for t in result.turns
        ],
        error=result.error,
        # Who produced the answers: in the embedded mode a scenario either needs the language model or is
        # answered by code alone (a model regression cannot fail those); the agent modes always ask the model.
        answered_by="code" if result.mode == "embedded" and s.embedded == "no_model" else "model",
    )
    if result.model_usage:
        record["model_usage"] = result.model_usage
        if not record["tokens"]:  # the embedded pipeline counts none itself: the local model's own counts
            record["tokens"] = {
                "prompt": result.model_usage["prompt_tokens"],
                "completion": result.model_usage["completion_tokens"],
            }
    if s.known_issue and result.mode in s.known_issue.modes:
        record["known_issue"] = s.known_issue.note
    return record


def metric_record(
    suite: str,
    scenario: str,
    checks: list[dict[str, Any]],
    metrics: dict[str, Any],
    *,
    mode: str,
    model: str,
    embedding: str,
    commit: str,
    seconds: float,
    language: str = "all",
    status: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """A record for a measured part of another suite (intent accuracy, retrieval, analysis per map)."""
    failed = any(c["passed"] is False for c in checks)
    status = status or ("failed" if failed else "passed")
    record = base(suite, mode, model, embedding, commit)
    record.update(
        scenario=scenario,
        job=suite,
        language=language,
        status=status,
        passed=status == "passed",
        checks=checks,
        seconds=round(seconds, 2),
        tokens={},
        metrics=metrics,
        error=error,
    )
    return record


def pass_rate(records: list[dict[str, Any]], answered_by: str | None = None) -> float | None:
    """Passed / scored; with `answered_by` ("model" or "code"), over those scenarios only."""
    scored = [
        r for r in records if r["status"] in SCORED and answered_by in (None, r.get("answered_by", "model"))
    ]
    if not scored:
        return None
    return sum(r["status"] == "passed" for r in scored) / len(scored)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")


def append_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not a JSON line ({exc.msg})") from None
        if not isinstance(record, dict) or "scenario" not in record or "status" not in record:
            raise ValueError(f"{path}:{n}: not an eval record (needs at least scenario and status)")
        records.append(record)
    return records
