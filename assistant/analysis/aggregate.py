"""SQL aggregates over labelled feedback: the numbers diagnosis is built from.

Everything is grouped inside the database (SQLite or PostgreSQL: one pass, at day granularity), so a
million rows never become Python objects. Each result row is a `Counts` of one group. The few
expressions the engines spell differently come from the store's `Dialect`; both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from assistant.feedback.database import SQLITE, Dialect
from assistant.feedback.store import FeedbackStore
from tools.counts import Counts

CORE_COLUMNS = {"source", "file_name", "channel", "stage_label", "rating_type", "external_id"}
MISSING = "(missing)"


def _select(d: Dialect) -> str:
    nps, csat, ces = "s.rating_type = 'nps'", "s.rating_type = 'csat'", "s.rating_type = 'ces'"
    return f"""
    COUNT(*), {d.count_if("s.label = -1")}, {d.count_if("s.label = 0")}, {d.count_if("s.label = 1")},
    {d.count_if(nps)}, {d.count_if(f"{nps} AND s.rating >= 9")}, {d.count_if(f"{nps} AND s.rating <= 6")},
    {d.count_if(csat)}, {d.count_if(f"{csat} AND s.rating >= 4")},
    {d.total(f"CASE WHEN {csat} THEN s.rating END")},
    {d.total(f"CASE WHEN {csat} THEN s.rating * s.rating END")},
    {d.count_if(ces)}, {d.count_if(f"{ces} AND s.rating >= 5")},
    {d.total(f"CASE WHEN {ces} THEN s.rating END")},
    {d.total(f"CASE WHEN {ces} THEN s.rating * s.rating END")}
"""


_N_AGG = 15


def segment_expression(column: str, dialect: Dialect = SQLITE) -> str:
    """SQL for a segment column: a core field, or any original column kept in the row's JSON."""
    if column in CORE_COLUMNS:
        return f"COALESCE({'s' if column == 'source' else 'f'}.{column}, '{MISSING}')"
    return f"COALESCE({dialect.json_text('f.columns', column)}, '{MISSING}')"


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
            clauses.append("s.source = ?")
            params.append(self.source)
        if self.since is not None:
            clauses.append("s.date >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("s.date <= ?")
            params.append(self.until)
        return " AND ".join(clauses), params


_FROM = "FROM row_stage s JOIN feedback f ON f.feedback_id = s.feedback_id"


DayKey = tuple[int, str | None, str | None]
"""(stage index, ISO date or None, segment value or None)."""


def day_counts(store: FeedbackStore, scope: Scope, segment_expr: str | None = None) -> dict[DayKey, Counts]:
    """One pass over the labelled rows: counts per stage, day and (optionally) segment value.

    Every other grouping (per stage, per period, per segment, per comparison window) is a sum over these
    few thousand groups, so a million rows are read once instead of once per grouping."""
    groups = ["s.stage", "s.date", segment_expr or "NULL"]
    where, params = scope.where()
    # row_stage carries date, rating and source, so only a segment held in the feedback row needs the join.
    source = _FROM if segment_expr is not None and "f." in segment_expr else "FROM row_stage s"
    select = _select(store.dialect)
    sql = f"SELECT {', '.join(groups)}, {select} {source} WHERE {where} AND {{part}} GROUP BY 1, 2, 3"

    def part(condition: str) -> dict[DayKey, Counts]:
        # Its own connection: SQLite reads in parallel under WAL, and sqlite3 releases the GIL while stepping
        # (on PostgreSQL each half is a query of its own, on a server process of its own).
        conn = store.new_connection()
        try:
            return {
                (r[0], r[1], None if r[2] is None else str(r[2])): Counts(
                    *[v or 0 for v in r[3 : 3 + _N_AGG]]
                )
                for r in conn.execute(sql.format(part=condition), params)
            }
        finally:
            conn.close()

    # Feedback ids are hex content hashes, so splitting at "8" halves the rows: one half per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        low, high = pool.map(part, ["s.feedback_id < '8'", "s.feedback_id >= '8'"])
    for key, counts in high.items():
        if key in low:
            low[key].add(counts)
        else:
            low[key] = counts
    return low


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


def column_exists(store: FeedbackStore, column: str) -> bool:
    """True when the segment column is a core field or appears in at least one stored row."""
    if column in CORE_COLUMNS:
        return True
    value = store.dialect.json_text("columns", column)
    row = store.conn.execute(f"SELECT 1 FROM feedback WHERE {value} IS NOT NULL LIMIT 1").fetchone()
    return row is not None


def stage_comments(
    store: FeedbackStore, scope: Scope, stage: int, label: int, limit: int = 1500
) -> list[tuple[str, str, str, int]]:
    """(feedback_id, text, source, row) of one stage's rows with one sentiment label.

    At most `limit` rows, taken in feedback-id order: ids are content hashes, so this is a deterministic
    random sample that SQLite reads straight off an index instead of sorting every matching row."""
    where, params = scope.where()
    sql = (
        f"SELECT f.feedback_id, f.text, f.source, f.row {_FROM} WHERE {where} AND s.stage = ? AND s.label = ? "
        "ORDER BY s.feedback_id LIMIT ?"
    )
    return [(r[0], r[1], r[2], r[3]) for r in store.conn.execute(sql, [*params, stage, label, limit])]


def negative_sample(store: FeedbackStore, scope: Scope, limit: int = 6000) -> list[tuple[int, str]]:
    """(stage, text) of a deterministic sample of negative rows in scope, all stages together."""
    where, params = scope.where()
    sql = f"SELECT s.stage, f.text {_FROM} WHERE {where} AND s.label = -1 ORDER BY s.feedback_id LIMIT ?"
    return [(r[0], r[1]) for r in store.conn.execute(sql, [*params, limit])]


def sample_texts(store: FeedbackStore, scope: Scope, limit: int = 2000) -> list[str]:
    """A deterministic sample of all texts in scope (the background for theme distinctiveness)."""
    where, params = scope.where()
    sql = f"SELECT f.text {_FROM} WHERE {where} ORDER BY s.feedback_id LIMIT ?"
    return [r[0] for r in store.conn.execute(sql, [*params, limit])]


def confidence_groups(store: FeedbackStore, scope: Scope) -> list[tuple[int, bool, float, int]]:
    """(stage, negative, confidence, rows) groups of the labelled rows in scope, confidence in 0.05 steps
    (what the ranking-confidence bootstrap needs, in a few hundred groups instead of one per row)."""
    where, params = scope.where()
    sql = (
        f"SELECT s.stage, s.label = -1, {store.dialect.round_half_up('s.confidence * 20')} / 20.0, COUNT(*) "
        "FROM row_stage s "
        f"WHERE {where} GROUP BY 1, 2, 3"
    )
    return [(int(r[0]), bool(r[1]), float(r[2]), int(r[3])) for r in store.conn.execute(sql, params)]
