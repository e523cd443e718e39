"""Starting the app: check the configuration, prepare the app folder, and decide how people sign in.

Chainlit reads its configuration (`.chainlit/config.toml`, `chainlit.md`, `public/`) from its app folder
and writes uploads (`.files/`) and translations there. `journey app` gives it a folder of its own under
JOURNEY_HOME, refreshed from the shipped copies at every start, so nothing lands in the working directory
or the repository. This module does not import Chainlit: its settings must be in the environment before
Chainlit is imported.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from assistant.chat_app.app_settings import load_app_settings
from assistant.chat_app.auth import load_users
from assistant.chat_app.runtime import app_dir, local_secret, make_private
from assistant.errors import ConfigError
from assistant.settings import Settings, load_settings
from assistant.turns.events import ModeInfo

APP_MODULE = Path(__file__).resolve().parent / "handlers.py"


def shipped(*parts: str) -> Path:
    return Path(str(resources.files("assistant").joinpath("bundled", *parts)))


def prepare_app_root(settings: Settings) -> Path:
    """JOURNEY_HOME/app/root with the shipped config, welcome text and public files (code and icons only;
    nothing a user uploads or generates is ever written under public/)."""
    root = (app_dir(settings) / "root").resolve()
    (root / ".chainlit").mkdir(parents=True, exist_ok=True)
    config = shipped("chainlit", "config.toml")
    if not config.is_file():
        raise ConfigError(f"The app's configuration is missing ({config}); reinstall the project.")
    shutil.copyfile(config, root / ".chainlit" / "config.toml")
    shutil.copyfile(shipped("chainlit.md"), root / "chainlit.md")
    public = root / "public"
    if public.exists():
        shutil.rmtree(public)
    shutil.copytree(shipped("public"), public)
    for path in [root, *root.rglob("*")]:  # copytree keeps the installed modes (world-readable)
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)
    return root


@dataclass(frozen=True)
class LaunchPlan:
    settings: Settings
    mode: ModeInfo
    auth: str
    """'password' (users sign in) or 'local' (the local demo's one user, signed in automatically)."""
    users: int
    environment: dict[str, str]
    """Variables to set before Chainlit is imported."""
    warning: str | None = None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


LOOPBACK_OR_ANY = ("127.0.0.1", "::1", "0.0.0.0", "::", "localhost")


def served_origins(host: str, port: int) -> list[str]:
    """The origins of the pages `journey app` serves: the address it prints, and on loopback the other
    names of the same machine a browser may use."""
    if host in LOOPBACK_OR_ANY:
        names = ["localhost", "127.0.0.1", "[::1]"]
    else:
        names = [f"[{host}]" if ":" in host else host.lower()]
    return [f"http://{name}:{port}" for name in names]


def check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise ConfigError(f"Port {port} on {host} is in use; pass another with --port.") from None


def plan_launch(host: str, port: int, check_provider: bool = True) -> LaunchPlan:
    """Validate everything the app needs (one sentence per problem), before anything starts."""
    from assistant.agent.providers import check_endpoint, detect_mode

    settings = load_settings()
    app = load_app_settings()
    users = load_users(app)
    mode = detect_mode(settings)
    if check_provider and mode.mode in ("cloud", "compatible"):
        check_endpoint(settings)
    check_port(host, port)
    make_private(settings)
    root = prepare_app_root(settings)
    environment = {
        "CHAINLIT_APP_ROOT": str(root),
        "CHAINLIT_HOST": host,
        "CHAINLIT_PORT": str(port),
        "JOURNEY_HOME": str(settings.journey_home.resolve()),
        # The login cookie is sent on same-site navigation only; the app marks it Secure behind HTTPS.
        "CHAINLIT_COOKIE_SAMESITE": "lax",
    }
    warning = None
    if app.password_auth:
        auth = "password"
    else:
        auth = "local"
        environment["CHAINLIT_AUTH_SECRET"] = local_secret(settings)
        if not is_loopback(host):
            warning = (
                f"No users are configured, so everyone who can reach {host}:{port} shares one workspace. "
                "Set JOURNEY_USERS and CHAINLIT_AUTH_SECRET for a team (see the README)."
            )
    environment["JOURNEY_APP_AUTH"] = auth
    if host in ("0.0.0.0", "::") and not app.journey_app_origins:
        origins = (
            f"The chat accepts pages opened at http://localhost:{port} only; set JOURNEY_APP_ORIGINS to the "
            "address people open (e.g. http://192.0.2.10:8000 or a proxy's https://journey.example.com)."
        )
        warning = f"{warning} {origins}" if warning else origins
    return LaunchPlan(settings, mode, auth, len(users), environment, warning)
