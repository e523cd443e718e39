"""HTML export: one self-contained page (no scripts, no external files) that reads and prints as a journey map.

Stages are columns (each spans its steps), lanes are rows. A Content-Security-Policy allows inline
styles only, so even a mistake in escaping could not run a script or fetch anything.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.domain import JourneyMap, Origin, Persona, Stage, Step
from assistant.exports.html_curve import EMOTION_COLOURS, CurvePoint, emotion_curve_svg
from assistant.exports.origins import SOURCE_WORDS, is_inferred, origin_label
from assistant.exports.sanitize import html_text

COLUMN_WIDTH = 190
LANE_WIDTH = 132
CELL_LIMIT = 280
# Printable width in CSS pixels of landscape pages with 8 mm margins; a long journey moves to A3 rather
# than shrinking below readability on A4.
PRINT_PAGES = (("A4", 1050), ("A3", 1520))
MIN_PRINT_ZOOM = 0.6
STAGE_TINTS = ["#e8f0fb", "#eaf6ef", "#fdf3e3", "#f3ecfa", "#e6f5f7", "#fbeaf0"]
_JOURNEY_TYPES = {
    "new_customer": "New customer",
    "renewal": "Renewal",
    "problem_resolution": "Problem resolution",
    "other": "Journey",
}

STYLE = """
*{box-sizing:border-box}
body{margin:0;padding:24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans KR","Apple SD Gothic Neo",
"Malgun Gothic",sans-serif;color:#1d2733;background:#f6f7f9}
h1{margin:0 0 6px;font-size:26px}
h2{font-size:17px;margin:24px 0 10px}
.meta{margin:0 0 8px;color:#4a5968}
.chip{display:inline-block;padding:1px 9px;margin-right:6px;border-radius:10px;background:#dfe7f1;font-size:12px}
.chip.future{background:#e5dcf7}
.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0 0;max-width:1000px}
.summary dt{font-weight:600;color:#4a5968}.summary dd{margin:0}
.personas{display:flex;flex-wrap:wrap;align-items:flex-start;gap:12px}
.persona{background:#fff;border:1px solid #d8dee6;border-radius:8px;padding:10px 14px;width:310px;break-inside:avoid}
.persona h3{margin:0;font-size:15px}.persona .who{color:#4a5968;font-size:12px;margin:2px 0 6px}
.persona blockquote{margin:6px 0;padding-left:8px;border-left:3px solid #9fb3c8;font-style:italic}
.persona ul{margin:2px 0 4px 18px;padding:0;font-size:12.5px}.persona b{font-size:12px;color:#4a5968}
.scroll{width:fit-content;max-width:100%;overflow-x:auto;background:#fff;border:1px solid #d8dee6;border-radius:8px}
table.map{border-collapse:collapse;table-layout:fixed}
.map th,.map td{border:1px solid #e1e6ec;padding:6px 8px;vertical-align:top;text-align:left;overflow-wrap:anywhere}
.map th.lane{position:sticky;left:0;z-index:1;background:#2b3f57;color:#fff;font-size:12px;text-transform:uppercase;
letter-spacing:.03em;overflow-wrap:normal;width:LANEpx}
.map th.lane small{display:block;text-transform:none;font-weight:400;opacity:.75;letter-spacing:0}
.map thead th.stage{font-size:15px;border-bottom:3px solid #2b3f57}
.map thead th.stage small{display:block;font-weight:400;font-size:12px;color:#4a5968}
.map td.first{border-left:3px solid #8da2b8}
.map td.step{font-weight:600}
.map td.mot{background:#fff7db}
.badge{display:inline-block;font-size:11px;font-weight:600;border-radius:8px;padding:0 6px;margin:0 4px 4px 0}
.badge.mot{background:#f2c94c;color:#3d3000}.badge.pain{background:#d64545;color:#fff}
.badge.src{background:#e8edf2;color:#4a5a6a;font-weight:500}.badge.src.model{background:#f1eefa;color:#6a5a8a}
.inferred{color:#6b7785}
.channel{display:inline-block;font-size:11px;background:#e3e9f0;border-radius:6px;padding:0 5px;margin-right:4px}
tr.backstage td,tr.backstage th{border-top:2px dashed #7b8da1}
.thought{font-style:italic;color:#33475b}
td.curve-cell{padding:0}
svg.curve{display:block}
svg .grid{stroke:#dde3ea;stroke-width:1}
svg .zero{stroke:#9aa8b6;stroke-dasharray:4 4}
svg .stage-line{stroke:#8da2b8;stroke-width:2}
svg .line{fill:none;stroke:#2b3f57;stroke-width:2.5}
svg .dot{stroke:#fff;stroke-width:2}
svg .mot-ring{fill:none;stroke:#e0a800;stroke-width:2.5}
svg .mot-star{fill:#e0a800;font-size:14px;text-anchor:middle}
svg .caption{font-size:11px;text-anchor:middle;fill:#33475b}
ul.items{margin:0;padding-left:16px}
li.pain{color:#8a1c1c}.sev{font-size:10px;letter-spacing:-1px;color:#d64545;margin-right:3px}
li .sub{display:block;font-size:11px;color:#5b6b7b}
.empty{color:#9aa8b6}
.legend{font-size:12px;color:#4a5968;margin-top:8px}
.legend span{margin-right:14px}
.map td.step .empty{font-weight:400;font-style:italic}
.dotkey{display:inline-block;width:10px;height:10px;border-radius:50%;margin:0 3px 0 0;vertical-align:middle}
.moments li{margin-bottom:4px}
footer{margin-top:24px;font-size:11px;color:#7b8a99}
@media print{
@page{size:PAGESIZE landscape;margin:8mm}
body{padding:0;background:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact;font-size:12px}
.scroll{overflow:visible;border:0}
table.map{zoom:PRINTZOOM}
.map th.lane{position:static}
thead{display:table-header-group}
tr,.persona,.moments li{break-inside:avoid}
h2{break-after:avoid}
}
"""


def _text(value: str, limit: int = CELL_LIMIT) -> str:
    """Escaped, bounded text; the full text stays readable as a tooltip when it was cut."""
    shown = html_text(value, limit)
    if len(value) > limit:
        return f'<span title="{html_text(value)}">{shown}</span>'
    return shown


def _source(origin: Origin | None) -> str:
    """A small badge saying where an element comes from; its full label as a tooltip."""
    if origin is None:
        return ""
    word = SOURCE_WORDS[origin.source]
    kind = " model" if is_inferred(origin) else ""
    return f' <span class="badge src{kind}" title="{html_text(origin_label(origin))}">{word}</span>'


def _muted(origin: Origin | None, html: str) -> str:
    """Inferred content in a muted style; anything else as it is."""
    return f'<span class="inferred">{html}</span>' if is_inferred(origin) else html


def _persona(p: Persona) -> str:
    who = ", ".join(x for x in (p.age, p.occupation, p.segment) if x)
    parts = [f'<article class="persona"><h3>{_text(p.name)}{_source(p.origin)}</h3>']
    if who:
        parts.append(f'<div class="who">{_text(who)}</div>')
    if p.life_situation:
        parts.append(f"<div>{_text(p.life_situation)}</div>")
    if p.quote:
        parts.append(f"<blockquote>{_text(p.quote)}</blockquote>")
    for label, items in (
        ("Needs", p.needs),
        ("Frustrations", p.frustrations),
        ("Goals", p.personal_goals + p.professional_goals),
    ):
        if items:
            lis = "".join(f"<li>{_text(i, 160)}</li>" for i in items[:5])
            parts.append(f"<b>{label}</b><ul>{lis}</ul>")
    parts.append("</article>")
    return "".join(parts)


def _step_cell(step: Step) -> str:
    badges = ""
    if step.moment_of_truth.is_moment:
        why = f' title="{html_text(step.moment_of_truth.why)}"' if step.moment_of_truth.why else ""
        badges += f'<span class="badge mot"{why}>★ Moment of truth</span>'
    if step.pain_points:
        badges += f'<span class="badge pain">! {len(step.pain_points)} pain point{"s" if len(step.pain_points) > 1 else ""}</span>'
    badges += _source(step.origin)
    return (f"<div>{badges}</div>" if badges else "") + _muted(step.origin, _text(step.action))


def _touchpoint(step: Step) -> str:
    return f'<span class="channel">{html_text(step.channel)}</span>{_text(step.touchpoint)}'


def _pains(step: Step) -> str:
    if not step.pain_points:
        return ""
    items = []
    for p in sorted(step.pain_points, key=lambda p: -p.severity):
        dots = "●" * p.severity + "○" * (5 - p.severity)
        quote = f'<span class="sub">“{_text(p.evidence[0].quote, 140)}”</span>' if p.evidence else ""
        items.append(
            f'<li class="pain"><span class="sev" title="severity {p.severity}/5">{dots}</span>'
            f"{_muted(p.origin, _text(p.description))}{_source(p.origin)}{quote}</li>"
        )
    return f'<ul class="items">{"".join(items)}</ul>'


def _opportunities(step: Step) -> str:
    if not step.opportunities:
        return ""
    items = []
    for o in step.opportunities:
        facts = " · ".join(
            x for x in (o.expected_impact, f"effort {o.effort}" if o.effort else "", o.owner) if x
        )
        sub = f'<span class="sub">{_text(facts, 160)}</span>' if facts else ""
        items.append(f"<li>{_muted(o.origin, _text(o.description))}{_source(o.origin)}{sub}</li>")
    return f'<ul class="items">{"".join(items)}</ul>'


def _kpis(stage: Stage) -> str:
    if not stage.kpis:
        return ""
    items = []
    for k in stage.kpis:
        facts = " · ".join(x for x in (k.target and f"target {k.target}", k.cadence, k.owner) if x)
        sub = f'<span class="sub">{_text(facts, 160)}</span>' if facts else ""
        items.append(f"<li><b>{_muted(k.origin, _text(k.name))}</b>{_source(k.origin)}{sub}</li>")
    return f'<ul class="items">{"".join(items)}</ul>'


def _map_table(journey: JourneyMap) -> tuple[str, int]:
    # Each stage spans its steps; a stage without steps keeps one empty column so it stays visible.
    columns: list[tuple[int, Stage, Step | None]] = []
    stage_starts: list[int] = []
    for s, stage in enumerate(journey.stages):
        stage_starts.append(len(columns))
        columns += [(s, stage, step) for step in stage.steps] or [(s, stage, None)]
    total = len(columns)
    width = LANE_WIDTH + total * COLUMN_WIDTH
    out = [
        f'<table class="map" style="width:{width}px"><colgroup><col style="width:{LANE_WIDTH}px">',
        f'<col style="width:{COLUMN_WIDTH}px">' * total,
        '</colgroup><thead><tr><th class="lane">Stage</th>',
    ]
    for s, stage in enumerate(journey.stages):
        goal = f"<small>{_text(stage.goal, 160)}</small>" if stage.goal else ""
        desc = f"<small>{_text(stage.description, 200)}</small>" if stage.description else ""
        tint = STAGE_TINTS[s % len(STAGE_TINTS)]
        out.append(
            f'<th class="stage" colspan="{max(len(stage.steps), 1)}" style="background:{tint}">{_text(stage.name)}{goal}{desc}</th>'
        )
    out.append("</tr></thead><tbody>")

    def lane(
        label: str, render: Callable[[Step], str], css: str = "", cell_css: str = "", note: str = ""
    ) -> None:
        cells = []
        for i, (_s, _stage, step) in enumerate(columns):
            classes = [c for c in (cell_css, "first" if i in stage_starts else "") if c]
            if step is not None and step.moment_of_truth.is_moment and cell_css == "step":
                classes.append("mot")
            content = render(step) if step is not None else ""
            if step is None and cell_css == "step":
                content = '<span class="empty">No steps yet</span>'
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{content}</td>")
        row_attr = f' class="{css}"' if css else ""
        small = f"<small>{note}</small>" if note else ""
        out.append(f'<tr{row_attr}><th class="lane">{label}{small}</th>{"".join(cells)}</tr>')

    lane("Actions", _step_cell, cell_css="step")
    lane("Touchpoint &amp; channel", _touchpoint)
    lane("Front-stage", lambda st: _text(st.front_stage))
    lane("Back-stage", lambda st: _text(st.back_stage), css="backstage", note="below the line of visibility")
    lane("Thoughts", lambda st: f'<span class="thought">{_text(st.thoughts)}</span>' if st.thoughts else "")
    points = [
        CurvePoint(i, step.emotion.score, step.emotion.label, step.moment_of_truth.is_moment)
        for i, (_s, _stage, step) in enumerate(columns)
        if step is not None
    ]
    curve = emotion_curve_svg(points, total, COLUMN_WIDTH, stage_starts)
    out.append(
        f'<tr class="emotion"><th class="lane">Emotion<small>+2 top, −2 bottom</small></th><td class="curve-cell" colspan="{total}">{curve}</td></tr>'
    )
    lane("Pain points", _pains)
    lane("Opportunities", _opportunities)
    kpi_cells = "".join(
        f'<td class="first" colspan="{max(len(stage.steps), 1)}">{_kpis(stage)}</td>'
        for stage in journey.stages
    )
    out.append(f'<tr><th class="lane">KPIs</th>{kpi_cells}</tr>')
    out.append("</tbody></table>")
    return "".join(out), width


def to_html(journey: JourneyMap) -> str:
    """The map as one self-contained HTML page."""
    table, width = _map_table(journey)
    page, printable = next(((p, w) for p, w in PRINT_PAGES if w / width >= MIN_PRINT_ZOOM), PRINT_PAGES[-1])
    zoom = min(1.0, printable / width)
    style = (
        STYLE.replace("LANEpx", f"{LANE_WIDTH}px")
        .replace("PRINTZOOM", f"{zoom:.3f}")
        .replace("PAGESIZE", page)
    )
    state = "Current (as-is)" if journey.state == "current" else "Future (to-be)"
    chips = (
        f'<span class="chip">{_JOURNEY_TYPES[journey.journey_type]}</span>'
        f'<span class="chip {journey.state}">{state}</span>'
        f"Version {journey.version} · updated {journey.updated_at:%Y-%m-%d}"
    )
    summary = "".join(
        f"<dt>{label}</dt><dd>{_text(value, 600)}</dd>"
        for label, value in (("Scope", journey.scope), ("Goal", journey.goal))
        if value
    )
    body = [
        f'<header><h1>{_text(journey.title)}</h1><p class="meta">{chips}</p>',
        f'<dl class="summary">{summary}</dl>' if summary else "",
        "</header>",
    ]
    if journey.personas:
        body.append('<h2>Personas</h2><section class="personas">')
        body += [_persona(p) for p in journey.personas]
        body.append("</section>")
    body.append(f'<h2>Journey map</h2><div class="scroll">{table}</div>')
    legend = "".join(
        f'<span><i class="dotkey" style="background:{c}"></i>{score:+d}</span>'
        if score
        else f'<span><i class="dotkey" style="background:{c}"></i>0</span>'
        for score, c in EMOTION_COLOURS.items()
    )
    body.append(
        f'<p class="legend">Emotion: {legend}<span>★ moment of truth</span>'
        "<span>●●●○○ pain point severity (1–5)</span><span>dashed line: line of visibility</span>"
        "<span>badges: brief (the user said it), feedback (customers' rows), reference (adapted from a "
        "reference journey), inferred (the assistant's assumption, shown muted)</span></p>"
    )
    moments = [
        (stage, step) for stage in journey.stages for step in stage.steps if step.moment_of_truth.is_moment
    ]
    if moments:
        body.append('<h2>Moments of truth</h2><ul class="moments">')
        body += [
            f"<li><b>{_text(stage.name, 120)} – {_text(step.action, 200)}</b>"
            + (f": {_text(step.moment_of_truth.why)}" if step.moment_of_truth.why else "")
            + "</li>"
            for stage, step in moments
        ]
        body.append("</ul>")
    if journey.notes:
        body.append(
            "<h2>Notes</h2><ul>" + "".join(f"<li>{_text(n, 600)}</li>" for n in journey.notes) + "</ul>"
        )
    body.append(
        "<footer>Exported by Journey Assistant. This page works offline and prints on landscape pages.</footer>"
    )
    return (
        f'<!doctype html>\n<html lang="{html_text(journey.language)}"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html_text(journey.title)}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
