"""The two engines the feedback store runs on: SQLite (the embedded default) and PostgreSQL (a team's
server, chosen by DATABASE_URL). Everything above this module is written once.

The product's SQL is written in SQLite's flavour with `?` placeholders. On PostgreSQL, `PgConnection`
translates the few statement-level differences, in one place:

- placeholders `?` become `%s` (and a literal `%` becomes `%%`), outside quoted strings;
- `INSERT OR REPLACE INTO t ...` becomes `INSERT INTO t ... ON CONFLICT (t's primary key) DO UPDATE SET`
  every other column, and `INSERT OR IGNORE` becomes `... ON CONFLICT DO NOTHING`;
- table definitions (`executescript`): `WITHOUT ROWID` is dropped, INTEGER → BIGINT, REAL → DOUBLE
  PRECISION (SQLite's REAL is 8 bytes: PostgreSQL's REAL would round ratings and scores), BLOB → BYTEA,
  TEXT → TEXT COLLATE "C" (byte order, as SQLite compares: ids split and sort the same way on both, so
  batches, samples and therefore every number are identical), AUTOINCREMENT → an identity column, and
  the `strftime(... 'now')` default → `to_char(now() ...)`.

Expressions that differ between the engines (reading a key of a JSON column, summing a condition) are
not translated behind the caller's back: `Dialect` gives them by name, so the difference is visible
where it is used.

Isolation on PostgreSQL: each workspace namespace (the local workspace, or one signed-in user) is a
schema of its own, and every connection of a store has `search_path` set to that schema alone (plus the
schema holding the pg_trgm extension). The product's SQL never names a schema, so a query that forgets
an owner filter still cannot see another user's rows: they are not in any table it can name.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Literal

EngineName = Literal["sqlite", "postgresql"]

EXTENSION_SCHEMA = "journey_ext"
"""Where pg_trgm is installed: a schema of its own, so no owner's schema holds (or depends on) it."""
DEFAULT_NAMESPACE = "journey"
"""The schema of the workspace without a signed-in owner (the CLI, a single-user app)."""


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("postgres://", "postgresql://", "postgresql+"))


def plain_postgres_url(url: str) -> str:
    """libpq's form of a URL that may name a SQLAlchemy driver (`postgresql+psycopg://` → `postgresql://`)."""
    scheme, sep, rest = url.partition("://")
    if scheme.startswith("postgresql+"):
        return f"postgresql{sep}{rest}"
    if scheme == "postgres":
        return f"postgresql{sep}{rest}"
    return url


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at:
        return url
    return f"{scheme}{sep}{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url


def namespace_for(owner: str | None) -> str:
    """The schema of one owner: the same digest that names their home folder (see owner_home)."""
    if owner is None:
        return DEFAULT_NAMESPACE
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
    return f"{DEFAULT_NAMESPACE}_u{digest}"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lock_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


# --- expressions that differ: named, not translated ---------------------------------------------------------


class Dialect:
    """SQL fragments that differ between the engines."""

    name: EngineName = "sqlite"

    @staticmethod
    def _json_key(key: str) -> str:
        return key.replace("'", "''")

    def json_text(self, column: str, key: str) -> str:
        """The value of `key` in a JSON text column, as text (NULL when absent or JSON null)."""
        escaped = self._json_key(key.replace('"', '""'))
        return f"CAST(json_extract({column}, '$.\"{escaped}\"') AS TEXT)"

    def json_keys(self, column: str) -> tuple[str, str]:
        """(FROM item, key column) listing the keys of a JSON object column, e.g. `json_each(c) j`."""
        return f"json_each({column}) j", "j.key"

    def count_if(self, condition: str) -> str:
        """SUM of a condition: how many rows meet it (NULL over no rows)."""
        return f"SUM({condition})"

    def total(self, expression: str) -> str:
        """A float sum that is 0.0 over no rows (SQLite's TOTAL)."""
        return f"TOTAL({expression})"

    def round_half_up(self, expression: str) -> str:
        """Round to a whole number, halves away from zero (PostgreSQL's ROUND of a double rounds halves
        to even)."""
        return f"ROUND({expression})"


