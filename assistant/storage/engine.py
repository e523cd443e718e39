"""The workspace database's engines and connections, for SQLite (the embedded default: one file) and
PostgreSQL (a team's server, chosen by DATABASE_URL), through SQLAlchemy.

Every connection is a `SqlConnection`, which runs statements through a SQLAlchemy connection:

- `run(statement, params)`: a Core expression or a `text()` with named parameters, compiled by SQLAlchemy
  for the engine at hand. New code and the stores of the SQL layer's own tables write their SQL this way.
- `execute(sql, params)` / `executemany` / `executescript`: **the compatibility path** for SQL still
  written as strings in SQLite's flavour with `?` placeholders (the workspace facade, labelling,
  aggregates, keyword search, filters). On SQLite the string runs as written. On PostgreSQL three
  statement-level differences are rewritten, and nothing else: `?` becomes `%s` (and a literal `%`
  `%%`) outside quoted strings; `INSERT OR REPLACE INTO t ...` becomes `INSERT INTO t ... ON CONFLICT
  (t's primary key) DO UPDATE SET` every other column, and `INSERT OR IGNORE` `... ON CONFLICT DO
  NOTHING`, the primary key and columns read from the declared schema (schema.py); a table definition
  (`executescript`, only for tables not declared in schema.py) is put in PostgreSQL's words. Move a
  query to `run()` when you touch it; the compatibility path goes when the last one has moved.

Connections are in autocommit mode; transactions are explicit (`begin_write`): SQLite's `BEGIN
IMMEDIATE`, PostgreSQL's `BEGIN` plus the namespace's advisory lock, so writers take turns on both.

Isolation on PostgreSQL: each workspace namespace (the local workspace, or one signed-in user) is a
schema of its own, and every connection has `search_path` set to that schema alone (plus the schema
holding the pg_trgm extension). The product's SQL never names a schema, so a query that forgets an
owner filter still cannot see another user's rows: they are not in any table it can name.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from assistant.storage.schema import metadata

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
    if scheme.startswith("postgresql+") or scheme == "postgres":
        return f"postgresql{sep}{rest}"
    return url


def psycopg_url(url: str) -> str:
    """SQLAlchemy's form of a PostgreSQL URL, with the psycopg (3) driver."""
    _scheme, sep, rest = plain_postgres_url(url).partition("://")
    return f"postgresql+psycopg{sep}{rest}"


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


# --- engines ---------------------------------------------------------------------------------------------


def sqlite_file_connection(path: Path) -> sqlite3.Connection:
    """A DBAPI connection to a SQLite file: autocommit (transactions are explicit), WAL, waiting up to a
    minute for locks."""
    # Each connection is used by the one thread that opened it; the flag only lets `close()` run elsewhere.
    conn = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=60000")
    return conn


def sqlite_engine(path: Path) -> sa.Engine:
    """An engine whose every connection is a new `sqlite_file_connection` (no pool: each thread keeps its
    own connection for the store's life)."""
    return sa.create_engine(
        "sqlite://",
        creator=lambda: sqlite_file_connection(path),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
    )


def _number(text: str) -> int | float:
    """NUMERIC results (PostgreSQL's SUM of integers) as int when whole, else float: SQLite gives ints."""
    value = Decimal(text)
    if value.is_finite() and value == value.to_integral_value():
        return int(value)
    return float(value)


def postgres_engine(url: str, namespace: str, extension_schema: str = EXTENSION_SCHEMA) -> sa.Engine:
    """An engine whose connections see only `namespace` (and the schema holding pg_trgm's functions)."""
    engine = sa.create_engine(
        psycopg_url(url),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": f"-c search_path={quote_ident(namespace)},{quote_ident(extension_schema)}"},
    )

    @sa.event.listens_for(engine, "connect")
    def _numbers(dbapi_connection: Any, _record: Any) -> None:
        from psycopg.adapt import Loader

        class NumberLoader(Loader):
            def load(self, data: Any) -> int | float:
                return _number(bytes(data).decode())

        dbapi_connection.adapters.register_loader("numeric", NumberLoader)

    return engine


