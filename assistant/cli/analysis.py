"""CLI commands for analysis: assign, diagnose."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, Progress, TextColumn

from assistant.cli.app import app, clear_errors, err, print_json

MapOption = Annotated[
    Path, typer.Option("--map", help="Journey map JSON (a minimal one with stage names is enough).")
]


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("Labelling feedback"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err,
        transient=True,
    )


def _labelled(fn: Any) -> Any:
    """Run fn(progress_callback) under a progress bar on stderr."""
    with _progress_bar() as bar:
        task = bar.add_task("label", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return fn(progress)


@app.command()
def assign(
    map_path: MapOption,
    source: Annotated[str | None, typer.Option(help="Only rows of this source.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write the assignments as CSV.")] = None,
) -> None:
    """Assign every stored feedback row to a stage of the map, with a confidence and a sentiment."""
    from assistant.analysis.encoder_choice import encoder_factory
    from assistant.analysis.service import assignments
    from assistant.domain import load_map
    from assistant.feedback.store import FeedbackStore
    from assistant.settings import load_settings

    with clear_errors():
        settings = load_settings()
        journey = load_map(map_path)
        with FeedbackStore.open(settings.sqlite_path) as store:
            result = _labelled(lambda p: assignments(store, journey, encoder_factory(settings), source, p))
    if out is not None:
        fields = [
            "feedback_id",
            "source",
            "row",
            "external_id",
            "stage",
            "confidence",
            "sentiment",
            "sentiment_score",
        ]
        with out.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(result["rows"])
    if as_json:
        print_json(result)
    elif out is None:
        _print_assignment_summary(result)
    else:
        err.print(f"Wrote {len(result['rows'])} rows to {out}")


def _print_assignment_summary(result: dict[str, Any]) -> None:
    counts: dict[str | None, int] = {}
    for r in result["rows"]:
        counts[r["stage"]] = counts.get(r["stage"], 0) + 1
    total = len(result["rows"])
    sys.stdout.write(f"{total} rows assigned over {len(result['stages'])} stages\n")
    for name in [*result["stages"], None]:
        n = counts.get(name, 0)
        sys.stdout.write(f"  {name or '(unassigned)':<30} {n:>7}  {n / total:6.1%}\n" if total else "")


@app.command()
def diagnose(
    map_path: MapOption,
    stage: Annotated[str | None, typer.Option(help="Focus on one stage.")] = None,
    segment_by: Annotated[str | None, typer.Option(help="Any stored column: channel, plan, region…")] = None,
    since: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")] = None,
    compare_to: Annotated[
        Literal["rest", "previous"],
        typer.Option(help="Compare each stage with the rest of the journey or with the previous period."),
    ] = "rest",
    source: Annotated[str | None, typer.Option(help="Only rows of this source.")] = None,
    period: Annotated[
        Literal["month", "quarter", "week"], typer.Option(help="Trend granularity.")
    ] = "quarter",
    language: Annotated[
        Literal["en", "ko"] | None, typer.Option(help="Language of the text summary (default: the map's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Which stage underperforms, with sample sizes, 95% intervals, tests, themes, quotes and warnings."""
    from assistant.analysis.encoder_choice import encoder_factory
    from assistant.analysis.report import diagnosis_text
    from assistant.analysis.service import DiagnoseOptions, run_diagnosis
    from assistant.domain import load_map
    from assistant.feedback.store import FeedbackStore
    from assistant.settings import load_settings
    from tools.language import language_of

    with clear_errors():
        settings = load_settings()
        journey = load_map(map_path)
        options = DiagnoseOptions(stage, segment_by, since, until, compare_to, source, period)
        with FeedbackStore.open(settings.sqlite_path) as store:
            result = _labelled(lambda p: run_diagnosis(store, journey, encoder_factory(settings), options, p))
    if as_json:
        print_json(result)
    else:
        sys.stdout.write(diagnosis_text(result, language=language or language_of(journey.language)) + "\n")


@app.command()
def ideas(
    map_path: MapOption,
    stage: Annotated[
        str | None, typer.Option(help="Stage to improve (default: the worst-ranked stage).")
    ] = None,
    language: Annotated[Literal["en", "ko"], typer.Option(help="Language of the ideas.")] = "en",
    effort: Annotated[
        list[str] | None, typer.Option(help="Known effort for a theme: 'THEME=low|medium|high'.")
    ] = None,
    owner: Annotated[str, typer.Option(help="Who owns the measurement.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Improvement ideas for a stage's pain themes, ranked by expected effect per effort.

    Each idea names the KPI it should move and a measurement plan (who, what, when, why); stages with too
    little evidence get survey questions with the same wording and scale."""
    from assistant.analysis.encoder_choice import encoder_factory
    from assistant.analysis.service import DiagnoseOptions, run_diagnosis
    from assistant.domain import load_map
    from assistant.errors import JourneyError
    from assistant.feedback.store import FeedbackStore
    from assistant.settings import load_settings
    from tools.ideas import ideas_for_stage, survey_questions
    from tools.stats import MIN_N

    with clear_errors():
        efforts: dict[str, Any] = {}
        for item in effort or []:
            label, _, level = item.rpartition("=")
            if level not in {"low", "medium", "high"} or not label:
                raise JourneyError(f"--effort takes THEME=low|medium|high, not {item!r}.")
            efforts[label] = level
        settings = load_settings()
        journey = load_map(map_path)
        with FeedbackStore.open(settings.sqlite_path) as store:
            result = _labelled(
                lambda p: run_diagnosis(store, journey, encoder_factory(settings), DiagnoseOptions(), p)
            )
        target = stage or (result["ranking"][0] if result["ranking"] else None)
        entry = next(
            (s for s in result["stages"] if target and s["stage"].casefold() == target.casefold()), None
        )
        if entry is None:
            raise JourneyError(
                f"The map has no stage {target!r}; its stages are {', '.join(journey.stage_names)}."
            )
        mot = any(s.moment_of_truth.is_moment for s in journey.stage(entry["stage"]).steps)
        proposals = ideas_for_stage(entry, language, efforts, mot, owner)
        thin = [
            s
            for s in journey.stages
            if next(x for x in result["stages"] if x["stage"] == s.name)["n"] < MIN_N
        ]
        document = {
            "stage": entry["stage"],
            "based_on_rows": entry["n"],
            "ideas": proposals,
            "survey_questions": survey_questions([{"name": s.name, "goal": s.goal} for s in thin], language),
        }
    if as_json:
        print_json(document)
        return
    sys.stdout.write(f"Ideas for {document['stage']} (from {entry['n']} rows):\n")
    for i, idea in enumerate(proposals, start=1):
        imp = idea["expected_impact"]
        sys.stdout.write(
            f"{i}. [{idea['theme']}] {idea['idea']}\n   KPI: {idea['kpi']}; addresses {imp['negatives_addressed']} "
            f"negative comments; negative share {imp['negative_share_now']:.0%} -> {imp['negative_share_if_fixed']:.0%} "
            f"if fixed; effort {idea['effort']}\n"
        )
    for block in document["survey_questions"]:
        sys.stdout.write(f"Survey for {block['stage']} (too little evidence):\n")
        for q in block["questions"]:
            sys.stdout.write(f"   - {q['text']} [{q['scale']}]\n")
