"""Which stored columns a question can break results down by or filter on, and which stage names the
feedback is already filed under.

Pure: column names and value counts come in (the workspace reads them from the store), names come out.
A column that plays a role in every row (the text, id, date, rating, stage) or that the store keeps
for bookkeeping is never a segment; a score under another name restates the outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistant.contracts.feedback_records import Role
from assistant.feedback.columns import ROLE_NAMES, normalise

BOOKKEEPING = ("source", "file_name", "external_id", "stage_label")
"""Columns the store fills itself: never a breakdown."""

MAX_SEGMENT_VALUES = 20
"""A breakdown column has 2 to this many values."""
MIN_COVERAGE = 0.5
"""... filling at least this share of the sampled rows."""
SEGMENT_SAMPLE = 5000
"""Rows sampled to count a column's values."""
MAX_SCOPE_VALUES = 60
"""A column a question can filter on has 1 to this many stored values."""
MIN_STAGE_SHARE = 0.02
"""A stage name the feedback is filed under counts from this share of the filed rows (below: stray
values, typos)."""

ValueCounts = Sequence[tuple[str, int]]
"""A column's values with their row counts, most common first."""


def _role_names(*roles: Role) -> set[str]:
    return {n for role in roles for n in ROLE_NAMES[role]}


def may_segment(column: str) -> bool:
    """Whether a column could be a breakdown at all, by its name: not the text, id, date, rating or
    stage column, and not one the store keeps for itself (checked before its values are counted)."""
    roles = _role_names("text", "id", "date", "rating", "stage")
    return normalise(column) not in roles and column not in BOOKKEEPING


def is_score(counts: ValueCounts) -> bool:
    """A score under another name (a 0-10 question): four or more values, all whole numbers up to 10.
    It restates the outcome rather than explaining it."""
    return len(counts) >= 4 and all(v.isdigit() and int(v) <= 10 for v, _ in counts)


def is_segment(
    counts: ValueCounts, rows: int, max_values: int = MAX_SEGMENT_VALUES, min_coverage: float = MIN_COVERAGE
) -> bool:
    """A breakdown a change could be concentrated in: 2 to `max_values` values filling at least
    `min_coverage` of the `rows` sampled, and not a score."""
    if not 2 <= len(counts) <= max_values or sum(n for _, n in counts) < min_coverage * rows:
        return False
    return not is_score(counts)


def segment_candidates(
    counts: Mapping[str, ValueCounts],
    rows: int,
    max_values: int = MAX_SEGMENT_VALUES,
    min_coverage: float = MIN_COVERAGE,
) -> list[str]:
    """The columns (in the order given) whose value counts make them a breakdown (`is_segment`); the
    columns should be those `may_segment` lets through."""
    return [
        c
        for c, found in counts.items()
        if may_segment(c) and is_segment(found, rows, max_values, min_coverage)
    ]


def scope_columns(columns: Iterable[str]) -> list[str]:
    """The columns a question can name as its scope (a filter), in order and once each: channel first,
    then the stored ones; not the text, id, date or rating column, nor bookkeeping."""
    roles = _role_names("text", "id", "date", "rating")
    out: list[str] = []
    for column in ["channel", *columns]:
        if column in out or normalise(column) in roles or column in (*BOOKKEEPING, "rating_type"):
            continue
        out.append(column)
    return out


def is_scope_column(values: Sequence[str], max_values: int = MAX_SCOPE_VALUES) -> bool:
    """A column a question can filter on has 1 to `max_values` stored values."""
    return 1 <= len(values) <= max_values


def common_stages(labels: ValueCounts, min_share: float = MIN_STAGE_SHARE) -> list[str]:
    """The stage names feedback is filed under (most rows first), without those under `min_share` of
    the filed rows."""
    total = sum(n for _, n in labels)
    return [name for name, n in labels if n >= min_share * total]