def ensure_namespace(url: str, namespace: str) -> str:
    """Create the owner's schema and the pg_trgm extension once (two processes may race: a lock orders
    them); returns the schema pg_trgm lives in (an existing installation is used where it is)."""
    engine = sa.create_engine(psycopg_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            try:
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key("journey-namespaces")}
                )
                found = conn.execute(
                    sa.text(
                        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                        "WHERE e.extname = 'pg_trgm'"
                    )
                ).first()
                if found is None:
                    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(EXTENSION_SCHEMA)}")
                    conn.exec_driver_sql(f"CREATE EXTENSION pg_trgm SCHEMA {quote_ident(EXTENSION_SCHEMA)}")
                conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(namespace)}")
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
            return str(found[0]) if found else EXTENSION_SCHEMA
    finally:
        engine.dispose()


# --- the compatibility path: SQLite-flavoured strings on PostgreSQL --------------------------------------


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
    """SQLite table definitions in PostgreSQL's words, the types mapped as schema.py maps them (only for
    tables not declared there: a table copied by `journey migrate` that this version does not know)."""
    script = re.sub(r"--[^\n]*", "", script)
    script = _DEFAULT_NOW.sub(
        "DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))", script
    )
    for pattern, replacement in _TYPE_WORDS:
        script = pattern.sub(replacement, script)
    return script


_INSERT_OR = re.compile(r"^\s*INSERT\s+OR\s+(REPLACE|IGNORE)\s+INTO\s+(\w+)\s*(\(([^)]*)\))?", re.I | re.S)


def table_shape(name: str) -> tuple[list[str], list[str]]:
    """(columns in order, primary-key columns) of a declared table."""
    table = metadata.tables.get(name)
    if table is None:
        raise LookupError(f"table {name!r} is not declared in assistant/storage/schema.py")
    return [c.name for c in table.columns], [c.name for c in table.primary_key.columns]


def translate(sql: str) -> str:
    """One SQLite-flavoured statement in PostgreSQL's words (see the module docstring)."""
    match = _INSERT_OR.match(sql)
    if match is not None:
        verb, table, listed = match.group(1).upper(), match.group(2), match.group(4)
        columns, key = table_shape(table)
        named = [c.strip() for c in listed.split(",")] if listed else columns
        head = f"INSERT INTO {table} ({', '.join(named)})"
        rest = sql[match.end() :].rstrip().rstrip(";")
        if verb == "IGNORE" or not [c for c in named if c not in key]:
            tail = " ON CONFLICT DO NOTHING"
        else:
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in named if c not in key)
            tail = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        sql = f"{head} {rest}{tail}"
    # SQLAlchemy hands psycopg a parameter mapping even when there are none, so `%` is always doubled.
    return placeholders(sql)


# --- connections ----------------------------------------------------------------------------------------


