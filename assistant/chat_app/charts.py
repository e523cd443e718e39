"""Plotly figures: the emotion curve of a map, and a diagnosis's negative share per stage.

Pure builders (a map or a diagnosis in, a Plotly figure out as plain JSON-ready dicts), unit-tested
without a browser, where Plotly validates every figure. The app sends the dicts as they are: building
them through `plotly.graph_objects` validates each property again and took most of a map update's time.
Colours follow the HTML export, so the chat and the exported page read alike.

Plotly draws titles, legend names, tick labels and hover text as a small HTML subset (links included),
so every text that comes from a map or from feedback is escaped (`_esc`, `_wrap`) and shows as written.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from assistant.analysis.render import shorten
from assistant.analysis.stage_focus import focus_stage
from assistant.contracts.results import Diagnosis
from assistant.domain.map_model import JourneyMap

EMOTION_COLOURS = {-2: "#d64545", -1: "#ee8f52", 0: "#e3b93c", 1: "#8cbf5a", 2: "#3b9a57"}
LINE_COLOURS = ["#4f7cac", "#9b6bd8", "#1f9a9a", "#d07a2c"]
FOCUS = "#d64545"
OTHER = "#8da2b8"
INK = "#7b8a9b"
"""Text and axis colour that reads on the light and the dark theme alike."""
GRID = "rgba(128,128,128,0.25)"
FONT = (
    'system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif'
)

TEXT = {
    "en": {
        "curve": "Emotion curve",
        "moment": "Moment of truth",
        "pains": "Pain points",
        "score": ["very negative", "negative", "neutral", "positive", "very positive"],
        "as_is": "As-is",
        "to_be": "To-be",
        "diagnosis": "Negative share per stage (95% interval)",
        "share": "negative share",
        "rest": "rest of the journey",
        "previous": "previous period",
        "no_rows": "no feedback",
        "small": "small sample",
        "asked": "asked about",
        "worst": "worst",
    },
    "ko": {
        "curve": "감정 곡선",
        "moment": "결정적 순간",
        "pains": "페인포인트",
        "score": ["매우 부정", "부정", "보통", "긍정", "매우 긍정"],
        "as_is": "현재(As-is)",
        "to_be": "미래(To-be)",
        "diagnosis": "단계별 부정 비율 (95% 구간)",
        "share": "부정 비율",
        "rest": "나머지 단계",
        "previous": "이전 기간",
        "no_rows": "피드백 없음",
        "small": "표본 적음",
        "asked": "질문한 단계",
        "worst": "가장 나쁨",
    },
}


Figure = dict[str, Any]
"""{"data": [traces], "layout": {...}}, as Plotly's JSON has it."""


def _trace(kind: str, **properties: Any) -> dict[str, Any]:
    return {"type": kind, **properties}


def _t(language: str) -> dict[str, Any]:
    return TEXT["ko" if language.startswith("ko") else "en"]


def _esc(text: str) -> str:
    """Text from data as Plotly text: its markup shows as characters, never as tags or links."""
    return html.escape(text, quote=False)


def _wrap(text: str, width: int = 36, limit: int = 160) -> str:
    """Escaped text broken into lines of about `width` characters (joined by <br>), cut at `limit`."""
    text = shorten(text, limit)
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(_esc(line) for line in lines)


@dataclass(frozen=True)
class CurvePoint:
    x: float
    score: int
    stage: str
    action: str
    label: str
    moment: bool
    moment_why: str
    pains: list[str]


def curve_points(journey: JourneyMap, stage_index: dict[str, int] | None = None) -> list[CurvePoint]:
    """One point per step: stage i spans x in [i, i+1) and its steps share it evenly. With `stage_index`
    (another map's stage positions by name), stages that map lacks are left out."""
    points: list[CurvePoint] = []
    for i, stage in enumerate(journey.stages):
        where = i if stage_index is None else stage_index.get(stage.name.casefold())
        if where is None:
            continue
        n = len(stage.steps)
        for j, step in enumerate(stage.steps):
            points.append(
                CurvePoint(
                    x=where + (j + 0.5) / n,
                    score=step.emotion.score,
                    stage=stage.name,
                    action=step.action,
                    label=step.emotion.label,
                    moment=step.moment_of_truth.is_moment,
                    moment_why=step.moment_of_truth.why,
                    pains=[f"[{p.severity}/5] {p.description}" for p in step.pain_points],
                )
            )
    return points


