"""Multi-user safety of the chat app, probed from outside a real `journey app` process with two users
(alice and bob): writes by id across users, the socket's origin, sign-in throttling, sessions that end,
and the smaller items of issue 21. The same probes run on PostgreSQL when one is available."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from app_support import SECRET, USERS, call, users_env

from evals.app_harness import running_server, server_env

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sign_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    response = client.post("/login", data={"username": name, "password": USERS[name]})
    assert response.status_code == 200, response.text
    return client


class LiveChat:
    """A signed-in user's chat socket, as the page opens it (the same cookie and Origin)."""

    def __init__(self, url: str, client: httpx.Client) -> None:
        self.session_id = str(uuid.uuid4())
        self.events: list[tuple[str, Any]] = []
        self.changed = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._event)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        self.sio.connect(
            url,
            socketio_path="/ws/socket.io",
            transports=["websocket"],
            headers={"Cookie": cookie},  # the WebSocket client sends the page's Origin itself
            auth={
                "sessionId": self.session_id,
                "clientType": "webapp",
                "userEnv": "{}",
                "chatProfile": None,
                "threadId": None,
            },
            wait_timeout=20,
        )
        self.sio.emit("connection_successful")
        self.wait_for(lambda: any(e == "set_modes" for e, _ in self.events), 60)  # the chat has started

    def _event(self, event: str, data: Any = None) -> None:
        self.events.append((event, data))
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, done: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not done():
                assert self.changed.wait(max(0.0, deadline - time.monotonic())) or done(), self.events[-5:]

    def say(self, text: str, timeout: float = 120) -> None:
        """Send a message and wait for the assistant's answer to end."""
        message = {
            "id": str(uuid.uuid4()),
            "threadId": "",
            "name": "User",
            "type": "user_message",
            "output": text,
            "createdAt": "2026-01-01T00:00:00Z",
        }
        start = len(self.events)
        self.sio.emit("client_message", {"message": message, "fileReferences": None})

        def answered() -> bool:
            later = self.events[start:]
            kinds = [(e, d.get("type") if isinstance(d, dict) else None) for e, d in later]
            if ("new_message", "assistant_message") not in kinds:
                return False
            first = kinds.index(("new_message", "assistant_message"))
            return any(e == "task_end" for e, _ in kinds[first:])

        self.wait_for(answered, timeout)

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def two_users(tmp_path: Path, database_url: str | None = None) -> Iterator[dict[str, Any]]:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps([call("ChatAnswer", message="Hello alice, nothing is uploaded yet.")]), encoding="utf-8"
    )
    env = server_env(tmp_path / "home", script, users_env(), SECRET)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    with running_server(tmp_path, env) as server:
        alice = sign_in(server.url, "alice")
        alice_chat = LiveChat(server.url, alice)
        alice_chat.say("Hello")
        bob = sign_in(server.url, "bob")
        bob_chat = LiveChat(server.url, bob)
        try:
            yield {
                "server": server,
                "alice": alice,
                "alice_chat": alice_chat,
                "bob": bob,
                "bob_chat": bob_chat,
            }
        finally:
            alice_chat.close()
            bob_chat.close()


class Rows:
    """Reads the chat database directly (to find alice's ids and see that nothing changed)."""

    def __init__(self, home: Path, database_url: str | None = None) -> None:
        self.home = home
        self.database_url = database_url

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        if self.database_url is None:
            with sqlite3.connect(self.home / "app" / "chats.sqlite3") as conn:
                return list(conn.execute(sql.replace("%s", "?"), args))
        import psycopg

        with psycopg.connect(self.database_url) as conn:
            return [tuple(r) for r in conn.execute(sql, args)]

    def thread(self, user: str) -> str:
        rows = self.query('SELECT "id" FROM threads WHERE "userIdentifier" = %s', user)
        assert rows, f"{user} has no thread"
        return str(rows[0][0])

    def step(self, thread: str, kind: str) -> str:
        rows = self.query('SELECT "id" FROM steps WHERE "threadId" = %s AND "type" = %s', thread, kind)
        assert rows, f"no {kind} in {thread}"
        return str(rows[0][0])

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: sorted(map(repr, self.query(f"SELECT * FROM {table}")))  # type: ignore[misc]
            for table in ("threads", "steps", "elements", "feedbacks")
        }


def grid(element_id: str, thread: str, step: str, title: str) -> dict[str, Any]:
    return {
        "id": element_id,
        "type": "custom",
        "threadId": thread,
        "forId": step,
        "name": "MapGrid",
        "display": "inline",
        "props": {"title": title},
    }


