"""Warnings attached to a diagnosis, as codes with parameters, rendered in English or Korean.

The JSON keeps the English sentences (`warnings`) and the codes (`warning_details`), so a reader in
either language, or a program, gets the same facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from journey_tools.language import Language

TEMPLATES: dict[Language, dict[str, str]] = {
    "en": {
        "no_data": "No labelled feedback in this scope: ingest feedback first, or widen --since/--until.",
        "small_samples": "Small samples (fewer than {min_n} rows): {stages}. Their shares and tests are unreliable.",
        "empty_stages": "No feedback was assigned to: {stages}. Consider asking about these stages.",
        "unassigned": "{unassigned} of {total} rows ({share:.0%}) could not be assigned to a stage; describe the "
        "stages (steps, touchpoints) or add a stage column to the data.",
        "survivorship": "Survivorship: only {early} of {assigned} assigned rows ({share:.0%}) concern the first "
        "{half} stages. The data mostly covers customers who got far into the journey; people who abandoned early "
        "rarely leave feedback, so good scores here can hide drop-outs. Check funnel analytics too.",
        "solicited_only": "Almost every row carries a survey score (solicited feedback). Surveys reach customers "
        "who stayed; add unsolicited sources (support chats, reviews) to hear from those who left.",
        "mix_shift": "Mix shift in {stage}: most of the change comes from a different mix of {column} values, not "
        "from each segment getting worse.",
        "nearly_all_negative": "{negative} of {total} rows ({share:.0%}) are negative, as in a complaints channel: "
        "every stage's negative share is near 100%, so shares cannot tell the stages apart. Compare where the "
        "complaints are instead (ask which stage has the most complaints, or --metric negative_count).",
    },
    "ko": {
        "no_data": "이 범위에는 분석된 피드백이 없습니다. 먼저 피드백을 가져오거나 --since/--until 범위를 넓혀 주세요.",
        "small_samples": "표본이 작습니다({min_n}건 미만): {stages}. 이 단계들의 비율과 검정 결과는 신뢰하기 어렵습니다.",
        "empty_stages": "다음 단계에는 배정된 피드백이 없습니다: {stages}. 이 단계에 대해 고객에게 직접 물어보는 것을 "
        "고려해 보세요.",
        "unassigned": "전체 {total}건 중 {unassigned}건({share:.0%})을 단계에 배정하지 못했습니다. 단계 설명(스텝, "
        "접점)을 보강하거나 데이터에 단계 열을 추가해 주세요.",
        "survivorship": "생존자 편향 주의: 배정된 {assigned}건 중 앞쪽 {half}개 단계에 관한 의견은 {early}건({share:.0%})"
        "뿐입니다. 데이터가 여정을 끝까지 간 고객 위주라서, 중간에 떠난 고객의 목소리가 빠져 있을 수 있습니다. "
        "퍼널 분석도 함께 확인하세요.",
        "solicited_only": "거의 모든 행에 설문 점수가 있습니다(요청형 피드백). 설문은 남아 있는 고객에게만 닿으므로, "
        "상담 기록이나 리뷰 같은 비요청형 피드백도 추가해 떠난 고객의 이야기를 들어 보세요.",
        "mix_shift": "{stage} 단계의 변화는 각 세그먼트가 나빠져서라기보다 {column} 구성이 달라진 영향이 큽니다.",
        "nearly_all_negative": "전체 {total}건 중 {negative}건({share:.0%})이 부정 의견입니다(민원 창구처럼). 모든 "
        "단계의 부정 비율이 100%에 가까워 비율로는 단계를 구분할 수 없습니다. 대신 불만이 어느 단계에 몰리는지 "
        "건수로 비교해 보세요(불만이 가장 많은 단계를 묻거나 --metric negative_count).",
    },
}


@dataclass(frozen=True)
class DiagnosisWarning:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: Language = "en") -> str:
        params = {k: ", ".join(v) if isinstance(v, list | tuple) else v for k, v in self.params.items()}
        return TEMPLATES[language][self.code].format(**params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


def render_all(details: Sequence[Mapping[str, Any]], language: Language) -> list[str]:
    return [DiagnosisWarning(d["code"], d["params"]).render(language) for d in details]