def emotion_curve(journey: JourneyMap, counterpart: JourneyMap | None = None) -> Figure:
    """The map's emotion curve; with a counterpart (the to-be map of an as-is map, or the reverse) both
    lines share the stage axis. Moments of truth are stars, pain points red triangles under the step."""
    t = _t(journey.language)
    index = {s.name.casefold(): i for i, s in enumerate(journey.stages)}
    series = [(journey, curve_points(journey))]
    if counterpart is not None:
        series.append((counterpart, curve_points(counterpart, index)))
    data: list[dict[str, Any]] = []
    for k, (source, points) in enumerate(series):
        name = t["as_is"] if source.state == "current" else t["to_be"]
        if counterpart is not None:
            name = f"{name}: {_esc(source.title)}"
        data.append(
            _trace(
                "scatter",
                x=[p.x for p in points],
                y=[p.score for p in points],
                mode="lines+markers",
                name=name,
                line={"shape": "spline", "smoothing": 0.8, "width": 3, "color": LINE_COLOURS[k % 4]},
                marker={
                    "size": 11,
                    "color": [EMOTION_COLOURS[p.score] for p in points],
                    "line": {"width": 2, "color": "#ffffff"},
                },
                customdata=[[_esc(p.stage), _wrap(p.action), _esc(p.label or "–")] for p in points],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{y:+d} %{customdata[2]}"
                "<extra></extra>",
            )
        )
        if k == 0:
            moments = [p for p in points if p.moment]
            if moments:
                data.append(
                    _trace(
                        "scatter",
                        x=[p.x for p in moments],
                        y=[p.score + 0.42 for p in moments],
                        mode="markers",
                        name=t["moment"],
                        marker={"symbol": "star", "size": 17, "color": "#e0a800", "line": {"width": 1}},
                        customdata=[[_wrap(p.action), _wrap(p.moment_why or "")] for p in moments],
                        hovertemplate=f"<b>{t['moment']}</b><br>%{{customdata[0]}}<br>%{{customdata[1]}}"
                        "<extra></extra>",
                    )
                )
            painful = [p for p in points if p.pains]
            if painful:
                data.append(
                    _trace(
                        "scatter",
                        x=[p.x for p in painful],
                        y=[p.score - 0.45 for p in painful],
                        mode="markers+text",
                        name=t["pains"],
                        text=[str(len(p.pains)) for p in painful],
                        textposition="bottom center",
                        textfont={"color": FOCUS, "size": 11},
                        marker={"symbol": "triangle-down", "size": 13, "color": FOCUS},
                        customdata=[["<br>".join(_wrap(x, 48, 120) for x in p.pains[:4])] for p in painful],
                        hovertemplate=f"<b>{t['pains']}</b><br>%{{customdata[0]}}<extra></extra>",
                    )
                )
    n = len(journey.stages)
    shapes: list[dict[str, Any]] = [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": 0,
            "y1": 2.9,
            "fillcolor": "rgba(59,154,87,0.10)",
            "line": {"width": 0},
            "layer": "below",
        },
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": -2.9,
            "y1": 0,
            "fillcolor": "rgba(214,69,69,0.10)",
            "line": {"width": 0},
            "layer": "below",
        },
    ]
    shapes += [
        {"type": "line", "x0": i, "x1": i, "y0": -2.9, "y1": 2.9, "line": {"color": GRID, "width": 1}}
        for i in range(1, n)
    ]
    layout = dict(
        title={"text": f"{t['curve']} · {_esc(journey.title)}", "font": {"size": 15}},
        height=380,
        margin={"l": 40, "r": 16, "t": 60, "b": 70},
        font={"family": FONT, "size": 12, "color": INK},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        shapes=shapes,
        showlegend=True,
        legend={"orientation": "h", "y": 1.08, "x": 0},
        hovermode="closest",
        xaxis={
            "range": [0, max(n, 1)],
            "tickvals": [i + 0.5 for i in range(n)],
            "ticktext": [_wrap(s.name, 14, 40) for s in journey.stages],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis={
            "range": [-2.9, 2.9],
            "tickvals": [-2, -1, 0, 1, 2],
            "ticktext": [f"{v:+d}" if v else "0" for v in (-2, -1, 0, 1, 2)],
            "zeroline": True,
            "zerolinecolor": INK,
            "gridcolor": GRID,
            "fixedrange": True,
        },
    )
    return {"data": data, "layout": layout}


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def diagnosis_chart(diagnosis: Diagnosis, focus: str | None = None) -> Figure:
    """Negative share per stage (map order) with its 95% Wilson interval; the stage asked about (or the
    worst one) highlighted, and the share it is compared with drawn as a dashed line."""
    t = _t(diagnosis.language)
    target = diagnosis.stage(focus) if focus else None
    highlighted = focus_stage(diagnosis, target.stage if target else None)
    stages = diagnosis.stages
    share = [None if s.negative_share is None else 100 * s.negative_share for s in stages]
    low = [
        0.0 if s.negative_share is None or s.ci_low is None else 100 * (s.negative_share - s.ci_low)
        for s in stages
    ]
    high = [
        0.0 if s.negative_share is None or s.ci_high is None else 100 * (s.ci_high - s.negative_share)
        for s in stages
    ]
    colours = [FOCUS if s.stage == highlighted else OTHER for s in stages]
    opacity = [0.55 if s.small_sample else 1.0 for s in stages]
    ticks = []
    for s in stages:
        if s.negative_share is None:
            figures = t["no_rows"]
        else:
            figures = f"{pct(s.negative_share)} · n={s.n}" + (" *" if s.small_sample else "")
        ticks.append(f"<b>{_wrap(s.stage, 16, 40)}</b><br>{figures}")
    bars = _trace(
        "bar",
        x=[s.stage for s in stages],
        y=[v if v is not None else 0 for v in share],
        marker={"color": colours, "opacity": opacity},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": high,
            "arrayminus": low,
            "color": INK,
            "thickness": 1.5,
            "width": 6,
        },
        customdata=[
            [
                s.n,
                s.negative,
                pct(s.ci_low),
                pct(s.ci_high),
                f" ({t['small']})" if s.small_sample else "",
                _esc(s.stage),
            ]
            for s in stages
        ],
        # The stage name from customdata (escaped), not %{x}: Plotly would draw markup in x as HTML.
        hovertemplate="<b>%{customdata[5]}</b><br>"
        + t["share"]
        + " %{y:.1f}% (95%: %{customdata[2]}–%{customdata[3]})"
        "<br>%{customdata[1]} / %{customdata[0]}%{customdata[4]}<extra></extra>",
        name=t["share"],
    )
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    if any(s.small_sample for s in stages):
        annotations.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.0,
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"* {t['small']}",
                "font": {"size": 11},
            }
        )
    if highlighted is not None:
        entry = diagnosis.stage(highlighted)
        tag = t["asked"] if target is not None else t["worst"]
        annotations.append(
            {
                "x": highlighted,
                "y": 0,
                "yref": "y",
                "text": f"▲ {tag}",
                "showarrow": False,
                "yshift": -58,
                "font": {"color": FOCUS, "size": 11},
            }
        )
        if entry is not None and entry.comparison.share2 is not None:
            other = 100 * entry.comparison.share2
            against = t["previous"] if diagnosis.compare_to == "previous" else t["rest"]
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "y0": other,
                    "y1": other,
                    "line": {"color": FOCUS, "dash": "dash", "width": 1.5},
                }
            )
            annotations.append(
                {
                    "xref": "paper",
                    "x": 1,
                    "y": other,
                    "text": f"{against} {other:.0f}%",
                    "showarrow": False,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "font": {"color": FOCUS, "size": 11},
                }
            )
    top = max([v + h for v, h in zip([x or 0 for x in share], high, strict=True)] + [10])
    layout = dict(
        title={"text": f"{t['diagnosis']} · {_esc(diagnosis.map)}", "font": {"size": 15}},
        height=380,
        margin={"l": 48, "r": 16, "t": 56, "b": 96},
        font={"family": FONT, "size": 12, "color": INK},
        plot_bgcolor="rgba(0,0,0,0)",
        paper_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
        shapes=shapes,
        annotations=annotations,
        yaxis={
            "title": t["share"] + " (%)",
            "range": [0, min(100, top * 1.25)],
            "gridcolor": GRID,
            "fixedrange": True,
            "ticksuffix": "%",
        },
        xaxis={"fixedrange": True, "tickvals": [s.stage for s in stages], "ticktext": ticks},
    )
    return {"data": [bars], "layout": layout}
