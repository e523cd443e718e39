"""Multi-user safety of the chat app, probed from outside a real `journey app` process with two users
(alice and bob): writes by id across users, the socket's origin, sign-in throttling, sessions that end,
and the smaller items of issue 21. The same probes run on PostgreSQL when one is available."""

from __future__ import annotations

import hashlib
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


# --- the data layer on its own: every write checked against the acting user ----------------------------------


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_data_layer_refuses_writes_to_what_another_user_owns(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    import asyncio

    from chainlit.element import CustomElement
    from chainlit.types import Feedback
    from chainlit.user import User

    from assistant.chat_app.persistence import ACTOR, JourneyDataLayer, NotOwner, database_urls, ensure_schema
    from assistant.chat_app.storage import LocalStorageClient

    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    async_url, sync_url = database_urls(url, tmp_path)
    ensure_schema(sync_url)

    async def scenario() -> None:
        layer = JourneyDataLayer(async_url, LocalStorageClient(tmp_path / "files", b"k", 60))
        alice = await layer.create_user(User(identifier="alice"))
        bob = await layer.create_user(User(identifier="bob"))
        assert alice is not None and bob is not None
        thread, step, element = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        token = ACTOR.set("alice")
        await layer.update_thread(thread, name="Alice's chat", user_id=alice.id)
        await layer.create_step.__wrapped__(  # type: ignore[attr-defined]
            layer,
            {"id": step, "threadId": thread, "name": "a", "type": "assistant_message", "streaming": False},
        )
        mine = CustomElement(id=element, thread_id=thread, for_id=step, name="MapGrid", props={"title": "A"})
        await layer.create_element.__wrapped__(layer, mine)  # type: ignore[attr-defined]
        feedback = await layer.upsert_feedback(Feedback(forId=step, value=1, threadId=thread))
        ACTOR.reset(token)

        async def rows() -> list[Any]:
            return [
                await layer.execute_sql(f'SELECT * FROM {table} ORDER BY "id"', {})
                for table in ("threads", "steps", "elements", "feedbacks")
            ]

        before = await rows()
        token = ACTOR.set("bob")
        theirs = CustomElement(
            id=element, thread_id=thread, for_id=step, name="MapGrid", props={"title": "BOB"}
        )
        own_thread = str(uuid.uuid4())
        attempts = [
            layer.update_thread(thread, name="bob's now"),
            layer.update_thread(thread, metadata={"x": 1}),
            layer.update_thread(own_thread, user_id=alice.id),  # giving a new thread to someone else
            layer.delete_thread(thread),
            layer.create_step.__wrapped__(  # type: ignore[attr-defined]
                layer,
                {"id": step, "threadId": own_thread, "name": "b", "type": "user_message", "streaming": False},
            ),
            layer.create_step.__wrapped__(  # type: ignore[attr-defined]
                layer,
                {
                    "id": str(uuid.uuid4()),
                    "threadId": thread,
                    "name": "b",
                    "type": "user_message",
                    "streaming": False,
                },
            ),
            layer.delete_step.__wrapped__(layer, step),  # type: ignore[attr-defined]
            layer.create_element.__wrapped__(layer, theirs),  # type: ignore[attr-defined]
            layer.delete_element.__wrapped__(layer, element, own_thread),  # type: ignore[attr-defined]
            layer.upsert_feedback(Feedback(forId=step, value=0, comment="written by bob")),
            layer.upsert_feedback(Feedback(forId=step, value=0, id=feedback)),
            layer.delete_feedback(feedback),
        ]
        for attempt in attempts:
            with pytest.raises(NotOwner):
                await attempt
        ACTOR.reset(token)
        assert await rows() == before
        token = ACTOR.set("alice")
        await layer.update_thread(thread, name="Still mine")
        assert await layer.delete_feedback(feedback)
        await layer.delete_thread(thread)
        ACTOR.reset(token)
        await layer.engine.dispose()

    asyncio.run(scenario())


# --- one team server for the rest: origins, throttling, sessions, uploads, files ----------------------------

TEAM = {"alice": USERS["alice"], "bob": USERS["bob"], "carol": "carol-pass-3", "dave": "dave-pass-4"}


def users_file(path: Path, users: dict[str, str]) -> None:
    path.write_text(
        "".join(f"{name}:sha256:{hashlib.sha256(pw.encode()).hexdigest()}\n" for name, pw in users.items())
    )


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    work = tmp_path_factory.mktemp("team")
    script = work / "script.json"
    script.write_text(json.dumps([call("ChatAnswer", message="Hello.")]), encoding="utf-8")
    users = work / "users.txt"
    users_file(users, TEAM)
    env = server_env(work / "home", script, None)
    env.update({"JOURNEY_USERS_FILE": str(users), "CHAINLIT_AUTH_SECRET": SECRET})
    with running_server(work, env) as server:
        yield {"server": server, "users": users}


def team_sign_in(url: str, name: str, password: str | None = None) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    response = client.post("/login", data={"username": name, "password": password or TEAM[name]})
    assert response.status_code == 200, response.text
    return client


def test_the_socket_and_writes_trust_only_the_apps_own_origin(team: dict[str, Any]) -> None:
    import websocket

    server = team["server"]
    alice = team_sign_in(server.url, "alice")
    port = server.url.rsplit(":", 1)[1]
    handshake = "/ws/socket.io/?EIO=4&transport=polling"
    for origin in (server.url, f"http://localhost:{port}"):
        assert alice.get(handshake, headers={"Origin": origin}).status_code == 200
    for origin in ("http://localhost:9911", "http://127.0.0.1:9911", "https://evil.example", "null"):
        assert alice.get(handshake, headers={"Origin": origin}).status_code == 403, origin
    # The WebSocket upgrade from another page is refused too.
    cookie = "; ".join(f"{k}={v}" for k, v in alice.cookies.items())
    ws_url = server.url.replace("http://", "ws://") + "/ws/socket.io/?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url, origin="http://localhost:9911", cookie=cookie, timeout=10)
    own = websocket.create_connection(ws_url, origin=server.url, cookie=cookie, timeout=10)
    own.close()
    # A form posted from another page (same site, other port) changes nothing.
    refused = alice.post("/logout", headers={"Origin": "http://localhost:9911"})
    assert refused.status_code == 403
    assert alice.get("/user").status_code == 200
    # The login cookie is SameSite=Lax, HttpOnly; Secure when the request came over HTTPS (a proxy says so).
    plain = httpx.post(server.url + "/login", data={"username": "alice", "password": TEAM["alice"]})
    cookie_line = plain.headers["set-cookie"].lower()
    assert "samesite=lax" in cookie_line and "httponly" in cookie_line and "secure" not in cookie_line
    https = httpx.post(
        server.url + "/login",
        data={"username": "alice", "password": TEAM["alice"]},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "secure" in https.headers["set-cookie"].lower()


def test_sign_in_is_throttled_without_a_long_lock_out(team: dict[str, Any]) -> None:
    server = team["server"]
    statuses, waits = [], []
    for _ in range(7):
        response = httpx.post(server.url + "/login", data={"username": "carol", "password": "guess"})
        statuses.append(response.status_code)
        waits.append(response.headers.get("retry-after"))
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    first = int(waits[5])
    assert 1 <= first <= 60
    time.sleep(first + 0.2)
    assert (
        httpx.post(server.url + "/login", data={"username": "carol", "password": "guess"}).status_code == 401
    )
    again = httpx.post(server.url + "/login", data={"username": "carol", "password": "guess"})
    assert again.status_code == 429 and int(again.headers["retry-after"]) > first  # the wait grows
    # Even the right password waits while the wait lasts, then works.
    right = httpx.post(server.url + "/login", data={"username": "carol", "password": TEAM["carol"]})
    assert right.status_code == 429
    time.sleep(int(right.headers["retry-after"]) + 0.2)
    assert (
        httpx.post(server.url + "/login", data={"username": "carol", "password": TEAM["carol"]}).status_code
        == 200
    )
    # Other users are not slowed by carol's guesser; failures are logged without the password.
    team_sign_in(server.url, "bob")
    log = server.log_text()
    assert "sign-in failed for 'carol'" in log and "guess" not in log


def test_sign_out_ends_the_session_everywhere(team: dict[str, Any]) -> None:
    server = team["server"]
    alice = team_sign_in(server.url, "alice")
    token = alice.cookies["access_token"]
    assert alice.get("/user").status_code == 200
    chat = LiveChat(server.url, alice)
    assert alice.post("/logout").status_code == 200
    assert httpx.get(server.url + "/user", cookies={"access_token": token}).status_code == 401
    assert httpx.get(server.url + "/user", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    deadline = time.monotonic() + 10
    while chat.sio.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not chat.sio.connected, "the chat socket of the ended session stays open"
    with pytest.raises(socketio.exceptions.ConnectionError):
        LiveChat(server.url, httpx.Client(base_url=server.url, cookies={"access_token": token}))
    # The token's lifetime is the session's (12 hours by default), not Chainlit's 15 days.
    fresh = httpx.post(server.url + "/login", data={"username": "alice", "password": TEAM["alice"]})
    assert "max-age=43200" in fresh.headers["set-cookie"].lower()


def test_a_password_change_or_removal_ends_the_users_sessions(team: dict[str, Any]) -> None:
    server = team["server"]
    bob = team_sign_in(server.url, "bob")
    dave = team_sign_in(server.url, "dave")
    alice = team_sign_in(server.url, "alice")
    changed = {**TEAM, "bob": "bob-new-pass"}
    del changed["dave"]
    users_file(team["users"], changed)
    try:
        assert bob.get("/user").status_code == 401
        assert dave.get("/user").status_code == 401
        assert alice.get("/user").status_code == 200
        team_sign_in(server.url, "bob", "bob-new-pass")
        assert (
            httpx.post(server.url + "/login", data={"username": "dave", "password": TEAM["dave"]}).status_code
            == 401
        )
    finally:
        users_file(team["users"], TEAM)


def test_uploads_stop_at_the_limit_without_being_read_whole(team: dict[str, Any]) -> None:
    import socket

    server = team["server"]
    alice = team_sign_in(server.url, "alice")
    cookie = "; ".join(f"{k}={v}" for k, v in alice.cookies.items())
    host, port = "127.0.0.1", int(server.url.rsplit(":", 1)[1])

    def rss_mb() -> float:
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    # A declared size over the limit is refused before the body is read.
    with socket.create_connection((host, port)) as s:
        s.sendall(
            b"POST /project/file?session_id=" + str(uuid.uuid4()).encode() + b" HTTP/1.1\r\nHost: x\r\n"
            b"Cookie: " + cookie.encode() + b"\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 314572800\r\n\r\n--b\r\n"
        )
        assert s.recv(200).startswith(b"HTTP/1.1 413")
    # A body streamed without a declared size is counted as it arrives and stopped at the limit.
    before = rss_mb()
    sent = 0
    with socket.create_connection((host, port)) as s:
        s.sendall(
            b"POST /project/file?session_id=" + str(uuid.uuid4()).encode() + b" HTTP/1.1\r\nHost: x\r\n"
            b"Cookie: " + cookie.encode() + b"\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
        s.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
        chunk = b"a,b\n" * (256 * 1024)  # 1 MB
        reply = b""
        s.settimeout(0.5)
        try:
            while sent < 300 * 1024 * 1024:
                s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
                try:
                    reply = s.recv(200)
                except TimeoutError:
                    continue
                break
        except OSError:
            pass  # the server closed the connection after refusing
        if not reply:
            s.settimeout(5)
            try:
                reply = s.recv(200)
            except OSError:
                reply = b""
    assert reply.startswith(b"HTTP/1.1 413"), reply
    assert sent < 40 * 1024 * 1024, f"{sent / 2**20:.0f} MB were sent before the refusal"
    assert rss_mb() - before < 60


def test_files_are_private_docs_off_and_live_files_sandboxed_downloads(team: dict[str, Any]) -> None:
    import stat

    server = team["server"]
    home = server.home
    for path in [home, *home.joinpath("app").rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"
    bob = team_sign_in(server.url, "bob")
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert bob.get(path).status_code == 404
    chat = LiveChat(server.url, bob)
    try:
        page = "<html><body><script>alert(1)</script></body></html>"
        uploaded = bob.post(
            f"/project/file?session_id={chat.session_id}",
            files={"file": ("report.csv", page.encode(), "text/csv")},
        )
        assert uploaded.status_code == 200, uploaded.text
        file_id = uploaded.json()["id"]
        served = bob.get(f"/project/file/{file_id}?session_id={chat.session_id}")
        assert served.status_code == 200
        assert served.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in served.headers["content-security-policy"]
        assert served.headers["content-disposition"].startswith("attachment")
        # A made-up session id is a clear 4xx.
        made_up = bob.put(
            "/project/element",
            json={
                "element": grid(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()), "x"),
                "sessionId": str(uuid.uuid4()),
            },
        )
        assert made_up.status_code == 404
    finally:
        chat.close()


def test_sessions_end_when_their_lifetime_is_over(tmp_path: Path) -> None:
    env = server_env(tmp_path / "home", None, users_env(), SECRET)
    env["JOURNEY_SESSION_HOURS"] = "0.001"  # 3.6 seconds
    with running_server(tmp_path, env) as server:
        alice = sign_in(server.url, "alice")
        assert alice.get("/user").status_code == 200
        time.sleep(4.5)
        assert alice.get("/user").status_code == 401
        assert sign_in(server.url, "alice").get("/user").status_code == 200


# --- units ----------------------------------------------------------------------------------------------------


def test_the_throttle_waits_grow_and_are_capped() -> None:
    from assistant.chat_app.sessions import LoginThrottle

    throttle = LoginThrottle()
    now = 1000.0
    waits = []
    for _ in range(20):
        now += throttle.wait("alice", "10.0.0.1", now) + 0.01
        _, wait = throttle.failed("alice", "10.0.0.1", now)
        waits.append(wait)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:10] == sorted(waits[4:10]) and waits[5] > waits[4]
    assert max(waits) <= 120
    assert throttle.wait("alice", "10.0.0.2", now) <= 30  # from elsewhere alice waits 30 s at most
    assert throttle.wait("bob", "10.0.0.3", now) == 0
    throttle.succeeded("alice", "10.0.0.1")
    assert throttle.wait("alice", "10.0.0.9", now) == 0


def test_stored_names_are_reduced_to_safe_characters(tmp_path: Path) -> None:
    import asyncio

    from assistant.chat_app.storage import LocalStorageClient, safe_name

    storage = LocalStorageClient(tmp_path, b"k", 60)
    stored = asyncio.run(storage.upload_file("u-1/e-1/../../evil;$(touch x)….csv", b"a,b\n", mime="text/csv"))
    assert stored["object_key"] == "u-1/e-1/evil-touch-x.csv"
    assert "../" not in stored["url"] and "$" not in stored["url"]
    assert storage.read(stored["object_key"]) is not None
    assert safe_name("고객 의견.csv") == "고객-의견.csv" and safe_name("..") == "file"


def test_chart_labels_are_text_not_markup() -> None:
    from assistant.chat_app.charts import emotion_curve
    from assistant.domain.loading import load_map

    journey = load_map(
        Path(__file__).resolve().parent.parent / "knowledge" / "maps" / "ecommerce-first-purchase-en.json"
    )
    link = '<a href="https://evil.example">click</a>'
    journey.title = link
    journey.stages[0].name = link
    journey.stages[0].steps[0].action = link
    figure = json.dumps(emotion_curve(journey), ensure_ascii=False)
    assert "<a " not in figure and "&lt;a href" in figure


def test_hash_password_takes_no_password_argument() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    refused = CliRunner().invoke(app, ["hash-password", "--password", "x"])
    assert refused.exit_code != 0
    empty = CliRunner().invoke(app, ["hash-password"], input="\n")
    assert empty.exit_code == 2


# --- in a browser: a page on another port of the same host cannot use alice's chat --------------------------


def test_a_page_on_another_port_cannot_open_the_chat_socket(team: dict[str, Any], tmp_path: Path) -> None:
    import http.server

    from evals.app_harness import BROWSER_ARGS, CHROMIUM, free_port

    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run tests/setup.sh")
    from playwright.sync_api import sync_playwright

    app = team["server"].url.replace("127.0.0.1", "localhost")
    probe = (
        "() => new Promise(done => {"
        f"  const ws = new WebSocket('{app.replace('http://', 'ws://')}/ws/socket.io/?EIO=4&transport=websocket');"
        "  ws.onmessage = e => { ws.close(); done('open ' + e.data.slice(0, 1)); };"
        "  ws.onerror = () => done('refused');"
        "  setTimeout(() => done('timeout'), 10000);"
        "})"
    )
    (tmp_path / "index.html").write_text("<!doctype html><title>another page</title>", encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))  # noqa: E731
    other = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(app + "/login")
            signed_in = page.request.post(
                app + "/login", form={"username": "alice", "password": TEAM["alice"]}
            )
            assert signed_in.ok
            assert page.evaluate(probe) == "open 0"  # the app's own page connects (engine.io's open packet)
            page.goto(f"http://localhost:{other.server_address[1]}/index.html")
            assert page.evaluate(probe) == "refused"  # the same browser, signed in, on another port
            browser.close()
    finally:
        other.shutdown()
    assert "refused a GET /ws/socket.io/ from the origin 'http://localhost:" in team["server"].log_text()
