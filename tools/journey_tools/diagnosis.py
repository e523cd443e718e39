"""Which stage underperforms, by how much, how sure we are, and what explains it.

Pure functions over aggregated counts (the workspace's SQL aggregates make
them). Each stage's negative share is compared with the rest of the journey (or with the same stage
in the previous period) by a two-proportion test; p-values are adjusted for testing every stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from journey_tools.counts import Counts
from journey_tools.diagnosis_warnings import DiagnosisWarning
from journey_tools.rating_metrics import ces_from_counts, csat_from_counts, nps_from_counts
from journey_tools.stats import (
    MIN_N,
    adjust_pvalues,
    compare_proportions,
    gap_contributions,
    mix_shift,
    wilson_interval,
)
from journey_tools.themes import Theme

CompareTo = Literal["rest", "previous"]
ALPHA = 0.05
SURVIVOR_EARLY_SHARE = 0.10
NEARLY_ALL_NEGATIVE = 0.95
"""At this negative share of all rows (a complaints database, a support queue of problems) a stage's share
mostly measures the channel, not the stage."""


@dataclass
class DiagnosisInput:
    """Everything diagnosis needs, already aggregated."""

    stages: list[str]
    by_stage: Mapping[int, Counts]
    """Counts per stage index; -1 holds the unassigned rows."""
    compare_to: CompareTo = "rest"
    previous_by_stage: Mapping[int, Counts] | None = None
    periods: Mapping[tuple[int, str], Counts] = field(default_factory=dict)
    segment_column: str | None = None
    by_segment: Mapping[tuple[int, str], Counts] = field(default_factory=dict)
    previous_by_segment: Mapping[tuple[int, str], Counts] | None = None
    themes: Mapping[int, list[Theme]] = field(default_factory=dict)
    current_window: tuple[str | None, str | None] = (None, None)
    previous_window: tuple[str | None, str | None] = (None, None)


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or x != x else round(float(x), nd)


def stage_metrics(name: str, c: Counts, total: int) -> dict[str, Any]:
    low, high = wilson_interval(c.negative, c.n)  # n == 0 gives the fully uncertain (0, 1)
    return {
        "stage": name,
        "n": c.n,
        "share_of_feedback": _r(c.n / total) if total else 0.0,
        "negative": c.negative,
        "neutral": c.neutral,
        "positive": c.positive,
        "negative_share": _r(c.negative / c.n) if c.n else 0.0,
        "ci_low": _r(float(low)),
        "ci_high": _r(float(high)),
        "small_sample": c.n < MIN_N,
        "nps": nps_from_counts(c.nps_n, c.nps_promoters, c.nps_detractors),
        "csat": csat_from_counts(c.csat_n, c.csat_satisfied, c.csat_sum, c.csat_sumsq),
        "ces": ces_from_counts(c.ces_n, c.ces_easy, c.ces_sum, c.ces_sumsq),
    }


def _rest(by_stage: Mapping[int, Counts], stage: int) -> Counts:
    rest = Counts()
    for i, c in by_stage.items():
        if i != stage and i >= 0:
            rest.add(c)
    return rest


def compare_stages(data: DiagnosisInput) -> list[dict[str, Any]]:
    """One comparison per stage with rows: against the rest, or against the previous period."""
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(data.stages):
        c = data.by_stage.get(i, Counts())
        if data.compare_to == "previous":
            other = (data.previous_by_stage or {}).get(i, Counts())
            against = "previous period"
        else:
            other = _rest(data.by_stage, i)
            against = "rest of the journey"
        if c.n == 0 or other.n == 0:
            rows.append({"stage": name, "against": against, "n": c.n, "n_other": other.n, "testable": False})
            continue
        cmp = compare_proportions(c.negative, c.n, other.negative, other.n)
        rows.append(
            {
                "stage": name,
                "against": against,
                "testable": True,
                **cmp.to_dict(),
                "n_other": other.n,
                "n": c.n,
            }
        )
    testable = [r for r in rows if r["testable"]]
    adjusted = adjust_pvalues([r["p_value"] for r in testable]) if testable else []
    for r, p in zip(testable, adjusted, strict=True):
        r["p_adjusted"] = _r(p, 6)
        r["significant"] = bool(p < ALPHA and r["difference"] > 0)
    return rows


def rank(comparisons: Sequence[dict[str, Any]]) -> list[str]:
    """Worst first: significantly worse stages by effect size, then the others by difference."""

    def key(r: dict[str, Any]) -> tuple[int, float]:
        if not r["testable"]:
            return (2, 0.0)
        return (0 if r.get("significant") else 1, -float(r["difference"]))

    return [r["stage"] for r in sorted(comparisons, key=key)]


def _theme_dicts(themes: Sequence[Theme], stage_negatives: int, stage_n: int) -> list[dict[str, Any]]:
    out = []
    for t in themes:
        after = (stage_negatives - t.n) / stage_n if stage_n else 0.0
        out.append(
            {
                "label": t.label,
                "terms": t.terms,
                "n": t.n,
                "share_of_negative": _r(t.share),
                "negative_share_without_theme": _r(after),
                "quotes": [
                    {"feedback_id": q.feedback_id, "text": q.text, "source": q.source, "row": q.row}
                    for q in t.quotes
                ],
                "counter_evidence": {
                    "n": t.counter_n,
                    "quotes": [
                        {"feedback_id": q.feedback_id, "text": q.text, "source": q.source, "row": q.row}
                        for q in t.counter_evidence
                    ],
                },
            }
        )
    return out


def _trend(data: DiagnosisInput, stage: int) -> list[dict[str, Any]]:
    points = sorted((p, c) for (s, p), c in data.periods.items() if s == stage and p)
    out = []
    for period, c in points:
        low, high = wilson_interval(c.negative, c.n)
        out.append(
            {
                "period": period,
                "n": c.n,
                "negative": c.negative,
                "negative_share": _r(c.negative / c.n),
                "ci_low": _r(float(low)),
                "ci_high": _r(float(high)),
            }
        )
    return out


def _segment_values(by_segment: Mapping[tuple[int, str], Counts]) -> list[str]:
    return sorted({v for (_, v) in by_segment})


def _segment_view(data: DiagnosisInput, value: str) -> dict[str, Any]:
    by_stage = {s: c for (s, v), c in data.by_segment.items() if v == value}
    total = sum(c.n for s, c in by_stage.items())
    assigned_total = sum(c.n for s, c in by_stage.items() if s >= 0)
    sub = DiagnosisInput(stages=data.stages, by_stage=by_stage)
    comparisons = compare_stages(sub)
    stages = []
    for i, name in enumerate(data.stages):
        entry = stage_metrics(name, by_stage.get(i, Counts()), assigned_total)
        entry["themes"] = []
        stages.append(entry)
    return {
        "n": total,
        "stages": stages,
        "ranking": rank(comparisons),
        "comparisons": comparisons,
        "unassigned": {"n": by_stage.get(-1, Counts()).n},
    }


def _theme_gap(themes: Sequence[Theme], n: int) -> list[tuple[str, float, float]]:
    """Excess negatives per theme: its comments in the stage minus what its rate in the rest would give."""
    excess = {t.label: t.n - n * t.rest_rate for t in themes if t.rest_rate is not None}
    positive = {k: v for k, v in excess.items() if v > 0}
    total = sum(positive.values())
    return [(k, v, v / total) for k, v in sorted(positive.items(), key=lambda kv: -kv[1])] if total else []


def _stage_gap(data: DiagnosisInput, stage: int, c: Counts, themes: Sequence[Theme]) -> dict[str, Any]:
    rest = _rest(data.by_stage, stage)
    rest_share = rest.negative / rest.n if rest.n else 0.0
    theme_gap = _theme_gap(themes, c.n)
    seg_counts = {v: (sc.negative, sc.n) for (s, v), sc in data.by_segment.items() if s == stage}
    seg_gap = gap_contributions(seg_counts, rest_share) if seg_counts else []
    return {
        "rest_negative_share": _r(rest_share),
        "excess_negative": _r(c.negative - c.n * rest_share, 1),
        "themes": [{"label": k, "excess_negative": _r(e, 1), "share_of_gap": _r(s)} for k, e, s in theme_gap],
        "segments": [{"value": k, "excess_negative": _r(e, 1), "share_of_gap": _r(s)} for k, e, s in seg_gap],
    }


def _mix_shift(data: DiagnosisInput, stage: int) -> dict[str, Any] | None:
    if data.previous_by_segment is None or not data.by_segment:
        return None
    before = {v: (c.negative, c.n) for (s, v), c in data.previous_by_segment.items() if s == stage}
    after = {v: (c.negative, c.n) for (s, v), c in data.by_segment.items() if s == stage}
    if not before or not after:
        return None
    return mix_shift(before, after).to_dict()


def warnings_for(
    data: DiagnosisInput, stages_out: Sequence[dict[str, Any]], unassigned: int
) -> list[DiagnosisWarning]:
    total = sum(c.n for c in data.by_stage.values())
    assigned = total - unassigned
    if total == 0:
        return [DiagnosisWarning("no_data")]
    warnings: list[DiagnosisWarning] = []
    small = [s["stage"] for s in stages_out if 0 < s["n"] < MIN_N]
    if small:
        warnings.append(DiagnosisWarning("small_samples", {"min_n": MIN_N, "stages": small}))
    empty = [s["stage"] for s in stages_out if s["n"] == 0]
    if empty:
        warnings.append(DiagnosisWarning("empty_stages", {"stages": empty}))
    if unassigned / total > 0.3:
        warnings.append(
            DiagnosisWarning(
                "unassigned", {"unassigned": unassigned, "total": total, "share": unassigned / total}
            )
        )
    half = max(1, len(data.stages) // 2)
    early = sum(data.by_stage.get(i, Counts()).n for i in range(half))
    if assigned and len(data.stages) >= 3 and early / assigned < SURVIVOR_EARLY_SHARE:
        warnings.append(
            DiagnosisWarning(
                "survivorship",
                {"early": early, "assigned": assigned, "share": early / assigned, "half": half},
            )
        )
    negative = sum(c.negative for c in data.by_stage.values())
    if total >= MIN_N and negative / total >= NEARLY_ALL_NEGATIVE:
        warnings.append(
            DiagnosisWarning(
                "nearly_all_negative", {"negative": negative, "total": total, "share": negative / total}
            )
        )
    rated = sum(c.nps_n + c.csat_n + c.ces_n for c in data.by_stage.values())
    if total and rated / total > 0.9:
        warnings.append(DiagnosisWarning("solicited_only"))
    return warnings


def diagnose(data: DiagnosisInput, focus: str | None = None) -> dict[str, Any]:
    """The full diagnosis document (the `journey diagnose --json` shape)."""
    unassigned = data.by_stage.get(-1, Counts()).n
    assigned_total = sum(c.n for i, c in data.by_stage.items() if i >= 0)
    comparisons = compare_stages(data)
    ranking = rank(comparisons)
    stages_out = []
    for i, name in enumerate(data.stages):
        c = data.by_stage.get(i, Counts())
        entry = stage_metrics(name, c, assigned_total)
        themes = data.themes.get(i, [])
        entry["themes"] = _theme_dicts(themes, c.negative, c.n)
        entry["comparison"] = comparisons[i]
        entry["trend"] = _trend(data, i)
        entry["gap"] = _stage_gap(data, i, c, themes)
        shift = _mix_shift(data, i)
        if shift is not None:
            entry["mix_shift"] = shift
        stages_out.append(entry)
    warnings = warnings_for(data, stages_out, unassigned)
    for entry in stages_out:
        shift = entry.get("mix_shift")
        if shift and shift.get("mix_dominates"):
            warnings.append(
                DiagnosisWarning("mix_shift", {"stage": entry["stage"], "column": data.segment_column})
            )
    total = assigned_total + unassigned
    segments = (
        {value: _segment_view(data, value) for value in _segment_values(data.by_segment)}
        if data.by_segment
        else {}
    )
    if focus is not None:
        stages_out = [s for s in stages_out if s["stage"].casefold() == focus.casefold()]
    return {
        "stages": stages_out,
        "ranking": ranking,
        "comparisons": comparisons,
        "compare_to": data.compare_to,
        "current_window": {"since": data.current_window[0], "until": data.current_window[1]},
        "previous_window": (
            {"since": data.previous_window[0], "until": data.previous_window[1]}
            if data.compare_to == "previous"
            else None
        ),
        "n": total,
        "unassigned": {"n": unassigned, "share": _r(unassigned / total) if total else 0.0},
        "warnings": [w.render("en") for w in warnings],
        "warning_details": [w.to_dict() for w in warnings],
        "segment_by": data.segment_column,
        "segments": segments,
    }