def check_writes_across_users(world: dict[str, Any], rows: Rows) -> None:
    alice, bob = world["alice"], world["bob"]
    alice_session, bob_session = world["alice_chat"].session_id, world["bob_chat"].session_id
    thread = rows.thread("alice")
    answer = rows.step(thread, "assistant_message")

    # alice's own writes work: feedback on her answer, a map grid in her thread.
    put = alice.put("/feedback", json={"feedback": {"forId": answer, "value": 1}, "sessionId": alice_session})
    assert put.status_code == 200, put.text
    feedback_id = put.json()["feedbackId"]
    element_id = str(uuid.uuid4())
    own = alice.put(
        "/project/element",
        json={"element": grid(element_id, thread, answer, "Alice's map"), "sessionId": alice_session},
    )
    assert own.status_code == 200 and own.json() == {"success": True}, own.text
    deadline = time.monotonic() + 10
    while not rows.query('SELECT "id" FROM elements WHERE "id" = %s', element_id):
        assert time.monotonic() < deadline, "alice's own element was not stored"
        time.sleep(0.2)
    before = rows.snapshot()

    # bob, with his own live session and alice's ids: every write is refused and changes nothing.
    attempts = [
        (
            "PUT",
            "/feedback",
            {
                "feedback": {"forId": answer, "value": 0, "comment": "written by bob"},
                "sessionId": bob_session,
            },
        ),
        (
            "PUT",
            "/feedback",
            {"feedback": {"forId": answer, "id": feedback_id, "value": 0}, "sessionId": bob_session},
        ),
        ("DELETE", "/feedback", {"feedbackId": feedback_id}),
        (
            "PUT",
            "/project/element",
            {"element": grid(element_id, thread, answer, "INJECTED BY BOB"), "sessionId": bob_session},
        ),
        (
            "PUT",
            "/project/element",
            {"element": grid(str(uuid.uuid4()), thread, answer, "INJECTED BY BOB"), "sessionId": bob_session},
        ),
        (
            "DELETE",
            "/project/element",
            {"element": grid(element_id, thread, answer, "x"), "sessionId": bob_session},
        ),
        (
            "DELETE",
            "/project/element",
            {"element": grid(element_id, str(uuid.uuid4()), answer, "x"), "sessionId": bob_session},
        ),
        (
            "PUT",
            "/project/element",
            {"element": grid(element_id, thread, answer, "x"), "sessionId": alice_session},
        ),
        ("PUT", "/project/thread", {"threadId": thread, "name": "renamed by bob"}),
        ("DELETE", "/project/thread", {"threadId": thread}),
    ]
    for method, path, body in attempts:
        response = bob.request(method, path, json=body)
        assert response.status_code in (401, 403, 404), (method, path, response.status_code, response.text)
    time.sleep(1.0)  # element writes run in the background: give a wrongly accepted one time to land
    assert rows.snapshot() == before
    assert "INJECTED BY BOB" not in json.dumps(alice.get(f"/project/thread/{thread}").json())

    # Malformed and made-up ids are a clear 4xx, not a bare 500.
    for method, path, body in [
        (
            "PUT",
            "/project/element",
            {"element": grid(element_id, thread, answer, "x"), "sessionId": str(uuid.uuid4())},
        ),
        (
            "PUT",
            "/project/element",
            {"element": grid(element_id, thread, answer, "x"), "sessionId": "made-up"},
        ),
        ("PUT", "/feedback", {"feedback": {"forId": "../../x", "value": 1}, "sessionId": bob_session}),
        (
            "PUT",
            "/feedback",
            {"feedback": {"forId": str(uuid.uuid4()), "value": 1}, "sessionId": bob_session},
        ),
        ("DELETE", "/feedback", {"feedbackId": "1 OR 1=1"}),
        ("GET", "/project/thread/not-a-thread", None),
        ("GET", f"/project/thread/{thread}/element/not-an-element", None),
    ]:
        response = bob.request(method, path, json=body)
        assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text)

    # alice can still change and delete her own things.
    assert alice.put("/project/thread", json={"threadId": thread, "name": "Mine"}).status_code == 200
    assert alice.request("DELETE", "/feedback", json={"feedbackId": feedback_id}).status_code == 200
    assert not rows.query('SELECT "id" FROM feedbacks WHERE "id" = %s', feedback_id)
    gone = alice.request(
        "DELETE",
        "/project/element",
        json={"element": grid(element_id, thread, answer, "x"), "sessionId": alice_session},
    )
    assert gone.status_code == 200


def test_writes_across_users_are_refused_and_change_nothing(tmp_path: Path) -> None:
    with two_users(tmp_path) as world:
        check_writes_across_users(world, Rows(world["server"].home))


def test_writes_across_users_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    with two_users(tmp_path, postgres_url) as world:
        check_writes_across_users(world, Rows(world["server"].home, postgres_url))
