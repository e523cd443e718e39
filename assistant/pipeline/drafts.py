"""Drafting pieces of the embedded mode beyond assistant/drafting: the outline the small model writes on
the stages the company's feedback is filed under (when the user asks to build the map on their feedback),
and the pain points taken from that feedback, quoted with their ids.

Other briefs are drafted by assistant/drafting (a reference journey or the methodology's generic journey,
adapted in code and by the model in a few short typed pieces). In the outline here the 1.5B model writes
only what needs judgement (step names, touchpoints, channels, an emotion per step); front- and back-stage
texts, moments of truth and KPIs are filled by the rules in assistant/drafting (lanes, outline, order) and
marked `model` (inferred), and pain points are the stored feedback's own complaints, so nothing in the map
is presented as evidence unless it is. This module holds the model's schemas, prompts and the call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from assistant.domain.map_model import Channel, JourneyMap
from assistant.drafting.order import in_journey_order as in_journey_order
from assistant.drafting.outline import OutlineStage as OutlineDraft
from assistant.drafting.outline import add_feedback_pain_points as add_feedback_pain_points
from assistant.drafting.outline import fill_outline as outline_map
from assistant.workspace import Workspace
from journey_tools.language import Language

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

MIN_DISTINCT_STAGES = 3
MAX_FEEDBACK_STAGES = 8


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


def fill_outline(outline: Outline, brief: Brief, language: Language) -> dict[str, Any]:
    """A complete map (as data) from the model's outline: the rules of assistant/drafting/outline.py fill
    in what the model did not write, marked inferred; pain points come later, from feedback."""
    return outline_map(
        outline.title,
        [OutlineDraft(s.name, [st.model_dump() for st in s.steps]) for s in outline.stages],
        language,
        who=brief.who,
        journey=brief.journey,
        journey_type=brief.journey_type,
        state=brief.state,
    )


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
