"""'What changed since last quarter?': the workspace picks the breakdown that explains a stage's change,
a shift in who answered before any segment getting worse, and never a column that restates the outcome."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.contracts.requests import DiagnoseOptions, IngestRequest
from assistant.domain import map_from_data
from assistant.errors import JourneyError
from assistant.workspace import Workspace

JOURNEY = map_from_data({"title": "Shop", "stages": [{"name": "Checkout"}, {"name": "Delivery"}]})
Q1, Q2 = "2026-02-10", "2026-05-10"


# Each region is as unhappy as before; far more of the unhappy region answered this quarter.
MIX_SHIFT = [
    (Q1, "south", "1", 90, 0.1),
    (Q1, "south", "2", 90, 0.1),
    (Q1, "west", "1", 10, 0.5),
    (Q1, "west", "2", 10, 0.5),
    (Q2, "south", "1", 50, 0.1),
    (Q2, "south", "2", 50, 0.1),
    (Q2, "west", "1", 50, 0.5),
    (Q2, "west", "2", 50, 0.5),
]


def ingest(
    ws: Workspace, tmp_path: Path, groups: list[tuple[str, str, str, int, float]], delivery: float = 0.2
) -> None:
    """groups: (date, region, version, rows, negative share), all at Checkout, plus a steady Delivery
    (100 rows a quarter, `delivery` of them negative)."""
    path = tmp_path / "feedback.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "stage", "comment", "csat", "date", "region", "version", "label"])
        k = 0
        for date, region, version, n, share in groups:
            bad = round(n * share)
            for i in range(n):
                negative = i < bad
                text = f"checkout {'failed' if negative else 'fine'} {k}"
                label = "neg" if negative else "pos"
                w.writerow([f"r{k}", "Checkout", text, 1 if negative else 5, date, region, version, label])
                k += 1
        for date in (Q1, Q2):
            for i in range(100):
                bad = i < round(100 * delivery)
                w.writerow([f"d{k}", "Delivery", f"parcel {k}", 1 if bad else 5, date, "north", "1", "x"])
                k += 1
    ws.ingest(IngestRequest(files=[path], source="shop", rating_type="csat", index=False))


def test_a_shift_in_who_answered_is_found_before_any_segment_getting_worse(
    workspace: Workspace, tmp_path: Path
) -> None:
    ingest(workspace, tmp_path, MIX_SHIFT)
    result = workspace.diagnose_change(JOURNEY, DiagnoseOptions(), "Checkout")
    assert result.segment_by == "region" and result.compare_to == "previous"
    shift = result.stage("Checkout").mix_shift  # type: ignore[union-attr]
    assert shift is not None and shift.mix_dominates
    assert round(shift.rate_before or 0, 2) == 0.14 and round(shift.rate_after or 0, 2) == 0.30


def test_one_segment_getting_worse_is_the_breakdown(workspace: Workspace, tmp_path: Path) -> None:
    ingest(
        workspace,
        tmp_path,
        [
            (Q1, "south", "1", 50, 0.1),
            (Q1, "west", "1", 50, 0.1),
            (Q1, "south", "2", 50, 0.1),
            (Q1, "west", "2", 50, 0.1),
            (Q2, "south", "1", 50, 0.1),
            (Q2, "west", "1", 50, 0.1),
            (Q2, "south", "2", 50, 0.5),
            (Q2, "west", "2", 50, 0.5),
        ],
    )
    result = workspace.diagnose_change(JOURNEY, DiagnoseOptions(), "Checkout")
    assert result.segment_by == "version"
    shift = result.stage("Checkout").mix_shift  # type: ignore[union-attr]
    assert shift is not None and not shift.mix_dominates
    assert shift.segments[0].segment == "2"  # the value carrying the change comes first
    # The column that only restates each row's sentiment was a candidate, and was not kept.
    assert "label" in workspace.segment_candidates()


@pytest.mark.parametrize(
    ("base", "worse", "store_share"),
    [(0.02, 0.08, 0.034), (0.07, 0.25, 0.111), (0.42, 0.72, 0.488)],
    ids=["3%", "10%", "50%"],
)
def test_a_store_with_few_negative_rows_still_gets_a_breakdown(
    workspace: Workspace, tmp_path: Path, base: float, worse: float, store_share: float
) -> None:
    """Version 2 got worse at Checkout; region separates nothing; label restates each row's sentiment.
    At 3 % negative rows the old purity rule called every column a restatement (each was >= 97 % 'pure')
    and 'what changed?' never got a breakdown."""
    groups = [(Q1, r, v, 250, base) for r in ("south", "west") for v in ("1", "2")]
    groups += [(Q2, r, "1", 250, base) for r in ("south", "west")]
    groups += [(Q2, r, "2", 250, worse) for r in ("south", "west")]
    ingest(workspace, tmp_path, groups, delivery=base)
    negative = sum(round(n * share) for *_, n, share in groups) + 2 * round(100 * base)
    assert negative / (sum(g[3] for g in groups) + 200) == pytest.approx(store_share, abs=0.001)
    result = workspace.diagnose_change(JOURNEY, DiagnoseOptions(), "Checkout")
    assert result.segment_by == "version"
    shift = result.stage("Checkout").mix_shift  # type: ignore[union-attr]
    assert shift is not None and not shift.mix_dominates and shift.segments[0].segment == "2"
    assert {"label", "region"} <= set(workspace.segment_candidates())


def test_no_change_no_breakdown(workspace: Workspace, tmp_path: Path) -> None:
    steady = [(q, r, v, 50, 0.2) for q in (Q1, Q2) for r in ("south", "west") for v in ("1", "2")]
    ingest(workspace, tmp_path, steady)
    result = workspace.diagnose_change(JOURNEY, DiagnoseOptions(), "Checkout")
    assert result.segment_by is None and result.compare_to == "previous"


def test_segment_by_auto_is_the_same_door_for_the_cli_and_the_agent(
    journey_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEY_EMBEDDING", "hashing")
    with Workspace.open() as ws:
        ingest(ws, tmp_path, MIX_SHIFT)
        chosen = ws.diagnose(
            JOURNEY, DiagnoseOptions(compare_to="previous", segment_by="auto", stage="Checkout")
        )
        assert chosen.segment_by == "region"
        with pytest.raises(JourneyError, match="compare_to 'previous'"):
            ws.diagnose(JOURNEY, DiagnoseOptions(segment_by="auto"))
    (tmp_path / "map.json").write_text(JOURNEY.model_dump_json(), encoding="utf-8")
    args = [
        "diagnose",
        "--map",
        str(tmp_path / "map.json"),
        "--compare-to",
        "previous",
        "--segment-by",
        "auto",
    ]
    result = CliRunner().invoke(app, [*args, "--stage", "Checkout", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["segment_by"] == "region" and doc["compare_to"] == "previous"
    assert set(doc["segments"]) == {"north", "south", "west"}  # north: the Delivery rows
