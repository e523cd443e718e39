"""A LangChain chat model over the embedded model, so the pipeline can use LangChain's interfaces.

It answers plain chat and `with_structured_output(...)` (through a schema grammar, with the same bounded
retry as structured.py). It does not call tools: the embedded mode runs a fixed pipeline because a 1.5B
model picks tools unreliably, so `bind_tools` says so instead of failing later in an agent loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import ModelOutputError
from assistant.llm.embedded import EmbeddedModel, Message
from assistant.llm.structured import OutputProblem, json_schema_of, parse_output


def to_chat_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    """LangChain messages as the role/content dicts llama.cpp's chat template expects."""
    converted: list[Message] = []
    for message in messages:
        if isinstance(message, SystemMessage):
            role = "system"
        elif isinstance(message, HumanMessage):
            role = "user"
        elif isinstance(message, AIMessage):
            role = "assistant"
        elif isinstance(message, ChatMessage):
            role = message.role
        elif isinstance(message, ToolMessage):
            raise NotImplementedError(
                "The embedded model does not call tools, so it cannot read tool results."
            )
        else:
            raise TypeError(f"Unsupported message type for the embedded model: {type(message).__name__}")
        converted.append({"role": role, "content": message.text})
    return converted


class EmbeddedChatModel(BaseChatModel):
    """`BaseChatModel` over an EmbeddedModel. Extra call arguments: json_schema, compact_json, max_tokens."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: EmbeddedModel = Field(exclude=True)
    max_tokens: int = 512
    temperature: float = 0.0
    compact_json: bool = True

    @property
    def _llm_type(self) -> str:
        return "journey-embedded-llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": str(self.model.path) if self.model.path else None,
            "threads": self.model.threads,
            "context_tokens": self.model.context_tokens,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        completion = self.model.chat(
            to_chat_messages(messages),
            json_schema=kwargs.get("json_schema"),
            compact_json=kwargs.get("compact_json", self.compact_json),
            max_tokens=kwargs.get("max_tokens", self.max_tokens),
            temperature=kwargs.get("temperature", self.temperature),
            stop=stop,
        )
        message = AIMessage(
            content=completion.text,
            usage_metadata={
                "input_tokens": completion.prompt_tokens,
                "output_tokens": completion.completion_tokens,
                "total_tokens": completion.prompt_tokens + completion.completion_tokens,
            },
            response_metadata={
                "model_name": self.model.path.name if self.model.path else "embedded",
                "finish_reason": completion.finish_reason,
                "seconds": round(completion.seconds, 3),
                "tokens_per_s": round(completion.tokens_per_s, 2),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        raise NotImplementedError(
            "The embedded model runs the fixed pipeline and does not call tools; "
            "set OPENAI_API_KEY or OPENAI_BASE_URL to use the tool-calling agent."
        )

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        include_raw: bool = False,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Answers constrained to `schema` (a Pydantic class, any Pydantic-validatable type, or a JSON
        Schema dict), validated, retried once with the validation error, then ModelOutputError.

        `method`/`strict` are accepted for compatibility and ignored: a grammar is always used.
        """
        kwargs.pop("method", None)
        kwargs.pop("strict", None)
        if kwargs:
            raise ValueError(f"Unsupported arguments: {sorted(kwargs)}")
        output: type[Any] = schema if isinstance(schema, type) else dict
        json_schema = json_schema_of(schema) if isinstance(schema, type) else schema
        name = getattr(schema, "__name__", None) or str(schema.get("title", "output"))  # type: ignore[union-attr]
        retries = 1

        def run(value: LanguageModelInput, config: RunnableConfig) -> Any:
            conversation = self._convert_input(value).to_messages()
            raw: BaseMessage | None = None
            problem: OutputProblem | None = None
            for _ in range(1 + retries):
                raw = self.invoke(conversation, config, json_schema=json_schema)
                finish = str(raw.response_metadata.get("finish_reason", "stop"))
                try:
                    parsed = parse_output(raw.text, finish, output, max_tokens=self.max_tokens)
                except OutputProblem as exc:
                    problem = exc
                    conversation = [*conversation, raw, HumanMessage(str(exc))]
                    continue
                return {"raw": raw, "parsed": parsed, "parsing_error": None} if include_raw else parsed
            error = ModelOutputError(
                f"The embedded model did not produce a valid {name} in {1 + retries} attempts ({problem})"
            )
            if include_raw:
                return {"raw": raw, "parsed": None, "parsing_error": error}
            raise error

        return RunnableLambda(run, name=f"EmbeddedStructuredOutput[{name}]")
