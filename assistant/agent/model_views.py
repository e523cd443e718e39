"""What the model reads of a tool result: the numbers it needs to answer, nothing it does not.

The app shows the full result (every stage, every theme, trends, segment views); the model gets a
compact view of the same numbers (the grounding check still accepts any number of the full result).
This keeps a diagnosis answer on a 10,000-row store to a few thousand tokens instead of the hundred
thousand that pasting the feedback would cost (evals/bench_tokens.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from assistant.analysis.render import MODEL_QUOTE_CHARS, shorten
from assistant.contracts.results import Diagnosis, IdeasResult, SearchResult, StageDiagnosis


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)


def _quote(text: str) -> str:
    return shorten(text, MODEL_QUOTE_CHARS)


def _stage(s: StageDiagnosis, detailed: bool) -> dict[str, Any]:
    c = s.comparison
    out: dict[str, Any] = {
        "stage": s.stage,
        "n": s.n,
        "negative": s.negative,
        "negative_share": _r(s.negative_share),
        "ci": [_r(s.ci_low), _r(s.ci_high)],
    }
    if c.testable:
        out["vs"] = {
            "share": _r(c.share2),
            "n": c.n_other,
            "difference": _r(c.difference),
            "p_adjusted": _r(c.p_adjusted, 4),
            "significant": c.significant,
        }
    if s.small_sample:
        out["small_sample"] = True
    for name in ("nps", "csat", "ces"):
        score = getattr(s, name)
        if score is not None:
            main = score.nps if name == "nps" else score.satisfied_share if name == "csat" else score.mean
            out[name] = {"n": score.n, "score": main, "ci": [score.ci_low, score.ci_high]}
    if detailed:
        out["themes"] = [
            {
                "label": t.label,
                "n": t.n,
                "share_of_negative": _r(t.share_of_negative),
                "negative_share_without": _r(t.negative_share_without_theme),
                "quotes": [{"id": q.feedback_id, "text": _quote(q.text)} for q in t.quotes[:1]],
                "counter": {
                    "n": t.counter_evidence.n,
                    "quotes": [
                        {"id": q.feedback_id, "text": _quote(q.text)} for q in t.counter_evidence.quotes[:1]
                    ],
                },
            }
            for t in s.themes[:3]
        ]
        if s.trend:
            out["trend"] = [
                {"period": p.period, "n": p.n, "negative_share": _r(p.negative_share)} for p in s.trend[-3:]
            ]
        if s.gap.segments:
            out["segments_explaining_gap"] = [
                {"value": g.value, "share_of_gap": _r(g.share_of_gap)} for g in s.gap.segments[:3]
            ]
        if s.mix_shift is not None and s.mix_shift.mix_dominates:
            out["mix_shift_dominates"] = True
    return out


def diagnosis_view(d: Diagnosis, focus: str | None = None) -> dict[str, Any]:
    """Every stage's headline numbers; themes, quotes, trend and segments for the stage asked about (or the
    two worst)."""
    detailed = {focus.casefold()} if focus else {name.casefold() for name in d.ranking[:2]}
    view: dict[str, Any] = {
        "map": d.map,
        "rows": d.n,
        "unassigned": d.unassigned.n,
        "compare_to": d.compare_to,
        "ranking_worst_first": d.ranking,
        "stages": [_stage(s, s.stage.casefold() in detailed) for s in d.stages],
        "warnings": d.warnings,
    }
    if d.previous_window is not None:
        view["previous_window"] = d.previous_window.model_dump()
    rc = d.ranking_confidence
    if rc.top_two_within_noise is not None:
        view["top_two_within_noise"] = rc.top_two_within_noise
    if d.segment_by:
        view["segment_by"] = d.segment_by
    return view


def ideas_view(result: IdeasResult) -> dict[str, Any]:
    return {
        "stage": result.stage,
        "based_on_rows": result.based_on_rows,
        "ideas": [
            {
                "theme": i.theme,
                "idea": i.idea,
                "kpi": i.kpi,
                "effort": i.effort,
                "negatives_addressed": i.expected_impact.negatives_addressed,
                "negative_share_now": i.expected_impact.negative_share_now,
                "negative_share_if_fixed": i.expected_impact.negative_share_if_fixed,
                "measured_by": i.measurement.who,
            }
            for i in result.ideas[:5]
        ],
        "stages_needing_a_survey": [b.stage for b in result.survey_questions],
    }


def search_view(result: SearchResult) -> dict[str, Any]:
    return {
        "query": result.query,
        "hits": [
            {
                "id": h.id,
                "where": h.location,
                "text": h.text[:600] if result.collection == "methodology" else _quote(h.text),
            }
            for h in result.hits
        ],
    }


def model_view(result: Any, focus: str | None = None) -> Any:
    """The compact view of a tool result for the model (JSON-ready)."""
    if hasattr(result, "diagnosis") and isinstance(result.diagnosis, Diagnosis):
        view = diagnosis_view(result.diagnosis, focus)
        if result.ideas is not None:
            view["ideas"] = ideas_view(result.ideas)
        return view
    if isinstance(result, Diagnosis):
        return diagnosis_view(result, focus)
    if isinstance(result, IdeasResult):
        return ideas_view(result)
    if isinstance(result, SearchResult):
        return search_view(result)
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    return result
