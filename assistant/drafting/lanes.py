"""What code writes in a drafted step when the model wrote only its action, touchpoint, channel and
emotion (the outline on the feedback's stages): front- and back-stage texts for the step, its phase, a KPI
for the stage by where it sits, and which steps are moments of truth. Pure rules, no model, no store.

Everything here is an inference from the channel and the position, never evidence: the caller marks it
`model` (inferred) in the map's provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from journey_tools.language import Language

Phase = Literal["pre", "during", "post"]

FRONT_STAGE: dict[Language, dict[str, str]] = {
    "en": {
        "web": "web pages guide the customer and show progress",
        "app": "app screens guide the step",
        "store": "staff greet and help in person",
        "phone": "an agent answers and explains",
        "email": "a clear e-mail confirms what happened and what comes next",
        "chat": "a chat agent or bot answers questions",
        "social": "posts and replies on social media",
        "partner": "a partner presents the offer",
        "other": "the company responds to the customer",
    },
    "ko": {
        "web": "웹 화면이 다음 단계와 진행 상황을 안내",
        "app": "앱 화면이 단계별로 안내",
        "store": "직원이 대면으로 응대",
        "phone": "상담원이 전화로 안내",
        "email": "이메일로 결과와 다음 단계를 안내",
        "chat": "채팅 상담원이나 챗봇이 응답",
        "social": "SNS 게시물과 댓글로 소통",
        "partner": "제휴사가 상품을 안내",
        "other": "회사가 고객 요청에 응대",
    },
}
BACK_STAGE: dict[Language, dict[str, str]] = {
    "en": {
        "web": "content management, analytics and the systems behind the page",
        "app": "app backend, notifications and logging",
        "store": "store operations and staff scheduling",
        "phone": "call routing, CRM notes and escalation",
        "email": "message templates and delivery service",
        "chat": "chat routing and knowledge base",
        "social": "social listening and response team",
        "partner": "partner agreements and data exchange",
        "other": "internal processing and handover",
    },
    "ko": {
        "web": "콘텐츠 관리·분석 및 화면 뒤의 시스템",
        "app": "앱 서버, 알림, 로그 수집",
        "store": "매장 운영과 인력 배치",
        "phone": "콜 라우팅, CRM 기록, 이관",
        "email": "메일 템플릿과 발송 시스템",
        "chat": "상담 배분과 지식베이스",
        "social": "소셜 리스닝과 대응 조직",
        "partner": "제휴 계약과 데이터 연동",
        "other": "내부 처리와 부서 간 이관",
    },
}


def _for_step(lane: dict[Language, dict[str, str]], channel: str, touchpoint: str, language: Language) -> str:
    texts = lane[language]
    text = texts.get(channel, texts["other"])
    where = " ".join(touchpoint.split())
    return f"{where}: {text}" if where else text[:1].upper() + text[1:]


def front_stage(channel: str, touchpoint: str, language: Language) -> str:
    """What the customer sees of the company at this step: the step's touchpoint and what the channel
    usually does there (so two steps on one channel do not read the same)."""
    return _for_step(FRONT_STAGE, channel, touchpoint, language)


def back_stage(channel: str, touchpoint: str, language: Language) -> str:
    """What runs behind the step's touchpoint on its channel."""
    return _for_step(BACK_STAGE, channel, touchpoint, language)


def phase(stage_index: int, stage_count: int) -> Phase:
    """Before, during or after the purchase, by where the stage sits: the first half before, the last
    stage after, the rest during."""
    if stage_index < stage_count // 2:
        return "pre"
    return "post" if stage_index == stage_count - 1 else "during"


def kpi_for(position: int, count: int, language: Language) -> dict[str, str]:
    """A KPI by where the stage sits (methodology: behaviour before and during purchase, effort and
    satisfaction right after a step, loyalty after purchase), with who/what/when/why."""
    en = language == "en"
    if position == 0:
        name = "Bounce rate" if en else "이탈률(바운스율)"
        definition = (
            "Sessions that leave after one page ÷ all sessions"
            if en
            else "한 페이지만 보고 떠난 세션 ÷ 전체 세션"
        )
        why = (
            "A high bounce rate means the first impression or relevance fails"
            if en
            else "첫인상이나 관련성이 부족하면 바로 떠나기 때문"
        )
    elif position == count - 1:
        name = "NPS" if en else "NPS(순추천지수)"
        definition = (
            "% promoters (9-10) − % detractors (0-6), asked at the end of the journey"
            if en
            else "추천 고객(9-10점) 비율 − 비추천 고객(0-6점) 비율, 여정 마지막에 질문"
        )
        why = (
            "A relationship measure of whether customers stay and recommend"
            if en
            else "고객이 계속 이용하고 추천할지 보여 주는 관계 지표"
        )
    else:
        name = "Step conversion rate" if en else "단계 전환율"
        definition = (
            "Customers who complete the stage ÷ customers who started it"
            if en
            else "단계를 완료한 고객 ÷ 단계를 시작한 고객"
        )
        why = (
            "Shows where people leave, which surveys of finishers cannot"
            if en
            else "끝까지 간 고객만 답하는 설문으로는 보이지 않는 이탈 지점을 보여 주기 때문"
        )
    return {
        "name": name,
        "definition": definition,
        "cadence": "Weekly" if en else "매주",
        "owner": "Stage owner (PM)" if en else "단계 담당 PM",
        "data_source": "Product analytics and surveys" if en else "서비스 분석 데이터와 설문",
        "rationale": why,
    }


WHY_FIRST: dict[Language, str] = {
    "en": "The first impression decides whether the customer goes on",
    "ko": "첫인상이 고객이 계속 진행할지를 좌우하기 때문",
}
WHY_LOWEST: dict[Language, str] = {
    "en": "The most painful step: customers judge the whole journey by it",
    "ko": "가장 힘든 순간이라 고객이 여정 전체를 이 경험으로 판단하기 때문",
}


def moments_of_truth(emotions: Sequence[Sequence[int]], language: Language) -> dict[tuple[int, int], str]:
    """The steps that are moments of truth, (stage, step) → why: the first step (first impression) and
    the step that feels worst (the first of them on a tie). `emotions` holds each stage's step scores."""
    cells = [(i, j) for i, row in enumerate(emotions) for j, _ in enumerate(row)]
    if not cells:
        return {}
    lowest = min(cells, key=lambda ij: emotions[ij[0]][ij[1]])
    out = {lowest: WHY_LOWEST[language]}
    out[cells[0]] = WHY_FIRST[language]
    return out
