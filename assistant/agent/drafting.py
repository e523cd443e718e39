"""Drafting pieces of the embedded mode beyond assistant/drafting: the outline the small model writes on
the stages the company's feedback is filed under (when the user asks to build the map on their feedback),
and the pain points taken from that feedback, quoted with their ids.

Other briefs are drafted by assistant/drafting (a reference journey or the methodology's generic journey,
adapted in code and by the model in a few short typed pieces). In the outline here the 1.5B model writes
only what needs judgement (step names, touchpoints, channels, an emotion per step); front- and back-stage
texts, moments of truth and KPIs are filled by code and marked `model` (inferred), and pain points are the
stored feedback's own complaints, so nothing in the map is presented as evidence unless it is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from assistant.domain.model import Channel, JourneyMap
from assistant.workspace import Workspace
from assistant.workspace.results import Diagnosis
from tools.language import Language

M = TypeVar("M", bound=BaseModel)


class Generator(Protocol):
    """Schema-constrained generation (the embedded model, or any chat model)."""

    def generate(self, system: str, user: str, schema: type[M], max_tokens: int) -> M: ...


class _Compact(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Brief(_Compact):
    """The essentials of a drafting request; None when the request does not say."""

    who: Annotated[str, Field(max_length=120)] | None = None
    journey: Annotated[str, Field(max_length=160)] | None = None
    journey_type: Literal["new_customer", "renewal", "problem_resolution"] | None = None
    state: Literal["current", "future"] | None = None


class BriefReading(_Compact):
    """What the small model writes: it never leaves a field empty, it says "unknown" (a nullable field
    invited it to answer null for everything)."""

    who: Annotated[str, Field(max_length=120)]
    journey: Annotated[str, Field(max_length=160)]
    journey_type: Literal["new_customer", "renewal", "problem_resolution", "unknown"]
    state: Literal["current", "future", "unknown"]

    def brief(self) -> Brief:
        def known(value: str) -> str | None:
            v = value.strip()
            return (
                None
                if not v or v.casefold() in {"unknown", "none", "null", "n/a", "-", "모름", "알 수 없음"}
                else v
            )

        return Brief(
            who=known(self.who),
            journey=known(self.journey),
            journey_type=None if self.journey_type == "unknown" else self.journey_type,
            state=None if self.state == "unknown" else self.state,
        )


class OutlineStep(_Compact):
    action: Annotated[str, Field(max_length=60)]
    touchpoint: Annotated[str, Field(max_length=40)]
    channel: Channel
    emotion: Annotated[int, Field(ge=-2, le=2)]


class OutlineStage(_Compact):
    name: Annotated[str, Field(max_length=30)]
    steps: Annotated[list[OutlineStep], Field(min_length=1, max_length=3)]


class Outline(_Compact):
    title: Annotated[str, Field(max_length=80)]
    stages: Annotated[list[OutlineStage], Field(min_length=3, max_length=6)]


class KoreanStep(OutlineStep):
    action: Annotated[str, Field(max_length=30)]
    touchpoint: Annotated[str, Field(max_length=20)]


class KoreanStage(OutlineStage):
    name: Annotated[str, Field(max_length=15)]
    steps: Annotated[list[KoreanStep], Field(min_length=1, max_length=2)]  # type: ignore[assignment]


class KoreanOutline(Outline):
    """Korean costs the model about twice the tokens per word: 4-5 stages of at most 2 steps fit the
    90-second budget that 6 × 3 fits in English (measured in evals/BENCHMARKS.md)."""

    title: Annotated[str, Field(max_length=40)]
    stages: Annotated[list[KoreanStage], Field(min_length=3, max_length=5)]  # type: ignore[assignment]


OUTLINE_EXAMPLES: dict[Language, str] = {
    # One short example in the answer's language: the small model copies the language of its example.
    "en": 'Example for "small shop owners renewing their POS contract":\n'
    '{"title":"POS contract renewal","stages":[{"name":"Reminder","steps":[{"action":"Reads the renewal e-mail",'
    '"touchpoint":"Renewal e-mail","channel":"email","emotion":0},{"action":"Checks the new price","touchpoint":'
    '"Account page","channel":"web","emotion":-1}]},{"name":"Decide","steps":[{"action":"Calls about discounts",'
    '"touchpoint":"Sales line","channel":"phone","emotion":-1}]}]}',
    "ko": '"POS 계약을 갱신하는 소상공인"의 예:\n'
    '{"title":"POS 계약 갱신","stages":[{"name":"갱신 안내","steps":[{"action":"갱신 안내 메일을 읽음",'
    '"touchpoint":"안내 메일","channel":"email","emotion":0},{"action":"새 요금을 확인함","touchpoint":"계정 화면",'
    '"channel":"web","emotion":-1}]},{"name":"결정","steps":[{"action":"할인을 문의함","touchpoint":"영업 상담 전화",'
    '"channel":"phone","emotion":-1}]}]}',
}

MISSING_QUESTIONS: dict[Language, dict[str, str]] = {
    "en": {
        "who": "Who is the customer (for example: first-time borrowers on mobile, small-business owners)?",
        "journey": "Which journey should the map follow, from where to where?",
        "journey_type": "Is it a new-customer journey, a renewal, or solving a problem?",
        "state": "Should it map today's journey (as-is) or a future design (to-be)?",
        "head": "Before I draft the map, I need a little more:",
    },
    "ko": {
        "who": "고객은 누구인가요? (예: 모바일로 처음 대출을 받는 고객, 소상공인)",
        "journey": "어떤 여정을 어디서부터 어디까지 그릴까요?",
        "journey_type": "신규 고객 여정인가요, 갱신인가요, 아니면 문제 해결 여정인가요?",
        "state": "현재 여정(as-is)을 그릴까요, 앞으로의 개선된 여정(to-be)을 설계할까요?",
        "head": "지도를 그리기 전에 몇 가지만 알려 주세요:",
    },
}

FRONT_STAGE: dict[Language, dict[str, str]] = {
    "en": {
        "web": "Web pages guide the customer and show progress",
        "app": "App screens guide each step",
        "store": "Staff greet and help in person",
        "phone": "An agent answers and explains",
        "email": "A clear e-mail confirms what happened and what comes next",
        "chat": "Chat agent or bot answers questions",
        "social": "Posts and replies on social media",
        "partner": "A partner presents the offer",
        "other": "The company responds to the customer",
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
        "web": "Content management, analytics and the systems behind the page",
        "app": "App backend, notifications and logging",
        "store": "Store operations and staff scheduling",
        "phone": "Call routing, CRM notes and escalation",
        "email": "Message templates and delivery service",
        "chat": "Chat routing and knowledge base",
        "social": "Social listening and response team",
        "partner": "Partner agreements and data exchange",
        "other": "Internal processing and handover",
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


MIN_DISTINCT_STAGES = 3
MAX_FEEDBACK_STAGES = 8


# Where each stage archetype usually sits in a customer's life with a product (tools' archetype ids).
LIFECYCLE = [
    "discover",
    "consider",
    "booking",
    "signup",
    "verify",
    "apply",
    "review",
    "disburse",
    "checkout",
    "checkin",
    "boarding",
    "inflight",
    "delivery",
    "baggage",
    "onboarding",
    "use",
    "billing",
    "support",
    "returns",
    "renewal",
]


def in_journey_order(names: Sequence[str]) -> list[str]:
    """Stage names in the order customers usually live them, by the archetype each name matches (a name
    matching none keeps its place after the ones that do)."""
    from tools.stage_assignment import StageSpec, match_archetypes

    def position(name: str) -> int:
        found = [LIFECYCLE.index(a.id) for a in match_archetypes(StageSpec(name)) if a.id in LIFECYCLE]
        return min(found, default=len(LIFECYCLE))

    return sorted(names, key=position)  # stable: unmatched names keep their order


def outline_with_stages(names: Sequence[str], language: Language) -> type[BaseModel]:
    """An outline schema whose stages are exactly `names`, in order: the grammar writes each name, and
    the model only writes the steps (the small model ignores a list of names it is merely asked to use)."""
    base_stage: type[OutlineStage] = KoreanStage if language == "ko" else OutlineStage
    stage_models: list[Any] = []
    for i, name in enumerate(names):
        named: dict[str, Any] = {"name": (Literal[name], ...)}
        stage_models.append(create_model(f"Stage{i}", __base__=base_stage, **named))
    outline_fields: dict[str, Any] = {
        "title": (Annotated[str, Field(max_length=40 if language == "ko" else 80)], ...),
        "stages": (tuple.__class_getitem__(tuple(stage_models)), ...),
    }
    return create_model("FixedStagesOutline", __base__=_Compact, **outline_fields)


def as_outline(generated: Any) -> Outline:
    """A generated outline of any of the outline schemas as a plain `Outline` (no bounds re-checked:
    the schema it was generated under already held them)."""
    return Outline.model_construct(
        title=generated.title,
        stages=[
            OutlineStage.model_construct(
                name=str(s.name), steps=[OutlineStep.model_construct(**st.model_dump()) for st in s.steps]
            )
            for s in generated.stages
        ],
    )


def merge_repeated_stages(outline: Outline) -> Outline:
    """One stage per name: the small model sometimes writes a stage twice (Korean especially), which a
    map cannot hold. The steps of a repeat join the first stage of that name, without repeating actions."""
    merged: dict[str, Any] = {}
    for stage in outline.stages:
        key = " ".join(stage.name.split()).casefold()
        if key not in merged:
            merged[key] = stage.model_copy(update={"steps": list(stage.steps)})
            continue
        first = merged[key]
        seen = {" ".join(st.action.split()).casefold() for st in first.steps}
        first.steps.extend(st for st in stage.steps if " ".join(st.action.split()).casefold() not in seen)
    if len(merged) == len(outline.stages):
        return outline
    return outline.model_copy(update={"stages": list(merged.values())})


def fill_outline(outline: Outline, brief: Brief, language: Language) -> dict[str, Any]:
    """A complete map (as data) from the model's outline; pain points come later, from feedback."""
    outline = merge_repeated_stages(outline)
    lowest = min(
        ((i, j) for i, s in enumerate(outline.stages) for j, _ in enumerate(s.steps)),
        key=lambda ij: outline.stages[ij[0]].steps[ij[1]].emotion,
    )
    why_first = (
        "The first impression decides whether the customer goes on"
        if language == "en"
        else "첫인상이 고객이 계속 진행할지를 좌우하기 때문"
    )
    why_low = (
        "The most painful step: customers judge the whole journey by it"
        if language == "en"
        else "가장 힘든 순간이라 고객이 여정 전체를 이 경험으로 판단하기 때문"
    )
    stages = []
    for i, s in enumerate(outline.stages):
        steps = []
        for j, st in enumerate(s.steps):
            mot = (i, j) in {(0, 0), lowest}
            steps.append(
                {
                    "action": st.action,
                    "touchpoint": st.touchpoint,
                    "channel": st.channel,
                    "phase": "pre"
                    if i < len(outline.stages) // 2
                    else "post"
                    if i == len(outline.stages) - 1
                    else "during",
                    "front_stage": FRONT_STAGE[language][st.channel],
                    "back_stage": BACK_STAGE[language][st.channel],
                    "emotion": {"score": st.emotion},
                    "moment_of_truth": {
                        "is_moment": mot,
                        "why": (why_first if (i, j) == (0, 0) else why_low) if mot else "",
                    },
                    # The model wrote the action, touchpoint, channel and emotion; code filled the rest
                    # from the channel and position: all of it an inference, none of it evidence.
                    "origin": {"source": "model"},
                }
            )
        kpi = {**kpi_for(i, len(outline.stages), language), "origin": {"source": "model"}}
        stages.append({"name": s.name, "steps": steps, "kpis": [kpi], "origin": {"source": "model"}})
    return {
        "title": outline.title,
        "language": language,
        "journey_type": brief.journey_type or "other",
        "state": brief.state or "current",
        "scope": brief.journey or "",
        "personas": [{"name": brief.who[:200], "segment": brief.who, "origin": {"source": "brief"}}]
        if brief.who
        else [],
        "stages": stages,
    }


