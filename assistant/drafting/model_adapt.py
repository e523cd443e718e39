"""What a model writes when it adapts a draft to a brief: a few short typed pieces, one call, under a
grammar whose bounds keep the answer short (the embedded model writes a few tokens a second, and Korean
costs it about a token a character). Code checks the language and keeps the draft's own text wherever the
answer does not fit; everything the model wrote is marked `model`.

- A reference journey (close to the brief): the first persona's name, role and situation.
- The methodology's generic journey (nothing in the library is close): the same, plus each stage's name
  and its first step's action in the brief's own terms, so the generic lifecycle becomes this journey.

The title stays the brief's own words (code): the 1.5B model, asked for one, copied its instruction
("The Map's Title for This Brief") or the reference's stage list, and lost the brief's details.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from assistant.drafting.brief import BriefFacts, brief_language
from assistant.drafting.library import Reference
from assistant.errors import JourneyError
from journey_tools.language import Language

log = logging.getLogger("journey.drafting")
M = TypeVar("M", bound=BaseModel)


class Generator(Protocol):
    def generate(self, system: str, user: str, schema: type[M], max_tokens: int) -> M: ...


class Adaptation(BaseModel):
    """What a model writes when it adapts a reference: the few parts that need judgement."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=60)]
    """The persona's name, with a word for who they are (short keys: every key is tokens to write)."""
    role: Annotated[str, Field(max_length=80)]
    """The persona's role or occupation."""
    situation: Annotated[str, Field(max_length=200)]
    """Why the persona is on this journey, in one sentence."""


class StageRename(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=40)]
    step: Annotated[str, Field(min_length=1, max_length=90)]


# Characters per field: English words cost the model about a token per four characters, Korean about one
# per character, so Korean gets about half the characters for a similar time.
_BOUNDS: dict[Language, dict[str, int]] = {
    "en": {"name": 40, "occupation": 40, "situation": 110, "stage": 28, "step": 60},
    "ko": {"name": 16, "occupation": 14, "situation": 48, "stage": 12, "step": 26},
}


def _text(max_length: int, min_length: int = 1) -> Any:
    return (Annotated[str, Field(min_length=min_length, max_length=max_length)], ...)


def adaptation_schema(language: Language) -> type[Adaptation]:
    """Adaptation with the bounds of the brief's language (validated by `Adaptation` itself too)."""
    b = _BOUNDS[language]
    fields: dict[str, Any] = {
        "name": _text(b["name"]),
        "role": _text(b["occupation"], 0),
        "situation": _text(b["situation"], 0),
    }
    return create_model("Adaptation", __base__=Adaptation, **fields)


class MethodologyAdaptation(Adaptation):
    """Adaptation of the methodology's generic journey: also each stage's name and first action."""

    stages: list[StageRename]


def methodology_schema(language: Language, stages: int) -> type[MethodologyAdaptation]:
    """Exactly `stages` stages, each a short name and a short action, in the brief's language's bounds."""
    b = _BOUNDS[language]
    stage = create_model("StageRename", __base__=StageRename, name=_text(b["stage"]), step=_text(b["step"]))
    fields: dict[str, Any] = {
        "name": _text(b["name"]),
        "role": _text(b["occupation"], 0),
        "situation": _text(b["situation"], 0),
        "stages": (Annotated[list[stage], Field(min_length=stages, max_length=stages)], ...),
    }
    return create_model("MethodologyAdaptation", __base__=MethodologyAdaptation, **fields)


def _language_name(language: Language) -> str:
    return "Korean (한국어)" if language == "ko" else "English"


def _fits(texts: list[str], language: Language) -> bool:
    return all(not t.strip() or brief_language(t, language) == language for t in texts)


def _persona_line(data: dict[str, Any]) -> str:
    persona = data["personas"][0] if data["personas"] else {}
    return (
        f"{persona.get('name', '-')}; {persona.get('occupation', '-')}; {persona.get('life_situation', '-')}"
    )


def _apply_persona(data: dict[str, Any], answer: Adaptation) -> None:
    if not data["personas"]:
        return
    persona = data["personas"][0]
    origin = persona.setdefault("origin", {"source": "model"})
    fields = dict(origin.get("fields", {}))
    for key, value in (
        ("name", answer.name),
        ("occupation", answer.role),
        ("life_situation", answer.situation),
    ):
        value = " ".join(value.split())
        before = " ".join(str(persona.get(key) or "").split())
        # A value that only copies the draft's own, cut short by the grammar's bound, is not a rewrite.
        if value and not (before.startswith(value) and value != before):
            persona[key] = value
            if origin.get("source") != "model":
                fields[key] = "model"
            else:
                fields.pop(key, None)
    origin["fields"] = fields


