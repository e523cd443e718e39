"""Edits the request spells out exactly, read without the embedded model.

"Rename X to Y", "X 단계 이름을 Y로 바꿔줘", "add a Security stage between Airport and Departure", "대출 실행
앞에 심사 단계를 추가해줘", "move Payment after Review", "remove the 결제 stage" name the stages and the new
name word for word; the 1.5B model sometimes copies the wrong span (it once renamed 로그인 to "로그인 단계"
when asked for 시작). A pattern is exact, instant and never invents a name, so these edits skip the model;
anything else still goes to it. A rule fires only when the stages it names exist in the map.

`asks_for_stage_edit` says, without a map, whether a request has the shape of a stage edit (add, insert,
move, remove, rename a stage), so it is routed as an edit and never as a request for ideas.
"""

from __future__ import annotations

import re

from assistant.domain.map_model import JourneyMap, Stage
from assistant.maps.operations import AddStage, Operation, RemoveStage, RenameStage, ReorderStages

_Q = r"[\"'“”‘’「」『』]?"
_NEW = r"[\"'“”‘’「」『』]?(?P<new>[^\"'“”‘’「」『』]+?)[\"'“”‘’「」『』]?"
_RENAME_EN = (
    r"\brename\s+(?:the\s+)?(?:stage\s+)?{q}{stage}{q}(?:\s+stage)?\s+(?:to|as|into)\s+{new}\s*[.!]?$"
)
_RENAME_KO = r"{q}{stage}{q}\s*(?:단계)?\s*(?:의\s*)?(?:이름|명칭|단계명)(?:을|를)?\s*{new}\s*(?:으로|로)\s*(?:바꿔|변경|수정|고쳐)"
_REMOVE_EN = r"\b(?:remove|delete|drop)\s+(?:the\s+)?(?:stage\s+)?{q}{stage}{q}(?:\s+stage)?\s*[.!]?$"
_REMOVE_KO = r"{q}{stage}{q}\s*(?:단계)?\s*(?:을|를)?\s*(?:삭제|제거|빼|없애|지워)"


_COMPOUND = re.compile(r"\b(?:and|then)\b|[,;]|그리고|하고\s", re.I)


def _plain_name(name: str) -> bool:
    """A short name, not the rest of a request with two edits in it (those go to the model)."""
    return len(name) <= 60 and len(name.split()) <= 6 and not _COMPOUND.search(name)


def _find(template: str, stage: str, text: str) -> re.Match[str] | None:
    pattern = template.format(q=_Q, stage=re.escape(stage), new=_NEW)
    return re.search(pattern, text, flags=re.I)


def rule_edit(text: str, journey: JourneyMap) -> Operation | None:
    """The operation the request states exactly, or None when the model has to read it."""
    text = " ".join(text.split())
    placed = _add_stage(text, journey) or _move_stage(text, journey)
    if placed is not None:
        return placed
    # Longest names first, so "Loan review" wins over "Review" when both are stages.
    stages = sorted(journey.stage_names, key=len, reverse=True)
    for stage in stages:
        for template in (_RENAME_EN, _RENAME_KO):
            m = _find(template, stage, text)
            if m and (new := m["new"].strip()) and new != stage and _plain_name(new):
                return RenameStage(stage=stage, new_name=new)
    for stage in stages:
        for template in (_REMOVE_EN, _REMOVE_KO):
            if _find(template, stage, text):
                return RemoveStage(stage=stage)
    return None


# --- adding and moving stages -------------------------------------------------------------------------

_END = r"\s*[.!?]?\s*$"
_MAKE_KO = r"(?:추가|넣|삽입|끼워|만들|생성)"
_MOVE_KO = r"(?:옮기|옮겨|이동|보내|배치)"
_BEFORE_KO = {"앞", "전", "이전"}
_AFTER_KO = {"뒤", "다음", "후", "이후"}
_POS_KO = r"(?:바로\s*)?(?P<pos>앞|뒤|다음|이전|이후|전|후)"
_FIRST_KO = r"(?:맨|제일|가장)\s*(?P<end>앞|처음|뒤|끝|마지막)"
_CALLED_KO = r"(?:이?라는|이?라고\s*하는)?\s*(?:새로운|새)?\s*(?:단계)?\s*(?:을|를|도)?\s*(?:하나\s*)?"
_NEW_KO = r"[\"'“”‘’「」『』]?(?P<new>[^\"'“”‘’「」『』.,!?]+?)[\"'“”‘’「」『』]?"

