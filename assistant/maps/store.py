"""Maps as stored, versioned objects, in the workspace's database.

Every change is a new version with its author (user or assistant), time and a one-line reason; nothing
is overwritten. Undo is itself a new version that restores an earlier one, so the history shows it.
Each version remembers which version an undo of it should go back to, so undoing twice walks back two
edits instead of redoing the first undo.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from assistant.contracts.results import MapSummary, MapVersion
from assistant.domain.loading import map_from_data
from assistant.domain.map_model import JourneyMap
from assistant.errors import JourneyError
from assistant.feedback.store import FeedbackStore
from assistant.storage.schema import map_versions

Author = Literal["user", "assistant"]

MAP_SCHEMA = ""
"""The table (`map_versions`) is declared in assistant/storage/schema.py and made by its migrations;
this empty script is kept for callers that still add it to a store's schema."""

V = map_versions.c
SUMMARY_COLUMNS = (V.name, V.version, V.author, V.reason, V.created_at, V.map_json)

MAX_NAME = 120


class MapNotFound(JourneyError):
    exit_code = 2


class MapConflict(JourneyError):
    """Another writer stored a version of the map between reading it and saving the edit."""


def _key(name: str) -> str:
    return name.strip().casefold()


def _latest(name: str) -> sa.Select[Any]:
    """The newest version number of a map (NULL when there is none)."""
    return sa.select(sa.func.max(V.version)).where(V.name_key == _key(name))


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
        statement = sa.select(sa.literal(1)).where(V.name_key == _key(name)).limit(1)
        return self.db.conn.run(statement).first() is not None

    def latest_version(self, name: str) -> int:
        latest = self.db.conn.run(_latest(name)).scalar()
        if latest is None:
            raise MapNotFound(f"No saved map is called {name!r}. `journey maps list` shows the saved maps.")
        return int(latest)

    def get(self, name: str, version: int | None = None) -> MapVersion:
        number = self.latest_version(name) if version is None else version
        row = self.db.conn.run(
            sa.select(*SUMMARY_COLUMNS).where(V.name_key == _key(name), V.version == number)
        ).first()
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
            latest = conn.run(_latest(name)).scalar()
            previous = int(latest) if latest is not None else 0
            if based_on is not None and previous != based_on:
                raise MapConflict(
                    f"Map {name!r} changed while this edit was made (now version {previous}, the edit "
                    f"started from {based_on}); nothing was stored. Run the edit again."
                )
            number = previous + 1
            target = (previous or None) if undo_to == -1 else undo_to
            created = _now()
            stored = journey.model_copy(update={"version": number, "updated_at": created})
            conn.run(
                sa.insert(map_versions).values(
                    name_key=_key(name),
                    version=number,
                    name=name,
                    author=author,
                    reason=reason[:500],
                    created_at=created.isoformat(),
                    undo_to=target,
                    map_json=stored.model_dump_json(),
                )
            )
        return MapVersion(
            name=name, version=number, author=author, reason=reason[:500], created_at=created, map=stored
        )

    def undo_target(self, name: str) -> tuple[int, int | None]:
        """(latest version, the version an undo restores or None when there is nothing to undo)."""
        latest = self.latest_version(name)
        return latest, self.undo_to_of(name, latest)

    def undo_to_of(self, name: str, version: int) -> int | None:
        found: Any = self.db.conn.run(
            sa.select(V.undo_to).where(V.name_key == _key(name), V.version == version)
        ).scalar()
        return None if found is None else int(found)

    def all(self) -> list[MapSummary]:
        newest = (
            sa.select(V.name_key, sa.func.max(V.version).label("latest")).group_by(V.name_key).subquery("m")
        )
        rows = self.db.conn.run(
            sa.select(*SUMMARY_COLUMNS)
            .join(newest, sa.and_(newest.c.name_key == V.name_key, newest.c.latest == V.version))
            .order_by(V.created_at.desc(), V.name)
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
        rows = self.db.conn.run(
            sa.select(*SUMMARY_COLUMNS).where(V.name_key == _key(name)).order_by(V.version)
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
