"""The compatible mode against a real OpenAI-compatible server: llama.cpp's HTTP server (xllamacpp) on a
loopback port, serving the embedded model (Qwen2.5-Coder-1.5B Q4_K_M) with its own chat template
(tool-calling included), and one agent-mode `journey ask` through OPENAI_BASE_URL.

It also measures, with the model's own tokenizer, what the agent sends before any conversation (the
system prompt and the tool schemas) for every tool and for each compact toolset; a small local model is
offered a compact toolset per turn. Slow: the model loads in 5-25 s and reads prompts at 3-17 tokens/s
on this 2-core machine, so one agent turn takes minutes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.agent.agent import COMPACT_TOOLSET, TOOLSETS
from assistant.agent.request_size import agent_request
from assistant.llm.model_files import DEFAULT_MODEL, is_verified

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / ".journey" / "models" / DEFAULT_MODEL.filename
JOURNEY = ROOT / ".venv" / "bin" / "journey"
ALIAS = "qwen2.5-coder-1.5b-instruct"
CONTEXT = 8192
COMPACT_BUDGET = 3000
"""Tokens a compact toolset's request may take: under 40 % of an 8k context, leaving room for the
conversation and tool results."""


class LlamaServer:
    """llama.cpp's OpenAI-compatible server in this process, on 127.0.0.1, behind a random API key."""

    def __init__(self, model: Path, context: int = CONTEXT) -> None:
        import xllamacpp

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.key = secrets.token_hex(16)
        params = xllamacpp.CommonParams()
        params.model.path = str(model)
        params.model_alias = ALIAS
        params.n_ctx = context
        params.n_parallel = 1
        params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
        params.verbosity = 1
        params.use_jinja = True  # the model's own chat template, with its tool-calling format
        params.ui = False
        params.endpoint_metrics = True
        params.cache_ram_mib = 256
        params.api_keys = [self.key]
        params.hostnames = ["127.0.0.1"]
        params.port = self.port
        started = time.perf_counter()
        self.server: Any = xllamacpp.Server(params)
        self.server.handle_metrics()  # the task loop is running: closing is safe from here on
        self.load_seconds = time.perf_counter() - started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def post(self, path: str, body: dict[str, Any], timeout: float = 120) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def model_name(self) -> str:
        """The name the server lists its model under (llama.cpp decides it from the alias or the file)."""
        request = urllib.request.Request(
            self.url + "/v1/models", headers={"Authorization": f"Bearer {self.key}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["data"][0]["id"])

    def metrics(self) -> dict[str, float]:
        request = urllib.request.Request(
            self.url + "/metrics", headers={"Authorization": f"Bearer {self.key}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
        found = re.findall(r"^llamacpp:(\w+) ([0-9.e+-]+)$", text, re.M)
        return {name: float(value) for name, value in found}

    def request_tokens(self, toolset: frozenset[str] | None) -> int:
        """Tokens of the agent's request as the model reads it: rendered by the chat template, tools
        included, then tokenized."""
        request = agent_request(toolset)
        rendered = self.post(
            "/apply-template",
            {"messages": [{"role": "system", "content": request.system}], "tools": request.tools},
        )["prompt"]
        return len(self.post("/tokenize", {"content": rendered})["tokens"])

    def close(self) -> None:
        server, self.server = self.server, None
        del server


@pytest.fixture(scope="module")
def llama() -> Iterator[LlamaServer]:
    if not is_verified(MODEL_PATH, DEFAULT_MODEL):
        message = f"the embedded model is not at {MODEL_PATH}: run `bash tests/setup.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = LlamaServer(MODEL_PATH)
    yield server
    server.close()


def test_the_agent_request_is_measured_and_kept_compact(llama: LlamaServer) -> None:
    sizes = {"all tools": llama.request_tokens(None), "compact": llama.request_tokens(COMPACT_TOOLSET)}
    sizes |= {name: llama.request_tokens(tools) for name, tools in TOOLSETS.items()}
    print("agent request tokens:", json.dumps(sizes))
    assert sizes["all tools"] > CONTEXT  # every tool's schema does not even fit a small model's context
    assert sizes["compact"] <= COMPACT_BUDGET and sizes["compact"] * 4 < sizes["all tools"]
    assert all(
        sizes[name] <= COMPACT_BUDGET for name in ("diagnosis", "ideas", "search", "export", "personas")
    )
    # The drafting tools measured 8,660 when every map field's origin was described in full six times and
    # the personas' tool came along; with the map's schema compacted (origins described once, no caps,
    # defaults or nulls: request_size.compact_schema) and personas apart, they fit an 8k context with room
    # for the drafting material (reference journey and notes, at most 2,400 characters on a local server).
    assert sizes["drafting"] <= 6_000
    # Known gap: map editing's one tool carries the schema of every operation (measured 10,737 tokens with
    # the answer schemas): a local model needs a 16k context to edit maps.
    assert sorted(name for name, n in sizes.items() if n > CONTEXT) == ["all tools", "editing"]


def _journey(home: Path, env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    cmd = (
        [str(JOURNEY)]
        if JOURNEY.exists()
        else [sys.executable, "-c", "from assistant.cli import app; app(prog_name='journey')"]
    )
    return subprocess.run(
        [*cmd, *args],
        cwd=home.parent,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


@pytest.mark.skipif(
    os.environ.get("JOURNEY_TEST_SERVER_TURN") != "1",
    reason="One agent turn through the local server takes 30+ minutes on 2 cores with the 1.5B model and does "
    "not finish (see the xfail below); run it with JOURNEY_TEST_SERVER_TURN=1.",
)
@pytest.mark.xfail(
    strict=False,
    reason="Measured 2026-12-06 at load 12-13 on 2 cores: the server read the compact request (2,616 "
    "prompt tokens) and the 1.5B model then generated 4,120 tokens without a tool call or an end until "
    "the 1,800 s timeout; the turn ended with the provider-failure message. A bigger model (7B) and a "
    "max_tokens cap are needed for the agent on a local server.",
)
def test_one_agent_turn_through_openai_base_url(llama: LlamaServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_"))}
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", PYTHONIOENCODING="utf-8")
    feedback = ROOT / "knowledge" / "feedback" / "shop-feedback-en.csv"
    done = _journey(home, env, "ingest", str(feedback), "--source", "shop", timeout=300)
    assert done.returncode == 0, done.stderr
    env.update(
        OPENAI_BASE_URL=llama.url + "/v1",
        OPENAI_API_KEY=llama.key,
        OPENAI_MODEL=llama.model_name(),
        OPENAI_TIMEOUT="1800",
        OPENAI_MAX_RETRIES="0",
    )
    before = llama.metrics()
    started = time.perf_counter()
    done = _journey(
        home,
        env,
        "ask",
        "How many feedback rows are stored, and from which channels?",
        "--json",
        timeout=3000,
    )
    seconds = time.perf_counter() - started
    after = llama.metrics()
    prompt_tokens = after.get("prompt_tokens_total", 0) - before.get("prompt_tokens_total", 0)
    generated = after.get("tokens_predicted_total", 0) - before.get("tokens_predicted_total", 0)
    print(f"agent turn: {seconds:.0f} s, {prompt_tokens:.0f} prompt tokens read, {generated:.0f} generated")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["mode"]["mode"] == "compatible", result["mode"]
    assert prompt_tokens > 0  # the answer came from the server, not from a fallback
    tools = [e.get("name") for e in result["tools"]]
    print("tools called:", tools, "answer:", result["answer"]["text"][:300])
    text = result["answer"]["text"]
    assert text.strip() and "did not answer" not in text, text  # a model's answer, not the failure note
