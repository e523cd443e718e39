"""Bring a workspace database to the newest schema revision (Alembic, migrations/), on either engine.

Run when a store opens, under the write lock (two processes opening one new database take turns). A
database made before Alembic (it has the tables but no `alembic_version`) is stamped with the baseline
revision, which describes exactly those tables, and then upgraded from there like any other.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from assistant.storage.engine import SqlConnection
from assistant.storage.schema import TABLES

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"
"""The revision a database made before Alembic is at."""
VERSION_TABLE = "alembic_version"


def _config(conn: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


@lru_cache(maxsize=1)
def head() -> str:
    """The newest revision."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def current(conn: SqlConnection) -> str | None:
    """The revision the database is at (None: not under Alembic yet, or empty)."""
    if not sa.inspect(conn.sa).has_table(VERSION_TABLE):
        return None
    row = conn.run(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def upgrade(conn: SqlConnection) -> None:
    """Create or upgrade the schema to the newest revision (nothing to do, and no lock taken, when it
    is there already)."""
    if current(conn) == head():
        return
    with conn.transaction():  # re-checked under the lock: another process may have done it meanwhile
        config = _config(conn.sa)
        if current(conn) is None and sa.inspect(conn.sa).has_table("feedback"):
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")


_NAMES = re.compile(
    r"^\s*(?:CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS|DROP\s+TABLE\s+IF\s+EXISTS|"
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s+\w+\s+ON)\s+(\w+)",
    re.I,
)


def undeclared(script: str) -> str:
    """The statements of a SQLite-flavoured table script that are about tables schema.py does not
    declare (those it declares are made by the migrations; `DROP TABLE IF EXISTS` of an old cache is
    done by the baseline). What is left runs through the compatibility path."""
    kept = []
    for statement in re.sub(r"--[^\n]*", "", script).split(";"):
        if not statement.strip():
            continue
        match = _NAMES.match(statement)
        if match is not None and (match.group(1) in TABLES or statement.lstrip().upper().startswith("DROP")):
            continue
        kept.append(statement.strip() + ";")
    return "\n".join(kept)
