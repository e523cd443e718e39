"""Asking for what a question needs instead of guessing it.

A diagnosis needs a map and data; an edit or an export needs a map; a feedback search needs data. When
the conversation has not chosen them, the answer is one short question with the saved maps or datasets
to pick from, and the question waits (ThreadState.pending_question) until the user picks. Another
chat's map or data is never used silently.
"""

from __future__ import annotations

import re
from typing import Literal

from assistant.analysis.filters import fold
from assistant.contracts.chat_context import ChatContext
from assistant.turns.events import Choice
from assistant.workspace import Workspace
from journey_tools.language import Language

Need = Literal["map", "data"]

NEEDS: dict[str, tuple[Need, ...]] = {
    "diagnose": ("map", "data"),
    "ideas": ("map", "data"),
    "survey": ("map",),
    "export": ("map",),
    "edit_map": ("map",),
    "undo": ("map",),
    "search_feedback": ("data",),
}
"""What each intent needs from the conversation's context."""

MAX_CHOICES = 8

_TEXT: dict[Language, dict[str, str]] = {
    "en": {
        "map": "Which journey map should I use for this? Pick one of your saved maps{list}, upload a map file, "
        "or ask me to draft one.",
        "map_none": "This needs a journey map, and none is saved yet. Ask me to draft one (“Draft a journey "
        "for …”) or upload a map file (JSON or the product's CSV).",
        "data": "Which feedback should I look at? Pick a dataset{list}, or all your feedback.",
        "data_none": "This needs customer feedback, and none is stored yet. Upload a CSV, XLSX or JSON file "
        "of feedback, then ask again.",
        "all": "All my feedback ({rows:,} rows)",
        "rows": "{name} ({rows:,} rows)",
    },
    "ko": {
        "map": "어떤 여정 지도로 볼까요? 저장된 지도{list} 중에서 고르시거나, 지도 파일을 올리시거나, 새로 만들어 달라고 "
        "말씀해 주세요.",
        "map_none": "이 질문에는 여정 지도가 필요한데 아직 저장된 지도가 없습니다. “…여정 지도를 만들어줘”처럼 요청하시거나 "
        "지도 파일(JSON 또는 CSV)을 올려 주세요.",
        "data": "어떤 피드백을 볼까요? 데이터셋{list} 중에서 고르시거나 전체 피드백을 선택해 주세요.",
        "data_none": "이 질문에는 고객 피드백이 필요한데 아직 저장된 피드백이 없습니다. CSV, XLSX, JSON 피드백 파일을 "
        "올린 뒤 다시 물어봐 주세요.",
        "all": "전체 피드백 ({rows:,}건)",
        "rows": "{name} ({rows:,}건)",
    },
}


def missing(intent: str, has_map: bool, has_data: bool) -> Need | None:
    """The first thing the intent needs that the conversation lacks."""
    for need in NEEDS.get(intent, ()):
        if need == "map" and not has_map:
            return "map"
        if need == "data" and not has_data:
            return "data"
    return None


def question(ws: Workspace, need: Need, language: Language) -> tuple[str, list[Choice]]:
    """The question to ask and the choices to offer for it."""
    t = _TEXT[language]
    if need == "map":
        maps = ws.list_maps()[:MAX_CHOICES]
        if not maps:
            return t["map_none"], []
        choices = [Choice(kind="map", value=m.name, label=f"{m.name} v{m.version}") for m in maps]
    else:
        listed = ws.datasets()
        if not listed.datasets:
            return t["data_none"], []
        choices = [
            Choice(kind="dataset", value=d.name, label=t["rows"].format(name=d.name, rows=d.rows))
            for d in listed.datasets[:MAX_CHOICES]
        ]
        choices.append(Choice(kind="all_feedback", value="", label=t["all"].format(rows=listed.total_rows)))
    names = ", ".join(c.label for c in choices if c.kind != "all_feedback")
    return t[need].format(list=f" ({names})" if names else ""), choices


_ALL = re.compile(r"^\W*(all|everything|all (of )?(my|the|our) (feedback|data)|전체|전부|모두|다)\W*", re.I)


def pick_from_text(text: str, ws: Workspace, context: ChatContext) -> ChatContext | None:
    """A typed answer to the question: the name of a saved map or a dataset (ignoring case and spacing),
    or 'all'; None when the text picks nothing (it is then a new message)."""
    key = fold(text.strip().strip("\"'“”‘’「」"))
    if not key:
        return None
    for summary in ws.list_maps():
        if fold(summary.name) == key or fold(summary.title) == key:
            return context.model_copy(update={"map": summary.name})
    for name in ws.sources():
        if fold(name) == key or fold(name.rsplit(".", 1)[0]) == key:
            return context.with_dataset(name)
    if _ALL.match(text) and len(text) < 40:
        return context.model_copy(update={"all_feedback": True})
    return None
