"""SQL aggregates over labelled feedback: the numbers diagnosis is built from.

Everything is grouped inside the database (SQLite or PostgreSQL: one pass, at day granularity), so a
million rows never become Python objects. Each result row is a `Counts` of one group. The few
expressions the engines spell differently come from the store's `Dialect`; both give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant.feedback.database import SQLITE, Dialect
from assistant.feedback.store import SUMMARY_TABLES, FeedbackStore
from journey_tools.counts import Counts
from journey_tools.survey_scales import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN, ces_easy_min, csat_satisfied_min

if TYPE_CHECKING:
    from assistant.contracts.requests import RowFilter

CORE_COLUMNS = {"source", "file_name", "channel", "stage_label", "rating_type", "external_id"}
MISSING = "(missing)"


def _select(d: Dialect) -> str:
    nps, csat, ces = "s.rating_type = 'nps'", "s.rating_type = 'csat'", "s.rating_type = 'ces'"
    return f"""
    COUNT(*), {d.count_if("s.label = -1")}, {d.count_if("s.label = 0")}, {d.count_if("s.label = 1")},
    {d.count_if(nps)}, {d.count_if(f"{nps} AND s.rating >= {NPS_PROMOTER_MIN}")},
    {d.count_if(f"{nps} AND s.rating <= {NPS_DETRACTOR_MAX}")},
    {d.count_if(csat)}, {d.count_if(f"{csat} AND s.rating >= {csat_satisfied_min()}")},
    {d.total(f"CASE WHEN {csat} THEN s.rating END")},
    {d.total(f"CASE WHEN {csat} THEN s.rating * s.rating END")},
    {d.count_if(ces)}, {d.count_if(f"{ces} AND s.rating >= {ces_easy_min()}")},
    {d.total(f"CASE WHEN {ces} THEN s.rating END")},
    {d.total(f"CASE WHEN {ces} THEN s.rating * s.rating END")}
