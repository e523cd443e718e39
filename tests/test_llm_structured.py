"""Structured generation, the LangChain adapter and the runtime's laziness, without loading a model.

A scripted EmbeddedModel subclass replays answers, so the retry logic and the adapter run for real;
the real model is exercised in test_llm_embedded_model.py (slow).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from assistant.errors import ModelError, ModelOutputError
from assistant.llm.embedded import Completion, EmbeddedModel, LoadState, Message, schema_grammar
from assistant.llm.structured import generate_structured
from assistant.settings import load_settings


class Label(BaseModel):
    stage: Literal["discover", "apply", "repay"]
    sentiment: Literal[-1, 0, 1]
    reason: str = Field(max_length=40)


class ScriptedModel(EmbeddedModel):
    """Replays (text, finish_reason) answers and records every request."""

    def __init__(self, answers: list[tuple[str, str]]) -> None:
        super().__init__(Path("unused.gguf"))
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def chat(self, messages: Sequence[Message], **kwargs: Any) -> Completion:  # type: ignore[override]
        self.requests.append({"messages": list(messages), **kwargs})
        text, finish = self.answers.pop(0)
        return Completion(text, None, finish, 10, 5, 0.5, 20.0, 10.0)


GOOD = '{"stage":"apply","sentiment":-1,"reason":"ID check failed"}'
BAD = '{"stage":"apply","sentiment":-1,"reason":"' + "x" * 60 + '"}'


def test_valid_first_answer_is_returned() -> None:
    model = ScriptedModel([(GOOD, "stop")])
    result = generate_structured(model, [{"role": "user", "content": "label"}], Label, max_tokens=80)
    assert result.value == Label(stage="apply", sentiment=-1, reason="ID check failed")
    assert len(result.attempts) == 1 and result.seconds == 0.5
    request = model.requests[0]
    assert request["json_schema"]["properties"]["stage"]["enum"] == ["discover", "apply", "repay"]
    assert request["compact_json"] is True and request["max_tokens"] == 80


def test_invalid_answer_is_retried_once_with_its_problem() -> None:
    model = ScriptedModel([(BAD, "stop"), (GOOD, "stop")])
    result = generate_structured(model, [{"role": "user", "content": "label"}], Label)
    assert result.value.reason == "ID check failed" and len(result.attempts) == 2
    retry = model.requests[1]["messages"]
    assert retry[1] == {"role": "assistant", "content": BAD}
    assert retry[2]["role"] == "user" and "reason" in retry[2]["content"] and "40" in retry[2]["content"]


def test_two_bad_answers_raise_model_output_error() -> None:
    model = ScriptedModel([(BAD, "stop"), ('{"stage":', "length")])
    with pytest.raises(
        ModelOutputError, match=r"did not produce a valid Label in 2 attempts \(The answer was cut off"
    ):
        generate_structured(model, [{"role": "user", "content": "label"}], Label, max_tokens=8)
    assert "cut off after 8 tokens" not in model.requests[1]["messages"][-1]["content"]  # 1st was a bad value


def test_cut_off_answer_asks_for_a_shorter_one() -> None:
    model = ScriptedModel([('{"stage":"ap', "length"), (GOOD, "stop")])
    generate_structured(model, [{"role": "user", "content": "label"}], Label, max_tokens=8)
    assert "cut off after 8 tokens" in model.requests[1]["messages"][-1]["content"]


def test_compact_grammar_forbids_whitespace() -> None:
    schema = Label.model_json_schema()
    assert '"whitespace_flexible": false' in schema_grammar(schema, compact=True).replace(":false", ": false")
    assert "x-guidance" not in schema_grammar(schema, compact=False)


def test_nothing_loads_or_downloads_before_first_use(journey_home: Path) -> None:
    states: list[LoadState] = []
    model = EmbeddedModel.from_settings(load_settings(), on_state=states.append)
    assert model.state is LoadState.NOT_LOADED and states == [] and not journey_home.exists()

    # Importing the runtime must not import llama.cpp (33 MB native library) or touch the disk.
    code = "import sys, assistant.llm.structured; print('xllamacpp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_failed_load_reports_state_and_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    states: list[LoadState] = []
    model = EmbeddedModel(broken, on_state=states.append)
    with pytest.raises(ModelError, match=r"could not be loaded.*journey model fetch"):
        model.chat([{"role": "user", "content": "hi"}], max_tokens=1)
    assert states == [LoadState.LOADING, LoadState.FAILED] and model.error


def test_one_shared_model_per_configuration(journey_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.llm.embedded import shared_embedded_model

    first = shared_embedded_model(load_settings())
    assert shared_embedded_model(load_settings()) is first
    assert first.state is LoadState.NOT_LOADED
    monkeypatch.setenv("JOURNEY_LLM_THREADS", "2")
    other = shared_embedded_model(load_settings())
    assert other is not first and other.threads == 2


def test_generator_protocol_used_by_the_agent() -> None:
    from assistant.llm.generator import EmbeddedGenerator

    model = ScriptedModel([(BAD, "stop"), (GOOD, "stop")])
    label = EmbeddedGenerator(model).generate("Label feedback.", "The ID check failed.", Label, max_tokens=60)
    assert label.stage == "apply"
    first = model.requests[0]
    assert first["messages"] == [
        {"role": "system", "content": "Label feedback."},
        {"role": "user", "content": "The ID check failed."},
    ]
    assert first["max_tokens"] == 60


def test_map_models_with_keyed_origins_compile_to_a_grammar_llguidance_accepts() -> None:
    """Origins keyed by field name give `propertyNames`, which llguidance does not compile: it is dropped
    (the decoded output is still validated by the model)."""
    import json

    from assistant.domain.map_model import Persona

    schema = Persona.model_json_schema()
    assert "propertyNames" in json.dumps(schema)
    assert "propertyNames" not in schema_grammar(schema, compact=True)
