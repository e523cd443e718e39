"""Assignment rows and diagnosis over labelled rows of the store (the workspace labels first)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np

from assistant.analysis.aggregate import (
    Scope,
    column_exists,
    confidence_groups,
    day_counts,
    negative_sample,
    period_label,
    roll_up,
    sample_texts,
    stage_comments,
    summarise,
    summary_is_current,
)
from assistant.contracts.requests import DiagnoseOptions
from assistant.contracts.results import AssignmentRow
from assistant.domain.map_model import JourneyMap
from assistant.errors import JourneyError
from assistant.feedback.store import FeedbackStore
from journey_tools.diagnosis import DiagnosisInput, diagnose
from journey_tools.sentiment import LABELS
from journey_tools.text import terms
from journey_tools.themes import Comment, Theme, find_themes


def assignment_rows(
    store: FeedbackStore, journey: JourneyMap, key: str, labeller: str, sources: Sequence[str] = ()
) -> list[AssignmentRow]:
    """One entry per labelled row (of the datasets, if given), in file order."""
    sql = (
        "SELECT f.feedback_id, f.source, f.row, f.external_id, s.stage, s.confidence, s.method, s.label, r.score, "
        "r.method FROM feedback f JOIN row_stage s ON s.feedback_id = f.feedback_id AND s.map_key = ? "
        "JOIN sentiment_labels r ON r.feedback_id = f.feedback_id AND r.labeller = ? "
        + (f"WHERE f.source IN ({', '.join('?' * len(sources))}) " if sources else "")
        + "ORDER BY f.source, f.file_name, f.row"
    )
    params: list[Any] = [key, labeller, *sources]
    names = journey.stage_names
    return [
        AssignmentRow(
            feedback_id=r[0],
            source=r[1],
            row=r[2],
            external_id=r[3],
            stage=names[r[4]] if r[4] >= 0 else None,
            confidence=r[5],
            stage_method=r[6],
            sentiment=LABELS[r[7] + 1],
            sentiment_score=r[8],
            sentiment_method=r[9],
        )
        for r in store.conn.execute(sql, params)
    ]


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_windows(
    first: str | None, last: str | None, since: str | None, until: str | None
) -> tuple[tuple[str, str], tuple[str, str]]:
    """(current, previous) date windows of equal length. With no dates given: the latest quarter in the
    data against the quarter before it."""
    if first is None or last is None:
        raise JourneyError(
            "Comparing with the previous period needs dated feedback; no row in scope has a date."
        )
    if since is None and until is None:
        start = _quarter_start(date.fromisoformat(last))
        prev_start = _quarter_start(start - timedelta(days=1))
        return (start.isoformat(), last), (prev_start.isoformat(), (start - timedelta(days=1)).isoformat())
    cur_since = since or first
    cur_until = until or last
    length = (date.fromisoformat(cur_until) - date.fromisoformat(cur_since)).days + 1
    return (cur_since, cur_until), (_shift(cur_since, -length), _shift(cur_since, -1))


def _themes_for(
    store: FeedbackStore,
    scope: Scope,
    journey: JourneyMap,
    by_stage: dict[int, Any],
    vector_model: str | None = None,
) -> dict[int, list[Theme]]:
    """Themes per stage, each with the rate of its term among the rest of the journey's rows. With the
    stored vectors of `vector_model`, themes that mean the same merge and quotes are representative."""
    background = sample_texts(store, scope)
    # The words of every stage name say where, not what went wrong: never a theme label.
    stage_words = frozenset(w for s in journey.stages for w in terms(s.name))
    negatives_sample = [(stage, terms(text)) for stage, text in negative_sample(store, scope)]
    out: dict[int, list[Theme]] = {}
    for i, stage in enumerate(journey.stages):
        c = by_stage.get(i)
        if c is None or c.negative == 0:
            continue
        negatives = [Comment(*r) for r in stage_comments(store, scope, i, -1)]
        positives = [Comment(*r) for r in stage_comments(store, scope, i, 1)]
        vectors = None
        if vector_model is not None:
            found = store.vectors(vector_model, [c.feedback_id for c in negatives])
            if len(found) == len(negatives):
                vectors = np.vstack([np.asarray(found[c.feedback_id], dtype=np.float32) for c in negatives])
        themes = find_themes(negatives, positives, background, exclude=stage_words, vectors=vectors)
        rest_rows = sum(x.n for j, x in by_stage.items() if j >= 0 and j != i)
        rest_negative = sum(x.negative for j, x in by_stage.items() if j >= 0 and j != i)
        rest_sample = [t for stage, t in negatives_sample if stage >= 0 and stage != i]
        if rest_rows and rest_sample:
            for theme in themes:
                with_term = sum(1 for t in rest_sample if theme.terms[0] in t)
                theme.rest_rate = with_term / len(rest_sample) * rest_negative / rest_rows
        out[i] = themes
    return out


def check_diagnosis_options(store: FeedbackStore, journey: JourneyMap, options: DiagnoseOptions) -> None:
    """Refuse impossible requests before any labelling work starts."""
    if options.stage is not None and options.stage.casefold() not in {
        s.casefold() for s in journey.stage_names
    }:
        raise JourneyError(
            f"The map has no stage {options.stage!r}; its stages are {', '.join(journey.stage_names)}."
        )
    if options.segment_by is not None and not column_exists(store, options.segment_by):
        raise JourneyError(f"No stored row has a column {options.segment_by!r} to segment by.")


def run_diagnosis(
    store: FeedbackStore,
    journey: JourneyMap,
    key: str,
    options: DiagnoseOptions,
    vector_model: str | None = None,
) -> dict[str, Any]:
    """Aggregate the labelled rows (labels made under `key`) in SQL, and diagnose."""
    check_diagnosis_options(store, journey, options)
    if not summary_is_current(store, key):
        # Labels made before summaries existed, or dropped by a write: one pass now, then every later
        # question about this map reads the summary.
        summarise(store, key)
    seg = options.segment_by or None
    current_window: tuple[str | None, str | None] = (options.since, options.until)
    previous_window: tuple[str | None, str | None] = (None, None)
    previous_by_stage = previous_by_segment = None
    if options.compare_to == "previous":
        days = day_counts(store, Scope(key, tuple(options.source), filters=tuple(options.where)), seg)
        dated = [d for _, d, _ in days if d is not None]
        (cur_since, cur_until), (prev_since, prev_until) = previous_windows(
            min(dated, default=None), max(dated, default=None), options.since, options.until
        )
        current_window, previous_window = (cur_since, cur_until), (prev_since, prev_until)
        previous_by_stage = roll_up(days, lambda k: k[0], prev_since, prev_until)
        if seg:
            previous_by_segment = roll_up(days, lambda k: (k[0], k[2]), prev_since, prev_until)
    else:
        days = day_counts(
            store, Scope(key, tuple(options.source), options.since, options.until, tuple(options.where)), seg
        )
    since, until = current_window
    scope = Scope(key, tuple(options.source), since, until, tuple(options.where))
    by_stage = roll_up(days, lambda k: k[0], since, until)
    periods = roll_up(
        days, lambda k: None if k[1] is None else (k[0], period_label(k[1], options.period)), since, until
    )
    by_segment = roll_up(days, lambda k: (k[0], k[2]), since, until) if seg else {}
    data = DiagnosisInput(
        stages=journey.stage_names,
        by_stage=by_stage,
        compare_to=options.compare_to,
        previous_by_stage=previous_by_stage,
        periods=periods,
        segment_column=options.segment_by,
        by_segment=by_segment,
        previous_by_segment=previous_by_segment,
        themes=_themes_for(store, scope, journey, by_stage, vector_model),
        current_window=current_window,
        previous_window=previous_window,
    )
    result = diagnose(data, focus=options.stage)
    result["map"] = journey.title
    result["ranking_confidence"] = ranking_confidence(store, scope, journey, result)
    return result


def ranking_confidence(
    store: FeedbackStore, scope: Scope, journey: JourneyMap, result: dict[str, Any]
) -> dict[str, Any]:
    """How firm the top of the ranking is, given sampling noise and the stage assignments' confidence."""
    from journey_tools.ranking_confidence import (
        LOW_CONFIDENCE,
        NOISE_LEVEL,
        RESAMPLES,
        Group,
        ranking_stability,
    )

    groups = [Group(*g) for g in confidence_groups(store, scope)]
    testable = {c["stage"] for c in result["comparisons"] if c.get("testable")}
    candidates = [s for s in result["ranking"] if s in testable]
    st = ranking_stability(groups, journey.stage_names, candidates)
    note = ""
    if st.within_noise:
        note = (
            f"{st.top} and {st.runner_up} are within noise: {st.top} stays first in only "
            f"{st.top_stays_top:.0%} of {RESAMPLES} resamples of the rows and of their stage assignments."
        )
    elif st.within_noise is False:
        note = f"{st.top} stays first in {st.top_stays_top:.0%} of {RESAMPLES} resamples."
    return {
        "top_two_within_noise": st.within_noise,
        "top_stage_share": st.top_stays_top,
        "low_confidence_rows": st.low_confidence_rows,
        "note": note,
        "top_stage": st.top,
        "runner_up": st.runner_up,
        "low_confidence_threshold": LOW_CONFIDENCE,
        "low_confidence_share": round(st.low_confidence_rows / st.rows, 4) if st.rows else None,
        "unassigned_share": round(st.unassigned_rows / st.rows, 4) if st.rows else None,
        "noise_level": NOISE_LEVEL,
        "resamples": RESAMPLES,
    }
