"""What the app process holds: settings, one workspace and assistant per signed-in user (opened on first
use), the storage provider, and each session's temporary folder.

Nothing is opened, loaded or indexed when this module is imported; `get_runtime()` builds it on first call
(at server start, from the startup hook).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.chat_app.app_settings import AppSettings, load_app_settings
from assistant.chat_app.auth import LOCAL_USER, UserEntry, load_users
from assistant.chat_app.sessions import LoginThrottle, SessionCache
from assistant.errors import ConfigError
from assistant.settings import Settings, load_settings

if TYPE_CHECKING:
    from assistant.chat_app.storage import LocalStorageClient
    from assistant.conversation import Assistant
    from assistant.turns.events import ModeInfo
    from assistant.workspace import Workspace

log = logging.getLogger("journey.app")


def app_dir(settings: Settings) -> Path:
    """The app's own data under JOURNEY_HOME: chats database, stored elements, cookie secret."""
    return settings.journey_home / "app"


def make_private(settings: Settings) -> None:
    """Everything the app creates under JOURNEY_HOME (chats, stored files, workspaces, the secret) is
    readable by its owner only: files 0600 and folders 0700 from here on, and JOURNEY_HOME itself 0700."""
    import os

    os.umask(0o077)
    for folder in (settings.journey_home, app_dir(settings)):
        folder.mkdir(parents=True, exist_ok=True)
        try:
            if not folder.is_symlink() and folder.stat().st_uid == os.getuid():
                folder.chmod(0o700)
        except OSError:
            log.warning("could not make %s private", folder)


def local_secret(settings: Settings) -> str:
    """A random secret kept in JOURNEY_HOME for the local demo (signs its cookie and file links)."""
    path = app_dir(settings) / "secret"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value


def owner_of(identifier: str | None) -> str | None:
    """The workspace owner for a signed-in user; the local demo's user owns JOURNEY_HOME itself."""
    return None if identifier in (None, LOCAL_USER) else identifier