def add_feedback_pain_points(
    data: dict[str, Any], diagnosis: Diagnosis | None, language: Language
) -> dict[str, Any]:
    """Pain points with evidence from the stored feedback: each stage's top themes, quoted verbatim."""
    if diagnosis is None:
        return data
    for stage in data["stages"]:
        d = diagnosis.stage(stage["name"])
        if d is None or not d.themes or not stage["steps"]:
            continue
        target = min(stage["steps"], key=lambda st: st["emotion"]["score"])
        for theme in d.themes[:2]:
            if not theme.quotes:
                continue
            text = (
                f"{theme.label}: {theme.n} of {d.negative} negative comments in this stage"
                if language == "en"
                else f"{theme.label}: 이 단계 부정 의견 {d.negative}건 중 {theme.n}건"
            )
            target.setdefault("pain_points", []).append(
                {
                    "description": text,
                    "severity": 4 if (theme.share_of_negative or 0) >= 0.3 else 3,
                    "provenance": "feedback",
                    "evidence": [
                        {"feedback_id": q.feedback_id, "row": q.row, "quote": q.text, "sentiment": "negative"}
                        for q in theme.quotes[:2]
                    ],
                    "origin": {
                        "source": "feedback",
                        "feedback_ids": [q.feedback_id for q in theme.quotes[:2] if q.feedback_id],
                    },
                }
            )
    return data


