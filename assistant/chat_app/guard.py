"""The guard in front of every Chainlit route: an ASGI middleware that does what Chainlit's routes leave out.

- **Origins.** The chat socket, and every request that changes something, is refused when its `Origin`
  is not the address `journey app` serves (or one listed in JOURNEY_APP_ORIGINS): a page on another port
  or site cannot drive a signed-in user's chat.
- **Sessions.** A login token is honoured only while its session row is open (see `sessions.py`); an
  ended one is removed from the request, so the request is treated as signed out, and its cookie is
  cleared. Signing out ends the session and closes its chat sockets.
- **Sign-in throttling.** `POST /login` waits (429 with Retry-After) after a few failures; failures are
  logged with the user name and address, never the password.
- **Ownership.** `PUT/DELETE /feedback` and `PUT/DELETE /project/element` are checked against the owner
  of the message, element and thread they name before Chainlit runs them (Chainlit checks nothing, or
  only the session, there); the data layer checks every write again (`persistence.py`).
- **Clear refusals.** Malformed ids are 400, unknown sessions 404, another user's things 403, instead of
  Chainlit's bare 500.
- **The rest.** Uploads are counted as they arrive and stopped at the limit (413) instead of read whole;
  files of a live chat are served as sandboxed downloads that are never sniffed; the API docs are off
  unless JOURNEY_APP_API_DOCS=1; cookies are marked Secure when the request came over HTTPS.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse

from assistant.chat_app.launch import served_origins
from assistant.chat_app.persistence import ACTOR, NotOwner
from assistant.chat_app.runtime import get_runtime
from assistant.chat_app.sessions import session_is_open, session_of, token_claims

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("journey.app")

CLIENT: ContextVar[str] = ContextVar("journey_client", default="")
"""The address of the client being served (for the session table and the throttle)."""
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
DOCS = {"/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SOCKET_PATH = "/ws/socket.io"
BODY_LIMIT = 1024 * 1024
"""The largest JSON body the guard reads (the routes it checks carry ids and a small element)."""
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
}


def auth_cookie() -> str:
    return os.environ.get("CHAINLIT_AUTH_COOKIE_NAME", "access_token")


def allowed_origins() -> set[str]:
    host = os.environ.get("CHAINLIT_HOST", "127.0.0.1")
    port = int(os.environ.get("CHAINLIT_PORT", "8000"))
    return {*served_origins(host, port), *get_runtime().app.journey_app_origins}


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def find_token(headers: Headers) -> str | None:
    """The login token as Chainlit reads it: the cookie (or its chunks), else a Bearer header."""
    cookies = cookie_parser(headers.get("cookie", ""))
    name = auth_cookie()
    token = cookies.get(name) or "".join(
        cookies[f"{name}_{i}"] for i in range(100) if f"{name}_{i}" in cookies
    )
    if token:
        return token
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def without_token(scope: Scope) -> Scope:
    """The request with its login cookie and Bearer header removed: Chainlit then sees a signed-out user."""
    name = auth_cookie()
    headers = []
    for key, value in scope["headers"]:
        if key == b"authorization":
            continue
        if key == b"cookie":
            kept = [
                part
                for part in value.decode("latin-1").split(";")
                if not part.strip().split("=", 1)[0].startswith(name)
            ]
            if not kept:
                continue
            value = ";".join(kept).encode("latin-1")
        headers.append((key, value))
    return {**scope, "headers": headers}


def is_uuid(value: object) -> bool:
    return isinstance(value, str) and UUID.fullmatch(value) is not None


async def respond(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str, **headers: str
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": detail})
        return
    await JSONResponse({"detail": detail}, status_code=status, headers=headers or None)(scope, receive, send)


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is larger than `limit` (or the client went away)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        chunks.append(body)
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


class Refused(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class Guard:
    def __init__(self, app: ASGIApp, auth_mode: Callable[[], str]) -> None:
        self.app = app
        self.auth_mode = auth_mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rt = get_runtime()
        path = scope["path"]
        method = scope.get("method", "GET") if scope["type"] == "http" else "GET"
        headers = Headers(scope=scope)
        socket = path.startswith(SOCKET_PATH)

        if path in DOCS and not rt.app.journey_app_api_docs:
            await respond(scope, receive, send, 404, "Not Found")
            return
        origin = headers.get("origin")
        checked = socket or scope["type"] == "websocket" or method not in SAFE_METHODS
        if origin is not None and checked and origin.rstrip("/").lower() not in allowed_origins():
            log.warning("refused a %s %s from the origin %r", method, path, origin[:200])
            await respond(scope, receive, send, 403, "This address may not use the app from another site.")
            return

        actor: str | None = None
        cleared = False
        token = find_token(headers)
        sid: str | None = None
        if token is not None and self.auth_mode() != "none":
            found = await self.check_token(token)
            if found is None:
                scope = without_token(scope)
                cleared = True
            else:
                actor, sid = found

        client = client_address(scope)
        if scope["type"] == "http" and path == "/login" and method == "POST":
            await self.login(scope, receive, self.secure(scope, send, cleared), client)
            return
        if scope["type"] == "http" and path == "/logout" and method == "POST" and sid is not None:
            await self.end_session(sid, token)

        if scope["type"] == "http" and not socket:
            try:
                receive = await self.check_request(scope, receive, path, method, actor)
            except Refused as refusal:
                await respond(scope, receive, send, refusal.status, refusal.detail)
                return

        send = self.secure(scope, send, cleared)
        if method == "GET" and path.startswith("/project/file/"):
            send = self.as_download(scope, send)
        if scope["type"] == "http" and method == "POST" and path == "/project/file":
            await self.upload(scope, receive, send, rt.app.upload_bytes, rt.app.journey_app_upload_mb)
            return

        actor_token = ACTOR.set(actor if not socket else None)
        client_token = CLIENT.set(client)
        try:
            await self.app(scope, receive, send)
        finally:
            ACTOR.reset(actor_token)
            CLIENT.reset(client_token)

    # --- sessions ---------------------------------------------------------------------------------------

    async def check_token(self, token: str) -> tuple[str, str | None] | None:
        """(user, session id) for a token that may be used; None for one that must not."""
        from chainlit.data import get_data_layer

        rt = get_runtime()
        claims = token_claims(token, rt.secret)
        if claims is None:
            return None
        if self.auth_mode() != "password":
            identifier = claims.get("identifier")
            return (identifier, None) if isinstance(identifier, str) else None
        found = session_of(claims)
        if found is None:
            return None
        user, sid = found
        now = time.time()
        users = rt.current_users()
        if rt.open_sessions.fresh(sid, now) and user in users:
            return user, sid
        layer: Any = get_data_layer()
        row = await layer.get_session(sid)
        if session_is_open(row, user, users, now):
            rt.open_sessions.remember(sid, now)
            return user, sid
        if row is not None and row.get("revokedAt") is None:
            await layer.revoke_session(sid)
            log.info("ended a session of %r (expired, or the user or password changed)", user)
        return None

    async def end_session(self, sid: str, token: str | None) -> None:
        """Sign-out: the session ends here, and the chat sockets opened with its token are closed."""
        from chainlit.data import get_data_layer
        from chainlit.server import sio
        from chainlit.session import ws_sessions_id

        layer: Any = get_data_layer()
        await layer.revoke_session(sid)
        get_runtime().open_sessions.forget(sid)
        for session in list(ws_sessions_id.values()):
            if token is not None and session.token == token:
                await sio.disconnect(session.socket_id)

    # --- sign-in ----------------------------------------------------------------------------------------

    async def login(self, scope: Scope, receive: Receive, send: Send, client: str) -> None:
        rt = get_runtime()
        body = await read_body(receive, 64 * 1024)
        if body is None:
            await respond(scope, receive, send, 413, "The sign-in request is too large.")
            return
        user = await self.login_name(scope, body)
        wait = rt.throttle.wait(user, client)
        if wait > 0:
            seconds = math.ceil(wait)
            log.warning("sign-in refused for %r from %s: too many failures, wait %d s", user, client, seconds)
            await respond(
                scope,
                receive,
                send,
                429,
                f"Too many failed sign-ins; try again in {seconds} seconds.",
                **{"Retry-After": str(seconds)},
            )
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        client_token = CLIENT.set(client)
        try:
            await self.app(scope, replay(body, receive), watch)
        finally:
            CLIENT.reset(client_token)
        if status == 200:
            rt.throttle.succeeded(user, client)
        elif status == 401:
            count, wait = rt.throttle.failed(user, client)
            log.warning(
                "sign-in failed for %r from %s (%d in a row%s)",
                user,
                client,
                count,
                f"; next attempt in {math.ceil(wait)} s" if wait > 0 else "",
            )

    async def login_name(self, scope: Scope, body: bytes) -> str:
        content_type = Headers(scope=scope).get("content-type", "")
        name = ""
        if content_type.startswith("multipart/"):
            from starlette.requests import Request

            async def once() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            try:
                form = await Request(scope, once).form()
                name = str(form.get("username") or "")
            except Exception:
                name = ""
        else:
            values = parse_qs(body.decode("utf-8", errors="replace")).get("username") or [""]
            name = values[0]
        return name.strip()[:64]

    # --- checks on requests Chainlit lets through -------------------------------------------------------

    async def check_request(
        self, scope: Scope, receive: Receive, path: str, method: str, actor: str | None
    ) -> Receive:
        """Refuse malformed ids and writes to what another user owns; returns the (replayable) receive."""
        parts = path.strip("/").split("/")
        if method == "GET" and parts[:2] in (["project", "thread"], ["project", "share"]):
            ids = [parts[2]] if len(parts) >= 3 else []
            ids += [parts[4]] if len(parts) >= 5 and parts[3] == "element" else []
            if not all(is_uuid(i) for i in ids):
                raise Refused(400, "Malformed id: conversation and element ids are UUIDs.")
            return receive
        guarded = {
            ("PUT", "/feedback"),
            ("DELETE", "/feedback"),
            ("PUT", "/project/element"),
            ("DELETE", "/project/element"),
            ("PUT", "/project/thread"),
            ("DELETE", "/project/thread"),
            ("PUT", "/project/thread/share"),
            ("POST", "/project/action"),
        }
        if (method, path) not in guarded:
            return receive
        body = await read_body(receive, BODY_LIMIT)
        if body is None:
            raise Refused(413, "The request is too large.")
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise Refused(400, "The request body is not JSON.") from None
        if not isinstance(data, dict):
            raise Refused(400, "The request body must be a JSON object.")
        await self.check_ids(path, method, data, actor)
        return replay(body, receive)

    async def check_ids(self, path: str, method: str, data: dict[str, Any], actor: str | None) -> None:
        from chainlit.data import get_data_layer

        layer: Any = get_data_layer()

        def need(value: object, what: str, optional: bool = False) -> None:
            if optional and value in (None, ""):
                return
            if not is_uuid(value):
                raise Refused(400, f"Malformed {what}: expected a UUID.")

        def owned_session(session_id: object) -> None:
            from chainlit.session import WebsocketSession

            need(session_id, "sessionId")
            session = WebsocketSession.get_by_id(str(session_id))
            if session is None:
                raise Refused(404, "No such chat session (it may have ended); reload the page.")
            owner = session.user.identifier if session.user is not None else None
            if actor is not None and owner != actor:
                raise Refused(403, "This chat session belongs to another user.")

        try:
            if path.startswith("/project/thread"):
                need(data.get("threadId"), "threadId")
            elif path == "/project/action":
                owned_session(data.get("sessionId"))
            elif path == "/feedback" and method == "PUT":
                feedback = data.get("feedback")
                if not isinstance(feedback, dict):
                    raise Refused(400, "The request names no feedback.")
                need(feedback.get("forId"), "forId")
                need(feedback.get("id"), "feedback id", optional=True)
                need(feedback.get("threadId"), "threadId", optional=True)
                need(data.get("sessionId"), "sessionId", optional=True)
                if layer is not None:
                    step_thread = await layer.thread_of("steps", feedback["forId"])
                    if step_thread is None:
                        raise Refused(404, "There is no such message to give feedback on.")
                    await layer.check_threads(step_thread, feedback.get("threadId"), actor=actor)
                    await layer.check_rows("feedbacks", feedback.get("id"), actor=actor)
            elif path == "/feedback":
                need(data.get("feedbackId"), "feedbackId")
                if layer is not None:
                    thread = await layer.thread_of("feedbacks", data["feedbackId"])
                    if thread is None:
                        raise Refused(404, "There is no such feedback.")
                    await layer.check_threads(thread, actor=actor)
            elif path == "/project/element":
                element = data.get("element")
                if not isinstance(element, dict):
                    raise Refused(400, "The request names no element.")
                need(element.get("id"), "element id")
                need(element.get("threadId"), "threadId", optional=True)
                need(element.get("forId"), "forId", optional=True)
                owned_session(data.get("sessionId"))
                if layer is not None:
                    await layer.check_threads(element.get("threadId"), actor=actor)
                    await layer.check_rows("elements", element["id"], actor=actor)
        except NotOwner as refusal:
            log.warning("refused %s %s by %r: %s", method, path, actor, refusal)
            raise Refused(refusal.status, str(refusal)) from None

    # --- responses ----------------------------------------------------------------------------------------

    def secure(self, scope: Scope, send: Send, cleared: bool) -> Send:
        """Clear an ended session's cookie; behind HTTPS, mark every cookie Secure."""
        headers = Headers(scope=scope)
        https = scope.get("scheme") in ("https", "wss") or headers.get("x-forwarded-proto", "").startswith(
            "https"
        )
        if not https and not cleared:
            return send

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                if cleared:
                    out.append("set-cookie", f"{auth_cookie()}=; Max-Age=0; Path=/; HttpOnly; SameSite=lax")
                if https:
                    cookies = out.getlist("set-cookie")
                    del out["set-cookie"]
                    for cookie in cookies:
                        if "secure" not in cookie.lower():
                            cookie += "; Secure"
                        out.append("set-cookie", cookie)
            await send(message)

        return wrapped

    def as_download(self, scope: Scope, send: Send) -> Send:
        """Files of a live chat (exports, uploads) as sandboxed downloads, never sniffed or run."""
        name = self.live_file_name(scope)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for key, value in FILE_HEADERS.items():
                    out[key] = value
                out["Content-Disposition"] = "attachment" + (
                    f"; filename*=UTF-8''{quote(name)}" if name else ""
                )
            await send(message)

        return wrapped

    @staticmethod
    def live_file_name(scope: Scope) -> str | None:
        from chainlit.session import WebsocketSession

        from assistant.chat_app.storage import safe_name

        session_id = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_id") or [""])[0]
        session = WebsocketSession.get_by_id(session_id) if session_id else None
        file = session.files.get(scope["path"].rsplit("/", 1)[-1]) if session is not None else None
        return safe_name(str(file.get("name") or "")) if file else None

    async def upload(
        self, scope: Scope, receive: Receive, send: Send, limit_bytes: int, limit_mb: int
    ) -> None:
        """An upload is counted as it arrives and stopped at the limit (413), never read whole first."""
        limit = limit_bytes + 64 * 1024  # the multipart envelope around the file
        detail = f"The file is larger than the {limit_mb} MB limit."
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await respond(scope, receive, send, 413, detail)
            return
        state = {"total": 0, "refused": False, "started": False}

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request" and not state["refused"]:
                state["total"] += len(message.get("body", b""))
                if state["total"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        await respond(scope, receive, send, 413, detail)
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if state["refused"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not state["refused"]:
                raise
