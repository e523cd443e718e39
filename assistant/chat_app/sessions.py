"""Sign-in sessions that end, and a limit on guessing passwords.

Chainlit's login token is a signed JWT that lives as long as its `exp` says, whatever happens on the
server. The app adds a session table (`journey_sessions`, in the chat database): every password sign-in
opens a row whose id travels in the token, and a token is honoured only while its row is open. A row ends
when the user signs out, when its lifetime (JOURNEY_SESSION_HOURS) is over, or when the user's password
changes or the user is removed from JOURNEY_USERS (the row keeps a fingerprint of the hash it was opened
with, compared with the current one at every check).

The throttle counts failed sign-ins per user name and client address, per user name, and per client
address; past a few failures each further attempt must wait, twice as long each time but never longer
than the cap, so a guesser is slowed to a few tries a minute and nobody is locked out for long.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from assistant.chat_app.auth import UserEntry

SESSION_CLAIM = "session"
"""The key of the session id in the token's user metadata."""
CACHE_SECONDS = 5.0
"""How long a checked open session is trusted without asking the database again (ending it in this
process clears it at once)."""


def credential_fingerprint(entry: UserEntry) -> str:
    """A short fingerprint of the stored hash (not of the password): it changes when the password does."""
    return hashlib.sha256(f"{entry.scheme}:{entry.digest}".encode()).hexdigest()[:32]


def new_session_id() -> str:
    return secrets.token_urlsafe(24)


def token_claims(token: str, secret: str) -> dict[str, Any] | None:
    """The claims of a login token signed with `secret` and not expired; None otherwise."""
    import jwt

    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims, dict) else None


def session_of(claims: dict[str, Any]) -> tuple[str, str] | None:
    """(user, session id) named by the token; None for a token without a session (made elsewhere)."""
    identifier = claims.get("identifier")
    metadata = claims.get("metadata")
    sid = metadata.get(SESSION_CLAIM) if isinstance(metadata, dict) else None
    if not isinstance(identifier, str) or not isinstance(sid, str) or not sid:
        return None
    return identifier, sid


def session_is_open(row: dict[str, Any] | None, user: str, users: dict[str, UserEntry], now: float) -> bool:
    """An open session: its row exists for this user, is not ended or expired, and the user is still
    configured with the same password hash."""
    if row is None or row.get("user") != user or row.get("revokedAt") is not None:
        return False
    if float(row.get("expiresAt") or 0) <= now:
        return False
    entry = users.get(user)
    return entry is not None and credential_fingerprint(entry) == row.get("credential")


class SessionCache:
    """Recently checked open sessions, so not every request of a page asks the database."""

    def __init__(self) -> None:
        self._open: dict[str, float] = {}

    def fresh(self, sid: str, now: float) -> bool:
        return self._open.get(sid, 0.0) > now

    def remember(self, sid: str, now: float) -> None:
        if len(self._open) > 10_000:
            self._open = {k: v for k, v in self._open.items() if v > now}
        self._open[sid] = now + CACHE_SECONDS

    def forget(self, sid: str | None = None) -> None:
        if sid is None:
            self._open.clear()
        else:
            self._open.pop(sid, None)


# --- throttling sign-in ---------------------------------------------------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Rule:
    kind: str
    free: int
    """Failures allowed before attempts must wait."""
    cap: float
    """The longest wait, in seconds."""


RULES = (
    Rule("pair", free=5, cap=60.0),  # one user name from one address: the usual guesser
    Rule("user", free=10, cap=30.0),  # one user name from anywhere: short cap, so nobody is locked out long
    Rule("client", free=20, cap=120.0),  # one address trying many names
)
FORGET_SECONDS = 15 * 60
"""Failures older than this are forgotten."""


class LoginThrottle:
    def __init__(self, rules: tuple[Rule, ...] = RULES) -> None:
        self.rules = rules
        self._failures: dict[tuple[str, str], _Failures] = {}

    def _keys(self, user: str, client: str) -> list[tuple[Rule, tuple[str, str]]]:
        values = {"pair": f"{user}\n{client}", "user": user, "client": client}
        return [(rule, (rule.kind, values[rule.kind])) for rule in self.rules]

    def _record(self, key: tuple[str, str], now: float) -> _Failures:
        record = self._failures.get(key)
        if record is None or now - record.last > FORGET_SECONDS:
            record = _Failures()
            self._failures[key] = record
        return record

    def wait(self, user: str, client: str, now: float | None = None) -> float:
        """Seconds to wait before the next attempt may be checked (0 when it may be now)."""
        now = time.monotonic() if now is None else now
        waits = [
            record.locked_until - now
            for _, key in self._keys(user, client)
            if (record := self._failures.get(key)) is not None
        ]
        return max([0.0, *waits])

    def failed(self, user: str, client: str, now: float | None = None) -> tuple[int, float]:
        """Count a failure; (failures of this name from this address, seconds the next attempt waits)."""
        now = time.monotonic() if now is None else now
        if len(self._failures) > 50_000:
            self._failures = {k: v for k, v in self._failures.items() if now - v.last <= FORGET_SECONDS}
        pair_count = 0
        for rule, key in self._keys(user, client):
            record = self._record(key, now)
            record.count += 1
            record.last = now
            if rule.kind == "pair":
                pair_count = record.count
            excess = record.count - rule.free
            if excess >= 0:
                record.locked_until = now + min(rule.cap, float(2**excess))
        return pair_count, self.wait(user, client, now)

    def succeeded(self, user: str, client: str) -> None:
        """A right password clears what this name and this address had counted against the name."""
        for rule, key in self._keys(user, client):
            if rule.kind in ("pair", "user"):
                self._failures.pop(key, None)