class PostgresDialect(Dialect):
    name: EngineName = "postgresql"

    def json_text(self, column: str, key: str) -> str:
        # SQLite's json_extract gives booleans as 1/0: the same text here, so segments are named alike.
        k = self._json_key(key)
        doc = f"CAST({column} AS json)"
        return (
            f"(CASE CAST({doc} -> '{k}' AS text) WHEN 'true' THEN '1' WHEN 'false' THEN '0' "
            f"ELSE {doc} ->> '{k}' END)"
        )

    def json_keys(self, column: str) -> tuple[str, str]:
        return f"json_object_keys(CAST({column} AS json)) j(key)", "j.key"

    def count_if(self, condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    def total(self, expression: str) -> str:
        return f"COALESCE(SUM({expression}), 0.0)"

    def round_half_up(self, expression: str) -> str:
        return f"(CASE WHEN {expression} < 0 THEN -FLOOR(0.5 - ({expression})) ELSE FLOOR({expression} + 0.5) END)"


SQLITE = Dialect()
POSTGRES = PostgresDialect()


# --- statement translation for PostgreSQL ----------------------------------------------------------------------


def placeholders(sql: str) -> str:
    """`?` → `%s` outside quoted strings and identifiers; every `%` doubled (psycopg reads them anywhere)."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote is not None:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


_DEFAULT_NOW = re.compile(r"DEFAULT\s*\(\s*strftime\('%Y-%m-%dT%H:%M:%SZ',\s*'now'\)\s*\)", re.IGNORECASE)
_TYPE_WORDS = [
    (
        re.compile(r"\bINTEGER\s+PRIMARY\s+KEY\s+AUTOINCREMENT\b", re.I),
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\)\s*WITHOUT\s+ROWID", re.I), ")"),
    (re.compile(r"\bBLOB\b"), "BYTEA"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bTEXT\b"), 'TEXT COLLATE "C"'),
]


def postgres_ddl(script: str) -> str:
    """SQLite table definitions in PostgreSQL's words (see the module docstring)."""
    script = re.sub(r"--[^\n]*", "", script)
    script = _DEFAULT_NOW.sub(
        "DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))", script
    )
    for pattern, replacement in _TYPE_WORDS:
        script = pattern.sub(replacement, script)
    return script


_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(REPLACE|IGNORE)\s+INTO\s+(\w+)\s*(\(([^)]*)\))?", re.I | re.S)


class Catalog:
    """Primary keys and column order of the tables in one schema (read once, shared by its connections)."""

    def __init__(self) -> None:
        self._tables: dict[str, tuple[list[str], list[str]]] = {}
        self._lock = threading.Lock()

    def table(self, raw: Any, name: str) -> tuple[list[str], list[str]]:
        """(columns in order, primary-key columns)."""
        with self._lock:
            found = self._tables.get(name)
        if found is not None:
            return found
        columns = [
            r[0]
            for r in raw.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                (name,),
            )
        ]
        key = [
            r[0]
            for r in raw.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary "
                "ORDER BY array_position(i.indkey::int2[], a.attnum)",
                (name,),
            )
        ]
        if not columns:
            raise LookupError(f"no table {name!r} in this schema")
        with self._lock:
            self._tables[name] = (columns, key)
        return columns, key

    def forget(self) -> None:
        with self._lock:
            self._tables.clear()


