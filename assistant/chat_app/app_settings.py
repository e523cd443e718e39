"""The chat app's own settings, read from the environment (and `.env`) and validated at start.

The product's settings (JOURNEY_HOME, model provider, embedding) stay in `assistant/settings.py`; these
add what only the app needs: who may sign in and for how long, where chats are kept, the addresses the
app is reached at, upload limits and the models offered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.errors import ConfigError

MAX_UPLOAD_MB = 20
MAX_UPLOAD_FILES = 5
SESSION_HOURS = 12.0
ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?")


class AppSettings(BaseSettings):
    """Environment names are the field names upper-cased, e.g. JOURNEY_USERS."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    journey_users: SecretStr | None = Field(
        default=None,
        description="Who may sign in: 'alice:<hash>,bob:<hash>' (bcrypt, or sha256:<hex>). "
        "With CHAINLIT_AUTH_SECRET set, password sign-in turns on.",
    )
    journey_users_file: Path | None = Field(
        default=None, description="A file with one 'name:<hash>' per line, instead of JOURNEY_USERS."
    )
    chainlit_auth_secret: SecretStr | None = Field(
        default=None, description="Signs the session cookies (`chainlit create-secret`)."
    )
    database_url: str | None = Field(
        default=None,
        description="Where chats are kept: a PostgreSQL URL for a team; SQLite under JOURNEY_HOME when unset.",
    )
    journey_app_models: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Models offered in the chat settings (comma-separated) when the provider has several.",
    )
    journey_app_upload_mb: int = Field(default=MAX_UPLOAD_MB, ge=1, le=MAX_UPLOAD_MB)
    journey_app_upload_files: int = Field(default=MAX_UPLOAD_FILES, ge=1, le=MAX_UPLOAD_FILES)
    storage_expiry_time: int = Field(
        default=3600, ge=60, le=7 * 24 * 3600, description="Seconds a signed file link stays valid."
    )
    journey_session_hours: float = Field(
        default=SESSION_HOURS,
        gt=0,
        le=24 * 30,
        description="Hours a sign-in lasts; signing out, a password change or removal ends it sooner.",
    )
    journey_app_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Other addresses the app is reached at, e.g. a proxy's public URL "
        "(https://journey.example.com), comma-separated; the chat connection accepts only these and the "
        "address `journey app` serves.",
    )
    journey_app_api_docs: bool = Field(
        default=False, description="Serve the API documentation (/docs, /redoc, /openapi.json)."
    )

    @field_validator("journey_app_models", "journey_app_origins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [m.strip() for m in value.split(",") if m.strip()]
        return value

    @field_validator("journey_app_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        cleaned = []
        for origin in value:
            origin = origin.rstrip("/")
            if not ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: write scheme://host[:port] with no path, "
                    "e.g. https://journey.example.com"
                )
            cleaned.append(origin.lower())
        return cleaned

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgres://", "postgresql", "sqlite")):
            raise ValueError("must be a postgresql://… or sqlite:///… URL")
        return value

    @property
    def users_configured(self) -> bool:
        return self.journey_users is not None or self.journey_users_file is not None

    @property
    def password_auth(self) -> bool:
        """Password sign-in is on when users and the cookie secret are both configured."""
        return self.users_configured and self.chainlit_auth_secret is not None

    @property
    def session_seconds(self) -> int:
        return int(self.journey_session_hours * 3600)

    @property
    def upload_bytes(self) -> int:
        return self.journey_app_upload_mb * 1024 * 1024


def load_app_settings(**overrides: object) -> AppSettings:
    """Read and validate the app's settings; a bad value becomes a ConfigError naming the variable."""
    try:
        settings = AppSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("Invalid configuration: " + "; ".join(parts)) from exc
    if settings.users_configured and settings.chainlit_auth_secret is None:
        raise ConfigError(
            "Users are configured (JOURNEY_USERS or JOURNEY_USERS_FILE) but CHAINLIT_AUTH_SECRET is not set: "
            "run `uv run chainlit create-secret` and set it, or remove the users to run the local demo."
        )
    return settings
