"""Shared fixtures. Tests never reach the network: a guard refuses any non-loopback connection."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import load_settings
from assistant.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
# Importing Chainlit creates `.files/` and `.chainlit/` in its app folder (the working directory by default):
# the chat app's tests give it a temporary one, so the repository stays untouched.
os.environ.setdefault("CHAINLIT_APP_ROOT", tempfile.mkdtemp(prefix="journey-chainlit-"))
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in {"127.0.0.1", "::1", "localhost"} and not host.startswith("/"):
        raise RuntimeError(f"test tried to open a network connection to {host!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("CHROMA_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)  # a developer's team database is never touched
    yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A real PostgreSQL (Debian's package) in a temporary folder, for the whole session (per worker)."""
    from local_postgres import LocalPostgres, postgres_bin

    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed: run tests/setup.sh (apt-get install -y postgresql)")
    server = LocalPostgres().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: Any) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    return str(postgres_server.new_database())


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A workspace in a temporary home with the model-free hashing embedder (fast, deterministic)."""
    ws = Workspace.open(load_settings(journey_home=tmp_path / "ws-home", journey_embedding="hashing"))
    yield ws
    ws.close()


@pytest.fixture
def shop(workspace: Workspace) -> Workspace:
    """The workspace with the sample shop's feedback (dataset "shop") and its map (saved as "shop")."""
    from assistant.contracts.requests import IngestRequest
    from assistant.domain import load_map

    workspace.ingest(IngestRequest(files=[ROOT / "knowledge/feedback/shop-feedback-en.csv"], source="shop"))
    workspace.save_map("shop", load_map(ROOT / "knowledge/maps/ecommerce-first-purchase-en.json"))
    return workspace


@pytest.fixture
def journey_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh JOURNEY_HOME for one test."""
    home = tmp_path / "home"
    monkeypatch.setenv("JOURNEY_HOME", str(home))
    return home


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item, so fixtures can act on failures (browser screenshots)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


CHROMA = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "chroma"


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free loopback port, for one test."""
    exe = shutil.which("chroma") or (str(CHROMA) if CHROMA.exists() else None)
    if exe is None:
        pytest.skip("the chroma server command is not installed")
    from local_postgres import free_port

    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the Chroma server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no browser download), one per test module."""
    from evals.app_harness import BROWSER_ARGS, CHROMIUM

    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing at /usr/bin/chromium: run tests/setup.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield launched
        launched.close()
