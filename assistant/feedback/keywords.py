"""Keyword search over every stored feedback row, inside the database, with filters applied in SQL.

Two indexes, because the two languages need different ones:

- **words** (SQLite FTS5 `unicode61`; PostgreSQL `tsvector` with the `simple` configuration): English
  words, digits, and whole Korean 어절 (space-separated units). English query words of four letters or
  more match as prefixes (refund → refunds, refunded); a Korean stem of one or two syllables (배송, 앱)
  matches 어절 that start with it (배송이, 배송비가, 앱에서).
- **trigrams** (SQLite FTS5 `trigram`; PostgreSQL `pg_trgm`): any run of three or more characters
  anywhere, so a Korean stem of three syllables or more is found inside a 어절 (로그인 in 앱로그인이).
  On SQLite only rows with Hangul are put in it.
  A trigram index cannot look up one or two syllables, which is why the words index is kept as well.

Query words are Korean stems (particles and endings stripped: 배송이 → 배송) and English words without
stop words. Rows are ranked by BM25 (SQLite) or ts_rank (PostgreSQL); hybrid search fuses this list with
the dense one by reciprocal rank, so the two engines' score scales never meet.

On SQLite the indexes are contentless FTS5 tables (the text is stored once, in `feedback`) kept in step
by triggers, so every way a row is stored or deleted (ingest, the undo of a failed file) updates them in
the same transaction. On PostgreSQL a generated column and two GIN indexes do the same.

Very common words: ranking every match of a word found in 40 % of a million rows costs far more than the
200 ms a search may take, so when a word list matches more than `RECENT_WINDOW` rows, the most recently
stored `RECENT_WINDOW` matches are ranked (the window is widened when filters leave too few).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from journey_tools.text import EN_SEARCH_STOP, is_hangul, runs, strip_particles


class KeywordStore(Protocol):
    """What keyword search needs of the feedback store (`assistant.feedback.store.FeedbackStore`, which
    builds these indexes from this module's schema: this module must not import it back)."""

    @property
    def is_postgres(self) -> bool: ...

    @property
    def conn(self) -> Any: ...

    def write(self) -> AbstractContextManager[Any]: ...

    def matching_ids(self, ids: Sequence[str], conditions: str, params: Sequence[Any]) -> set[str]: ...


SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_fts_ids (
    rowid INTEGER PRIMARY KEY,       -- the FTS5 rowid of the row's text (FTS5 needs integer keys)
    feedback_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE IF NOT EXISTS feedback_words USING fts5(
    text, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS feedback_trigrams USING fts5(text, content='', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS feedback_fts_insert AFTER INSERT ON feedback BEGIN
    INSERT INTO feedback_fts_ids (feedback_id) VALUES (new.feedback_id);
    INSERT INTO feedback_words (rowid, text)
        SELECT rowid, new.text FROM feedback_fts_ids WHERE feedback_id = new.feedback_id;
    INSERT INTO feedback_trigrams (rowid, text)
        SELECT rowid, new.text FROM feedback_fts_ids WHERE feedback_id = new.feedback_id AND new.text GLOB '*[가-힣ㄱ-ㆎ]*';
END;
CREATE TRIGGER IF NOT EXISTS feedback_fts_delete AFTER DELETE ON feedback BEGIN
    INSERT INTO feedback_words (feedback_words, rowid, text)
        SELECT 'delete', rowid, old.text FROM feedback_fts_ids WHERE feedback_id = old.feedback_id;
    INSERT INTO feedback_trigrams (feedback_trigrams, rowid, text)
        SELECT 'delete', rowid, old.text FROM feedback_fts_ids WHERE feedback_id = old.feedback_id AND old.text GLOB '*[가-힣ㄱ-ㆎ]*';
    DELETE FROM feedback_fts_ids WHERE feedback_id = old.feedback_id;
END;
CREATE TRIGGER IF NOT EXISTS feedback_fts_update AFTER UPDATE OF text ON feedback BEGIN
    INSERT INTO feedback_words (feedback_words, rowid, text)
        SELECT 'delete', rowid, old.text FROM feedback_fts_ids WHERE feedback_id = old.feedback_id;
    INSERT INTO feedback_trigrams (feedback_trigrams, rowid, text)
        SELECT 'delete', rowid, old.text FROM feedback_fts_ids WHERE feedback_id = old.feedback_id AND old.text GLOB '*[가-힣ㄱ-ㆎ]*';
    INSERT INTO feedback_words (rowid, text)
        SELECT rowid, new.text FROM feedback_fts_ids WHERE feedback_id = new.feedback_id;
    INSERT INTO feedback_trigrams (rowid, text)
        SELECT rowid, new.text FROM feedback_fts_ids WHERE feedback_id = new.feedback_id AND new.text GLOB '*[가-힣ㄱ-ㆎ]*';
END;
"""

POSTGRES_SCHEMA = """
ALTER TABLE feedback ADD COLUMN IF NOT EXISTS text_words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
CREATE INDEX IF NOT EXISTS feedback_text_words ON feedback USING gin (text_words);
CREATE INDEX IF NOT EXISTS feedback_text_trigrams ON feedback USING gin (text gin_trgm_ops);
"""

HANGUL_GLOB = "*[가-힣ㄱ-ㆎ]*"
"""Rows the trigram index holds: only those with Hangul (trigram terms are Korean stems), which halves
its cost on a bilingual set and skips it for English-only feedback."""
RECENT_WINDOW = 20_000
"""Matches ranked per query at most, the most recently stored first (see the module docstring)."""
PREFIX_FROM = 4
"""English query words this long or longer also match longer words (refund → refunds)."""
TRIGRAM_FROM = 3
"""Korean stems this long or longer are looked up anywhere inside a 어절."""
TRIGRAM_WEIGHT = 0.1
"""PostgreSQL: score added per trigram term a row contains (ts_rank covers the words)."""


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What a query looks for: word terms (with or without prefix matching) and trigram terms."""

    words: tuple[tuple[str, bool], ...] = ()
    trigrams: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.trigrams)


def query_terms(query: str) -> QueryTerms:
    """Split a query into the terms each index looks up (see the module docstring)."""
    words: dict[str, bool] = {}
    trigrams: dict[str, None] = {}
    for run in runs(query):
        if is_hangul(run):
            stem = strip_particles(run)
            if len(stem) >= TRIGRAM_FROM:
                trigrams[stem] = None
            else:
                words[stem] = True
        elif run not in EN_SEARCH_STOP:
            words[run] = words.get(run, False) or (len(run) >= PREFIX_FROM and not run.isdigit())
    return QueryTerms(tuple(words.items()), tuple(trigrams))


@dataclass
class Filters:
    """SQL conditions on the feedback row `f`, with their parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def sql(self) -> str:
        return "".join(f" AND {c}" for c in self.clauses)


def backfill(store: KeywordStore) -> None:
    """Index rows stored before the keyword index existed (a store from an earlier version), once."""
    if store.is_postgres:
        return  # the generated column was computed for every row when it was added
    conn = store.conn
    if conn.execute("SELECT 1 FROM store_meta WHERE key = 'keyword_index'").fetchone():
        return
    with store.write() as c:
        c.execute(
            "INSERT INTO feedback_fts_ids (feedback_id) SELECT f.feedback_id FROM feedback f "
            "WHERE NOT EXISTS (SELECT 1 FROM feedback_fts_ids i WHERE i.feedback_id = f.feedback_id)"
        )
        for table, only in (
            ("feedback_words", ""),
            ("feedback_trigrams", f" WHERE f.text GLOB '{HANGUL_GLOB}'"),
        ):
            c.execute(f"DELETE FROM {table}")
            c.execute(
                f"INSERT INTO {table} (rowid, text) SELECT i.rowid, f.text FROM feedback_fts_ids i "
                f"JOIN feedback f ON f.feedback_id = i.feedback_id{only}"
            )
        c.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('keyword_index', '1')")


def _fts_words(terms: QueryTerms) -> str:
    return " OR ".join(f'"{w}"' + ("*" if prefix else "") for w, prefix in terms.words)


def _fts_trigrams(terms: QueryTerms) -> str:
    return " OR ".join(f'"{t}"' for t in terms.trigrams)


def search(
    store: KeywordStore, query: str, filters: Filters | None = None, limit: int = 50
) -> list[tuple[str, float]]:
    """(feedback_id, score) of the best keyword matches in scope, best first."""
    terms = query_terms(query)
    if not terms or limit < 1:
        return []
    filters = filters or Filters()
    if store.is_postgres:
        return _search_postgres(store, terms, filters, limit)
    scores: dict[str, float] = {}
    for table, match in (("feedback_words", _fts_words(terms)), ("feedback_trigrams", _fts_trigrams(terms))):
        if match:
            for fid, score in _search_table(store, table, match, filters, limit):
                scores[fid] = scores.get(fid, 0.0) + score
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit]


def _search_table(
    store: KeywordStore, table: str, match: str, filters: Filters, limit: int
) -> list[tuple[str, float]]:
    """Rank matches by BM25 in the FTS table alone (joining every match to its feedback row to check
    filters cost five times the ranking at 1M rows), then check the filters on the best few by id,
    asking for more until `limit` pass."""
    conn = store.conn
    window = RECENT_WINDOW
    rank = (
        f"SELECT rowid, -bm25({table}) FROM {table} WHERE {table} MATCH ? AND rowid >= ? "
        "ORDER BY 2 DESC, 1 DESC LIMIT ?"
    )
    while True:
        # The rowid of the window-th most recent match: ranking starts there (0: rank every match).
        edge = conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, window - 1),
        ).fetchone()
        floor = int(edge[0]) if edge else 0
        want = max(limit * 8, 400) if filters.clauses else limit
        while True:
            rows = conn.execute(rank, (match, floor, want)).fetchall()
            ids = dict(
                conn.execute(
                    "SELECT rowid, feedback_id FROM feedback_fts_ids WHERE rowid IN (SELECT value FROM json_each(?))",
                    (json.dumps([r[0] for r in rows]),),
                ).fetchall()
            )
            ranked = [(ids[r[0]], float(r[1])) for r in rows if r[0] in ids]
            if filters.clauses:
                kept = store.matching_ids([fid for fid, _ in ranked], filters.sql(), filters.params)
                ranked = [(fid, score) for fid, score in ranked if fid in kept]
            if len(ranked) >= limit or len(rows) < want:
                break
            want *= 4
        if len(ranked) >= limit or floor == 0:
            return ranked[:limit]
        window *= 8  # the filters kept too few of the recent matches: look further back


def _search_postgres(
    store: KeywordStore, terms: QueryTerms, filters: Filters, limit: int
) -> list[tuple[str, float]]:
    words = " | ".join(f"'{w}'" + (":*" if prefix else "") for w, prefix in terms.words)
    conditions: list[str] = []
    params: list[Any] = []
    score_parts: list[str] = []
    score_params: list[Any] = []
    if words:
        conditions.append("f.text_words @@ to_tsquery('simple', ?)")
        params.append(words)
        score_parts.append("ts_rank(f.text_words, to_tsquery('simple', ?))")
        score_params.append(words)
    for term in terms.trigrams:
        conditions.append("f.text ILIKE ?")
        params.append(f"%{term}%")
        score_parts.append(f"(CASE WHEN f.text ILIKE ? THEN {TRIGRAM_WEIGHT} ELSE 0 END)")
        score_params.append(f"%{term}%")
    sql = (
        f"SELECT f.feedback_id, {' + '.join(score_parts)} AS score FROM feedback f "
        f"WHERE ({' OR '.join(conditions)}){filters.sql()} ORDER BY score DESC, f.feedback_id LIMIT ?"
    )
    rows = store.conn.execute(sql, [*score_params, *params, *filters.params, limit]).fetchall()
    return [(r[0], float(r[1])) for r in rows]
