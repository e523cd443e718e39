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
from typing import Any, Literal

from assistant.domain import JourneyMap, map_from_data
from assistant.domain.map_model import MAX_PERSONAS
from assistant.drafting.adapt import adapt_reference
from assistant.drafting.brief import BriefFacts, read_brief
from assistant.drafting.library import Reference, load_library
from assistant.drafting.methodology import methodology_draft
from assistant.drafting.model_adapt import (
    Adaptation,
    Generator,
    adapt_methodology_with_model,
    adapt_reference_with_model,
)
from assistant.drafting.retrieve import CLOSE_ENOUGH, Match, retrieve
from assistant.embedding import Embedder
from journey_tools.language import Language

log = logging.getLogger("journey.drafting")
__all__ = ["Adaptation", "DraftResult", "Generator", "draft_journey"]

Method = Literal["reference", "methodology", "methodology+model", "feedback"]


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
    """reference (a reference journey adapted), methodology (the generic journey, nothing in the library
    close), methodology+model (the same with stage names and first steps adapted by the model), feedback
    (outlined by the model on the stages the company's feedback is filed under)."""
    reference: str | None = None
    matches: list[Match] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    question: str | None = None
    seconds: float = 0.0
    adapted_by_model: int = 0
    """Stages whose names and first steps the model adapted (methodology+model), as the notes state."""


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
            f"{personas} persona (ask for up to {MAX_PERSONAS})."
            if en
            else f"페르소나 {personas}명(최대 {MAX_PERSONAS}명까지 요청 가능)."
        )
    return out


def _no_reference_note(facts: BriefFacts, top: Match | None, adapted: int) -> str:
    """Said plainly, first in the notes and the answer: the library had nothing close."""
    en = facts.language == "en"
    best = f"{top.reference(facts.language).title} {top.score:.2f}" if top else "-"
    if en:
        head = (
            f"Nothing in the reference library is close to this brief (closest: {best}; "
            f"a reference is used from {CLOSE_ENOUGH:.2f}), so this draft starts from the generic journey "
            "in the methodology"
        )
        tail = (
            f", with {adapted} stage names and first steps adapted to the brief by the model"
            if adapted
            else ""
        )
        return (
            head + tail + ". All of it is inferred, not typical of your domain or your data (marked 'model')."
        )
    head = (
        f"라이브러리에 이 브리프와 가까운 참고 여정이 없습니다(가장 가까운 것: {best}, 참고 여정은 "
        f"{CLOSE_ENOUGH:.2f}부터 사용). 그래서 방법론의 일반 여정에서 시작했으며"
    )
    tail = f", 단계 {adapted}개의 이름과 첫 스텝은 모델이 브리프에 맞게 고쳤습니다" if adapted else ""
    return head + tail + ". 모든 내용은 추론이며 이 분야나 우리 데이터의 전형이 아닙니다('model'로 표시)."


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
) -> DraftResult:
    """Draft a map for `text`.

    `outline` is a model's outline on given stages (the stages the company's feedback is filed under, when
    the user asked to build on it): when given it is the draft. Otherwise the closest reference journey is
    adapted, or, when nothing in the library is close, the methodology's generic journey; a `generator`
    (a model) then rewrites the few parts that need judgement."""
    started = time.perf_counter()
    facts = read_brief(text, language, personas)
    if facts.lacks_who_and_journey and ask:
        return DraftResult(map=None, facts=facts, question=QUESTION[facts.language])
    count = min(MAX_PERSONAS, max(1, facts.personas or 1))
    library = library if library is not None else load_library()
    matches = retrieve(text, library, embedder, cache_dir=cache_dir)
    top = matches[0] if matches else None
    en = facts.language == "en"
    close = top is not None and top.close() and outline is None
    notes = _assumptions(facts, count, close)
    reference_id = None
    method: Method
    adapted = 0
    if outline is not None:
        notes.insert(
            0,
            "Drawn on the stages your feedback is filed under, outlined by the model (marked 'model')."
            if en
            else "피드백이 분류된 단계를 그대로 쓰고 모델이 스텝을 그림('model'로 표시).",
        )
        data = outline(facts)
        method = "feedback"
    elif top is not None and close:
        ref = top.reference(facts.language)
        reference_id = ref.id
        data, changes = adapt_reference(ref, facts, count)
        method = "reference"
        if generator is not None and adapt_reference_with_model(generator, data, facts, ref):
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
    else:
        data = methodology_draft(facts, count)
        adapted = adapt_methodology_with_model(generator, data, facts) if generator is not None else 0
        method = "methodology+model" if adapted else "methodology"
        notes.insert(0, _no_reference_note(facts, top, adapted))
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
        adapted_by_model=adapted,
    )
