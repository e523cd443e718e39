"""From a brief to a validated journey map: read the brief, ask only when it names neither the customer
nor the journey, find the closest reference journeys, adapt the closest (or draft from the methodology
when nothing is close), let a model rewrite the few parts that need judgement, and state the assumptions.

Code composes and validates; a model only fills small typed pieces, and everything it writes is marked
`model`. With no model at all the draft is complete: the reference journey, adapted in code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from assistant.domain import JourneyMap, map_from_data
from assistant.drafting.adapt import adapt_reference
from assistant.drafting.brief import BriefFacts, read_brief
from assistant.drafting.library import Reference, load_library
from assistant.drafting.methodology import methodology_draft
from assistant.drafting.retrieve import CLOSE_ENOUGH, Match, retrieve
from assistant.embedding import Embedder
from assistant.errors import JourneyError
from tools.language import Language

log = logging.getLogger("journey.drafting")
M = TypeVar("M", bound=BaseModel)

Method = Literal["reference", "model", "methodology"]


class Generator(Protocol):
    def generate(self, system: str, user: str, schema: type[M], max_tokens: int) -> M: ...


class Adaptation(BaseModel):
    """What a model writes when it adapts a reference: the few parts that need judgement."""

    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=80)]
    persona_name: Annotated[str, Field(min_length=1, max_length=60)]
    persona_occupation: Annotated[str, Field(max_length=80)]
    persona_situation: Annotated[str, Field(max_length=200)]


QUESTION: dict[Language, str] = {
    "en": "Who is the customer, and which journey should the map follow? For example: “first-time borrowers "
    "applying for a personal loan on mobile”.",
    "ko": "어떤 고객의 어떤 여정을 그릴까요? 예: “모바일 앱으로 처음 대출을 신청하는 직장인”.",
}


@dataclass
class DraftResult:
    map: JourneyMap | None
    """None when the brief needs the one question in `question` answered first."""
    facts: BriefFacts
    method: Method | None = None
    """reference (adapted), model (outlined by a model from the methodology), methodology (generic)."""
    reference: str | None = None
    matches: list[Match] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    question: str | None = None
    seconds: float = 0.0


def _assumptions(facts: BriefFacts, personas: int, adapted: bool) -> list[str]:
    en = facts.language == "en"
    out = []
    if facts.state is None:
        out.append(
            "Drawn as-is (today's journey): the brief did not ask for a to-be design."
            if en
            else "현재(as-is) 여정으로 그림: 브리프에 개선안(to-be) 요청이 없음."
        )
    if facts.who is None:
        if adapted:
            out.append(
                "The customer is the reference persona: the brief did not name one."
                if en
                else "브리프에 고객이 없어 참고 여정의 페르소나를 따름."
            )
        else:
            out.append(
                "The customer is a generic one: the brief did not name who."
                if en
                else "브리프에 고객이 없어 일반적인 고객으로 그림."
            )
    if facts.channel is None:
        out.append(
            "Channels as usual in this domain: the brief named none."
            if en
            else "브리프에 채널이 없어 이 분야에서 흔한 채널로 그림."
        )
    if facts.personas is None:
        out.append(
            f"{personas} persona (ask for up to three)."
            if en
            else f"페르소나 {personas}명(최대 3명까지 요청 가능)."
        )
    return out


def _adapt_with_model(generator: Generator, data: dict[str, Any], facts: BriefFacts, ref: Reference) -> bool:
    """The model rewrites the title and the first persona's name, role and situation for the brief;
    code checks the language and keeps the reference's text when the answer does not fit."""
    from assistant.drafting.brief import brief_language
    from assistant.prompts import as_data, load_prompt

    persona = data["personas"][0] if data["personas"] else {}
    prompt = load_prompt("drafting_adapt").render(
        language="Korean (한국어)" if facts.language == "ko" else "English",
        reference=as_data(f"{ref.map.title}: {' → '.join(ref.map.stage_names)}"),
        persona=as_data(
            f"{persona.get('name', '-')}; {persona.get('occupation', '-')}; {persona.get('life_situation', '-')}"
        ),
        brief=as_data(facts.text[:600]),
    )
    try:
        answer = generator.generate(prompt, facts.text[:600], Adaptation, max_tokens=160)
    except (JourneyError, ValueError) as exc:
        log.info("model adaptation skipped: %s", exc)
        return False
    texts = [answer.title, answer.persona_name, answer.persona_occupation, answer.persona_situation]
    if any(t and brief_language(t, facts.language) != facts.language for t in texts):
        log.info("model adaptation in the wrong language; the reference's text is kept")
        return False
    data["title"] = answer.title
    if persona:
        fields = dict(persona["origin"].get("fields", {}))
        for key, value in (
            ("name", answer.persona_name),
            ("occupation", answer.persona_occupation),
            ("life_situation", answer.persona_situation),
        ):
            if value.strip():
                persona[key] = value.strip()
                fields[key] = "model"
        persona["origin"]["fields"] = fields
    return True


