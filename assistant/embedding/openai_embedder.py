"""OpenAI (or a compatible endpoint's) embeddings, when the user configures them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from assistant.embedding.base import CACHE_SIZE, Embedder, Kind, normalise
from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import Settings


class OpenAIEmbedder(Embedder):
    batch_size = 256

    def __init__(self, settings: Settings, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        if settings.openai_api_key is None and settings.openai_base_url is None:
            raise ConfigError(
                "JOURNEY_EMBEDDING=openai needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)."
            )
        from langchain_openai import OpenAIEmbeddings

        self._client = OpenAIEmbeddings(
            model=settings.openai_embedding_model,
            openai_api_key=settings.openai_api_key,
            openai_api_base=settings.openai_base_url,
            # Local OpenAI-compatible servers take raw strings, not tiktoken ids.
            check_embedding_ctx_length=settings.openai_base_url is None,
        )
        self.name = "openai-" + re.sub(r"[^a-zA-Z0-9]+", "-", settings.openai_embedding_model).strip("-")

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        vectors = self._client.embed_documents(texts)
        return normalise(np.asarray(vectors, dtype=np.float32))