_ADD_EN = (
    r"\b(?:add|insert|create|put|include)\s+(?:in\s+)?(?:a\s+|an\s+|the\s+|one\s+)?(?:new\s+)?"
    r"(?:stage\s+(?:called|named)\s+)?{new}(?:\s+stage)?\s+"
)
_WHERE_EN = [
    r"between\s+(?:the\s+)?{a}(?:\s+stage)?\s+and\s+(?:the\s+)?{b}(?:\s+stages?)?" + _END,
    r"(?:right\s+|just\s+|directly\s+)?(?P<pos>before|after|ahead\s+of|following)\s+(?:the\s+)?{a}(?:\s+stage)?"
    + _END,
    r"(?:at\s+the\s+(?P<end>start|beginning|front|end)(?:\s+of\s+the\s+(?:map|journey))?|as\s+the\s+"
    r"(?P<end2>first|last)(?:\s+stage)?)" + _END,
]
_ADD_KO = [
    r"{a}\s*(?:단계)?\s*(?:와|과|하고|랑|이랑)\s*{b}\s*(?:단계)?\s*(?:의\s*)?사이에\s*"
    + _NEW_KO
    + _CALLED_KO
    + _MAKE_KO,
    r"{a}\s*(?:단계)?\s*(?:의\s*)?" + _POS_KO + r"(?:에|으로|로|쪽에)\s*" + _NEW_KO + _CALLED_KO + _MAKE_KO,
    _NEW_KO + _CALLED_KO + r"{a}\s*(?:단계)?\s*(?:의\s*)?" + _POS_KO + r"(?:에|으로|로|쪽에)\s*" + _MAKE_KO,
    _FIRST_KO + r"(?:에|으로|로)\s*" + _NEW_KO + _CALLED_KO + _MAKE_KO,
]
_MOVE_EN = [
    r"\bmove\s+(?:the\s+)?{s}(?:\s+stage)?\s+(?:to\s+)?(?:right\s+|just\s+|directly\s+)?"
    r"(?P<pos>before|after|ahead\s+of|following)\s+(?:the\s+)?{a}(?:\s+stage)?" + _END,
    r"\bmove\s+(?:the\s+)?{s}(?:\s+stage)?\s+to\s+the\s+(?P<end>start|beginning|front|end)(?:\s+of\s+the\s+"
    r"(?:map|journey))?" + _END,
]
_MOVE_KO_PATTERNS = [
    r"{s}\s*(?:단계)?\s*(?:을|를|는|은)?\s*{a}\s*(?:단계)?\s*(?:의\s*)?"
    + _POS_KO
    + r"(?:에|으로|로|쪽으로)\s*"
    + _MOVE_KO,
    r"{s}\s*(?:단계)?\s*(?:을|를|는|은)?\s*" + _FIRST_KO + r"(?:에|으로|로)\s*" + _MOVE_KO,
]
_NOT_A_NAME = {"stage", "new stage", "a stage", "단계", "새 단계", "새로운 단계", "하나"}


def _names(journey: JourneyMap, group: str) -> str:
    """A named group matching any stage of the map (quoted or not), longest first."""
    names = sorted(journey.stage_names, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) for n in names)
    return f"{_Q}(?P<{group}>{alternatives}){_Q}"


def _stage_index(journey: JourneyMap, name: str) -> int:
    return [n.casefold() for n in journey.stage_names].index(name.casefold())


def _position(journey: JourneyMap, m: re.Match[str]) -> int | None:
    """Where a stage goes, from the match's anchors; None when they do not say."""
    groups = m.groupdict()
    end = groups.get("end") or groups.get("end2")
    if end:
        return (
            0
            if end.casefold() in {"start", "beginning", "front", "first", "앞", "처음"}
            else len(journey.stages)
        )
    if groups.get("a") is None:
        return None
    a = _stage_index(journey, groups["a"])
    if groups.get("b") is not None:
        b = _stage_index(journey, groups["b"])
        return max(a, b) if abs(a - b) == 1 else min(a, b) + 1
    pos = (groups.get("pos") or "").casefold()
    return a if pos in _BEFORE_KO or pos in {"before", "ahead of"} or pos.startswith("ahead") else a + 1


def _add_stage(text: str, journey: JourneyMap) -> AddStage | None:
    a, b = _names(journey, "a"), _names(journey, "b")
    patterns = [_ADD_EN + w for w in _WHERE_EN] + _ADD_KO
    for template in patterns:
        pattern = template.replace("{a}", a).replace("{b}", b).replace("{new}", _NEW)
        m = re.search(pattern, text, flags=re.I)
        if m is None:
            continue
        new = m["new"].strip().strip("\"'“”‘’「」『』").strip()
        if not new or new.casefold() in _NOT_A_NAME or not _plain_name(new):
            continue
        position = _position(journey, m)
        if position is None:
            continue
        return AddStage(stage=Stage(name=new), position=position)
    return None


