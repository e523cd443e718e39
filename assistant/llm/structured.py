"""Schema-constrained generation with one bounded retry, then a clear ModelOutputError.

The grammar guarantees JSON of the schema's shape, but not everything Pydantic checks (bounds written
as validators, cross-field rules), and an answer cut off by max_tokens is not JSON at all. So: generate
under the schema, validate; on failure show the model its answer's problem once and ask again; then stop.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import TypeAdapter, ValidationError

from assistant.errors import ModelOutputError
from assistant.llm.embedded import Completion, Message

T = TypeVar("T")


class ChatBackend(Protocol):
    """What generate_structured needs: EmbeddedModel has it, and so can a scripted fake in tests."""

    def chat(
        self,
        messages: Sequence[Message],
        *,
        json_schema: dict[str, Any] | None = None,
        compact_json: bool = True,
        max_tokens: int = 512,
        temperature: float = 0.0,
    ) -> Completion: ...


class OutputProblem(ValueError):
    """Why one answer was rejected, in words the model can act on."""


@dataclass(frozen=True)
class Structured(Generic[T]):
    """The validated value and every attempt it took (for timing and token accounting)."""

    value: T
    attempts: list[Completion]

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.attempts)


def json_schema_of(output: type[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(output).json_schema()
    return schema


def parse_output(text: str, finish_reason: str, output: type[T], *, max_tokens: int) -> T:
    """Validate one answer; OutputProblem says what was wrong with it."""
    if finish_reason == "length":
        raise OutputProblem(
            f"The answer was cut off after {max_tokens} tokens. Answer again, shorter: fewer items, "
            "fewer words per text."
        )
    try:
        return TypeAdapter(output).validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise OutputProblem(f"The answer did not validate: {problems}. Answer again, fixing this.") from exc


def correction_messages(answer: str, problem: OutputProblem) -> list[Message]:
    """What to append after a rejected answer so the retry can see it and its problem."""
    return [{"role": "assistant", "content": answer}, {"role": "user", "content": str(problem)}]


def generate_structured(
    model: ChatBackend,
    messages: Sequence[Message],
    output: type[T],
    *,
    max_tokens: int = 512,
    temperature: float = 0.0,
    compact_json: bool = True,
    retries: int = 1,
) -> Structured[T]:
    """Generate a value of type `output` (a Pydantic model or any type Pydantic can validate).

    Raises ModelOutputError after `1 + retries` rejected answers.
    """
    schema = json_schema_of(output)
    conversation = list(messages)
    attempts: list[Completion] = []
    last_problem = OutputProblem("no attempt was made")
    for _ in range(1 + retries):
        completion = model.chat(
            conversation,
            json_schema=schema,
            compact_json=compact_json,
            max_tokens=max_tokens,
            temperature=temperature,
        )
        attempts.append(completion)
        try:
            value = parse_output(completion.text, completion.finish_reason, output, max_tokens=max_tokens)
        except OutputProblem as problem:
            conversation += correction_messages(completion.text, problem)
            last_problem = problem
            continue
        return Structured(value, attempts)
    name = getattr(output, "__name__", str(output))
    raise ModelOutputError(
        f"The embedded model did not produce a valid {name} in {len(attempts)} attempts "
        f"({_first_sentence(last_problem)}); try a shorter request, or set OPENAI_API_KEY for a larger model."
    )


def _first_sentence(problem: OutputProblem) -> str:
    return str(problem).split(". ")[0].rstrip(".")


def compact_dump(value: Any) -> str:
    """JSON without spaces, for examples inside prompts (every space is a token the model reads)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
