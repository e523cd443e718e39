"""The shapes the agent must end a turn with (structured output), and how they become text.

A diagnosis answer is a list of claims, each with the numbers it states, the rows behind them and
the ids of the quotes that support it. The quotes themselves are filled in from the store by id, so
the text the user reads quotes customers verbatim whatever the model copied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.analysis.render import shorten

Short = Annotated[str, Field(max_length=2000)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Claim(_Answer):
    statement: Short
    """A finding with the tool's numbers (shares as %)."""
    based_on_rows: Annotated[int, Field(ge=0)]
    """The tool's n behind it."""
    quote_ids: Annotated[list[str], Field(max_length=5)] = []
    """Ids of quotes from the tool results."""


class IdeaClaim(_Answer):
    idea: Short
    expected_effect: Short
    """As computed by the tool."""
    kpi: Short


class DiagnosisAnswer(_Answer):
    """The answer to a question about why a stage underperforms."""

    kind: Literal["diagnosis"] = "diagnosis"
    summary: Short
    """Which stage, by how much, against what, how sure."""
    claims: Annotated[list[Claim], Field(max_length=8)]
    """The pain themes behind it."""
    counter_evidence: Annotated[list[Claim], Field(max_length=5)] = []
    ideas: Annotated[list[IdeaClaim], Field(max_length=5)] = []
    caveats: Annotated[list[Short], Field(max_length=6)] = []


class ChatAnswer(_Answer):
    """Any other answer."""

    kind: Literal["chat"] = "chat"
    message: Annotated[str, Field(min_length=1, max_length=6000)]


AgentAnswer = DiagnosisAnswer | ChatAnswer

HEADINGS = {
    "en": {
        "why": "Why",
        "counter": "Counter-evidence",
        "ideas": "Ideas",
        "caveats": "Caveats",
        "rows": "rows",
    },
    "ko": {
        "why": "원인",
        "counter": "반대 근거",
        "ideas": "개선 아이디어",
        "caveats": "유의할 점",
        "rows": "건",
    },
}


def render(answer: AgentAnswer, language: Literal["en", "ko"], stored: Mapping[str, str]) -> str:
    """Markdown for the user; each quote id becomes the stored text, verbatim, with its id."""
    if isinstance(answer, ChatAnswer):
        return answer.message
    h = HEADINGS[language]

    def claim_lines(claims: list[Claim]) -> list[str]:
        out = []
        for c in claims:
            out.append(f"- {c.statement} ({c.based_on_rows} {h['rows']})")
            for qid in c.quote_ids[:2]:
                if qid in stored:
                    out.append(f"  - “{shorten(stored[qid])}” [{qid}]")
        return out

    parts = [answer.summary]
    if answer.claims:
        parts.append(f"**{h['why']}**\n" + "\n".join(claim_lines(answer.claims)))
    if answer.counter_evidence:
        parts.append(f"**{h['counter']}**\n" + "\n".join(claim_lines(answer.counter_evidence)))
    if answer.ideas:
        parts.append(
            f"**{h['ideas']}**\n"
            + "\n".join(f"- {i.idea} — {i.expected_effect} (KPI: {i.kpi})" for i in answer.ideas)
        )
    if answer.caveats:
        parts.append(f"**{h['caveats']}**\n" + "\n".join(f"- {c}" for c in answer.caveats))
    return "\n\n".join(parts)


def quote_ids(answer: AgentAnswer) -> list[str]:
    if isinstance(answer, ChatAnswer):
        return []
    return [q for c in [*answer.claims, *answer.counter_evidence] for q in c.quote_ids]