"""


_N_AGG = 15


def segment_expression(column: str, dialect: Dialect = SQLITE) -> str:
    """SQL for a segment column: a core field, or any original column kept in the row's JSON. An empty
    cell is '(missing)', like an absent one (not a segment named '')."""
    if column in CORE_COLUMNS:
        value = f"{'s' if column == 'source' else 'f'}.{column}"
    else:
        value = dialect.json_text("f.columns", column)
    return f"COALESCE(NULLIF({value}, ''), '{MISSING}')"


@dataclass(frozen=True)
class Scope:
    """Which labelled rows to aggregate: a map's labels, of some datasets, in a date window, matching row
    filters (values as stored; see `Workspace.resolve_filters`)."""

    map_key: str
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    filters: tuple[RowFilter, ...] = ()

    def admits(self, source: str, day: str | None) -> bool:
        """The same test as `where` (but for the filters), for a group already read (its source and day)."""
        if self.sources and source not in self.sources:
            return False
        if self.since is not None and (day is None or day < self.since):
            return False
        return self.until is None or (day is not None and day <= self.until)

    def where(self, dialect: Dialect = SQLITE) -> tuple[str, list[Any]]:
        """SQL conditions on `row_stage s` (and, when there are filters, on `feedback f` joined to it)."""
        clauses = ["s.map_key = ?"]
        params: list[Any] = [self.map_key]
        if self.sources:
            clauses.append(f"s.source IN ({', '.join('?' * len(self.sources))})")
            params.extend(self.sources)
        if self.since is not None:
            clauses.append("s.date >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("s.date <= ?")
            params.append(self.until)
        # Values of one column with `=` are alternatives; everything else must hold too.
        wanted: dict[str, list[str]] = {}
        for f in self.filters:
            expr = segment_expression(f.column, dialect)
            if f.op == "=":
                wanted.setdefault(expr, []).append(f.value)
            else:
                clauses.append(f"{expr} <> ?")
                params.append(f.value)
        for expr, values in wanted.items():
            clauses.append(f"{expr} IN ({', '.join('?' * len(values))})")
            params.extend(values)
        return " AND ".join(clauses), params


_FROM = "FROM row_stage s JOIN feedback f ON f.feedback_id = s.feedback_id"


DayKey = tuple[int, str | None, str | None]
"""(stage index, ISO date or None, segment value or None)."""


def _two_halves(
    store: FeedbackStore, sql: str, params: list[Any], n_key: int
) -> dict[tuple[Any, ...], Counts]:
    """Run a grouping query (its `{part}` placeholder restricts the rows) over each half of the rows on a
    connection of its own, one per core, and add the halves' groups: the first `n_key` columns are the
    group, the next ones a `Counts`."""

    def part(condition: str) -> dict[tuple[Any, ...], Counts]:
        # Its own connection: SQLite reads in parallel under WAL, and sqlite3 releases the GIL while stepping
        # (on PostgreSQL each half is a query of its own, on a server process of its own).
        conn = store.new_connection()
        try:
            return {
                tuple(r[:n_key]): Counts(*[v or 0 for v in r[n_key : n_key + _N_AGG]])
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


def day_counts(store: FeedbackStore, scope: Scope, segment: str | None = None) -> dict[DayKey, Counts]:
    """Counts per stage, day and (optionally) value of the `segment` column.

    Every other grouping (per stage, per period, per segment, per comparison window) is a sum over these
    few thousand groups, so a million rows are read once instead of once per grouping. They come from the
    map's summaries (see `summarise`) when current, without reading the rows: the summary per stage and
    day always, and the one per segment value once a diagnosis has asked for that column."""
    where, params = scope.where(store.dialect)
    if scope.filters:
        # Filters read the rows themselves (a summary keeps no columns but the segment asked for); with the
        # same labels and the same column expression, a filtered count equals that value's segment block.
        expr = "NULL" if segment is None else segment_expression(segment, store.dialect)
        sql = f"SELECT s.stage, s.date, {expr}, {_select(store.dialect)} {_FROM} WHERE {where} AND {{part}} GROUP BY 1, 2, 3"
        return {
            (k[0], k[1], None if k[2] is None else str(k[2])): counts
            for k, counts in _two_halves(store, sql, params, 3).items()
        }
    if segment is None and summary_is_current(store, scope.map_key):
        return _read_summary(store, "stage_summary", "NULL", where, params)
    if segment is None:
        # row_stage carries date, rating and source: no join with the feedback rows is needed.
        sql = f"SELECT s.stage, s.date, NULL, {_select(store.dialect)} FROM row_stage s WHERE {where} AND {{part}} GROUP BY 1, 2, 3"
        return {(k[0], k[1], None): counts for k, counts in _two_halves(store, sql, params, 3).items()}
    if segment_summary_is_current(store, scope.map_key, segment):
        return _read_summary(
            store, "segment_summary", "s.value", f"{where} AND s.segment = ?", [*params, segment]
        )
    # The first question by this column reads the rows once, and keeps the groups for the next.
    out: dict[DayKey, Counts] = {}
    for (src, day, stage, value), counts in summarise_segment(store, scope.map_key, segment).items():
        if not scope.admits(src, day):
            continue
        key = (stage, day, str(value))
        if key in out:
            out[key].add(counts)
        else:
            out[key] = counts
    return out


def _read_summary(
    store: FeedbackStore, table: str, value: str, where: str, params: list[Any]
) -> dict[DayKey, Counts]:
    """Day groups (stage, day, `value`) summed from a summary table's finer groups."""
    sums = ", ".join(_summary_sum(store.dialect, name) for name in _COUNT_FIELDS)
    sql = f"SELECT s.stage, s.date, {value}, {sums} FROM {table} s WHERE {where} GROUP BY 1, 2, 3"
    return {
        (r[0], r[1], r[2]): Counts(*[v or 0 for v in r[3 : 3 + _N_AGG]])
        for r in store.conn.execute(sql, params)
    }


# --- the per-map summary ------------------------------------------------------------------------------------
# Labels under a map key are only ever added (a row not yet labelled) or deleted (with their rows, or all of
# a key when a correction changes it), so the day-level counts can be kept per map instead of recomputed
# from a million rows on every question. Every writer of row_stage drops the key's summary in the same
# transaction (`drop_summary`); labelling rebuilds it at its end, and a diagnosis that finds none builds it.

_COUNT_FIELDS = [f.name for f in fields(Counts)]
_COUNT_COLUMNS = ", ".join(
    f"{name} {'REAL' if name.endswith(('_sum', '_sumsq')) else 'INTEGER'} NOT NULL" for name in _COUNT_FIELDS
)