def _move_stage(text: str, journey: JourneyMap) -> ReorderStages | None:
    s, a = _names(journey, "s"), _names(journey, "a")
    for template in _MOVE_EN + _MOVE_KO_PATTERNS:
        m = re.search(template.replace("{s}", s).replace("{a}", a), text, flags=re.I)
        if m is None:
            continue
        moved = journey.stage_names[_stage_index(journey, m["s"])]
        if m.groupdict().get("a") is not None and m["a"].casefold() == moved.casefold():
            continue
        position = _position(journey, m)
        if position is None:
            continue
        order = list(journey.stage_names)
        at = order.index(moved)
        order.insert(position, moved)
        del order[at if at < position else at + 1]
        if order == journey.stage_names:
            continue  # already there: not an edit
        return ReorderStages(order=order)
    return None


# --- the shape of a stage edit, without a map ----------------------------------------------------------

_SHAPE = [
    re.compile(r"\b(?:add|insert)\b[^.?!]{0,60}\bstage\b", re.I),
    re.compile(r"\bcreate\s+(?:a\s+|an\s+)?(?:new\s+)?stage\b", re.I),
    re.compile(
        r"\bmove\s+(?:the\s+)?[^.?!]{1,40}?\s+(?:before|after|ahead\s+of|to\s+the\s+(?:start|end|front))\b",
        re.I,
    ),
    re.compile(r"\b(?:remove|delete|drop)\s+(?:the\s+)?(?:stage\s+\S+|\S+(?:\s+\S+)?\s+stage)\b", re.I),
    re.compile(r"\brename\s+(?:the\s+)?(?:stage\s+)?\S+", re.I),
    re.compile(r"(?:앞|뒤|다음|사이|이전|전|후|맨\s*\S+)(?:에|으로|로)\s*[^.?!]{1,40}?" + _MAKE_KO),
    re.compile(r"단계\s*(?:을|를)?\s*(?:하나\s*)?" + _MAKE_KO),
    re.compile(r"단계\s*(?:을|를)?\s*(?:삭제|제거|빼|없애|지워)"),
    re.compile(r"(?:앞|뒤|다음|이전|전|후|맨\s*\S+)(?:에|으로|로)\s*" + _MOVE_KO),
    re.compile(r"(?:단계\s*)?(?:이름|명칭|단계명)\S*\s*[^.?!]{0,40}?(?:바꿔|바꾸|변경)"),
]
_POLITE = re.compile(
    r"^\s*(?:can|could|would|will)\s+you\b|\bplease\b|줄래|줄 수|주실|주세요|해\s*줘|해줘", re.I
)


_DRAFT = re.compile(r"지도|journey\s+map|\bdraft\b|초안|\bnew\s+map\b", re.I)
_PLACE = re.compile(r"\b(?:before|after|between|ahead\s+of)\b|앞|뒤|다음|사이|이전|이후", re.I)


def _asks_for_advice(text: str) -> bool:
    """A question ("should we add …?") asks for advice, unless it is a polite request ("can you add …?")."""
    return text.endswith(("?", "？")) and not _POLITE.search(text)


def asks_for_stage_edit(text: str) -> bool:
    """Whether the request reads as adding, inserting, moving, removing or renaming a stage (a question
    such as "should we add a review stage?" asks for advice, unless it is a polite request; "draft a
    journey map with a stage for onboarding" drafts a map)."""
    text = " ".join(text.split())
    if _asks_for_advice(text):
        return False
    if _DRAFT.search(text) and not _PLACE.search(text):
        return False
    return any(p.search(text) for p in _SHAPE)


_ADD_VERB = re.compile(
    r"\b(?:add|insert|put|include|note|record|log|capture|mark|list)\b|넣어|넣자|추가|적어|기록|반영|표시|올려",
    re.I,
)
_ELEMENT_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("add_pain_point", re.compile(r"pain[\s-]?points?|불편\s?(?:사항|점)?|페인\s?포인트|문제점", re.I)),
    (
        "add_opportunity",
        re.compile(r"opportunit(?:y|ies)|improvement idea|기회|개선\s?(?:아이디어|기회)", re.I),
    ),
    ("add_kpi", re.compile(r"\bkpis?\b|\bmetrics?\b|지표", re.I)),
    ("add_step", re.compile(r"\bsteps?\b|스텝|세부\s?단계|행동\s?단계", re.I)),
]


def element_edit_kind(text: str) -> str | None:
    """The kind of map element a request adds, when it says so in words ("note that as a pain point in
    Delivery", "계약 단계에 … 스텝을 하나 넣어 줘"): add_pain_point, add_opportunity, add_kpi or add_step.

    The small model, asked to choose among every operation, picked add_stage for such requests; the words
    name the kind exactly, so code chooses it and the model only fills its fields. A question ("what are
    the pain points in Delivery?") adds nothing: it needs an adding verb and no question mark."""
    flat = " ".join(text.split())
    if _asks_for_advice(flat):
        return None
    if not _ADD_VERB.search(flat):
        return None
    kinds = [kind for kind, pattern in _ELEMENT_KINDS if pattern.search(flat)]
    return kinds[0] if len(kinds) == 1 else None