class SqlConnection:
    """One SQLAlchemy connection of a store (see the module docstring for `run` and the compatibility
    path). Used by the one thread that opened it."""

    def __init__(self, conn: sa.Connection, write_key: int) -> None:
        self.sa = conn
        """The SQLAlchemy connection."""
        self.write_key = write_key
        self.is_postgres = conn.dialect.name == "postgresql"
        self._cache: dict[str, str] = {}

    @property
    def dialect_name(self) -> str:
        return str(self.sa.dialect.name)

    @property
    def raw(self) -> Any:
        """The driver's own connection (psycopg's COPY, sqlite3 specifics)."""
        return self.sa.connection.driver_connection

    def run(self, statement: sa.Executable, params: Any = None) -> Any:
        """A Core expression or a `text()` with named parameters; the result is SQLAlchemy's (rows are
        read by position, as the string path's are)."""
        return self.sa.execute(statement, params)

    # --- the compatibility path ------------------------------------------------------------------------

    def translate(self, sql: str) -> str:
        """The statement as the driver gets it (unchanged on SQLite)."""
        if not self.is_postgres:
            return sql
        found = self._cache.get(sql)
        if found is None:
            found = translate(sql)
            if len(self._cache) < 2000:
                self._cache[sql] = found
        return found

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        """A SQLite-flavoured statement with `?` placeholders."""
        return self.sa.exec_driver_sql(self.translate(sql), tuple(params or ()))

    def executemany(self, sql: str, seq: Any) -> None:
        rows = [tuple(r) for r in seq]
        if rows:
            self.sa.exec_driver_sql(self.translate(sql), rows)

    def executescript(self, script: str) -> None:
        """Table definitions in SQLite's words (on PostgreSQL translated, and run under the namespace's
        write lock: two processes creating the same table at once would otherwise collide)."""
        if not self.is_postgres:
            self.raw.executescript(script)
            return
        with self.transaction():
            self.raw.execute(postgres_ddl(script))  # the driver's own: no parameters, `%` as written

    # --- transactions ------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[SqlConnection]:
        """One transaction holding the write lock from its start (SQLite: BEGIN IMMEDIATE; PostgreSQL:
        the namespace's advisory lock), so check-then-insert stays safe across processes."""
        if self.is_postgres:
            self.sa.exec_driver_sql("BEGIN")
            try:
                self.sa.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.write_key})
            except BaseException:
                self.sa.exec_driver_sql("ROLLBACK")
                raise
        else:
            self.sa.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.sa.exec_driver_sql("ROLLBACK")
            raise
        else:
            self.sa.exec_driver_sql("COMMIT")

    def native_script(self, script: str) -> None:
        """Engine-specific definitions written for this engine (keyword search's FTS5 tables and
        triggers, or its tsvector column and GIN indexes), run as they are; on PostgreSQL under the
        namespace's write lock."""
        if not self.is_postgres:
            self.raw.executescript(script)
            return
        with self.transaction():
            self.raw.execute(script)  # the driver's own: no parameters, `%` as written

    def _query(self, sql: str | sa.Executable, params: Sequence[Any], stream: bool = False) -> Any:
        options = {"stream_results": True} if stream else {}
        if isinstance(sql, str):
            return self.sa.exec_driver_sql(
                self.translate(sql), tuple(params or ()), execution_options=options
            )
        return self.sa.execute(
            sql, dict(params) if isinstance(params, dict) else None, execution_options=options
        )

    def stream(self, sql: str | sa.Executable, params: Sequence[Any], batch_size: int) -> Iterator[list[Any]]:
        """The rows of one query (Core, or `?`-style through the compatibility path) in batches: on
        PostgreSQL a server-side cursor inside a read transaction of this connection."""
        if not self.is_postgres:
            result = self._query(sql, params)
            while batch := result.fetchmany(batch_size):
                yield list(batch)
            return
        self.sa.exec_driver_sql("BEGIN")
        try:
            result = self._query(sql, params, stream=True)
            while batch := result.fetchmany(batch_size):
                yield list(batch)
            result.close()
        finally:
            self.sa.exec_driver_sql("COMMIT")

    def close(self) -> None:
        self.sa.close()


class Engine:
    """The engine of one store (SQLite file or PostgreSQL namespace) and its per-thread connections."""

    def __init__(self, engine: sa.Engine, write_key: int) -> None:
        self.engine = engine
        self.write_key = write_key
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[SqlConnection] = []

    @property
    def name(self) -> str:
        return str(self.engine.dialect.name)

    def new_connection(self) -> SqlConnection:
        """A connection of its own (not this thread's), for a parallel read; the caller closes it."""
        return SqlConnection(self.engine.connect(), self.write_key)

    @property
    def conn(self) -> SqlConnection:
        """This thread's connection."""
        conn: SqlConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.new_connection()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
        self.engine.dispose()
