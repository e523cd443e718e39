"""The per-map summary diagnoses read instead of every labelled row: the same numbers as the full pass,
and never stale after rows are added, corrected or removed."""

from __future__ import annotations

import csv
from pathlib import Path

from assistant.analysis.aggregate import (
    Scope,
    confidence_groups,
    day_counts,
    drop_summary,
    segment_summary_is_current,
    summary_is_current,
)
from assistant.contracts.requests import CorrectOptions, DiagnoseOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.workspace import Workspace

STAGES = ["Discover", "Sign up", "Checkout", "Delivery"]
JOURNEY = map_from_data({"title": "Shop", "stages": [{"name": s} for s in STAGES]})


def write_feedback(path: Path, rows: list[tuple[str, ...] | tuple[str, str, str, int, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "stage", "comment", "csat", "date", "plan"])
        w.writerows(rows)
    return path


def varied_rows(prefix: str, n: int) -> list[tuple[str, str, str, int, str, str]]:
    """Rows over four stages, five ratings, several months, a few undated, and free text for the
    stages' confidence to vary."""
    out = []
    for i in range(n):
        stage = STAGES[i % 4] if i % 7 else ""  # some rows name no stage: assigned from their text
        rating = 1 + (i * 7) % 5
        date = "" if i % 11 == 0 else f"2026-{1 + i % 9:02d}-{1 + i % 27:02d}"
        text = f"{prefix} {i}: the {['signup form', 'checkout page', 'parcel', 'search'][i % 4]} was {['slow', 'fine', 'broken'][i % 3]}"
        plan = ["free", "pro", "team", ""][i % 4 if i % 5 else 3]
        out.append((f"{prefix}-{i}", stage, text, rating, date, plan))
    return out


def stage_numbers(ws: Workspace) -> dict[str, tuple[int, int]]:
    result = ws.diagnose(JOURNEY).model_dump(mode="json")
    return {s["stage"]: (s["n"], s["negative"]) for s in result["stages"]}


def plan_rows(ws: Workspace) -> dict[tuple[str, str], int]:
    """Rows per (stage, plan), from a diagnosis segmented by plan."""
    result = ws.diagnose(JOURNEY, DiagnoseOptions(segment_by="plan")).model_dump(mode="json")
    return {
        (stage["stage"], value): stage["n"]
        for value, view in result["segments"].items()
        for stage in view["stages"]
    }


def test_summary_gives_the_full_pass_numbers_for_every_scope(workspace: Workspace, tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "a.csv", varied_rows("a", 600))
    workspace.ingest(IngestRequest(files=[path], source="web", rating_type="csat", index=False))
    path = write_feedback(tmp_path / "b.csv", varied_rows("b", 300))
    workspace.ingest(IngestRequest(files=[path], source="app", rating_type="csat", index=False))
    report = workspace.label(JOURNEY)
    key, store = report.map_key, workspace.db
    assert summary_is_current(store, key), "labelling ends with the map's summary"
    scopes = [
        Scope(key),
        Scope(key, sources=("app",)),
        Scope(key, since="2026-03-01"),
        Scope(key, since="2026-02-01", until="2026-05-31"),
        Scope(key, sources=("web",), until="2026-04-15"),
    ]
    from_summary = [(day_counts(store, s), confidence_groups(store, s)) for s in scopes]
    with store.write() as conn:
        drop_summary(conn, key)
    assert not summary_is_current(store, key)
    from_rows = [(day_counts(store, s), confidence_groups(store, s)) for s in scopes]
    assert from_summary == from_rows
    assert sum(c.n for c in from_summary[0][0].values()) == 900
    # A diagnosis that finds no summary builds it, and answers the same.
    before = stage_numbers(workspace)
    assert summary_is_current(store, key)
    assert stage_numbers(workspace) == before
    assert sum(n for n, _ in before.values()) <= 900


def test_summary_follows_new_rows_corrections_and_removed_rows(workspace: Workspace, tmp_path: Path) -> None:
    rows = [
        (f"r{i}", STAGES[i % 4], f"row {i} about {STAGES[i % 4]}", 5, "2026-03-01", "free") for i in range(80)
    ]
    workspace.ingest(
        IngestRequest(
            files=[write_feedback(tmp_path / "a.csv", rows)], source="a", rating_type="csat", index=False
        )
    )
    assert stage_numbers(workspace)["Checkout"] == (20, 0)

    # New rows: twenty unhappy Checkout rows.
    bad = [(f"x{i}", "Checkout", f"checkout failed again {i}", 1, "2026-03-02", "pro") for i in range(20)]
    workspace.ingest(
        IngestRequest(
            files=[write_feedback(tmp_path / "b.csv", bad)], source="b", rating_type="csat", index=False
        )
    )
    assert stage_numbers(workspace)["Checkout"] == (40, 20)

    # A correction: one happy Delivery row is negative after all.
    workspace.correct(JOURNEY, CorrectOptions(feedback_id="r3", sentiment="negative"))
    numbers = stage_numbers(workspace)
    assert numbers["Delivery"] == (20, 1) and numbers["Checkout"] == (40, 20)

    # A file undone after it was labelled (what a failed ingest does): its rows leave every count.
    run = workspace.db.conn.execute("SELECT ingest_run FROM feedback WHERE source = 'b' LIMIT 1").fetchone()[
        0
    ]
    workspace.db.delete_run(run)
    assert stage_numbers(workspace)["Checkout"] == (20, 0)


def test_segment_and_previous_period_still_read_the_rows(workspace: Workspace, tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "a.csv", varied_rows("a", 400))
    workspace.ingest(IngestRequest(files=[path], source="web", rating_type="csat", index=False))
    with_summary = workspace.diagnose(JOURNEY, DiagnoseOptions(compare_to="previous")).model_dump(mode="json")
    key = workspace.label(JOURNEY).map_key
    with workspace.db.write() as conn:
        drop_summary(conn, key)
    # Built again by this diagnosis; the comparison windows and their numbers are the same either way.
    again = workspace.diagnose(JOURNEY, DiagnoseOptions(compare_to="previous")).model_dump(mode="json")
    for field in ("stages", "comparisons", "ranking", "ranking_confidence"):
        assert with_summary[field] == again[field]


def test_segment_summary_gives_the_rows_numbers_and_follows_new_rows(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = write_feedback(tmp_path / "a.csv", varied_rows("a", 600))
    workspace.ingest(IngestRequest(files=[path], source="web", rating_type="csat", index=False))
    path = write_feedback(tmp_path / "b.csv", varied_rows("b", 200))
    workspace.ingest(IngestRequest(files=[path], source="app", rating_type="csat", index=False))
    key, store = workspace.label(JOURNEY).map_key, workspace.db
    scopes = [Scope(key), Scope(key, sources=("app",)), Scope(key, since="2026-03-01", until="2026-06-30")]
    assert not segment_summary_is_current(store, key, "plan")
    from_rows = [day_counts(store, s, "plan") for s in scopes]  # the first reads the rows, and keeps them
    assert segment_summary_is_current(store, key, "plan")
    assert [day_counts(store, s, "plan") for s in scopes] == from_rows
    assert {k[2] for k in from_rows[0]} == {"free", "pro", "team", "(missing)"}
    assert sum(c.n for c in from_rows[0].values()) == 800
    # The same stage totals as the summary without segments.
    totals: dict[int, int] = {}
    for (stage, _, _), c in from_rows[0].items():
        totals[stage] = totals.get(stage, 0) + c.n
    plain: dict[int, int] = {}
    for (stage, _, _), c in day_counts(store, Scope(key)).items():
        plain[stage] = plain.get(stage, 0) + c.n
    assert totals == plain

    before = plan_rows(workspace)
    more = [(f"c{i}", "Checkout", f"checkout broke {i}", 1, "2026-04-01", "team") for i in range(30)]
    workspace.ingest(
        IngestRequest(
            files=[write_feedback(tmp_path / "c.csv", more)], source="app", rating_type="csat", index=False
        )
    )
    after = plan_rows(workspace)
    assert after[("Checkout", "team")] == before[("Checkout", "team")] + 30
    assert {k: v for k, v in after.items() if k != ("Checkout", "team")} == {
        k: v for k, v in before.items() if k != ("Checkout", "team")
    }
