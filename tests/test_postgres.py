"""The workspace on a real PostgreSQL (Debian's package, started in a temporary folder by conftest):
the same code as on SQLite, the same numbers, one schema per owner, concurrent ingests, migration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import assistant.cli.migrate  # noqa: F401  (registers migrate)
from assistant.cli import app
from assistant.contracts.requests import (
    AssignOptions,
    CorrectOptions,
    DiagnoseOptions,
    IngestRequest,
    SearchRequest,
)
from assistant.domain import load_map
from assistant.errors import JourneyError
from assistant.feedback import keywords
from assistant.feedback.database import namespace_for
from assistant.maps.operations import RenameStage
from assistant.settings import load_settings
from assistant.turns.threads import ThreadState, ThreadStore
from assistant.workspace import Workspace
from assistant.workspace.schema_upgrade import migrate_to_postgres

ROOT = Path(__file__).resolve().parent.parent
FEEDBACK = ROOT / "knowledge" / "feedback"
MAPS = ROOT / "knowledge" / "maps"
SHOP_MAP = load_map(MAPS / "ecommerce-first-purchase-en.json")
LOAN_MAP = load_map(MAPS / "loan-application-ko.json")


def open_ws(home: Path, url: str | None = None, owner: str | None = None, **extra: Any) -> Workspace:
    settings = load_settings(journey_home=home, journey_embedding="hashing", database_url=url, **extra)
    return Workspace.open(settings, owner=owner)


def fill(ws: Workspace) -> None:
    ws.ingest(IngestRequest(files=[FEEDBACK / "shop-feedback-en.csv"], source="shop", index=False))
    ws.ingest(IngestRequest(files=[FEEDBACK / "loan-app-feedback-ko.csv"], source="loan", index=False))


def comparable(data: Any, drop: tuple[str, ...] = ("seconds",)) -> Any:
    """A result without its timings (the only thing allowed to differ between engines)."""
    if isinstance(data, dict):
        return {k: comparable(v, drop) for k, v in data.items() if k not in drop}
    if isinstance(data, list):
        return [comparable(v, drop) for v in data]
    return data


def test_labelling_and_diagnosis_give_identical_numbers_on_sqlite_and_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    with open_ws(tmp_path / "lite") as lite, open_ws(tmp_path / "pg", postgres_url) as pg:
        assert lite.db.engine == "sqlite" and pg.db.engine == "postgresql"
        fill(lite)
        fill(pg)
        # One correction each, so the corrected-label path runs on both engines too.
        first = lite.assign(SHOP_MAP, AssignOptions(source="shop")).rows[0].feedback_id
        assert pg.assign(SHOP_MAP, AssignOptions(source="shop")).rows[0].feedback_id == first
        for ws in (lite, pg):
            ws.correct(SHOP_MAP, CorrectOptions(feedback_id=first, stage=SHOP_MAP.stage_names[-1]))
        for journey, source in ((SHOP_MAP, "shop"), (LOAN_MAP, "loan")):
            a = lite.assign(journey, AssignOptions(source=source)).model_dump(mode="json")
            b = pg.assign(journey, AssignOptions(source=source)).model_dump(mode="json")
            assert comparable(a) == comparable(b)
            assert len(a["rows"]) > 100
        column = "plan"
        for options in (
            DiagnoseOptions(source="shop"),
            DiagnoseOptions(source="shop", segment_by=column),
            DiagnoseOptions(source="shop", segment_by="channel", compare_to="previous"),
            DiagnoseOptions(source="shop", since="2026-04-15"),
        ):
            a = lite.diagnose(SHOP_MAP, options).model_dump(mode="json")
            b = pg.diagnose(SHOP_MAP, options).model_dump(mode="json")
            assert comparable(a) == comparable(b), options
        a = lite.diagnose(LOAN_MAP, DiagnoseOptions(source="loan", segment_by="채널")).model_dump(mode="json")
        b = pg.diagnose(LOAN_MAP, DiagnoseOptions(source="loan", segment_by="채널")).model_dump(mode="json")
        assert comparable(a) == comparable(b)
        assert a["stages"] and sum(s["n"] for s in a["stages"]) > 100


def test_each_owner_has_a_schema_of_their_own(tmp_path: Path, postgres_url: str) -> None:
    with (
        open_ws(tmp_path, postgres_url, owner="alice") as alice,
        open_ws(tmp_path, postgres_url, owner="bob") as bob,
    ):
        alice.ingest(IngestRequest(files=[FEEDBACK / "shop-feedback-en.csv"], source="shop", index=False))
        alice.save_map("Shop", SHOP_MAP)
        assert alice.db.namespace == namespace_for("alice") != bob.db.namespace == namespace_for("bob")
        assert alice.feedback_count() == 150
        # Not a filter the code could forget: bob's connections cannot even name alice's tables.
        assert bob.db.conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0
        assert bob.feedback_count() == 0 and bob.list_maps() == []
        assert keywords.search(bob.db, "checkout") == [] and keywords.search(alice.db, "checkout")
        with pytest.raises(JourneyError):
            bob.get_map("Shop")


def test_maps_threads_corrections_and_keyword_search_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    with open_ws(tmp_path, postgres_url) as ws:
        fill(ws)
        ws.save_map("Loan", LOAN_MAP)
        edited = ws.edit_map("Loan", [RenameStage(stage=LOAN_MAP.stage_names[0], new_name="탐색")])
        assert edited.version == 2 and ws.undo_map("Loan").version == 3
        assert [v.version for v in ws.map_history("Loan")] == [1, 2, 3]
        threads = ThreadStore(ws.db)
        threads.put("t1", ThreadState(current_map="Loan", language="ko"))
        threads.put("t1", ThreadState(current_map="Loan", language="en"))
        assert threads.get("t1").language == "en" and threads.get("nope").current_map is None
        # Korean stems inside 어절 (trigram), short stems as 어절 prefixes, English prefixes; filters in SQL.
        texts = {r.feedback_id: r.text for b in ws.db.iter_feedback() for r in b}
        for query, must in (("승인", "승인"), ("이메일", "이메일"), ("checkout", "checkout")):
            found = keywords.search(ws.db, query, limit=500)
            assert found and all(must in texts[f].casefold() for f, _ in found)
            expected = {f for f, t in texts.items() if must in t.casefold()}
            assert len(found) >= 0.8 * len(expected)
        only_loan = keywords.Filters(["f.source = ?"], ["loan"])
        assert keywords.search(ws.db, "checkout", only_loan) == []


def test_two_processes_ingesting_at_once_lose_nothing(tmp_path: Path, postgres_url: str) -> None:
    rows = 3000
    paths = []
    for k in range(2):  # 1,000 rows in common, 2,000 of each file's own
        path = tmp_path / f"part{k}.csv"
        lines = ["id,comment,score"]
        lines += [f"c{i},shared comment {i},3" for i in range(1000)]
        lines += [f"p{k}-{i},own comment {k} {i},4" for i in range(rows - 1000)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "JOURNEY_HOME": str(tmp_path / "home"),
        "JOURNEY_EMBEDDING": "hashing",
        "INGEST_BATCH_ROWS": "100",  # many small transactions, so the two really interleave
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from assistant.cli import app; app()",
                "ingest",
                str(p),
                "--source",
                "voc",
                "--id-column",
                "id",
                "--no-index",
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
        )
        for p in paths
    ]
    reports = []
    for proc in procs:
        out, errors = proc.communicate(timeout=300)
        assert proc.returncode == 0, errors
        reports.append(json.loads(out)["totals"])
    assert all(r["rows_read"] == rows == r["rows_stored"] + r["rows_duplicate"] for r in reports)
    assert sum(r["rows_stored"] for r in reports) == 1000 + 2 * 2000
    assert sum(r["rows_duplicate"] for r in reports) == 1000
    with open_ws(tmp_path / "home", postgres_url) as ws:
        assert ws.feedback_count() == 5000
        assert len(keywords.search(ws.db, "shared", limit=5000)) == 1000


def test_migrate_copies_a_sqlite_home_and_counts_both_sides(tmp_path: Path, postgres_url: str) -> None:
    home = tmp_path / "home"
    with open_ws(home) as lite:
        fill(lite)
        lite.save_map("Shop", SHOP_MAP)
        lite.correct(SHOP_MAP, CorrectOptions(feedback_id="SHOP-0001", sentiment="negative"))
        before = lite.diagnose(SHOP_MAP, DiagnoseOptions(source="shop", segment_by="plan")).model_dump(
            mode="json"
        )
        ThreadStore(lite.db).put("t1", ThreadState(current_map="Shop"))
    runner = CliRunner()
    done = runner.invoke(app, ["migrate", "--to", postgres_url, "--from", str(home), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    tables = {t["table"]: t for t in result["tables"]}
    assert tables["feedback"]["sqlite_rows"] == tables["feedback"]["postgres_rows"] == 302
    assert all(t["sqlite_rows"] == t["postgres_rows"] for t in tables.values())
    assert {"row_vectors", "row_stage", "sentiment_labels", "map_versions", "conversation_threads"} <= set(
        tables
    )
    assert "index_marks" not in tables and "password" not in result["target"]
    with open_ws(tmp_path / "elsewhere", postgres_url) as pg:
        assert pg.list_maps()[0].name == "Shop"
        after = pg.diagnose(SHOP_MAP, DiagnoseOptions(source="shop", segment_by="plan")).model_dump(
            mode="json"
        )
        assert comparable(after, ("labelling",)) == comparable(before, ("labelling",))
        relabelled = pg.diagnose(SHOP_MAP, DiagnoseOptions(source="shop")).labelling.rows_labelled
        assert relabelled == 0  # the labels came along
        assert ThreadStore(pg.db).get("t1").current_map == "Shop"
        run = pg.db.start_run("s", "f.csv")  # run numbers continue after the copied ones
        assert run > max(
            r[0] for r in pg.db.conn.execute("SELECT run FROM ingest_runs WHERE run < ?", (run,))
        )
    # A second copy into the same schema would duplicate everything: refused, nothing written.
    again = runner.invoke(app, ["migrate", "--to", postgres_url, "--from", str(home)])
    assert again.exit_code == 1 and "already holds data" in again.output
    with pytest.raises(JourneyError, match="No feedback store"):
        migrate_to_postgres(load_settings(), postgres_url, tmp_path / "missing")


def test_conversation_checkpoints_live_in_the_owners_schema(tmp_path: Path, postgres_url: str) -> None:
    with open_ws(tmp_path, postgres_url, owner="carol") as ws:
        saver, close = ws.checkpointer()
        try:
            assert type(saver).__name__ == "PostgresSaver"
            assert saver.get_tuple({"configurable": {"thread_id": "x"}}) is None
        finally:
            close()
        tables = {
            r[0]
            for r in ws.db.conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", (ws.db.namespace,)
            )
        }
        assert {"checkpoints", "checkpoint_writes", "feedback", "map_versions"} <= tables


def test_a_team_on_postgres_and_a_chroma_server(
    tmp_path: Path, postgres_url: str, chroma_server: str
) -> None:
    """Two app processes' workspaces (two homes) share one database and one Chroma server."""
    one = open_ws(tmp_path / "one", postgres_url, chroma_url=chroma_server)
    two = open_ws(tmp_path / "two", postgres_url, chroma_url=chroma_server)
    try:
        one.ingest(IngestRequest(files=[FEEDBACK / "shop-feedback-en.csv"], source="shop"))
        hits = two.search(SearchRequest(query="delivery window e-mail", collection="feedback", limit=5)).hits
        assert hits and any("delivery" in h.text.casefold() for h in hits)
        assert two.search(
            SearchRequest(query="checkout", collection="feedback", where={"plan": "guest"}, limit=20)
        ).hits
        assert all(
            h.metadata["col_plan"] == "guest"
            for h in two.search(
                SearchRequest(query="checkout", collection="feedback", where={"plan": "guest"}, limit=20)
            ).hits
        )
    finally:
        one.close()
        two.close()


