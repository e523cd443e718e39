"""A real `journey app` server and a browser that may reach only it: shared by the chat app's browser
tests and its benchmark (evals/bench_app.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    home: Path
    started: float = 0.0
    """perf_counter() when `journey app` was launched."""
    ready: float = 0.0
    """perf_counter() when it first answered /health."""

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not in the server log:\n{self.log_text()[-4000:]}")


def server_env(
    home: Path, script_path: Path | None, users: str | None = None, secret: str | None = None
) -> dict[str, str]:
    """The server's environment: a private JOURNEY_HOME, the fast hashing embedder, no provider keys;
    with `users`, password sign-in (`secret` signs the cookies)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHAINLIT_", "JOURNEY_"))}
    env.update(
        {
            "JOURNEY_HOME": str(home),
            "JOURNEY_EMBEDDING": "hashing",
            "PYTHONUNBUFFERED": "1",
            "NO_PROXY": "*",
        }
    )
    if script_path is not None:
        env["JOURNEY_SCRIPTED_MODEL"] = str(script_path)
    if users is not None:
        env["JOURNEY_USERS"] = users
        env["CHAINLIT_AUTH_SECRET"] = secret or "bench-secret-" + "x" * 40
    return env


@contextmanager
def running_server(workdir: Path, env: dict[str, str], timeout: float = 180) -> Iterator[Server]:
    """`journey app` on a free port, started from `workdir` (so nothing lands in the repository)."""
    port = free_port()
    log = workdir / f"server-{port}.log"
    journey = Path(sys.executable).parent / "journey"
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(journey), "app", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log, Path(env["JOURNEY_HOME"]), started)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"journey app exited with {process.returncode}:\n{server.log_text()}")
            try:
                with urllib.request.urlopen(server.url + "/health", timeout=1) as response:
                    if response.status == 200:
                        server.ready = time.perf_counter()
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"journey app did not answer within {timeout} s:\n{server.log_text()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class OnlyLoopback:
    """Routes every request of a browser context: loopback ones go through; any other host is remembered
    and refused at once, or, with `hang`, never answered (an intranet whose firewall drops packets)."""

    def __init__(self, hang: bool = False) -> None:
        self.blocked: list[str] = []
        self.hang = hang
        self.held: list[Any] = []

    def __call__(self, route: Any) -> None:
        url = route.request.url
        host = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].rsplit(":", 1)[0]
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost", "[::1]"):
            route.continue_()
        else:
            self.blocked.append(url)
            if self.hang:
                self.held.append(route)
            else:
                route.abort("internetdisconnected")


ASSISTANT = "[data-step-type='assistant_message']"


def wait_idle(page: Any, timeout: float = 60_000) -> None:
    """A reply is over when the stop button is gone."""
    page.wait_for_timeout(200)
    page.wait_for_selector("#stop-button", state="detached", timeout=timeout)


def send(page: Any, text: str) -> None:
    """Type a message and send it once the socket is up, then wait for the whole reply."""
    page.fill("#chat-input", text)
    page.wait_for_selector("#chat-submit:not([disabled])")
    page.keyboard.press("Enter")
    wait_idle(page)


def turn_timings(log: str) -> list[dict[str, float]]:
    """The app's per-turn timing lines (total, waiting for the assistant, the app's own time)."""
    out = []
    for line in log.splitlines():
        if "turn timing:" not in line:
            continue
        fields = dict(part.split("=", 1) for part in line.split("turn timing:", 1)[1].split() if "=" in part)
        out.append({k: float(v) for k, v in fields.items() if k in ("total", "waiting", "app")})
    return out
