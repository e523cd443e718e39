"""`journey app`: start the chat app (Chainlit on assistant/chat_app/handlers.py) and print its address."""

from __future__ import annotations

import os
import threading
import time
import urllib.request

import typer

from assistant.cli.root import app, clear_errors, err


def _announce_when_ready(probe: str, url: str, lines: list[str]) -> None:
    """Print the address once the server answers (Chainlit itself starts in about a second)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe + "/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        return
    typer.echo(f"Journey Assistant is running at {url}")
    for line in lines:
        typer.echo(f"  {line}")
    typer.echo("  Press Ctrl+C to stop.")


@app.command("app")
def chat_app(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in the default browser."),
    debug: bool = typer.Option(False, help="Chainlit's debug logging."),
) -> None:
    """Start the chat app and print its address: works offline with no key (embedded mode)."""
    from assistant.chat_app.launch import APP_MODULE, plan_launch

    with clear_errors():
        plan = plan_launch(host, port)
    os.environ.update(plan.environment)
    shown = "localhost" if host in ("127.0.0.1", "::1", "0.0.0.0", "::") else host
    url = f"http://{shown}:{port}"
    sign_in = (
        f"sign-in: password ({plan.users} user{'s' if plan.users != 1 else ''})"
        if plan.auth == "password"
        else "sign-in: off (local demo)"
    )
    lines = [f"mode: {plan.mode.label}", sign_in, f"data: {plan.environment['JOURNEY_HOME']}"]
    if plan.warning:
        err.print(f"[bold yellow]Warning:[/] {plan.warning}", highlight=False, soft_wrap=True)
    probe = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else (f'[{host}]' if ':' in host else host)}:{port}"
    threading.Thread(target=_announce_when_ready, args=(probe, url, lines), daemon=True).start()

    # Imported only now: Chainlit reads CHAINLIT_APP_ROOT when it is imported.
    from chainlit.cli import run_chainlit
    from chainlit.config import config

    config.run.headless = not open_browser
    config.run.debug = debug
    run_chainlit(str(APP_MODULE))


@app.command("hash-password")
def hash_password_command() -> None:
    """Print a bcrypt hash for JOURNEY_USERS (name:hash,name:hash) or JOURNEY_USERS_FILE (one per line).

    Type the password at the hidden prompt, or pipe it in: never on the command line (shell history)."""
    import sys

    from assistant.chat_app.auth import hash_password

    if sys.stdin.isatty():
        password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        err.print(
            "[bold red]Error:[/] No password was given (type it at the prompt, or pipe it in).",
            highlight=False,
        )
        raise typer.Exit(2)
    typer.echo(hash_password(password))