SUMMARY_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS stage_summary (
    map_key TEXT NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    stage INTEGER NOT NULL,
    bucket INTEGER NOT NULL,         -- stage confidence in 0.05 steps (x 20), for the ranking bootstrap
    {_COUNT_COLUMNS}
);
CREATE INDEX IF NOT EXISTS stage_summary_by_map ON stage_summary(map_key);
CREATE TABLE IF NOT EXISTS segment_summary (
    map_key TEXT NOT NULL,
    segment TEXT NOT NULL,           -- the column segmented by
    source TEXT NOT NULL,
    date TEXT,
    stage INTEGER NOT NULL,
    value TEXT NOT NULL,             -- the column's value ('(missing)' when the row has none)
    {_COUNT_COLUMNS}
);
CREATE INDEX IF NOT EXISTS segment_summary_by_map ON segment_summary(map_key, segment);
CREATE TABLE IF NOT EXISTS segment_summary_state (
    map_key TEXT NOT NULL,
    segment TEXT NOT NULL,
    PRIMARY KEY (map_key, segment)
);
CREATE TABLE IF NOT EXISTS stage_summary_state (
    map_key TEXT PRIMARY KEY,
    labelled_rows INTEGER NOT NULL    -- row_stage rows under the key when the summary was made
);
"""

MAX_SEGMENT_GROUPS = 200_000
"""Above this many (source, day, stage, value) groups a column is read from the rows each time (an id-like
column would make a summary as large as the rows)."""


def _summary_sum(d: Dialect, name: str) -> str:
    # PostgreSQL sums a bigint column into numeric (a Decimal in Python): counts are cast back.
    return d.total(f"s.{name}") if name.endswith(("_sum", "_sumsq")) else f"CAST(SUM(s.{name}) AS BIGINT)"


def summary_is_current(store: FeedbackStore, map_key: str) -> bool:
    row = store.conn.execute("SELECT 1 FROM stage_summary_state WHERE map_key = ?", [map_key]).fetchone()
    return row is not None


def segment_summary_is_current(store: FeedbackStore, map_key: str, segment: str) -> bool:
    row = store.conn.execute(
        "SELECT 1 FROM segment_summary_state WHERE map_key = ? AND segment = ?", [map_key, segment]
    ).fetchone()
    return row is not None


def drop_summary(conn: Any, map_key: str | None = None) -> None:
    """Forget a map key's summaries (every key's when None), inside the caller's write transaction."""
    where, params = ("", []) if map_key is None else (" WHERE map_key = ?", [map_key])
    for table in SUMMARY_TABLES:
        conn.execute(f"DELETE FROM {table}" + where, params)


def _insert_groups(
    conn: Any,
    table: str,
    fixed: dict[str, str],
    last: tuple[str, Callable[[Any], Any]],
    groups: dict[tuple[Any, ...], Counts],
) -> None:
    """Write (source, day, stage, last) groups into a summary table, each row with the `fixed` values;
    `last` is the fourth key's column and its type (the engines return ROUND as a float)."""
    last_column, cast = last
    columns = ", ".join([*fixed, "source", "date", "stage", last_column, *_COUNT_FIELDS])
    marks = ", ".join("?" * (len(fixed) + 4 + _N_AGG))
    conn.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
        [
            [*fixed.values(), source, day, int(stage), cast(value), *(getattr(c, n) for n in _COUNT_FIELDS)]
            for (source, day, stage, value), c in groups.items()
        ],
    )


def summarise_segment(store: FeedbackStore, map_key: str, segment: str) -> dict[tuple[Any, ...], Counts]:
    """Build the map key's summary per value of one column (one parallel pass over the rows) and return
    its (source, day, stage, value) groups; kept unless the column has too many values for a summary to
    be much smaller than the rows."""
    expr = segment_expression(segment, store.dialect)
    source = _FROM if "f." in expr else "FROM row_stage s"
    sql = (
        f"SELECT s.source, s.date, s.stage, {expr}, {_select(store.dialect)} {source} "
        "WHERE s.map_key = ? AND {part} GROUP BY 1, 2, 3, 4"
    )
    with store.write() as conn:  # held through the pass: no label changes between reading and recording
        groups = _two_halves(store, sql, [map_key], 4)
        if len(groups) > MAX_SEGMENT_GROUPS:
            return groups
        conn.execute("DELETE FROM segment_summary WHERE map_key = ? AND segment = ?", [map_key, segment])
        _insert_groups(
            conn, "segment_summary", {"map_key": map_key, "segment": segment}, ("value", str), groups
        )
        conn.execute("INSERT INTO segment_summary_state (map_key, segment) VALUES (?, ?)", [map_key, segment])
    return groups