def translate(sql: str, catalog: Catalog, raw: Any) -> str:
    """One SQLite-flavoured statement in PostgreSQL's words."""
    match = _INSERT_OR.match(sql)
    if match is not None:
        verb, table, listed = match.group(1).upper(), match.group(2), match.group(4)
        columns, key = catalog.table(raw, table)
        named = [c.strip() for c in listed.split(",")] if listed else columns
        head = f"INSERT INTO {table} ({', '.join(named)})"
        rest = sql[match.end() :].rstrip().rstrip(";")
        if verb == "IGNORE" or not [c for c in named if c not in key]:
            tail = " ON CONFLICT DO NOTHING"
        else:
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in named if c not in key)
            tail = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        sql = f"{head} {rest}{tail}"
    return placeholders(sql)


class _NumberLoader:
    """NUMERIC results (PostgreSQL's SUM of integers) as int when whole, else float: SQLite gives ints."""

    @staticmethod
    def convert(text: str) -> int | float:
        value = Decimal(text)
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)


def _register_number_loader(raw: Any) -> None:
    from psycopg.adapt import Loader

    class NumberLoader(Loader):
        def load(self, data: Any) -> int | float:
            return _NumberLoader.convert(bytes(data).decode())

    raw.adapters.register_loader("numeric", NumberLoader)


class PgConnection:
    """A psycopg connection that takes the product's SQLite-flavoured SQL (see the module docstring)."""

    def __init__(self, raw: Any, catalog: Catalog, write_key: int) -> None:
        self.raw = raw
        self.catalog = catalog
        self.write_key = write_key
        self._cache: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        found = self._cache.get(sql)
        if found is None:
            found = translate(sql, self.catalog, self.raw)
            if len(self._cache) < 2000:
                self._cache[sql] = found
        return found

    def translate(self, sql: str) -> str:
        return self._sql(sql)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return self.raw.execute(self._sql(sql), list(params or ()))

    def executemany(self, sql: str, seq: Any) -> Any:
        rows = list(seq)
        cur = self.raw.cursor()
        if rows:
            cur.executemany(self._sql(sql), rows)
        return cur

    def executescript(self, script: str) -> None:
        """Table definitions, translated; under the namespace's write lock (two processes creating the
        same table at once would otherwise collide in PostgreSQL's catalog)."""
        with self.raw.transaction():
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (self.write_key,))
            self.raw.execute(postgres_ddl(script))
        self.catalog.forget()

    def close(self) -> None:
        self.raw.close()


def connect_postgres(
    url: str, namespace: str, catalog: Catalog, write_key: int, extension_schema: str = EXTENSION_SCHEMA
) -> PgConnection:
    """A connection in autocommit mode (transactions are explicit) that sees only `namespace` (and the
    schema holding pg_trgm's functions)."""
    import psycopg

    raw = psycopg.connect(
        plain_postgres_url(url),
        autocommit=True,
        options=f"-c search_path={quote_ident(namespace)},{quote_ident(extension_schema)}",
    )
    _register_number_loader(raw)
    return PgConnection(raw, catalog, write_key)


def ensure_namespace(url: str, namespace: str) -> str:
    """Create the owner's schema and the pg_trgm extension once (two processes may race: a lock orders
    them); returns the schema pg_trgm lives in (an existing installation is used where it is)."""
    import psycopg

    with psycopg.connect(plain_postgres_url(url), autocommit=True) as raw, raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key("journey-namespaces"),))
        found = raw.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        ).fetchone()
        if found is None:
            raw.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(EXTENSION_SCHEMA)}")
            raw.execute(f"CREATE EXTENSION pg_trgm SCHEMA {quote_ident(EXTENSION_SCHEMA)}")
        raw.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(namespace)}")
        return str(found[0]) if found else EXTENSION_SCHEMA


@contextmanager
def postgres_write(conn: PgConnection, key: int) -> Iterator[PgConnection]:
    """One transaction holding the namespace's write lock: writers take turns, as under SQLite's
    BEGIN IMMEDIATE, so check-then-insert (duplicates, map versions) stays safe across processes."""
    with conn.raw.transaction():
        conn.raw.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        yield conn
