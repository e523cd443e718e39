"""`journey maps add|list|show|diff|undo|edit` and `journey export NAME` as a user runs them.

Each command runs against a fresh JOURNEY_HOME; with --json, stdout holds one JSON document and nothing
else. Bad input is one sentence on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hostile_texts import korean_map
from typer.testing import CliRunner, Result

from assistant.cli import app
from assistant.domain import JourneyMap, map_from_data
from assistant.exports import to_json

runner = CliRunner()

SHOP: dict[str, Any] = {
    "title": "Online shop",
    "stages": [
        {"name": "Discover", "steps": [{"action": "Browse the catalogue"}]},
        {"name": "Buy", "steps": [{"action": "Add to basket"}, {"action": "Pay by card"}]},
    ],
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "journey-home"


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(SHOP), encoding="utf-8")
    return path


def journey(home: Path, *args: str | Path) -> Result:
    return runner.invoke(
        app, [str(a) for a in args], env={"JOURNEY_HOME": str(home), "JOURNEY_EMBEDDING": "hashing"}
    )


def ok_json(result: Result) -> Any:
    """The command succeeded and stdout is exactly one JSON document."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return json.loads(result.stdout)


def one_sentence_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "Traceback" not in message, message
    assert len(message.replace("\n", " ").split(". ")) <= 3, message
    return " ".join(message.split())  # rich wraps long lines; the sentence is what matters


