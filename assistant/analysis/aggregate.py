"""SQL aggregates over labelled feedback: the numbers diagnosis is built from.

Everything is grouped inside SQLite (one pass per grouping), so a million rows never become Python
objects. Each result row is a `Counts` of one group.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from assistant.feedback.store import FeedbackStore

CORE_COLUMNS = {"source", "file_name", "channel", "stage_label", "rating_type", "external_id"}
MISSING = "(missing)"


@dataclass
class Counts:
    """Counts and sums for one group of rows."""

    n: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    nps_n: int = 0
    nps_promoters: int = 0
    nps_detractors: int = 0
    csat_n: int = 0
    csat_satisfied: int = 0
    csat_sum: float = 0.0
    csat_sumsq: float = 0.0
    ces_n: int = 0
    ces_easy: int = 0
    ces_sum: float = 0.0
    ces_sumsq: float = 0.0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


_SELECT = """
    COUNT(*), SUM(r.label = -1), SUM(r.label = 0), SUM(r.label = 1),
    SUM(f.rating_type = 'nps'), SUM(f.rating_type = 'nps' AND f.rating >= 9), SUM(f.rating_type = 'nps' AND f.rating <= 6),
    SUM(f.rating_type = 'csat'), SUM(f.rating_type = 'csat' AND f.rating >= 4),
    TOTAL(CASE WHEN f.rating_type = 'csat' THEN f.rating END),
    TOTAL(CASE WHEN f.rating_type = 'csat' THEN f.rating * f.rating END),
    SUM(f.rating_type = 'ces'), SUM(f.rating_type = 'ces' AND f.rating >= 5),
    TOTAL(CASE WHEN f.rating_type = 'ces' THEN f.rating END),
    TOTAL(CASE WHEN f.rating_type = 'ces' THEN f.rating * f.rating END)
"""
_N_AGG = 15


def segment_expression(column: str) -> str:
    """SQL for a segment column: a core field, or any original column kept in the row's JSON."""
    if column in CORE_COLUMNS:
        return f"COALESCE(f.{column}, '{MISSING}')"
    key = column.replace('"', '""').replace("'", "''")
    return f"COALESCE(CAST(json_extract(f.columns, '$.\"{key}\"') AS TEXT), '{MISSING}')"


def period_expression(freq: str) -> str:
    if freq == "month":
        return "substr(f.date, 1, 7)"
    if freq == "week":
        return "strftime('%Y-W%W', f.date)"
    return "substr(f.date, 1, 4) || '-Q' || ((CAST(substr(f.date, 6, 2) AS INTEGER) + 2) / 3)"