_ASK: dict[Language, str] = {
    "en": "Adapt it to the brief above.",
    "ko": "위 브리프에 맞게 고쳐 줘.",
}


def _ask(generator: Generator, system: str, facts: BriefFacts, schema: type[M], max_tokens: int) -> M | None:
    """One short call; the brief is in the system text (as data), so it is read once, not twice."""
    try:
        return generator.generate(system, _ASK[facts.language], schema, max_tokens=max_tokens)
    except (JourneyError, ValueError) as exc:
        log.info("model adaptation skipped: %s", exc)
        return None


def adapt_reference_with_model(
    generator: Generator, data: dict[str, Any], facts: BriefFacts, ref: Reference
) -> bool:
    """The model rewrites the first persona's name, role and situation for the brief;
    code checks the language and keeps the reference's text when the answer does not fit."""
    from assistant.prompts import as_data, load_prompt

    system = load_prompt("drafting_adapt").render(
        language=_language_name(facts.language),
        reference=as_data(f"{ref.map.title}: {' → '.join(ref.map.stage_names)}"),
        persona=as_data(_persona_line(data)),
        brief=as_data(facts.text[:600]),
    )
    answer = _ask(generator, system, facts, adaptation_schema(facts.language), 160)
    if answer is None:
        return False
    texts = [answer.name, answer.role, answer.situation]
    if not _fits(texts, facts.language):
        log.info("model adaptation in the wrong language; the reference's text is kept")
        return False
    _apply_persona(data, answer)
    return True


def adapt_methodology_with_model(generator: Generator, data: dict[str, Any], facts: BriefFacts) -> int:
    """The model names the generic journey's stages and first steps for the brief, and writes the persona; returns how many stages it renamed (0 when its answer was unusable: the generic draft stays).
    A stage keeps its generic name when the model's is in the wrong language or repeats an earlier one."""
    from assistant.prompts import as_data, load_prompt

    stages = data["stages"]
    outline = "\n".join(
        f"{i}. {s['name']} ({s['goal']}): {s['steps'][0]['action']}" for i, s in enumerate(stages, 1)
    )
    system = load_prompt("drafting_methodology").render(
        language=_language_name(facts.language),
        count=len(stages),
        stages=as_data(outline),
        persona=as_data(_persona_line(data)),
        brief=as_data(facts.text[:600]),
    )
    budget = 300 if facts.language == "en" else 420  # a cap: the bounds keep answers well under it
    answer = _ask(generator, system, facts, methodology_schema(facts.language, len(stages)), budget)
    if answer is None:
        return 0
    persona = [answer.name, answer.role, answer.situation]
    if _fits(persona, facts.language):
        _apply_persona(data, answer)
    chosen: list[tuple[str | None, str] | None] = []
    taken = {" ".join(s["name"].split()).casefold() for s in stages}
    for stage, new in zip(stages, answer.stages, strict=False):
        name, step = " ".join(new.name.split()), " ".join(new.step.split())
        key = name.casefold()
        mine = " ".join(stage["name"].split()).casefold()
        goal = " ".join(str(stage.get("goal", "")).split()).casefold()
        named_by_brief = stage.get("origin", {}).get("fields", {}).get("name") == "brief"
        copied = key == mine or bool(goal and goal.startswith(key))
        if named_by_brief or copied:
            # Named in the brief's own words (the model does not rename it), or the generic name or goal
            # copied back (not an adaptation): the name stays; a first step for the brief is still taken.
            chosen.append((None, step) if step and _fits([step], facts.language) else None)
            continue
        if not _fits([name, step], facts.language) or (key in taken and key != mine):
            chosen.append(None)  # the generic stage stays as it is
            continue
        taken.discard(mine)
        taken.add(key)
        chosen.append((name, step))
    for stage, pick in zip(stages, chosen, strict=False):
        if pick is not None:
            if pick[0] is not None:
                stage["name"] = pick[0]
            stage["steps"][0]["action"] = pick[1]
    return sum(1 for pick in chosen if pick is not None and pick[0] is not None)
