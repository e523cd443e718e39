"""The map picture and the charts of the chat app: the stage × lane grid's props, the emotion curve and
the diagnosis chart, built from real maps, real edits and a real diagnosis. Every figure is validated by
Plotly itself (the app sends the same dicts without validating them again)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from hostile_texts import hostile_map, korean_map

from assistant.chat_app.charts import (
    EMOTION_COLOURS,
    FOCUS,
    OTHER,
    curve_points,
    diagnosis_chart,
    emotion_curve,
)
from assistant.chat_app.grid import LANES, grid_props
from assistant.contracts.requests import DiagnoseOptions, IngestRequest
from assistant.contracts.results import Diagnosis
from assistant.domain.loading import load_map
from assistant.domain.map_model import Evidence
from assistant.maps.operations import RenameStage, SetEmotion
from assistant.settings import load_settings
from assistant.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
SHOP_MAP = ROOT / "knowledge" / "maps" / "ecommerce-first-purchase-en.json"
SHOP_FEEDBACK = ROOT / "knowledge" / "feedback" / "shop-feedback-en.csv"


@pytest.fixture(scope="module")
def shop() -> Iterator[tuple[Workspace, Diagnosis, Diagnosis]]:
    """A workspace with the shop feedback and map; its full diagnosis and the one focused on Checkout."""
    import tempfile

    with tempfile.TemporaryDirectory() as home:
        ws = Workspace.open(load_settings(journey_home=Path(home), journey_embedding="hashing"))
        ws.ingest(IngestRequest(files=[SHOP_FEEDBACK]))
        ws.save_map("shop", load_map(SHOP_MAP))
        full = ws.diagnose("shop", DiagnoseOptions())
        focused = ws.diagnose("shop", DiagnoseOptions(stage="Checkout"))
        yield ws, full, focused
        ws.close()


def validated(figure: dict[str, Any]) -> go.Figure:
    """Plotly raises on any property it does not know or any value out of range."""
    json.dumps(figure)  # plain JSON, as the app sends it
    return go.Figure(figure)


# --- grid ------------------------------------------------------------------------------------------------


def test_grid_has_every_lane_and_a_column_per_step() -> None:
    journey = load_map(SHOP_MAP)
    props = grid_props(journey, "shop", 3)
    assert [lane["key"] for lane in props["lanes"]] == list(LANES)
    steps = sum(len(s.steps) for s in journey.stages)
    assert len(props["columns"]) == steps
    assert [s["span"] for s in props["stages"]] == [len(s.steps) for s in journey.stages]
    for lane in props["lanes"]:
        assert sum(cell["span"] for cell in lane["cells"]) == steps, lane["key"]
    actions = next(lane for lane in props["lanes"] if lane["key"] == "actions")
    assert actions["cells"][0]["text"] == journey.stages[0].steps[0].action
    moments = [c for c in props["columns"] if c["moment"]]
    assert len(moments) == sum(st.moment_of_truth.is_moment for s in journey.stages for st in s.steps) > 0
    emotion = next(lane for lane in props["lanes"] if lane["key"] == "emotion")
    first = journey.stages[0].steps[0].emotion
    assert emotion["cells"][0]["score"] == first.score
    assert emotion["cells"][0]["colour"] == EMOTION_COLOURS[first.score]
    kpis = next(lane for lane in props["lanes"] if lane["key"] == "kpis")
    assert len(kpis["cells"]) == len(journey.stages)
    assert [len(c["items"]) for c in kpis["cells"]] == [len(s.kpis) for s in journey.stages]
    assert props["labels"]["state"] == "As-is"
    json.dumps(props)


def test_grid_pain_points_carry_severity_provenance_and_quotes() -> None:
    journey = load_map(SHOP_MAP).model_copy(deep=True)
    step = journey.stages[2].steps[0]
    step.pain_points[0].provenance = "feedback"
    step.pain_points[0].evidence = [Evidence(feedback_id="abc123", quote="Had to create an account.")]
    props = grid_props(journey, "shop", 1)
    lane = next(lane for lane in props["lanes"] if lane["key"] == "pain_points")
    pains = [item for cell in lane["cells"] for item in cell.get("items", [])]
    assert len(pains) == sum(len(st.pain_points) for s in journey.stages for st in s.steps)
    assert all(1 <= p["severity"] <= 5 for p in pains)
    quoted = [p for p in pains if p["evidence"]]
    assert [(p["provenance"], p["evidence"]) for p in quoted] == [
        ("feedback", [{"id": "abc123", "quote": "Had to create an account."}])
    ]


def test_korean_maps_get_korean_lanes() -> None:
    props = grid_props(korean_map(), "loan", 1)
    assert props["lanes"][0]["label"] == "행동" and props["labels"]["moment"] == "결정적 순간"
    assert props["labels"]["state"] == "현재(As-is)"


def test_grid_marks_what_an_edit_changed(workspace: Workspace) -> None:
    workspace.save_map("shop", load_map(SHOP_MAP))
    workspace.edit_map("shop", [RenameStage(stage="Checkout", new_name="Payment")])
    edited = workspace.edit_map("shop", [SetEmotion(stage="Choose", step=1, score=-2, label="angry")])
    saved = workspace.get_map("shop", edited.version)
    props = grid_props(saved.map, "shop", edited.version, edited.diff)
    changed_columns = [
        (props["stages"][c["stage"]]["name"], c["step"]) for c in props["columns"] if c["changed"]
    ]
    assert changed_columns == [("Choose", 1)]
    rename = workspace.diff_map("shop", 1, 2)
    renamed = grid_props(workspace.get_map("shop", 2).map, "shop", 2, rename)
    assert [s["name"] for s in renamed["stages"] if s["changed"]] == ["Payment"]


def test_grid_keeps_hostile_text_as_data_and_bounds_cells() -> None:
    """Markup, formulas and Mermaid syntax stay plain strings (React renders them as text); cells are cut."""
    journey = hostile_map()
    props = grid_props(journey, "x", 1)
    actions = next(lane for lane in props["lanes"] if lane["key"] == "actions")["cells"]
    steps = [st for s in journey.stages for st in s.steps]
    for cell, step in zip([c for c in actions if "text" in c], steps, strict=True):
        expected = " ".join(step.action.split())
        assert cell["text"] == (expected if len(expected) <= 400 else expected[:399] + "…")
    assert any("<" in c["text"] for c in actions if "text" in c)
    for lane in props["lanes"]:
        for cell in lane["cells"]:
            assert len(cell.get("text", "")) <= 400


def test_a_stage_without_steps_gets_one_empty_column() -> None:
    journey = load_map(SHOP_MAP).model_copy(deep=True)
    journey.stages[1].steps = []
    props = grid_props(journey, "shop", 1)
    assert props["stages"][1]["span"] == 1
    for lane in props["lanes"]:
        assert sum(c["span"] for c in lane["cells"]) == len(props["columns"])


# --- emotion curve ---------------------------------------------------------------------------------------


def test_emotion_curve_marks_moments_and_pain_points() -> None:
    journey = load_map(SHOP_MAP)
    figure = validated(emotion_curve(journey))
    line, moments, pains = figure.data
    steps = [st for s in journey.stages for st in s.steps]
    assert list(line.y) == [st.emotion.score for st in steps]
    assert list(line.marker.color) == [EMOTION_COLOURS[st.emotion.score] for st in steps]
    assert len(moments.x) == sum(st.moment_of_truth.is_moment for st in steps)
    assert moments.marker.symbol == "star"
    assert len(pains.x) == sum(bool(st.pain_points) for st in steps)
    assert [t.replace("<br>", " ") for t in figure.layout.xaxis.ticktext] == journey.stage_names


def test_points_stay_inside_their_stage() -> None:
    journey = load_map(SHOP_MAP)
    for point in curve_points(journey):
        index = journey.stage_names.index(point.stage)
        assert index < point.x < index + 1


def test_as_is_and_to_be_share_the_stage_axis() -> None:
    as_is = load_map(SHOP_MAP)
    to_be = as_is.model_copy(deep=True)
    to_be.state = "future"
    to_be.title = "First purchase, to-be"
    to_be.stages = [s for s in to_be.stages if s.name != "Choose"]
    for stage in to_be.stages:
        for step in stage.steps:
            step.emotion.score = 1
    figure = validated(emotion_curve(as_is, to_be))
    lines = [t for t in figure.data if t.mode == "lines+markers"]
    assert [t.name.split(":")[0] for t in lines] == ["As-is", "To-be"]
    choose = as_is.stage_names.index("Choose")
    assert all(not (choose < x < choose + 1) for x in lines[1].x)
    assert set(lines[1].y) == {1}


def test_korean_curve_uses_korean_labels() -> None:
    figure = validated(emotion_curve(korean_map()))
    assert figure.data[0].name == "현재(As-is)"
    assert "감정 곡선" in figure.layout.title.text


# --- diagnosis chart -------------------------------------------------------------------------------------


def test_diagnosis_chart_shows_every_stage_with_its_interval(
    shop: tuple[Workspace, Diagnosis, Diagnosis],
) -> None:
    _, full, focused = shop
    figure = validated(diagnosis_chart(full, "Checkout"))
    bars = figure.data[0]
    assert list(bars.x) == [s.stage for s in full.stages]
    for k, stage in enumerate(full.stages):
        assert stage.negative_share is not None and stage.ci_low is not None and stage.ci_high is not None
        assert bars.y[k] == pytest.approx(100 * stage.negative_share)
        assert bars.error_y.array[k] == pytest.approx(100 * (stage.ci_high - stage.negative_share))
        assert bars.error_y.arrayminus[k] == pytest.approx(100 * (stage.negative_share - stage.ci_low))
        assert bars.marker.color[k] == (FOCUS if stage.stage == "Checkout" else OTHER)
        assert bars.marker.opacity[k] == (0.55 if stage.small_sample else 1.0)
        assert f"n={stage.n}" in figure.layout.xaxis.ticktext[k]
    checkout = focused.stage("Checkout")
    assert checkout is not None and checkout.comparison.share2 is not None
    (line,) = [s for s in figure.layout.shapes if s.type == "line"]
    assert line.y0 == pytest.approx(100 * checkout.comparison.share2)
    assert any("asked about" in a.text for a in figure.layout.annotations)


def test_without_a_focus_the_worst_stage_is_highlighted(shop: tuple[Workspace, Diagnosis, Diagnosis]) -> None:
    _, full, _ = shop
    figure = validated(diagnosis_chart(full))
    worst = full.stages.index(full.stage(full.ranking[0]))  # type: ignore[arg-type]
    assert [k for k, c in enumerate(figure.data[0].marker.color) if c == FOCUS] == [worst]
    assert any("worst" in a.text for a in figure.layout.annotations)


def test_a_stage_without_feedback_is_drawn_empty_not_dropped(
    shop: tuple[Workspace, Diagnosis, Diagnosis],
) -> None:
    _, full, _ = shop
    empty = full.model_copy(deep=True)
    stage = empty.stages[0]
    stage.n, stage.negative_share, stage.ci_low, stage.ci_high = 0, None, None, None
    figure = validated(diagnosis_chart(empty))
    assert figure.data[0].y[0] == 0 and "no feedback" in figure.layout.xaxis.ticktext[0]


def test_the_to_be_map_of_an_as_is_map_is_found_for_the_curve(workspace: Workspace) -> None:
    from assistant.chat_app.state import find_counterpart

    as_is = load_map(SHOP_MAP)
    workspace.save_map("shop", as_is)
    assert find_counterpart(workspace, "shop", as_is) is None
    other_journey = as_is.model_copy(deep=True, update={"title": "Renewal"})
    other_journey.stages = other_journey.stages[:1]
    other_journey.state = "future"
    workspace.save_map("renewal", other_journey)  # shares 1 of 6 stages: another journey
    assert find_counterpart(workspace, "shop", as_is) is None
    to_be = as_is.model_copy(deep=True, update={"title": "First purchase, to-be", "state": "future"})
    workspace.save_map("shop-to-be", to_be)
    found = find_counterpart(workspace, "shop", as_is)
    assert found is not None and found.title == "First purchase, to-be"
    back = find_counterpart(workspace, "shop-to-be", to_be)
    assert back is not None and back.state == "current"