def draft_journey(
    text: str,
    embedder: Embedder,
    *,
    language: Language | None = None,
    personas: int | None = None,
    generator: Generator | None = None,
    outline: Callable[[BriefFacts], dict[str, Any]] | None = None,
    cache_dir: Path | None = None,
    library: tuple[Reference, ...] | None = None,
    ask: bool = True,
    force_outline: bool = False,
) -> DraftResult:
    """Draft a map for `text`. `outline` is the model's own outline from the methodology (used when no
    reference is close and a model is there); without it the generic methodology draft is used."""
    started = time.perf_counter()
    facts = read_brief(text, language, personas)
    if facts.lacks_who_and_journey and ask:
        return DraftResult(map=None, facts=facts, question=QUESTION[facts.language])
    count = min(3, max(1, facts.personas or 1))
    library = library if library is not None else load_library()
    matches = retrieve(text, library, embedder, cache_dir=cache_dir)
    top = matches[0] if matches else None
    en = facts.language == "en"
    close = top is not None and top.close() and not (force_outline and outline is not None)
    notes = _assumptions(facts, count, close)
    reference_id = None
    if top is not None and close:
        ref = top.reference(facts.language)
        reference_id = ref.id
        data, changes = adapt_reference(ref, facts, count)
        method: Method = "reference"
        if generator is not None and _adapt_with_model(generator, data, facts, ref):
            changes.append(
                "Title and persona rewritten for the brief by the model (marked 'model')."
                if en
                else "제목과 페르소나를 모델이 브리프에 맞게 고쳐 씀('model'로 표시)."
            )
        notes.insert(
            0,
            f"Adapted from the reference journey {ref.id} (“{ref.title}”, match {top.score:.2f}): its stages, "
            "steps, pain points, opportunities and KPIs are typical of the domain, not your customers' data "
            "(marked 'reference')."
            if en
            else f"참고 여정 {ref.id}(“{ref.title}”, 유사도 {top.score:.2f})를 바탕으로 고쳐 그림: 단계·스텝·"
            "페인포인트·기회·KPI는 이 분야의 전형이며 우리 고객 데이터가 아님('reference'로 표시).",
        )
        notes += changes
    elif force_outline and outline is not None:
        notes.insert(
            0,
            "Drawn on the stages your feedback is filed under, outlined by the model (marked 'model')."
            if en
            else "피드백이 분류된 단계를 그대로 쓰고 모델이 스텝을 그림('model'로 표시).",
        )
        data = outline(facts)
        method = "model"
    else:
        best = f"{top.domain} {top.score:.2f}" if top else "-"
        notes.insert(
            0,
            f"No reference journey in the library is close to this brief (best: {best}, needs "
            f"{CLOSE_ENOUGH:.2f}); drafted from the methodology alone, every piece marked as inferred."
            if en
            else f"라이브러리에 이 브리프와 가까운 참고 여정이 없음(최고: {best}, 기준 {CLOSE_ENOUGH:.2f}). "
            "방법론만으로 그렸으며 모든 내용은 추론('model')으로 표시.",
        )
        if outline is not None:
            data = outline(facts)
            method = "model"
        else:
            data = methodology_draft(facts, count)
            method = "methodology"
    data["notes"] = [*data.get("notes", []), *notes][:50]
    journey = map_from_data(data)
    return DraftResult(
        map=journey,
        facts=facts,
        method=method,
        reference=reference_id,
        matches=matches,
        assumptions=notes,
        seconds=time.perf_counter() - started,
    )
