"""The hostile-text corpus through every exporter: nothing executes, nothing breaks the format."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hostile_texts import FORMULA_TRIGGERS, HOSTILE_TEXTS, LONG_TEXT, hostile_map
from openpyxl import load_workbook
from test_exports import parse_html

from assistant.domain import JourneyMap
from assistant.exports import to_csv, to_html, to_json, to_markdown, to_mermaid, to_xlsx
from assistant.exports.as_csv import PLAIN_COLUMNS
from assistant.exports.sanitize import (
    XLSX_CELL_LIMIT,
    mermaid_actor,
    mermaid_label,
    quote_cell,
    unquote_cell,
    xlsx_cell,
)

NUMBER = re.compile(r"-?\d+")


@pytest.fixture(scope="module")
def journey() -> JourneyMap:
    return hostile_map()


@pytest.mark.parametrize("text", [*HOSTILE_TEXTS, "'", "''", "'=1", "", "plain"])
def test_cell_quoting_is_reversible_and_never_starts_with_a_trigger(text: str) -> None:
    quoted = quote_cell(text)
    assert not quoted.startswith(FORMULA_TRIGGERS)
    assert unquote_cell(quoted) == text


def test_xlsx_cells_are_bounded_and_clean() -> None:
    assert len(xlsx_cell("x" * 40_000)) == XLSX_CELL_LIMIT
    assert xlsx_cell("=1\x00\x07") == "'=1"


def test_json_keeps_every_hostile_text_exactly(journey: JourneyMap) -> None:
    assert JourneyMap.model_validate_json(to_json(journey)) == journey


def test_csv_cells_never_start_with_a_formula_trigger(journey: JourneyMap) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(journey).decode("utf-8-sig"), newline="")))
    header = rows[0]
    checked = 0
    for row in rows[1:]:
        for column, cell in zip(header, row, strict=True):
            if column in PLAIN_COLUMNS:
                assert cell == "" or NUMBER.fullmatch(cell), (column, cell)
            else:
                assert not cell.startswith(FORMULA_TRIGGERS), (column, cell[:40])
                checked += 1
    assert checked > 500
    # The long text is kept whole in the spreadsheet formats.
    assert any(LONG_TEXT in cell for row in rows for cell in row)


def test_xlsx_cells_are_text_and_never_start_with_a_trigger(journey: JourneyMap) -> None:
    wb = load_workbook(io.BytesIO(to_xlsx(journey)))
    strings = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    strings += 1
                    assert not cell.value.startswith(FORMULA_TRIGGERS), (
                        ws.title,
                        cell.coordinate,
                        cell.value[:40],
                    )
    assert strings > 300
    actions = [c.value for c in wb["Map"]["D"][1:]]
    assert "'=cmd|' /C calc'!A0" in actions and "'''twice quoted" in actions
    assert LONG_TEXT in actions and "controlcharshere" in actions


def test_html_runs_nothing_from_user_text(journey: JourneyMap) -> None:
    page = to_html(journey)
    parsed = parse_html(page)
    allowed = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "span", "dl", "dt",
               "dd", "section", "article", "div", "blockquote", "b", "ul", "li", "table", "colgroup", "col", "thead",
               "tbody", "tr", "th", "td", "small", "i", "svg", "rect", "line", "path", "circle", "text", "footer"}  # fmt: skip
    assert {tag for tag, _ in parsed.tags} <= allowed
    for tag, attrs in parsed.tags:
        for name, _value in attrs:
            assert not name.startswith("on"), (tag, name)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    text = "".join(parsed.text)
    assert "<script>window.__pwned = true</script>" in text  # shown to the reader as text
    assert "</td></tr></table><h1>broken layout</h1>" in text
    # Every stage still appears, and no label is longer than the bound.
    controls = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
    assert all(controls.sub("", stage.name) in text for stage in journey.stages)
    assert not controls.search(page)
    assert LONG_TEXT not in text and "title=" in page


def test_markdown_has_no_raw_html_or_links(journey: JourneyMap) -> None:
    md = to_markdown(journey)
    assert "<script" not in md and "<img" not in md and "<svg" not in md
    assert "&lt;script&gt;" in md
    assert "](" not in md.replace("\\](", "")


MERMAID_LINE = re.compile(
    r"journey"
    r"|  title [^\n#;]+"
    r"|  section [^\n#:;]+"
    r"|    (?P<task>[^\n#:;]+): (?P<score>[1-5]): (?P<actors>[^\n#:;]+)"
)
ENTITY = re.compile(r"#\d+;")


def test_mermaid_text_keeps_to_the_journey_grammar(journey: JourneyMap) -> None:
    text = to_mermaid(journey)
    assert "%%" not in text
    lines = text.splitlines()
    for line in lines:
        # Entity codes are how the grammar carries the characters it reserves; without them each line is plain.
        assert MERMAID_LINE.fullmatch(ENTITY.sub("", line)), line[:120]
        assert not ENTITY.sub("", line).lstrip().lower().startswith(("journey ", "title of")), line
    assert sum(line.startswith("  section ") for line in lines) == len(journey.stages)
    tasks = [line for line in lines if line.startswith("    ")]
    assert len(tasks) == sum(max(len(s.steps), 1) for s in journey.stages)
    for line in tasks:
        actors = ENTITY.sub("", line).split(": ")[-1]
        assert len(actors.split(",")) == len(journey.personas)
    assert max(len(line) for line in lines) < 400  # long text is cut in the diagram


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:b;c#d", "a#58;b#59;c#35;d"),
        ("Title of: x", "#84;itle of#58; x"),
        ("journey planning", "#106;ourney planning"),
        ("line\nbreak", "line break"),
        ("%%{init}%%", "#37;%{init}#37;%"),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_mermaid_label_escaping(text: str, expected: str) -> None:
    assert mermaid_label(text) == expected


def test_mermaid_actor_keeps_commas_inside_one_actor() -> None:
    assert mermaid_actor("Kim, Lee: buyer") == "Kim#44; Lee#58; buyer"
