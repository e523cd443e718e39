"""What a conversation is about: its current map and its data selection, and the one line every face shows
above a diagnosis (and the app above its message box).

A chat starts with no map and no data. The user picks them (or drafts a map, or uploads a file), and they
stay with that chat's thread, in every mode and across restarts; nothing is borrowed from another chat.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from assistant.contracts.results import AnswerScope, DatasetRows
from journey_tools.language import Language


class ChatContext(BaseModel):
    """The map and data one chat works on."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    map: str | None = None
    """The saved map the chat is about (by name; answers use its latest version)."""
    datasets: list[str] = []
    """The datasets (sources) the chat reads."""
    all_feedback: bool = False
    """Read every stored dataset ("all my feedback") instead of a list."""

    def has_data(self) -> bool:
        return self.all_feedback or bool(self.datasets)

    def sources(self) -> list[str]:
        """What a request's `source` field takes: the chosen datasets, or [] for every dataset."""
        return [] if self.all_feedback else list(self.datasets)

    def with_dataset(self, name: str) -> ChatContext:
        """The context after an upload in this chat: the new dataset joins the chat's data."""
        if self.all_feedback or name in self.datasets:
            return self
        return self.model_copy(update={"datasets": [*self.datasets, name]})


_WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "map": "Map",
        "data": "Data",
        "scope": "Scope",
        "no_map": "no map chosen",
        "no_data": "no data chosen",
        "all": "all feedback",
        "rows": "{n:,} rows",
        "since": "since {d}",
        "until": "until {d}",
        "previous": "compared with the previous period",
        "by": "by {c}",
        "count": "measure: number of complaints",
        "nps": "measure: NPS",
        "csat": "measure: CSAT",
        "ces": "measure: CES",
    },
    "ko": {
        "map": "지도",
        "data": "데이터",
        "scope": "범위",
        "no_map": "선택한 지도 없음",
        "no_data": "선택한 데이터 없음",
        "all": "전체 피드백",
        "rows": "{n:,}건",
        "since": "{d}부터",
        "until": "{d}까지",
        "previous": "이전 기간과 비교",
        "by": "{c}별",
        "count": "기준: 불만 건수",
        "nps": "기준: NPS",
        "csat": "기준: CSAT",
        "ces": "기준: CES",
    },
}


def _data_text(datasets: Sequence[DatasetRows], all_feedback: bool, language: Language) -> str:
    w = _WORDS[language]
    if all_feedback or not datasets:
        total = sum(d.rows for d in datasets)
        return w["all"] + (f" ({w['rows'].format(n=total)})" if datasets else "")
    return ", ".join(f"{d.name} ({w['rows'].format(n=d.rows)})" for d in datasets)


def map_text(name: str | None, version: int | None, language: Language) -> str:
    if name is None:
        return _WORDS[language]["no_map"]
    return name + (f" v{version}" if version is not None else "")


def chat_line(
    map_name: str | None,
    map_version: int | None,
    datasets: Sequence[DatasetRows],
    context: ChatContext,
    language: Language,
) -> str:
    """The chat's context as the app shows it above the message box, e.g.
    `Map: US airline trip v2 · Data: airline_1500.csv (1,497 rows)`."""
    w = _WORDS[language]
    data = _data_text(datasets, True, language) if context.all_feedback else None
    if data is None:
        data = _data_text(datasets, False, language) if context.datasets else w["no_data"]
    return f"{w['map']}: {map_text(map_name, map_version, language)} · {w['data']}: {data}"


def scope_parts(scope: AnswerScope, language: Language) -> list[str]:
    """The filters, period, comparison and measure of an answer, each as a short phrase."""
    w = _WORDS[language]
    parts = []
    by_column: dict[tuple[str, str], list[str]] = {}
    for f in scope.where:
        by_column.setdefault((f.column, f.op), []).append(f.value)
    for (column, op), values in by_column.items():
        joiner = " / " if op == "=" else ", "
        parts.append(f"{column} {op} {joiner.join(values)}")
    if scope.since:
        parts.append(w["since"].format(d=scope.since))
    if scope.until:
        parts.append(w["until"].format(d=scope.until))
    if scope.segment_by:
        parts.append(w["by"].format(c=scope.segment_by))
    if scope.compare_to == "previous":
        parts.append(w["previous"])
    if scope.metric == "negative_count":
        parts.append(w["count"])
    elif scope.metric in ("nps", "csat", "ces"):
        parts.append(w[scope.metric])
    return parts


def context_line(scope: AnswerScope, language: Language) -> str:
    """One line saying what an answer is about, e.g.
    `Map: US airline trip v2 · Data: airline_1500.csv (1,497 rows) · Scope: airline = United, since 2015-02-20`."""
    w = _WORDS[language]
    line = (
        f"{w['map']}: {map_text(scope.map, scope.map_version, language)} · "
        f"{w['data']}: {_data_text(scope.datasets, scope.all_feedback, language)}"
    )
    parts = scope_parts(scope, language)
    if parts:
        line += f" · {w['scope']}: " + ", ".join(parts)
    return line
