"""CLI command to move a SQLite home into PostgreSQL: migrate."""

from __future__ import annotations

from assistant.cli.options import JSON_FLAG, command
from assistant.cli.progress import progress_bars
from assistant.cli.root import app, clear_errors, err, print_json
from assistant.contracts.requests import MigrateRequest
from assistant.settings import load_settings
from assistant.workspace.schema_upgrade import migrate_to_postgres


@command(app, "migrate", MigrateRequest, flags={"source_home": ("--from",)}, extra=[JSON_FLAG])
def migrate(request: MigrateRequest, as_json: bool) -> None:
    """Copy a SQLite home (feedback, vectors, labels, maps, conversation state) into PostgreSQL, counting
    the rows on both sides per table; fails, keeping nothing, if any count differs."""
    with clear_errors(), progress_bars() as progress:
        result = migrate_to_postgres(
            load_settings(), request.to, request.source_home, request.owner, progress=progress
        )
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    err.print(f"[bold]{result.source}[/] → {result.target} (schema {result.namespace})", highlight=False)
    width = max((len(t.table) for t in result.tables), default=5)
    err.print(f"  {'table':<{width}}  {'SQLite':>10}  {'PostgreSQL':>10}", highlight=False)
    for t in result.tables:
        mark = "[green]ok[/]" if t.sqlite_rows == t.postgres_rows else "[red]DIFFERS[/]"
        err.print(
            f"  {t.table:<{width}}  {t.sqlite_rows:>10,}  {t.postgres_rows:>10,}  {mark}", highlight=False
        )
    err.print(
        f"Copied {result.rows:,} rows. Set DATABASE_URL to this database; with CHROMA_URL set, "
        "`journey reindex` fills the team's Chroma from the copied vectors (no model run).",
        highlight=False,
    )