@dataclass
class AppRuntime:
    settings: Settings
    app: AppSettings
    users: dict[str, UserEntry]
    secret: str
    _workspaces: dict[str | None, Workspace] = field(default_factory=dict)
    _assistants: dict[tuple[str | None, str | None], Assistant] = field(default_factory=dict)
    _scripted: Any = None
    _storage: LocalStorageClient | None = None
    _sessions: dict[str, Path] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    open_sessions: SessionCache = field(default_factory=SessionCache)
    _users_stamp: int | None = None

    def current_users(self) -> dict[str, UserEntry]:
        """The configured users; a JOURNEY_USERS_FILE edited while the app runs is read again (so removing a
        user, or changing their hash, ends their sessions without a restart)."""
        path = self.app.journey_users_file
        if path is None:
            return self.users
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return self.users
        if stamp != self._users_stamp:
            try:
                self.users = load_users(self.app)
            except ConfigError as exc:
                log.warning(
                    "JOURNEY_USERS_FILE was changed but cannot be used; keeping the users read before: %s",
                    exc,
                )
            self._users_stamp = stamp
            self.open_sessions.forget()
        return self.users

    # --- per user -----------------------------------------------------------------------------------

    def _shared_embedder(self) -> Any:
        """One embedder (one embedding model in memory) for every user's workspace; it loads on first use."""
        first = next(iter(self._workspaces.values()), None)
        return None if first is None else first.embedder

    def workspace(self, owner: str | None) -> Workspace:
        from assistant.workspace import Workspace

        with self._lock:
            if owner not in self._workspaces:
                self._workspaces[owner] = Workspace.open(
                    self.settings, owner=owner, embedder=self._shared_embedder()
                )
            return self._workspaces[owner]

    def assistant(self, owner: str | None, model: str | None = None) -> Assistant:
        """The user's assistant; `model` picks another of the offered models (cloud and compatible modes)."""
        from assistant.conversation import Assistant
        from assistant.workspace import Workspace

        if (model is not None and model not in self.models()) or model == self.default_model():
            model = None
        with self._lock:
            key = (owner, model)
            if key not in self._assistants:
                if model is None:
                    workspace = self.workspace(owner)
                else:
                    workspace = Workspace.open(
                        self.settings.model_copy(update={"openai_model": model}),
                        owner=owner,
                        embedder=self.workspace(owner).embedder,
                    )
                # The provider was checked once at start (`journey app`); not again per user.
                self._assistants[key] = Assistant.start(
                    workspace, chat_model=self.scripted_model(), check=False
                )
            return self._assistants[key]

    def scripted_model(self) -> Any:
        """One scripted model for the whole process (tests and demos), so its script is played in order."""
        path = self.settings.journey_scripted_model
        if path is None:
            return None
        with self._lock:
            if self._scripted is None:
                from assistant.agent.scripted import ScriptedChatModel

                self._scripted = ScriptedChatModel.from_file(path)
            return self._scripted

    def prepare(self, owner: str | None, model: str | None = None) -> None:
        """Build the user's assistant ahead of their first message (the agent's tools and graph take about
        a second to build): called in the background when a chat starts."""
        assistant = self.assistant(owner, model)
        if assistant.mode.mode == "embedded":
            assistant.pipeline()
        else:
            assistant.agent()
        assistant.workspace.embedder.embed(["warm-up"], "query")  # the embedding model, loaded ahead of use

    def warm_up(self, local: bool) -> None:
        """Imports the first answer needs (the agent stack), done in the background after start instead of
        in the first turn; with the local demo's single user, their assistant too."""
        started = time.perf_counter()
        try:
            if self.mode().mode != "embedded":
                import assistant.agent.agent  # noqa: F401  (LangChain's agent stack)
            if local:
                self.prepare(None)
        except Exception:  # a failure here shows again, with its message, on the first turn
            log.warning("warm-up failed", exc_info=True)
        log.info("warm-up done in %.1f s", time.perf_counter() - started)

    def script_remaining(self) -> int | None:
        return None if self._scripted is None else int(self._scripted.remaining)

    # --- modes and models -----------------------------------------------------------------------------

    def mode(self) -> ModeInfo:
        from assistant.agent.providers import detect_mode
        from assistant.turns.events import ModeInfo

        if self.settings.journey_scripted_model is not None:
            return ModeInfo(
                mode="scripted",
                model="scripted",
                label=f"Scripted model ({self.settings.journey_scripted_model.name})",
            )
        return detect_mode(self.settings)

    def default_model(self) -> str:
        return self.mode().model

    def models(self) -> list[str]:
        """Models the user may choose between: only where the provider serves several."""
        if self.mode().mode not in ("cloud", "compatible"):
            return [self.default_model()]
        offered = [m for m in self.app.journey_app_models if m]
        default = self.default_model()
        return [default, *[m for m in offered if m != default]]

    # --- storage and sessions -------------------------------------------------------------------------

    def storage(self) -> LocalStorageClient:
        from assistant.chat_app.storage import LocalStorageClient

        with self._lock:
            if self._storage is None:
                self._storage = LocalStorageClient(
                    app_dir(self.settings) / "files",
                    self.secret.encode("utf-8"),
                    self.app.storage_expiry_time,
                )
            return self._storage

    def session_dir(self, session_id: str) -> Path:
        """A private temporary folder per chat session (uploads staged for ingest, exported files)."""
        with self._lock:
            if session_id not in self._sessions:
                self._sessions[session_id] = Path(tempfile.mkdtemp(prefix="journey-session-"))
            return self._sessions[session_id]

    def drop_session(self, session_id: str) -> None:
        with self._lock:
            path = self._sessions.pop(session_id, None)
        if path is not None:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            for assistant in self._assistants.values():
                assistant.close()
            for ws in self._workspaces.values():
                ws.close()
            for path in self._sessions.values():
                shutil.rmtree(path, ignore_errors=True)
            self._sessions.clear()
            self._assistants.clear()
            self._workspaces.clear()


_runtime: AppRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> AppRuntime:
    """The process's runtime, built (and its settings validated) on first call."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            settings = load_settings()
            make_private(settings)
            app = load_app_settings()
            users = load_users(app)
            secret = (
                app.chainlit_auth_secret.get_secret_value()
                if app.chainlit_auth_secret
                else local_secret(settings)
            )
            _runtime = AppRuntime(settings=settings, app=app, users=users, secret=secret)
        return _runtime
