"""Edits the request spells out exactly, read without the embedded model.

"Rename X to Y" and "X 단계 이름을 Y로 바꿔줘" name both the stage and its new name word for word; the
1.5B model sometimes copies the wrong span (it once renamed 로그인 to "로그인 단계" when asked for 시작).
A pattern is exact, instant and never invents a name, so these edits skip the model; anything else still
goes to it. A rule fires only when the stage it names exists in the map.
"""

from __future__ import annotations

import re

from assistant.domain.model import JourneyMap
from assistant.maps.operations import Operation, RemoveStage, RenameStage

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
