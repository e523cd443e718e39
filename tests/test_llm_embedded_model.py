"""The real embedded model (Qwen2.5-Coder-1.5B Q4_K_M), loaded once for this module. Few, short generations.

tests/setup.sh fetches the model into `<repo>/.journey/models` once; these tests read it from there
without network. Outside CI they are skipped when it is missing; in CI a missing model is a failure.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from assistant.errors import ModelError
from assistant.llm.embedded import EmbeddedModel, LoadState
from assistant.llm.model_files import DEFAULT_MODEL, is_verified
from assistant.llm.structured import generate_structured

pytestmark = pytest.mark.slow

MODEL_PATH = Path(__file__).resolve().parent.parent / ".journey" / "models" / DEFAULT_MODEL.filename
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def model() -> Iterator[EmbeddedModel]:
    if not is_verified(MODEL_PATH, DEFAULT_MODEL):
        message = f"the embedded model is not at {MODEL_PATH}: run `bash tests/setup.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    states: list[LoadState] = []
    embedded = EmbeddedModel(MODEL_PATH, threads=1, context_tokens=2048, on_state=states.append)
    embedded.load()
    assert states == [LoadState.LOADING, LoadState.READY]
    yield embedded
    embedded.close()
    assert embedded.state is LoadState.CLOSED


class Feedback(BaseModel):
    stage: Literal["discover", "apply", "approve", "repay"]
    sentiment: Literal[-1, 0, 1]
    reason: str = Field(min_length=3, max_length=60)


def test_english_json_under_a_schema_with_enums(model: EmbeddedModel) -> None:
    result = generate_structured(
        model,
        [
            {"role": "system", "content": "Label customer feedback about a loan app. Answer with JSON."},
            {"role": "user", "content": "Feedback: 'The ID check failed three times while applying.'"},
        ],
        Feedback,
        max_tokens=60,
    )
    assert isinstance(result.value, Feedback)
    first = result.attempts[0]
    assert first.prompt_tokens > 10 and first.completion_tokens > 5 and first.tokens_per_s > 0
    assert "\n" not in first.text and ", " not in first.text  # compact JSON: no whitespace tokens


class Step(BaseModel):
    action: str = Field(min_length=2, max_length=30)
    emotion: Literal[-2, -1, 0, 1, 2]


class StageDraft(BaseModel):
    name: str = Field(min_length=2, max_length=20)
    steps: list[Step] = Field(min_length=2, max_length=2)


def test_korean_json_under_a_schema(model: EmbeddedModel) -> None:
    result = generate_structured(
        model,
        [
            {
                "role": "system",
                "content": "당신은 고객 여정 지도를 작성합니다. JSON으로만 답하고, 모든 텍스트는 한국어로 쓰세요.",
            },
            {"role": "user", "content": "대출 앱의 '신청' 단계를 단계 이름과 고객 행동 2개로 작성하세요."},
        ],
        StageDraft,
        max_tokens=120,
    )
    draft = result.value
    assert isinstance(draft, StageDraft)
    assert HANGUL.search(draft.name + "".join(s.action for s in draft.steps))


def test_no_tcp_listener_and_one_generation_at_a_time(model: EmbeddedModel) -> None:
    # llama.cpp's HTTP listener was bound to a Unix socket whose file is already deleted.
    assert not _tcp_listening_inodes() & _own_socket_inodes()
    answers: list[str] = []

    def ask(word: str) -> None:
        answers.append(model.chat([{"role": "user", "content": f"Repeat: {word}"}], max_tokens=4).text)

    threads = [threading.Thread(target=ask, args=(w,)) for w in ("apple", "river")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 2 and all(answers)

    with pytest.raises(ModelError, match=r"too long for the embedded model.*JOURNEY_LLM_CONTEXT"):
        model.chat([{"role": "user", "content": "word " * 3000}], max_tokens=1)


def _own_socket_inodes() -> set[str]:
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _tcp_listening_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                inodes.add(fields[9])
    return inodes