def test_every_maps_command_has_help() -> None:
    for command in ("add", "list", "show", "diff", "undo", "edit"):
        result = runner.invoke(app, ["maps", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, command


def test_add_list_show(home: Path, shop_file: Path) -> None:
    added = ok_json(journey(home, "maps", "add", shop_file, "--name", "Shop", "--json"))
    assert (added["name"], added["version"], added["author"]) == ("Shop", 1, "user")
    assert "map" not in added

    plain = journey(home, "maps", "add", shop_file)  # default name: the title; a second map
    assert plain.exit_code == 0 and plain.stdout.startswith("Saved “Online shop” as version 1 (2 stages)")

    listed = ok_json(journey(home, "maps", "list", "--json"))
    assert sorted(m["name"] for m in listed) == ["Online shop", "Shop"]
    assert all(m["stages"] == 2 and m["version"] == 1 for m in listed)

    shown = ok_json(journey(home, "maps", "show", "shop", "--json"))
    assert JourneyMap.model_validate(shown["map"]).stage_names == ["Discover", "Buy"]
    assert shown["version"] == 1

    text = journey(home, "maps", "show", "Shop")
    assert text.exit_code == 0
    assert "Online shop — version 1 by user" in text.stdout
    assert "2. Buy" in text.stdout and "[1] Pay by card" in text.stdout


def test_list_of_an_empty_home(home: Path) -> None:
    assert ok_json(journey(home, "maps", "list", "--json")) == []
    assert "No saved maps yet" in journey(home, "maps", "list").stdout


def test_add_the_same_file_twice_keeps_one_version(home: Path, shop_file: Path) -> None:
    ok_json(journey(home, "maps", "add", shop_file, "--name", "shop", "--json"))
    again = ok_json(journey(home, "maps", "add", shop_file, "--name", "SHOP", "--json"))
    assert again["version"] == 1
    assert len(ok_json(journey(home, "maps", "list", "--json"))) == 1


def test_add_accepts_the_products_csv_export(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "ko.json"
    source.write_text(to_json(korean_map()), encoding="utf-8")
    exported = tmp_path / "ko.csv"
    assert journey(home, "export", source, "-f", "csv", "-o", exported).exit_code == 0
    added = ok_json(journey(home, "maps", "add", exported, "--name", "대출", "--json"))
    assert added["name"] == "대출"
    shown = ok_json(journey(home, "maps", "show", "대출", "--json"))
    assert JourneyMap.model_validate(shown["map"]).stage_names == korean_map().stage_names


def test_edit_then_show_version_history_diff_undo(home: Path, shop_file: Path) -> None:
    ok_json(journey(home, "maps", "add", shop_file, "--name", "shop", "--json"))

    edited = ok_json(
        journey(
            home,
            "maps",
            "edit",
            "shop",
            "--op",
            '{"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"}',
            "--op",
            '{"op": "set_emotion", "stage": "Checkout", "step": "Pay", "score": -2, "label": "anxious"}',
            "--reason",
            "workshop feedback",
            "--json",
        )
    )
    assert edited["version"] == 2
    said = [c["text"] for c in edited["diff"]["changes"]]
    assert "Renamed stage 'Buy' → 'Checkout'" in said
    assert "'Checkout' / 'Pay by card': emotion.score 0 → -2" in said

    history = ok_json(journey(home, "maps", "show", "shop", "--history", "--json"))
    assert [(h["version"], h["reason"]) for h in history] == [
        (1, "added from a file"),
        (2, "workshop feedback"),
    ]
    plain_history = journey(home, "maps", "show", "shop", "--history")
    assert "v2" in plain_history.stdout and "workshop feedback" in plain_history.stdout

    v1 = ok_json(journey(home, "maps", "show", "shop", "--version", "1", "--json"))
    assert JourneyMap.model_validate(v1["map"]).stage_names == ["Discover", "Buy"]

    diff = ok_json(journey(home, "maps", "diff", "shop", "1", "2", "--json"))
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert [c["text"] for c in diff["changes"]] == said
    plain_diff = journey(home, "maps", "diff", "shop", "1", "2")
    assert "  Renamed stage 'Buy' → 'Checkout'" in plain_diff.stdout
    assert "No differences" in journey(home, "maps", "diff", "shop", "2", "2").stdout

    undone = ok_json(journey(home, "maps", "undo", "shop", "--json"))
    assert undone["version"] == 3
    assert "Renamed stage 'Checkout' → 'Buy'" in [c["text"] for c in undone["diff"]["changes"]]
    shown = ok_json(journey(home, "maps", "show", "shop", "--json"))
    assert (shown["version"], shown["reason"]) == (3, "undo: back to version 1")

    plain_undo = journey(home, "maps", "undo", "shop")
    assert plain_undo.exit_code == 2  # refused like every other impossible edit
    assert "Nothing to undo" in " ".join(plain_undo.stderr.split())


def test_edit_without_json_prints_the_changes(home: Path, shop_file: Path) -> None:
    journey(home, "maps", "add", shop_file, "--name", "shop")
    result = journey(
        home,
        "maps",
        "edit",
        "shop",
        "--op",
        '{"op": "add_step", "stage": "Buy", "step": {"action": "Get receipt"}}',
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["shop: now version 2", "  Added step 'Get receipt' to 'Buy'"]


@pytest.mark.parametrize(
    ("op", "says"),
    [
        ('{"op": "rename_stage", "stage": "Buy"', "--op 1: $: Invalid JSON"),
        ('{"op": "rename_stage", "stage": "Buy"}', "--op 1: $.new_name: Field required."),
        (
            '{"op": "set_emotion", "stage": "Buy", "step": 0, "score": 5}',
            "--op 1: $.score: Input should be less than or equal to 2.",
        ),
        (
            '{"op": "add_step", "stage": "Buy", "step": {"action": "x", "emotion": {"score": -3}}}',
            "--op 1: $.step.emotion.score: Input should be greater than or equal to -2.",
        ),
        (
            '{"op": "rename_stage", "stage": "Buy", "new_name": "' + "n" * 201 + '"}',
            "--op 1: $.new_name: String should have at most 200 characters.",
        ),
        ('{"op": "teleport", "stage": "Buy"}', "--op 1: $.op: unknown operation"),
        ('{"stage": "Buy", "new_name": "Checkout"}', "--op 1: $.op: missing: every operation names itself"),
        ('["rename_stage"]', "--op 1: $: Input should be an object."),
    ],
)
def test_bad_op_json_is_exit_2_with_the_json_path(home: Path, shop_file: Path, op: str, says: str) -> None:
    journey(home, "maps", "add", shop_file, "--name", "shop")
    message = one_sentence_error(journey(home, "maps", "edit", "shop", "--op", op, "--json"))
    assert says in message, message
    assert ok_json(journey(home, "maps", "show", "shop", "--json"))["version"] == 1


def test_bad_second_op_names_it(home: Path, shop_file: Path) -> None:
    journey(home, "maps", "add", shop_file, "--name", "shop")
    good = '{"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"}'
    message = one_sentence_error(
        journey(home, "maps", "edit", "shop", "--op", good, "--op", '{"op": "remove_step"}')
    )
    assert "--op 2: $.stage: Field required." in message


@pytest.mark.parametrize(
    ("ops", "says"),
    [
        (['{"op": "remove_stage", "stage": "Nope"}'], "$.stage: the map has no stage 'Nope'"),
        (
            ['{"op": "rename_stage", "stage": "Buy", "new_name": "discover"}'],
            "$.new_name: the map already has a stage named 'Discover'",
        ),
        (
            [
                '{"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"}',
                '{"op": "remove_step", "stage": "Buy", "step": 0}',
            ],
            "Operation 2 (remove_step): $.stage: the map has no stage 'Buy'",
        ),
        (
            ['{"op": "split_stage", "stage": "Buy", "at_step": 0, "new_name": "Pay"}'],
            "$.at_step: splitting at the first step",
        ),
    ],
)
def test_an_edit_the_map_refuses_stores_nothing(
    home: Path, shop_file: Path, ops: list[str], says: str
) -> None:
    journey(home, "maps", "add", shop_file, "--name", "shop")
    args = [a for op in ops for a in ("--op", op)]
    message = one_sentence_error(journey(home, "maps", "edit", "shop", *args, "--json"))
    assert says in message, message
    assert ok_json(journey(home, "maps", "show", "shop", "--json"))["version"] == 1
    assert len(ok_json(journey(home, "maps", "show", "shop", "--history", "--json"))) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("maps", "show", "ghost"),
        ("maps", "show", "ghost", "--history"),
        ("maps", "diff", "ghost", "1", "2"),
        ("maps", "undo", "ghost"),
        ("maps", "edit", "ghost", "--op", '{"op": "remove_stage", "stage": "Buy"}'),
        ("export", "ghost", "--format", "csv"),
    ],
)
def test_unknown_map_name_is_one_sentence(home: Path, args: tuple[str, ...]) -> None:
    message = one_sentence_error(journey(home, *args))
    assert "No saved map is called 'ghost'" in message


def test_show_of_a_missing_version(home: Path, shop_file: Path) -> None:
    journey(home, "maps", "add", shop_file, "--name", "shop")
    message = one_sentence_error(journey(home, "maps", "show", "shop", "--version", "4"))
    assert "has versions 1-1; there is no version 4" in message


def test_add_of_a_bad_file_is_one_sentence(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"title": "x", "stages": []}), encoding="utf-8")
    message = one_sentence_error(journey(home, "maps", "add", bad))
    assert "$.stages" in message
    assert ok_json(journey(home, "maps", "list", "--json")) == []


