"""CLI commands for analysis: assign, diagnose, ideas, survey."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from assistant.analysis.render import diagnosis_report, ideas_answer, survey_answer
from assistant.cli.options import JSON_FLAG, command, option
from assistant.cli.progress import progress_bars
from assistant.cli.root import app, err, print_json
from assistant.cli.workspace import open_workspace
from assistant.contracts.requests import (
    AssignRequest,
    CorrectRequest,
    DiagnoseRequest,
    IdeasRequest,
    SurveyRequest,
)
from assistant.contracts.results import Assignments

OUT = option("out", Path | None, None, "--out", help="Write the assignments as CSV.")


@command(app, "assign", AssignRequest, extra=[JSON_FLAG, OUT])
def assign(request: AssignRequest, as_json: bool, out: Path | None) -> None:
    """Assign every stored feedback row to a stage of the map, with a confidence and a sentiment."""
    with open_workspace() as ws, progress_bars() as progress:
        result = ws.assign(request.map, request, progress)
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
            writer.writerows(r.model_dump() for r in result.rows)
    if as_json:
        print_json(result.model_dump(mode="json"))
    elif request.uncertain is not None:
        sys.stdout.write(f"The {len(result.rows)} least certain rows (correct them with `journey label`):\n")
        for r in result.rows:
            sys.stdout.write(
                f"  {r.feedback_id}  {r.stage or '(unassigned)'}  confidence {r.confidence:.2f}\n"
            )
    elif out is None:
        _print_assignment_summary(result)
    else:
        err.print(f"Wrote {len(result.rows)} rows to {out}")


def _print_assignment_summary(result: Assignments) -> None:
    counts: dict[str | None, int] = {}
    for r in result.rows:
        counts[r.stage] = counts.get(r.stage, 0) + 1
    total = len(result.rows)
    sys.stdout.write(f"{total} rows assigned over {len(result.stages)} stages\n")
    for name in [*result.stages, None]:
        n = counts.get(name, 0)
        sys.stdout.write(f"  {name or '(unassigned)':<30} {n:>7}  {n / total:6.1%}\n" if total else "")
    reasons: dict[str, int] = {}
    for r in result.rows:
        if r.stage is None and ":" in r.stage_method:
            reason = r.stage_method.split(":", 1)[1]
            reasons[reason] = reasons.get(reason, 0) + 1
    why = {"no_evidence": "no stage evidenced", "ambiguous": "no stage stands out"}
    for reason, n in sorted(reasons.items()):
        sys.stdout.write(f"    {why.get(reason, reason):<28} {n:>7}\n")


@command(app, "label", CorrectRequest, extra=[JSON_FLAG])
def label(request: CorrectRequest, as_json: bool) -> None:
    """Correct one row's stage (for this map) and/or sentiment. The next assign or diagnose labels every
    row again, using the corrected rows as examples for the others."""
    with open_workspace() as ws:
        result = ws.correct(request.map, request)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    what = ", ".join(
        f"{k} = {v}" for k, v in (("stage", result.stage), ("sentiment", result.sentiment)) if v is not None
    )
    sys.stdout.write(
        f"Row {result.feedback_id}: {what or 'no correction'}. Corrections stored: "
        f"{result.stage_corrections} stage (this map), {result.sentiment_corrections} sentiment.\n"
    )


@command(app, "diagnose", DiagnoseRequest, extra=[JSON_FLAG])
def diagnose(request: DiagnoseRequest, as_json: bool) -> None:
    """Which stage underperforms, with sample sizes, 95% intervals, tests, themes, quotes and warnings."""
    with open_workspace() as ws, progress_bars() as progress:
        result = ws.diagnose(request.map, request, progress)
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        text, _ = diagnosis_report(result, request.language or result.language)
        sys.stdout.write(text + "\n")


@command(app, "ideas", IdeasRequest, extra=[JSON_FLAG])
def ideas(request: IdeasRequest, as_json: bool) -> None:
    """Improvement ideas for a stage's pain themes, ranked by expected effect per effort.

    Each idea names the KPI it should move and a measurement plan (who, what, when, why); stages with too
    little evidence get survey questions with the same wording and scale."""
    with open_workspace() as ws, progress_bars() as progress:
        result = ws.ideas(request.map, request, progress)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    text, _ = ideas_answer(result, request.language, limit=None, surveys=True)
    sys.stdout.write(text + "\n")


@command(app, "survey", SurveyRequest, extra=[JSON_FLAG])
def survey(request: SurveyRequest, as_json: bool) -> None:
    """Comparable survey questions (same wording, same scale) for stages with too little feedback."""
    with open_workspace() as ws:
        result = ws.survey_questions(request.map, request)
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    sys.stdout.write(survey_answer(result.stages, request.language) + "\n")
