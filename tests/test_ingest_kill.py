"""Kill `journey ingest` with SIGKILL half-way through a 60,000-row file, run it again, count exactly.

The store must be consistent after the kill (whole batches only), and the rerun must finish with every
distinct row stored once, no duplicates, and accounting that adds up.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
JOURNEY = ROOT / ".venv" / "bin" / "journey"
ROWS = 60_000


def journey_cmd() -> list[str]:
    if JOURNEY.exists():
        return [str(JOURNEY)]
    return [sys.executable, "-c", "from assistant.cli import app; app(prog_name='journey')"]


def write_export(path: Path) -> tuple[int, set[int]]:
    """60,000 rows; every 100th row repeats the content of row i-50 exactly. Returns (distinct rows,
    the 1-based row numbers where each distinct content first appears)."""
    keys = [i - 50 if i % 100 == 99 else i for i in range(ROWS)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("id,text,rating,date,plan\n")
        for k in keys:
            fh.write(
                f"k{k},고객 {k}번의 의견: 결제 단계에서 카드 인증이 {k % 7}번 실패했어요,{k % 11},2026-03-04,plan{k % 3}\n"
            )
    first_rows = {i + 1 for i, k in enumerate(keys) if k == i}
    return len(set(keys)), first_rows


def count_rows(db: Path) -> int | None:
    """The store's row count as another process sees it, or None while it is not readable yet."""
    if not db.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return None


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_", "JOURNEY_"))}
    # Small batches mean many commits, so the kill lands between (or inside) them.
    env.update(JOURNEY_HOME=str(home), JOURNEY_EMBEDDING="hashing", INGEST_BATCH_ROWS="500")
    return env


def kill_mid_ingest(cmd: list[str], home: Path, db: Path, distinct: int) -> int | None:
    """Start the ingest, SIGKILL it once some but not all rows are stored; None if it finished first."""
    proc = subprocess.Popen(
        cmd, cwd=home.parent, env=env_for(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            n = count_rows(db)
            if n is not None and 0 < n < distinct // 2:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return proc.returncode
            time.sleep(0.002)
        return None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


@pytest.mark.slow
def test_sigkill_during_ingest_then_rerun_counts_exactly(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    distinct, first_rows = write_export(export)
    assert distinct == ROWS - ROWS // 100

    for attempt in range(3):
        home = tmp_path / f"home{attempt}"
        db = load_settings(journey_home=home).sqlite_path
        cmd = [*journey_cmd(), "ingest", str(export), "--source", "voc", "--json", "--no-index"]
        code = kill_mid_ingest(cmd, home, db, distinct)
        if code is not None:
            break
    else:
        pytest.fail("the ingest always finished before it could be killed")
    assert code == -signal.SIGKILL

    # The killed store is consistent: it opens, passes SQLite's own check, and holds whole rows only.
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after_kill = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        assert after_kill == conn.execute("SELECT COUNT(DISTINCT text) FROM feedback").fetchone()[0]
    assert 0 < after_kill < distinct

    rerun = subprocess.run(
        cmd, cwd=home.parent, env=env_for(home), capture_output=True, text=True, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)["files"][0]
    assert not report.get("unchanged", False)
    assert report["rows_read"] == ROWS
    assert report["rows_rejected"] == 0
    assert report["rows_read"] == report["rows_stored"] + report["rows_duplicate"] + report["rows_rejected"]
    assert report["rows_stored"] == distinct - after_kill
    assert report["rows_duplicate"] == ROWS - (distinct - after_kill)

    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        texts = conn.execute("SELECT COUNT(DISTINCT text) FROM feedback").fetchone()[0]
        rows = {r[0] for r in conn.execute("SELECT row FROM feedback WHERE source = 'voc'")}
    assert total == texts == distinct
    assert rows == first_rows  # each content kept at the row where it first appears

    # A third run finds the file unchanged and stores nothing.
    third = subprocess.run(
        cmd, cwd=home.parent, env=env_for(home), capture_output=True, text=True, timeout=300
    )
    again = json.loads(third.stdout)["files"][0]
    assert (again["rows_read"], again["rows_stored"], again["rows_duplicate"]) == (ROWS, 0, ROWS)