def test_export_accepts_a_saved_map_name_and_a_version(home: Path, shop_file: Path, tmp_path: Path) -> None:
    journey(home, "maps", "add", shop_file, "--name", "My shop")
    journey(
        home,
        "maps",
        "edit",
        "my shop",
        "--op",
        '{"op": "rename_stage", "stage": "Buy", "new_name": "Checkout"}',
    )

    latest = journey(home, "export", "MY SHOP", "--format", "csv")
    assert latest.exit_code == 0, latest.stderr
    rows = list(csv.reader(io.StringIO(latest.stdout)))
    assert any("Checkout" in row for row in rows)
    assert not any("Buy" in row for row in rows)

    first = journey(home, "export", "my shop", "--format", "csv", "--version", "1")
    assert any("Buy" in row for row in csv.reader(io.StringIO(first.stdout)))

    # The export reads back as the stored map.
    out = tmp_path / "shop.csv"
    assert journey(home, "export", "my shop", "-f", "csv", "-o", out).exit_code == 0
    back = ok_json(journey(home, "maps", "add", out, "--name", "round trip", "--json"))
    assert back["version"] == 1
    stored = ok_json(journey(home, "maps", "show", "round trip", "--json"))["map"]
    assert map_from_data(stored).stage_names == ["Discover", "Checkout"]


def test_export_still_accepts_a_file(home: Path, shop_file: Path) -> None:
    result = journey(home, "export", shop_file, "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Online shop")


def test_schema_ops_is_json_on_stdout(home: Path) -> None:
    schema = ok_json(journey(home, "schema", "--ops"))
    assert schema["title"] == "Journey map operation"
