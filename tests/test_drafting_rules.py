"""The drafting rules code applies when the model wrote only an outline (assistant/drafting/lanes.py,
outline.py, order.py): pure functions, checked without a model or a store. Whatever they fill in is marked
inferred (`model`); only the brief's own words are `brief`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from assistant.domain import map_from_data
from assistant.drafting.lanes import back_stage, front_stage, kpi_for, moments_of_truth, phase
from assistant.drafting.order import in_journey_order
from assistant.drafting.outline import OutlineStage, fill_outline, merge_repeated_stages

M = TypeVar("M", bound=BaseModel)


def _step(action: str, emotion: int, channel: str = "app", touchpoint: str = "Loan app") -> dict[str, object]:
    return {"action": action, "touchpoint": touchpoint, "channel": channel, "emotion": emotion}


def test_front_and_back_stage_name_the_steps_touchpoint() -> None:
    assert front_stage("app", "Rate calculator", "en") == "Rate calculator: app screens guide the step"
    assert back_stage("phone", "상담 전화", "ko") == "상담 전화: 콜 라우팅, CRM 기록, 이관"
    assert front_stage("app", "", "en") == "App screens guide the step"
    assert front_stage("fax", "Form", "en") == "Form: the company responds to the customer"  # unknown → other


def test_phase_by_position() -> None:
    assert [phase(i, 5) for i in range(5)] == ["pre", "pre", "during", "during", "post"]
    assert [phase(i, 1) for i in range(1)] == ["post"]


def test_kpi_fits_the_stages_place() -> None:
    names = [kpi_for(i, 4, "en")["name"] for i in range(4)]
    assert names == ["Bounce rate", "Step conversion rate", "Step conversion rate", "NPS"]
    ko = kpi_for(3, 4, "ko")
    assert ko["name"].startswith("NPS") and all(
        ko[k] for k in ("definition", "owner", "cadence", "rationale")
    )


def test_moments_of_truth_are_the_first_and_the_worst_step() -> None:
    moments = moments_of_truth([[1, 0], [-1, -2], [-2]], "en")
    assert set(moments) == {(0, 0), (1, 1)}  # the first −2 on a tie
    assert moments_of_truth([[-2, 0]], "ko") == {(0, 0): "첫인상이 고객이 계속 진행할지를 좌우하기 때문"}
    assert moments_of_truth([], "en") == {}


def test_repeated_stage_names_merge_without_repeating_actions() -> None:
    merged = merge_repeated_stages(
        [
            OutlineStage("상품 정보 확인", [_step("금리 비교", 0)]),
            OutlineStage("신청", [_step("서류 제출", -1)]),
            OutlineStage("상품 정보  확인", [_step("금리 비교", 0), _step("한도 조회", 1)]),
        ]
    )
    assert [s.name for s in merged] == ["상품 정보 확인", "신청"]
    assert [st["action"] for st in merged[0].steps] == ["금리 비교", "한도 조회"]


def test_filled_outline_is_a_valid_map_and_all_of_it_is_inferred() -> None:
    stages = [
        OutlineStage(
            "Discover",
            [_step("Sees an ad", 1, "social", "Ad"), _step("Opens the app", 0, "app", "Home screen")],
        ),
        OutlineStage("Apply", [_step("Uploads documents", -2, "app", "Upload screen"), _step("Signs", 0)]),
        OutlineStage("Repay", [_step("Pays the first instalment", 0, "app", "Repayment screen")]),
    ]
    data = fill_outline("First loan", stages, "en", who="office workers", journey="first loan on mobile")
    journey = map_from_data(data)
    steps = [st for s in journey.stages for st in s.steps]
    assert all(st.origin and st.origin.source == "model" for st in steps)
    assert all(k.origin and k.origin.source == "model" for s in journey.stages for k in s.kpis)
    assert journey.personas[0].origin and journey.personas[0].origin.source == "brief"
    assert len({st.front_stage for st in steps}) == len(steps)  # by the step's touchpoint, not the channel
    assert [st.moment_of_truth.is_moment for st in steps] == [True, False, True, False, False]
    assert {k.name for s in journey.stages for k in s.kpis} == {"Bounce rate", "Step conversion rate", "NPS"}


def test_journey_order_of_stage_names() -> None:
    assert in_journey_order(["Customer service", "Check-in", "Booking", "In-flight"]) == [
        "Booking",
        "Check-in",
        "In-flight",
        "Customer service",
    ]
    assert in_journey_order(["Zeta", "Payment", "Alpha"]) == ["Payment", "Zeta", "Alpha"]


def test_the_problem_a_brief_names_survives_a_generic_draft_in_its_words() -> None:
    from assistant.drafting.brief import brief_problem, read_brief
    from assistant.drafting.methodology import methodology_draft

    ko = "문제 해결 여정이에요: 심사 서류 보완 때문에 불만이 많은 고객, 현재 기준으로요"
    assert brief_problem(ko, "ko") == "심사 서류 보완"
    en = "Solving a problem: customers complain that checkout keeps failing, as it works today."
    assert brief_problem(en, "en") == "checkout keeps failing"
    assert brief_problem("포장이사 업체를 처음 이용하는 1인 가구 고객의 여정", "ko") is None

    journey = map_from_data(methodology_draft(read_brief(ko, "ko"), 1))
    stage = next(s for s in journey.stages if "서류 보완" in s.name)
    assert stage.origin and stage.origin.fields == {"name": "brief"}
    stated = stage.steps[0].pain_points[0]
    assert "심사 서류 보완" in stated.description and stated.origin and stated.origin.source == "brief"
    assert journey.journey_type == "problem_resolution" and "서류 보완" in journey.scope


def test_a_korean_brief_names_its_customer_before_현재_여정() -> None:
    from assistant.drafting.brief import read_brief

    facts = read_brief("포장이사 업체를 처음 이용하는 1인 가구 고객의 현재 여정 지도를 그려 줘.")
    assert facts.who == "포장이사 업체를 처음 이용하는 1인 가구 고객"
    facts = read_brief("모바일 앱으로 처음 신용대출을 받는 직장인 고객의 현재(as-is) 여정 지도를 그려 줘")
    assert facts.who == "모바일 앱으로 처음 신용대출을 받는 직장인 고객" and facts.who_head == "직장인"


class _Copying:
    """A scripted model that copies the generic stage names and goals back, and renames one stage."""

    def generate(self, system: str, user: str, schema: type[M], max_tokens: int) -> M:
        from assistant.drafting.methodology import _TEMPLATES

        names = [t[0] for t in _TEMPLATES["en"]]
        goals = [t[1] for t in _TEMPLATES["en"]]
        stages = [
            {"name": names[0], "step": "Looks around"},
            {"name": goals[1][:28], "step": "Compares"},
            {"name": "Apply to adopt", "step": "Fills in the adoption form"},
            *({"name": n, "step": "Goes on"} for n in names[3:]),
        ]
        return schema.model_validate({"name": "Dana, adopter", "role": "", "situation": "", "stages": stages})


def test_a_copied_generic_name_or_goal_is_not_counted_as_the_models_adaptation() -> None:
    from assistant.drafting.brief import read_brief
    from assistant.drafting.methodology import methodology_draft
    from assistant.drafting.model_adapt import adapt_methodology_with_model

    facts = read_brief("Draft the journey of people adopting a rescue dog from our shelter", "en")
    data = methodology_draft(facts, 1)
    assert adapt_methodology_with_model(_Copying(), data, facts) == 1
    assert data["stages"][2]["name"] == "Apply to adopt"
    assert data["stages"][1]["name"] == "Compare and decide"  # the copied goal left the generic name