@dataclass(frozen=True)
class Scope:
    """Which labelled rows to aggregate."""

    map_key: str
    source: str | None = None
    since: str | None = None
    until: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["s.map_key = ?"]
        params: list[Any] = [self.map_key]
        if self.source is not None:
            clauses.append("f.source = ?")
            params.append(self.source)
        if self.since is not None:
            clauses.append("f.date >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("f.date <= ?")
            params.append(self.until)
        return " AND ".join(clauses), params


_FROM = (
    "FROM row_stage s JOIN feedback f ON f.feedback_id = s.feedback_id "
    "JOIN row_sentiment r ON r.feedback_id = s.feedback_id"
)


def grouped_counts(store: FeedbackStore, scope: Scope, *group_exprs: str) -> dict[tuple[Any, ...], Counts]:
    """Counts per (stage, *groups). The stage index is always the first key (-1 = unassigned)."""
    where, params = scope.where()
    keys = ["s.stage", *group_exprs]
    sql = f"SELECT {', '.join(keys)}, {_SELECT} {_FROM} WHERE {where} GROUP BY {', '.join(keys)}"
    out: dict[tuple[Any, ...], Counts] = {}
    for row in store.conn.execute(sql, params):
        k = len(keys)
        out[tuple(row[:k])] = Counts(*[v or 0 for v in row[k : k + _N_AGG]])
    return out


DayKey = tuple[int, str | None, str | None]
"""(stage index, ISO date or None, segment value or None)."""


def day_counts(store: FeedbackStore, scope: Scope, segment_expr: str | None = None) -> dict[DayKey, Counts]:
    """One pass over the labelled rows: counts per stage, day and (optionally) segment value.

    Every other grouping (per stage, per period, per segment, per comparison window) is a sum over these
    few thousand groups, so a million rows are read once instead of once per grouping."""
    groups = ["s.stage", "f.date", segment_expr or "NULL"]
    where, params = scope.where()
    sql = f"SELECT {', '.join(groups)}, {_SELECT} {_FROM} WHERE {where} GROUP BY 1, 2, 3"
    return {
        (row[0], row[1], None if row[2] is None else str(row[2])): Counts(
            *[v or 0 for v in row[3 : 3 + _N_AGG]]
        )
        for row in store.conn.execute(sql, params)
    }


def roll_up(
    days: Mapping[DayKey, Counts],
    key: Callable[[DayKey], Hashable | None],
    since: str | None = None,
    until: str | None = None,
) -> dict[Any, Counts]:
    """Sum day groups by `key` (groups whose key is None are skipped), within an optional date window."""
    out: dict[Any, Counts] = {}
    for day_key, counts in days.items():
        day = day_key[1]
        if since is not None and (day is None or day < since):
            continue
        if until is not None and (day is None or day > until):
            continue
        k = key(day_key)
        if k is None:
            continue
        if k not in out:
            out[k] = Counts()
        out[k].add(counts)
    return out


@lru_cache(maxsize=4096)
def period_label(day: str, freq: str) -> str:
    """'2026-03' (month), '2026-Q1' (quarter) or ISO week '2026-W09' for an ISO date."""
    if freq == "month":
        return day[:7]
    if freq == "week":
        year, week, _ = date.fromisoformat(day[:10]).isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day[:4]}-Q{(int(day[5:7]) + 2) // 3}"


def date_range(store: FeedbackStore, scope: Scope) -> tuple[str | None, str | None]:
    where, params = scope.where()
    row = store.conn.execute(f"SELECT MIN(f.date), MAX(f.date) {_FROM} WHERE {where}", params).fetchone()
    return row[0], row[1]


def column_exists(store: FeedbackStore, column: str) -> bool:
    """True when the segment column is a core field or appears in at least one stored row."""
    if column in CORE_COLUMNS:
        return True
    key = column.replace('"', '""').replace("'", "''")
    row = store.conn.execute(
        f"SELECT 1 FROM feedback WHERE json_extract(columns, '$.\"{key}\"') IS NOT NULL LIMIT 1"
    ).fetchone()
    return row is not None


def stage_comments(
    store: FeedbackStore, scope: Scope, stage: int, label: int, limit: int = 1500
) -> list[tuple[str, str, str, int]]:
    """(feedback_id, text, source, row) of one stage's rows with one sentiment label.

    At most `limit` rows, taken in feedback-id order: ids are content hashes, so this is a deterministic
    random sample that SQLite reads straight off an index instead of sorting every matching row."""
    where, params = scope.where()
    sql = (
        f"SELECT f.feedback_id, f.text, f.source, f.row {_FROM} WHERE {where} AND s.stage = ? AND r.label = ? "
        "ORDER BY s.feedback_id LIMIT ?"
    )
    return [(r[0], r[1], r[2], r[3]) for r in store.conn.execute(sql, [*params, stage, label, limit])]


def negative_sample(store: FeedbackStore, scope: Scope, limit: int = 6000) -> list[tuple[int, str]]:
    """(stage, text) of a deterministic sample of negative rows in scope, all stages together."""
    where, params = scope.where()
    sql = f"SELECT s.stage, f.text {_FROM} WHERE {where} AND r.label = -1 ORDER BY s.feedback_id LIMIT ?"
    return [(r[0], r[1]) for r in store.conn.execute(sql, [*params, limit])]


def sample_texts(store: FeedbackStore, scope: Scope, limit: int = 2000) -> list[str]:
    """A deterministic sample of all texts in scope (the background for theme distinctiveness)."""
    where, params = scope.where()
    sql = f"SELECT f.text {_FROM} WHERE {where} ORDER BY s.feedback_id LIMIT ?"
    return [r[0] for r in store.conn.execute(sql, [*params, limit])]


def safe_identifier(column: str) -> bool:
    return bool(re.fullmatch(r"[^\x00-\x1f]{1,200}", column))