def test_one_declared_schema_made_by_alembic_and_an_older_database_stamped(
    tmp_path: Path, postgres_url: str
) -> None:
    """The tables Alembic makes are the declared ones; a namespace made before Alembic (its SQLite
    definitions translated, as the product did) is stamped at the baseline and matches them too."""
    import sqlalchemy as sa
    from test_storage import LEGACY_SCHEMA, schema_differences

    from assistant.feedback.store import FeedbackStore
    from assistant.storage.engine import ensure_namespace, postgres_ddl, postgres_engine
    from assistant.storage.upgrade import current, head
    from assistant.workspace.labelling import LABEL_SCHEMA

    def differences(store: FeedbackStore) -> list[object]:
        # Keyword search's own column and indexes are not part of the declared schema.
        return [
            d
            for d in schema_differences(store)
            if not (isinstance(d, tuple) and d[0] in ("remove_column", "remove_index"))
        ]

    with FeedbackStore.open_url(postgres_url, "fresh") as store:
        assert current(store.conn) == head() and differences(store) == []
        # The compatibility path: `?` placeholders, a literal `%`, INSERT OR REPLACE / OR IGNORE.
        with store.write() as conn:
            conn.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", ("k", "50%"))
            conn.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", ("k", "60%"))
            conn.executemany("INSERT OR IGNORE INTO store_meta VALUES (?, ?)", [("k", "x"), ("j", "y")])
        assert store.conn.execute("SELECT value FROM store_meta WHERE key = ?", ["k"]).fetchone()[0] == "60%"
        assert store.conn.execute("SELECT COUNT(*) FROM store_meta WHERE value LIKE '%'").fetchone()[0] == 2
    old = "older"
    extension = ensure_namespace(postgres_url, old)
    engine = postgres_engine(postgres_url, old, extension)
    with engine.connect() as conn:
        conn.exec_driver_sql(postgres_ddl(LEGACY_SCHEMA + LABEL_SCHEMA) + keywords.POSTGRES_SCHEMA)
        conn.execute(
            sa.text(
                "INSERT INTO feedback (feedback_id, source, file_name, row, text, columns) VALUES ('a', 's', 'f', 1, 'refund', '{}')"
            )
        )
    engine.dispose()
    with FeedbackStore.open_url(postgres_url, old) as store:
        assert current(store.conn) == head() and differences(store) == []
        assert store.count() == 1 and keywords.search(store, "refund")
