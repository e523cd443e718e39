"""One embedding stack for indexing, search and labelling (see base.py)."""

from assistant.embedding.base import FEEDBACK_KIND, Embedder, Kind, normalise
from assistant.embedding.registry import build_embedder, embedder_from_name

__all__ = ["FEEDBACK_KIND", "Embedder", "Kind", "build_embedder", "embedder_from_name", "normalise"]
