"""The material a tool-calling model (cloud or a local server) drafts from: the same reference journey
the embedded mode adapts, and the methodology notes closest to the brief, written compactly for its
prompt (a local server may have an 8k context, and every token is read on every model call of the turn).

The reference is a few lines per stage: the stage's name and goal, its KPI, and per step the action,
channel, touchpoint, emotion and thoughts, then a pain point and an opportunity; the model adapts it to
the brief and marks what it kept as `reference`. When nothing is close the material says so, and the
model drafts from the methodology notes alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.contracts.requests import SearchRequest
from assistant.drafting.brief import read_brief
from assistant.drafting.library import Reference, load_library
from assistant.drafting.retrieve import CLOSE_ENOUGH, Match, retrieve
from assistant.prompts import as_data, load_prompt
from journey_tools.language import Language

if TYPE_CHECKING:
    from assistant.workspace import Workspace

NOTE_CHARS = 360
"""Characters kept of each methodology note (its heading line dropped)."""


@dataclass
class Material:
    prompt: str
    """The text appended to the model's instructions for this drafting turn."""
    reference: str | None
    """The reference journey's id, when one is close enough to adapt."""
    matches: list[Match]


def reference_outline(ref: Reference, budget: int) -> str:
    """The reference journey in compact lines within `budget` characters: in full when it fits, else
    without the customers' thoughts, else without pain points and ideas too, and only then cut (so a
    small budget still shows every stage)."""
    for thoughts, extras in ((True, True), (False, True), (False, False)):
        text = _outline(ref, thoughts, extras)
        if len(text) <= budget:
            return text
    return text[: max(0, budget - 1)].rsplit("\n", 1)[0] + "\n…"


def _outline(ref: Reference, thoughts: bool, extras: bool) -> str:
    journey = ref.map
    lines = []
    if journey.personas:
        p = journey.personas[0]
        lines.append(f"Persona: {p.name}; {p.occupation}; {p.life_situation}"[:240])
    for i, stage in enumerate(journey.stages, 1):
        kpi = f" | KPI: {stage.kpis[0].name}" if stage.kpis else ""
        lines.append(f"{i}. {stage.name}: {stage.goal}{kpi}")
        pain = idea = ""
        for st in stage.steps:
            said = f' "{st.thoughts}"' if thoughts and st.thoughts else ""
            lines.append(f"- {st.action} [{st.channel}, {st.touchpoint}, {st.emotion.score:+d}]{said}")
            pain = pain or next((p.description for p in st.pain_points), "")
            idea = idea or next((o.description for o in st.opportunities), "")
        if extras and (pain or idea):
            lines.append(f"  pain: {pain} | idea: {idea}")
    return "\n".join(lines)


def drafting_material(
    workspace: Workspace, text: str, language: Language, budget: int = 4000, tag: str | None = None
) -> Material:
    """What the model gets for a drafting brief: the closest reference journey (when close enough) and the
    methodology notes closest to the brief, in about `budget` characters; its data blocks carry `tag`, the
    turn's own (the system prompt names it), or a fresh one."""
    facts = read_brief(text, language)
    matches = retrieve(text, load_library(), workspace.embedder, cache_dir=workspace.home / "cache")
    top = matches[0] if matches else None
    notes = workspace.search(SearchRequest(query=text[:500], collection="methodology", limit=2))
    note_text = "\n".join(
        "- " + " ".join(h.text.split("\n", 1)[-1].split())[:NOTE_CHARS] for h in notes.hits[:2]
    )
    if top is not None and top.close():
        ref = top.reference(facts.language)
        reference = reference_outline(ref, max(800, budget - len(note_text)))
        head = (
            f"The closest reference journey in the product's library is {ref.id} (“{ref.title}”, match "
            f"{top.score:.2f}). Adapt it to the brief (its persona, channel, product and words) rather than "
            "starting from nothing; keep its stages unless the brief says otherwise, and mark what you keep "
            f'origin {{"source":"reference","reference":"{ref.id}"}}, what the brief says "brief", and what '
            'you infer "model". Write every field in the brief\'s language.'
        )
        ref_id: str | None = ref.id
    else:
        best = f"{top.domain} {top.score:.2f}" if top else "none"
        head = (
            f"Nothing in the product's library of reference journeys is close to this brief (closest: {best}; "
            f"a reference is used from {CLOSE_ENOUGH:.2f}). Draft from the methodology notes, say in the "
            "map's notes that no reference was close, and mark everything you infer origin "
            '{"source":"model"} (what the brief says "brief").'
        )
        reference, ref_id = "(none close)", None
    prompt = load_prompt("drafting_material").render(
        tag=tag, head=head, reference=as_data(reference), notes=as_data(note_text or "(none found)")
    )
    return Material(prompt=prompt, reference=ref_id, matches=matches)
