"""An OpenAI-compatible stub server that plays a scenario's script, to check the openai mode offline.

`journey eval --model openai` talks to a real endpoint through ChatOpenAI: start-up checks, HTTP,
tool-call JSON, token usage from the response, the conversation read back from the checkpointer. With
no key on a machine, this stub stands in for the endpoint: it answers /v1/models and
/v1/chat/completions on 127.0.0.1 with the scripted analyst's replies (the same templates and
answer builders), so the whole openai path runs without a model. It says nothing about a real model's
quality; only a real endpoint does.

    with StubServer(scenario) as url:   # OPENAI_BASE_URL=url, OPENAI_MODEL=StubServer.MODEL
        ...
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from evals.journey_eval.analyst import ScriptedAnalyst, count_tokens
from evals.journey_eval.scenario import Scenario
from evals.journey_eval.templates import TurnResults


def to_langchain(messages: list[dict[str, Any]]) -> list[BaseMessage]:
    """OpenAI chat messages as LangChain messages (tool results keep their tool's name)."""
    names: dict[str, str] = {}
    out: list[BaseMessage] = []
    for m in messages:
        content = m.get("content") or ""
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        role = m.get("role")
        if role in ("system", "developer"):
            out.append(SystemMessage(content))
        elif role == "user":
            out.append(HumanMessage(content))
        elif role == "assistant":
            calls = []
            for c in m.get("tool_calls") or []:
                names[c["id"]] = c["function"]["name"]
                calls.append(
                    {
                        "name": c["function"]["name"],
                        "args": json.loads(c["function"]["arguments"] or "{}"),
                        "id": c["id"],
                    }
                )
            out.append(AIMessage(content=content, tool_calls=calls))
        elif role == "tool":
            out.append(
                ToolMessage(content, tool_call_id=m["tool_call_id"], name=names.get(m["tool_call_id"], ""))
            )
    return out


class StubServer:
    MODEL = "scripted-stub"

    def __init__(self, scenario: Scenario) -> None:
        self.replies = [r for t in scenario.turns for r in t.script or []]
        self.served = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if self.served >= len(self.replies):
                raise IndexError("the script ran out")
            n, reply = self.served, self.replies[self.served]
            self.served += 1
        messages = to_langchain(body.get("messages", []))
        message = ScriptedAnalyst._reply(reply, TurnResults.from_messages(messages), n)
        prompt = count_tokens(json.dumps(body.get("messages", []), ensure_ascii=False)) + count_tokens(
            json.dumps(body.get("tools", []), ensure_ascii=False)
        )
        calls = [
            {
                "id": c["id"],
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["args"], ensure_ascii=False)},
            }
            for c in message.tool_calls
        ]
        completion = count_tokens(
            str(message.content) + json.dumps([c["function"] for c in calls], ensure_ascii=False)
        )
        return {
            "id": f"stub-{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": message.content or None,
                        **({"tool_calls": calls} if calls else {}),
                    },
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _send(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(
                        200,
                        {
                            "object": "list",
                            "data": [{"id": StubServer.MODEL, "object": "model", "owned_by": "stub"}],
                        },
                    )
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                try:
                    self._send(200, stub.complete(body))
                except Exception as exc:  # the client sees a server error, as with a real endpoint
                    self._send(500, {"error": {"message": f"{type(exc).__name__}: {exc}"}})

        return Handler