METHOD_NOTE = (
    "A journey map follows one customer through stages in the order they live them; each step is one thing "
    "the customer does, where (touchpoint and channel) and how it feels (emotion)."
)


def draft_map(
    workspace: Workspace,
    generator: Generator,
    brief_text: str,
    brief: Brief,
    language: Language,
    feedback_stages: Sequence[str],
    on_step: Callable[[str], None] | None = None,
) -> JourneyMap:
    """An outline by the model on the stages the company's feedback is filed under (the user asked to
    build on the feedback): those stages, in journey order, are the map's, so its pain points can be found
    under them; the model writes only the steps, and code fills in the rest.

    Needs at least MIN_DISTINCT_STAGES distinct stage names (a brief with fewer is drafted from a reference
    journey or the methodology instead: assistant/drafting/compose.py)."""
    from assistant.prompts import as_data, load_prompt

    if on_step:
        on_step("outline")
    hint = [" ".join(name.split())[:40] for name in feedback_stages[:MAX_FEEDBACK_STAGES]]
    hint = in_journey_order([name for name in dict.fromkeys(hint) if name])
    if len(hint) < MIN_DISTINCT_STAGES:
        raise ValueError(f"An outline on the feedback's stages needs {MIN_DISTINCT_STAGES} of them.")
    # Korean output is slower here (about twice the tokens per word), hence fewer steps.
    step_count = "2 or 3" if language == "en" and len(hint) <= 5 else "1 or 2"
    prompt = load_prompt("embedded_outline").render(
        language="Korean (한국어)" if language == "ko" else "English",
        stage_count=f"{len(hint)}",
        step_count=step_count,
        feedback_stages=as_data(", ".join(hint)),
        example=OUTLINE_EXAMPLES[language],
        brief=as_data(brief_text),
        who=brief.who or "-",
        journey=brief.journey or "-",
        methodology=METHOD_NOTE,
    )
    generated = generator.generate(
        prompt, brief_text, outline_with_stages(hint, language), max_tokens=max(900, 130 * len(hint))
    )
    return workspace.map_from_data(fill_outline(as_outline(generated), brief, language))