def summarise(store: FeedbackStore, map_key: str) -> int:
    """Build the map key's summary from its labelled rows (one parallel pass); returns the rows counted.

    The pass runs while this connection holds the write lock, so no label can be added or deleted
    between reading the rows and recording the summary as current."""
    bucket = store.dialect.round_half_up("s.confidence * 20")
    sql = (
        f"SELECT s.source, s.date, s.stage, {bucket}, {_select(store.dialect)} FROM row_stage s "
        "WHERE s.map_key = ? AND {part} GROUP BY 1, 2, 3, 4"
    )
    with store.write() as conn:
        groups = _two_halves(store, sql, [map_key], 4)
        drop_summary(conn, map_key)
        _insert_groups(conn, "stage_summary", {"map_key": map_key}, ("bucket", int), groups)
        total = sum(c.n for c in groups.values())
        conn.execute(
            "INSERT INTO stage_summary_state (map_key, labelled_rows) VALUES (?, ?)", [map_key, total]
        )
    return total


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
    where, params = scope.where(store.dialect)
    sql = (
        f"SELECT f.feedback_id, f.text, f.source, f.row {_FROM} WHERE {where} AND s.stage = ? AND s.label = ? "
        "ORDER BY s.feedback_id LIMIT ?"
    )
    return [(r[0], r[1], r[2], r[3]) for r in store.conn.execute(sql, [*params, stage, label, limit])]


def negative_sample(store: FeedbackStore, scope: Scope, limit: int = 6000) -> list[tuple[int, str]]:
    """(stage, text) of a deterministic sample of negative rows in scope, all stages together."""
    where, params = scope.where(store.dialect)
    sql = f"SELECT s.stage, f.text {_FROM} WHERE {where} AND s.label = -1 ORDER BY s.feedback_id LIMIT ?"
    return [(r[0], r[1]) for r in store.conn.execute(sql, [*params, limit])]


def sample_texts(store: FeedbackStore, scope: Scope, limit: int = 2000) -> list[str]:
    """A deterministic sample of all texts in scope (the background for theme distinctiveness)."""
    where, params = scope.where(store.dialect)
    sql = f"SELECT f.text {_FROM} WHERE {where} ORDER BY s.feedback_id LIMIT ?"
    return [r[0] for r in store.conn.execute(sql, [*params, limit])]


def confidence_groups(store: FeedbackStore, scope: Scope) -> list[tuple[int, bool, float, int]]:
    """(stage, negative, confidence, rows) groups of the labelled rows in scope, confidence in 0.05 steps
    (what the ranking-confidence bootstrap needs, in a few hundred groups instead of one per row)."""
    where, params = scope.where(store.dialect)
    if summary_is_current(store, scope.map_key) and not scope.filters:
        sql = (
            "SELECT s.stage, s.bucket, CAST(SUM(s.n) AS BIGINT), CAST(SUM(s.negative) AS BIGINT) "
            f"FROM stage_summary s WHERE {where} GROUP BY s.stage, s.bucket"
        )
        out: list[tuple[int, bool, float, int]] = []
        for stage, bucket, n, negative in store.conn.execute(sql, params):
            out += [(int(stage), False, int(bucket) / 20.0, int(n - negative))] if n > negative else []
            out += [(int(stage), True, int(bucket) / 20.0, int(negative))] if negative else []
    else:
        sql = (
            f"SELECT s.stage, s.label = -1, {store.dialect.round_half_up('s.confidence * 20')} / 20.0, COUNT(*) "
            f"{_FROM if scope.filters else 'FROM row_stage s'} "
            f"WHERE {where} GROUP BY 1, 2, 3"
        )
        out = [(int(r[0]), bool(r[1]), float(r[2]), int(r[3])) for r in store.conn.execute(sql, params)]
    # The bootstrap draws from the groups in order: the same order on either path and engine.
    return sorted(out)
