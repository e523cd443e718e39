"""Choosing the mode at start, and reporting a bad key, URL or model name in one sentence, against a real
HTTP server on loopback that answers like an OpenAI-compatible endpoint."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.agent.providers import check_endpoint, detect_mode
from assistant.cli import app
from assistant.errors import ConfigError
from assistant.settings import load_settings


class Endpoint(BaseHTTPRequestHandler):
    key = "sk-good"
    models = ("llama3.1:8b", "qwen2.5:7b")

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.key}":
            self._reply(
                401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
            )
        elif self.path.rstrip("/").endswith("/models"):
            self._reply(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]})
        else:
            self._reply(404, {"error": {"message": "not found"}})

    def _reply(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_mode_follows_the_settings(tmp_path: Path) -> None:
    assert detect_mode(load_settings(journey_home=tmp_path)).mode == "embedded"
    assert detect_mode(load_settings(journey_home=tmp_path, openai_api_key="sk")).mode == "cloud"
    compatible = detect_mode(
        load_settings(journey_home=tmp_path, openai_base_url="http://127.0.0.1:11434/v1")
    )
    assert compatible.mode == "compatible" and "127.0.0.1:11434" in compatible.label
    script = tmp_path / "s.json"
    script.write_text("[]", encoding="utf-8")
    assert detect_mode(load_settings(journey_home=tmp_path, journey_scripted_model=script)).mode == "scripted"


def test_a_good_endpoint_passes(endpoint: str, tmp_path: Path) -> None:
    check_endpoint(
        load_settings(
            journey_home=tmp_path,
            openai_base_url=endpoint,
            openai_api_key="sk-good",
            openai_model="qwen2.5:7b",
        )
    )


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"openai_api_key": "sk-wrong", "openai_model": "qwen2.5:7b"}, "API key was rejected"),
        (
            {"openai_api_key": "sk-good", "openai_model": "gpt-9"},
            "set OPENAI_MODEL to one of: llama3.1:8b, qwen2.5:7b",
        ),
    ],
)
def test_bad_settings_are_one_sentence_saying_what_to_set(
    endpoint: str, tmp_path: Path, overrides: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says.replace(".", r"\.").replace("(", r"\(")):
        check_endpoint(load_settings(journey_home=tmp_path, openai_base_url=endpoint, **overrides))


def test_an_unreachable_server_names_the_url_to_fix(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ConfigError, match=r"Cannot reach .* check OPENAI_BASE_URL"):
        check_endpoint(load_settings(journey_home=tmp_path, openai_base_url=url))


def test_the_cli_reports_it_at_start_without_a_traceback(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    result = CliRunner().invoke(
        app,
        ["ask", "Which stage underperforms?"],
        env={"JOURNEY_HOME": str(tmp_path), "OPENAI_BASE_URL": url},
    )
    assert result.exit_code == 2
    assert "Cannot reach" in result.output and "Traceback" not in result.output
