"""Who may sign in: users with password hashes from JOURNEY_USERS or JOURNEY_USERS_FILE.

Each entry is `name:hash`, where the hash is a bcrypt hash (`$2b$…`, made by `journey hash-password`)
or `sha256:<hex>` (the SHA-256 of the password; weaker, for systems that can only make that). Entries are
separated by commas in the variable and by lines in the file; `#` starts a comment in the file.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from assistant.chat_app.app_settings import AppSettings
from assistant.errors import ConfigError

NAME = re.compile(r"^[\w.@+-]{1,64}$")
LOCAL_USER = "local"
"""The one user of the local demo (no sign-in): their data lives in JOURNEY_HOME itself."""
_DUMMY_BCRYPT = b"$2b$12$C6UzMDM.H6dfI/f/IKcEeO1bLHq8vF1t5Hq0D5i0J5rV7QFQ8p6aW"


@dataclass(frozen=True)
class UserEntry:
    name: str
    scheme: str
    """'bcrypt' or 'sha256'."""
    digest: str


def parse_users(text: str, where: str) -> dict[str, UserEntry]:
    """Entries separated by commas or new lines; a bad entry is a ConfigError naming it (not its hash)."""
    users: dict[str, UserEntry] = {}
    for n, raw in enumerate(re.split(r"[,\n]", text), start=1):
        item = raw.split("#", 1)[0].strip()
        if not item:
            continue
        name, sep, hashed = item.partition(":")
        name = name.strip()
        if not sep or not NAME.match(name):
            raise ConfigError(
                f"{where}: entry {n} is not 'name:hash' with a name of letters, digits, . _ @ + - "
                "(e.g. alice:$2b$12$…); make hashes with `journey hash-password`."
            )
        hashed = hashed.strip()
        if hashed.startswith(("$2a$", "$2b$", "$2y$")) and len(hashed) == 60:
            entry = UserEntry(name, "bcrypt", hashed)
        elif hashed.startswith("sha256:") and re.fullmatch(r"[0-9a-fA-F]{64}", hashed[7:]):
            entry = UserEntry(name, "sha256", hashed[7:].lower())
        else:
            raise ConfigError(
                f"{where}: the hash of user {name!r} is neither bcrypt ($2b$…, 60 characters) nor sha256:<64 hex>; "
                "make one with `journey hash-password`."
            )
        if name in users:
            raise ConfigError(f"{where}: user {name!r} is listed twice.")
        users[name] = entry
    return users


def load_users(settings: AppSettings) -> dict[str, UserEntry]:
    """The configured users; raises ConfigError when they are configured but unusable."""
    users: dict[str, UserEntry] = {}
    if settings.journey_users is not None:
        users.update(parse_users(settings.journey_users.get_secret_value(), "JOURNEY_USERS"))
    if settings.journey_users_file is not None:
        try:
            text = settings.journey_users_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"JOURNEY_USERS_FILE={settings.journey_users_file}: cannot read it ({exc.strerror})."
            ) from None
        for name, entry in parse_users(text, "JOURNEY_USERS_FILE").items():
            if name in users:
                raise ConfigError(f"User {name!r} is in both JOURNEY_USERS and JOURNEY_USERS_FILE.")
            users[name] = entry
    if settings.users_configured and not users:
        raise ConfigError("Users are configured but the list is empty: add at least one 'name:hash'.")
    if LOCAL_USER in users:
        raise ConfigError(f"{LOCAL_USER!r} is reserved for the local demo; choose another user name.")
    return users


def hash_password(password: str) -> str:
    """A bcrypt hash for JOURNEY_USERS (cost 12)."""
    import bcrypt

    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(12)).decode("ascii")


def check_password(users: dict[str, UserEntry], name: str, password: str) -> bool:
    """Constant-time for known users; an unknown name costs the same bcrypt work as a known one."""
    import bcrypt

    entry = users.get(name)
    secret = password.encode("utf-8")
    if entry is None:
        bcrypt.checkpw(secret[:72], _DUMMY_BCRYPT)
        return False
    if entry.scheme == "bcrypt":
        try:
            return bcrypt.checkpw(secret[:72], entry.digest.encode("ascii"))
        except ValueError:
            return False
    return hmac.compare_digest(hashlib.sha256(secret).hexdigest(), entry.digest)
