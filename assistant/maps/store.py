"""Maps as stored, versioned objects, in the workspace's database.

Every change is a new version with its author (user or assistant), time and a one-line reason; nothing
is overwritten. Undo is itself a new version that restores an earlier one, so the history shows it.
Each version remembers which version an undo of it should go back to, so undoing twice walks back two
edits instead of redoing the first undo.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal

from assistant.domain.loading import map_from_data
from assistant.domain.model import JourneyMap
from assistant.errors import JourneyError
from assistant.feedback.store import FeedbackStore
from assistant.workspace.results import MapSummary, MapVersion

Author = Literal["user", "assistant"]

MAP_SCHEMA = """
CREATE TABLE IF NOT EXISTS map_versions (
    name_key TEXT NOT NULL,          -- case-folded name: names are unique regardless of case
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    author TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    undo_to INTEGER,                 -- the version an undo of this one restores (NULL: nothing to undo)
    map_json TEXT NOT NULL,
    PRIMARY KEY (name_key, version)
);
"""

MAX_NAME = 120


class MapNotFound(JourneyError):
    exit_code = 2


class MapConflict(JourneyError):
    """Another writer stored a version of the map between reading it and saving the edit."""


def _key(name: str) -> str:
    return name.strip().casefold()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class MapStore:
    def __init__(self, db: FeedbackStore) -> None:
        self.db = db

    def _check_name(self, name: str) -> str:
        name = name.strip()
        if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
            raise JourneyError(f"A map name is 1-{MAX_NAME} printable characters, not {name!r}.")
        return name

    def exists(self, name: str) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM map_versions WHERE name_key = ? LIMIT 1", (_key(name),)
        ).fetchone()
        return row is not None

    def latest_version(self, name: str) -> int:
        row = self.db.conn.execute(
            "SELECT MAX(version) FROM map_versions WHERE name_key = ?", (_key(name),)
        ).fetchone()
        if row is None or row[0] is None:
            raise MapNotFound(f"No saved map is called {name!r}. `journey maps list` shows the saved maps.")
        return int(row[0])

    def get(self, name: str, version: int | None = None) -> MapVersion:
        number = self.latest_version(name) if version is None else version
        row = self.db.conn.execute(
            "SELECT name, version, author, reason, created_at, map_json FROM map_versions "
            "WHERE name_key = ? AND version = ?",
            (_key(name), number),
        ).fetchone()
        if row is None:
            latest = self.latest_version(name)
            raise MapNotFound(f"Map {name!r} has versions 1-{latest}; there is no version {number}.")
        return MapVersion(
            name=row[0],
            version=row[1],
            author=row[2],
            reason=row[3],
            created_at=datetime.fromisoformat(row[4]),
            map=map_from_data(json.loads(row[5])),
        )

    def save(
        self,
        name: str,
        journey: JourneyMap,
        author: Author,
        reason: str,
        undo_to: int | None = -1,
        based_on: int | None = None,
    ) -> MapVersion:
        """Store `journey` as the next version of `name` (version 1 for a new name).

        `undo_to` -1 means "the version before this one" (a normal edit). `based_on`: the version the
        edit was made from; if another writer stored a version since, nothing is stored (MapConflict),
        so an edit never silently drops someone else's."""
        name = self._check_name(name)
        with self.db.write() as conn:
            row = conn.execute(
                "SELECT MAX(version) FROM map_versions WHERE name_key = ?", (_key(name),)
            ).fetchone()
            previous = int(row[0]) if row and row[0] is not None else 0
            if based_on is not None and previous != based_on:
                raise MapConflict(
                    f"Map {name!r} changed while this edit was made (now version {previous}, the edit "
                    f"started from {based_on}); nothing was stored. Run the edit again."
                )
            number = previous + 1
            target = (previous or None) if undo_to == -1 else undo_to
            created = _now()
            stored = journey.model_copy(update={"version": number, "updated_at": created})
            conn.execute(
                "INSERT INTO map_versions (name_key, version, name, author, reason, created_at, undo_to, map_json) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (
                    _key(name),
                    number,
                    name,
                    author,
                    reason[:500],
                    created.isoformat(),
                    target,
                    stored.model_dump_json(),
                ),
            )
        return MapVersion(
            name=name, version=number, author=author, reason=reason[:500], created_at=created, map=stored
        )

    def undo_target(self, name: str) -> tuple[int, int | None]:
        """(latest version, the version an undo restores or None when there is nothing to undo)."""
        latest = self.latest_version(name)
        row = self.db.conn.execute(
            "SELECT undo_to FROM map_versions WHERE name_key = ? AND version = ?", (_key(name), latest)
        ).fetchone()
        return latest, row[0]

    def undo_to_of(self, name: str, version: int) -> int | None:
        row = self.db.conn.execute(
            "SELECT undo_to FROM map_versions WHERE name_key = ? AND version = ?", (_key(name), version)
        ).fetchone()
        return None if row is None else row[0]

    def all(self) -> list[MapSummary]:
        rows = self.db.conn.execute(
            "SELECT v.name, v.version, v.author, v.reason, v.created_at, v.map_json FROM map_versions v "
            "JOIN (SELECT name_key, MAX(version) AS latest FROM map_versions GROUP BY name_key) m "
            "ON m.name_key = v.name_key AND m.latest = v.version ORDER BY v.created_at DESC, v.name"
        ).fetchall()
        out = []
        for name, version, author, reason, created, blob in rows:
            data = json.loads(blob)
            out.append(
                MapSummary(
                    name=name,
                    title=data.get("title", ""),
                    version=version,
                    stages=len(data.get("stages", [])),
                    updated_at=datetime.fromisoformat(created),
                    author=author,
                    reason=reason,
                )
            )
        return out

    def history(self, name: str) -> list[MapSummary]:
        rows = self.db.conn.execute(
            "SELECT name, version, author, reason, created_at, map_json FROM map_versions WHERE name_key = ? "
            "ORDER BY version",
            (_key(name),),
        ).fetchall()
        if not rows:
            raise MapNotFound(f"No saved map is called {name!r}. `journey maps list` shows the saved maps.")
        return [
            MapSummary(
                name=r[0],
                title=json.loads(r[5]).get("title", ""),
                version=r[1],
                stages=len(json.loads(r[5]).get("stages", [])),
                updated_at=datetime.fromisoformat(r[4]),
                author=r[2],
                reason=r[3],
            )
            for r in rows
        ]
