"""Markdown export: a readable document for wikis and pull requests (Notion, Confluence, GitHub)."""

from __future__ import annotations

from assistant.domain import JourneyMap, Persona, Stage, Step
from assistant.exports.origins import origin_label
from assistant.exports.sanitize import md_text
from assistant.exports.tables import kpi_row

_EMOTION_WORDS = {-2: "very negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very positive"}


def _emotion(step: Step) -> str:
    score = step.emotion.score
    label = f" ({md_text(step.emotion.label)})" if step.emotion.label else ""
    return f"{score:+d} {_EMOTION_WORDS[score]}{label}" if score else f"0 neutral{label}"


def _mark(origin: object) -> str:
    """A short origin mark after an element, e.g. ` _(from: reference loan.en)_`."""
    label = origin_label(origin)  # type: ignore[arg-type]
    return f" _(from: {md_text(label)})_" if label else ""


def _persona(persona: Persona) -> list[str]:
    out = [f"### {md_text(persona.name)}{_mark(persona.origin)}", ""]
    facts = [
        ("Age", persona.age),
        ("Occupation", persona.occupation),
        ("Life situation", persona.life_situation),
        ("Segment", persona.segment),
        ("Buying role", persona.buying_role or ""),
        ("Channels", ", ".join(persona.channels)),
    ]
    out += [f"- **{label}:** {md_text(value)}" for label, value in facts if value]
    lists = [
        ("Professional goals", persona.professional_goals),
        ("Personal goals", persona.personal_goals),
        ("Needs", persona.needs),
        ("Frustrations", persona.frustrations),
        ("Behaviours", persona.behaviours),
    ]
    out += [f"- **{label}:** " + "; ".join(md_text(v) for v in values) for label, values in lists if values]
    if persona.quote:
        out += ["", f"> {md_text(persona.quote)}"]
    return [*out, ""]


def _stage_table(journey: JourneyMap) -> list[str]:
    out = [
        "| # | Stage | Customer goal | Steps | Average emotion | Pain points |",
        "|---|---|---|---|---|---|",
    ]
    for i, stage in enumerate(journey.stages, 1):
        scores = [s.emotion.score for s in stage.steps]
        average = f"{sum(scores) / len(scores):+.1f}" if scores else "–"
        pains = sum(len(s.pain_points) for s in stage.steps)
        out.append(
            f"| {i} | {md_text(stage.name)} | {md_text(stage.goal)} | {len(stage.steps)} | {average} | {pains} |"
        )
    return [*out, ""]


def _stage_steps(index: int, stage: Stage) -> list[str]:
    out = [f"### {index}. {md_text(stage.name)}", ""]
    if stage.description:
        out += [md_text(stage.description), ""]
    if stage.goal:
        out += [f"**Customer goal:** {md_text(stage.goal)}", ""]
    if not stage.steps:
        return [*out, "_No steps yet._", ""]
    for n, step in enumerate(stage.steps, 1):
        mark = " ★ moment of truth" if step.moment_of_truth.is_moment else ""
        out.append(f"{n}. **{md_text(step.action)}**{mark}{_mark(step.origin)}")
        details = [
            (
                "Touchpoint",
                f"{md_text(step.touchpoint)} ({step.channel})" if step.touchpoint else step.channel,
            ),
            ("Phase", step.phase or ""),
            ("Front-stage", md_text(step.front_stage)),
            ("Back-stage", md_text(step.back_stage)),
            ("Thinks", md_text(step.thoughts)),
            ("Feels", _emotion(step)),
        ]
        out += [f"    - {label}: {value}" for label, value in details if value]
    return [*out, ""]


def _has_origins(journey: JourneyMap) -> bool:
    return any(p.origin for p in journey.personas) or any(st.origin for s in journey.stages for st in s.steps)


def to_markdown(journey: JourneyMap) -> str:
    """The map as a Markdown document."""
    out = [f"# {md_text(journey.title)}", ""]
    meta = [
        ("Journey type", journey.journey_type.replace("_", " ")),
        ("State", "current (as-is)" if journey.state == "current" else "future (to-be)"),
        ("Scope", md_text(journey.scope)),
        ("Goal", md_text(journey.goal)),
        ("Language", journey.language),
        ("Version", f"{journey.version} (updated {journey.updated_at:%Y-%m-%d %H:%M} UTC)"),
    ]
    out += [f"- **{label}:** {value}" for label, value in meta if value]
    out.append("")
    if journey.notes:
        out += ["## Notes", "", *(f"- {md_text(n)}" for n in journey.notes), ""]
    if _has_origins(journey):
        out += [
            "_Sources: “brief” is what the user said, “feedback” quotes customers' rows, “reference” is "
            "adapted from a reference journey, “inferred” is the assistant's assumption._",
            "",
        ]

    if journey.personas:
        out += ["## Personas", ""]
        for persona in journey.personas:
            out += _persona(persona)

    out += ["## Stages", "", *_stage_table(journey)]
    out += ["## Steps", ""]
    for i, stage in enumerate(journey.stages, 1):
        out += _stage_steps(i, stage)

    steps = [(stage, step) for stage in journey.stages for step in stage.steps]
    pains = [(stage, step, p) for stage, step in steps for p in step.pain_points]
    out += ["## Pain points", ""]
    if pains:
        out += ["| Stage | Step | Pain point | Severity | Source | Evidence |", "|---|---|---|---|---|---|"]
        for stage, step, p in sorted(pains, key=lambda t: -t[2].severity):
            quotes = " / ".join(f"“{md_text(e.quote)}”" for e in p.evidence[:3])
            out.append(
                f"| {md_text(stage.name)} | {md_text(step.action)} | {md_text(p.description)} "
                f"| {p.severity}/5 | {md_text(origin_label(p.origin)) or p.provenance} | {quotes} |"
            )
    else:
        out.append("_None recorded._")
    out.append("")

    moments = [(stage, step) for stage, step in steps if step.moment_of_truth.is_moment]
    out += ["## Moments of truth", ""]
    out += [
        f"- **{md_text(stage.name)} – {md_text(step.action)}**"
        + (f": {md_text(step.moment_of_truth.why)}" if step.moment_of_truth.why else "")
        for stage, step in moments
    ] or ["_None marked._"]
    out.append("")

    ideas = [(stage, step, o) for stage, step in steps for o in step.opportunities]
    out += ["## Opportunities", ""]
    if ideas:
        out += [
            "| Stage | Idea | Expected impact | Effort | KPI | Owner | Source |",
            "|---|---|---|---|---|---|---|",
        ]
        for stage, _step, o in ideas:
            out.append(
                f"| {md_text(stage.name)} | {md_text(o.description)} | {md_text(o.expected_impact)} "
                f"| {o.effort or ''} | {md_text(o.kpi)} | {md_text(o.owner)} | {md_text(origin_label(o.origin))} |"
            )
    else:
        out.append("_None recorded._")
    out.append("")

    kpis = [(stage, k) for stage in journey.stages for k in stage.kpis]
    out += ["## KPIs", ""]
    if kpis:
        out += [
            "| Stage | KPI | Definition | Target | Data source | Cadence | Owner | Why | Source |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for stage, k in kpis:
            out.append("| " + " | ".join(md_text(c) for c in kpi_row(stage, k)) + " |")
    else:
        out.append("_None defined._")
    return "\n".join(out) + "\n"
