"""The tool-calling agent for the cloud, OpenAI-compatible and scripted modes (LangChain create_agent).

Built by a factory with its dependencies passed in: the chat model, and a checkpointer that keeps each
thread's messages so a conversation resumes after a restart. LangChain's middleware does what it
already does well: the system prompt per turn (language, current map), summarising long
conversations, and limits on model and tool calls per turn.
"""

from __future__ import annotations

from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    ModelCallLimitMiddleware,
    ModelRequest,
    SummarizationMiddleware,
    ToolCallLimitMiddleware,
    dynamic_prompt,
)
from langchain.agents.structured_output import ToolStrategy
from langchain_core.language_models import BaseChatModel
from langgraph.types import Checkpointer

from assistant.agent.answers import ChatAnswer, DiagnosisAnswer
from assistant.agent.context import TurnContext
from assistant.agent.tools import build_tools
from assistant.prompts import load_prompt

MODEL_CALLS_PER_TURN = 12
TOOL_CALLS_PER_TURN = 24
LANGUAGE_NAMES = {"en": "English", "ko": "Korean (한국어)"}


def map_summary(ctx: TurnContext) -> str:
    journey = ctx.journey()
    if journey is None:
        return "none yet."
    stages = "; ".join(f"{s.name} ({len(s.steps)} steps)" for s in journey.stages)
    return f"'{ctx.current_map}' — {journey.title} [{journey.language}, {journey.state}]: {stages}."


@dynamic_prompt
def system_prompt(request: ModelRequest) -> str:
    ctx: TurnContext = request.runtime.context  # type: ignore[assignment]
    return load_prompt("system").render(
        language=LANGUAGE_NAMES[ctx.language], personas=ctx.personas, map_summary=map_summary(ctx)
    )


def build_agent(model: BaseChatModel, checkpointer: Checkpointer | None = None) -> Any:
    """The compiled agent graph; invoke it with `context=TurnContext(...)` and a thread id."""
    return create_agent(
        model,
        build_tools(),
        middleware=[
            system_prompt,
            SummarizationMiddleware(model, trigger=("tokens", 12_000), keep=("messages", 24)),
            # The limit middlewares are typed over their own state; at run time they compose.
            ModelCallLimitMiddleware(run_limit=MODEL_CALLS_PER_TURN, exit_behavior="end"),  # type: ignore[list-item]
            ToolCallLimitMiddleware(run_limit=TOOL_CALLS_PER_TURN, exit_behavior="continue"),  # type: ignore[list-item]
        ],
        response_format=ToolStrategy(DiagnosisAnswer | ChatAnswer, handle_errors=True),
        context_schema=TurnContext,
        checkpointer=checkpointer,
    )
