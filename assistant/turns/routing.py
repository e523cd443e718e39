"""Routing a conversation, not single messages: which job a message is, given what came before it.

The intent classifier reads one message alone. Three things it cannot know are read here, by code,
in both languages, so every mode (the agent and the embedded pipeline) routes the same way:

- a reply to the assistant's own question ("Solving a problem: …" after "is it a new-customer journey,
  a renewal, or solving a problem?") continues the task that asked it, instead of starting another;
- a request shaped like a stage edit ("X 앞에 Y 단계를 추가해줘", "add a Security stage between Airport
  and Departure", "move Payment after Review") is an edit, never a request for ideas;
- the number of personas asked for ("Draft two personas", "페르소나 3개") is the number drafted, at most
  MAX_PERSONAS, with one sentence saying why when more were asked.

Pure functions over text (and the map's stage names); no model, no workspace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.map_model import MAX_PERSONAS, JourneyMap
from assistant.turns.edit_rules import asks_for_stage_edit, element_edit_kind, rule_edit
from assistant.turns.understand import find_stage
from journey_tools.language import Language
from journey_tools.text import count_value

PENDING_TASKS = ("draft_map", "draft_personas", "edit_map")
"""Jobs the assistant may stop to ask about; the reply continues them."""

# Words that answer the drafting questions (journey type, as-is or to-be) in either language.
_ANSWER_WORDS = re.compile(
    r"\b(?:new[- ]customers?|first[- ]time|renewals?|renewing|solving\s+a\s+problem|problem[- ]solving"
    r"|problem\s+resolution|as[- ]is|to[- ]be|today'?s|current(?:ly)?|future|existing\s+customers?)\b"
    r"|신규|갱신|재계약|문제\s*해결|현재|미래|앞으로의|지금의|as-is|to-be",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"[?？]\s*$|(?:나요|까요|습니까|인가요|는지|을까|ㄹ까|할까|됐어|졌어)\s*$")
_NEW_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:show|give|list|find|tell|explain|why|how|what|which|where|when|export|download|search"
    r"|compare|diagnose|analy[sz]e|summari[sz]e)\b"
    r"|(?:보여|알려|찾아|분석해|내보내|비교해|요약해|진단해)\s*(?:줘|주세요|줄래)\s*[.!]?\s*$",
    re.IGNORECASE,
)
_EXACT = ("undo", "export")
"""Intents the classifier reads by exact rules (confidence 1.0): always a new request."""


def continues_pending(text: str, intent: str, confidence: float) -> bool:
    """Whether a message answers the assistant's pending question rather than asking something new.

    An answer names one of the options offered (a journey type, as-is or to-be), or is a statement (who
    the customer is, which journey); a new request is an exact command (undo, export), a question, or
    starts like one ("show me…", "왜 …", "…보여줘")."""
    if intent in _EXACT and confidence >= 1.0:
        return False
    if _ANSWER_WORDS.search(text):
        return True
    if intent in PENDING_TASKS:
        return True
    return not (_QUESTION.search(text.strip()) or _NEW_REQUEST.search(text))


# --- persona counts -------------------------------------------------------------------------------------

_EN_COUNT = r"(?P<n>\d{1,2}|a couple of|a pair of|one|two|three|four|five|six|seven|eight|nine|ten)"
_KO_COUNT = r"(?P<n>\d{1,2}|하나|다섯|여섯|일곱|여덟|아홉|한|두|둘|세|셋|석|네|넷|열)"
_PERSONA_COUNT = [
    re.compile(
        _EN_COUNT + r"\s+(?:more\s+|new\s+|other\s+|different\s+|distinct\s+)?(?:[\w-]+\s+)?personas?\b", re.I
    ),
    re.compile(r"\bpersonas?\s*[:(]?\s*(?P<n>\d{1,2})\b", re.I),
    re.compile(r"페르소나\S*\s*(?:를|을)?\s*" + _KO_COUNT + r"\s*(?:개|명|가지|종류|개만|명만)"),
    re.compile(r"페르소나\S*\s*(?:를|을)?\s*(?P<n>\d{1,2})(?!\d)"),
    re.compile(_KO_COUNT + r"\s*(?:개|명|가지)(?:의)?\s*(?:\S+\s+)?페르소나"),
]
_PERSONA_WORD = re.compile(r"personas?\b|페르소나", re.I)


def persona_count(text: str) -> int | None:
    """The number of personas the message asks for, as written (may exceed MAX_PERSONAS); None when it
    names no number."""
    if not _PERSONA_WORD.search(text):
        return None
    for pattern in _PERSONA_COUNT:
        m = pattern.search(text)
        if m is None:
            continue
        n = count_value(m["n"])
        if n:
            return n
    return None


def personas_to_draft(asked: int | None, default: int) -> int:
    """The number drafted: what was asked (else the default), between 1 and MAX_PERSONAS."""
    return max(1, min(asked if asked is not None else default, MAX_PERSONAS))


TOO_MANY_PERSONAS: dict[Language, str] = {
    "en": "You asked for {asked} personas; I drafted {limit}, because each persona needs a journey of its own and "
    "the methodology starts a map with at most {limit}, so the map keeps its focus.",
    "ko": "페르소나 {asked}명을 요청하셨지만, 페르소나마다 여정을 따로 그려야 해서 방법론은 지도 하나를 최대 {limit}명으로 "
    "시작하므로 {limit}명을 만들었습니다.",
}


def too_many_personas(asked: int | None, language: Language) -> str | None:
    """One sentence saying why fewer personas were drafted than asked, or None."""
    if asked is None or asked <= MAX_PERSONAS:
        return None
    return TOO_MANY_PERSONAS[language].format(asked=asked, limit=MAX_PERSONAS)


# --- the route ------------------------------------------------------------------------------------------

_MAKE = re.compile(r"만들|추가|새로|생성|초안|그려|뽑아|draft|creat|add|new|more|generate|write|give", re.I)


@dataclass(frozen=True)
class Route:
    intent: str
    reason: str
    """classifier, stage_edit, continues (the pending task), or personas."""


def route(
    text: str,
    intent: str,
    confidence: float,
    pending_task: str | None = None,
    journey: JourneyMap | None = None,
) -> Route:
    """The job of this message in this conversation."""
    if (journey is not None and rule_edit(text, journey) is not None) or asks_for_stage_edit(text):
        return Route("edit_map", "stage_edit")
    if journey is not None and element_edit_kind(text) and find_stage(text, journey):
        return Route("edit_map", "element_edit")
    if pending_task in PENDING_TASKS and continues_pending(text, intent, confidence):
        return Route(pending_task, "continues")
    if intent != "draft_personas" and persona_count(text) is not None and _MAKE.search(text):
        return Route("draft_personas", "personas")
    return Route(intent, "classifier")


def asked_a_question(text: str) -> bool:
    """Whether an answer ends by asking the user something (so the next message may answer it)."""
    return bool(re.search(r"[?？]", text))
