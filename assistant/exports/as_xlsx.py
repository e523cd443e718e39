"""XLSX export: a workbook for spreadsheet users, one sheet per kind of thing, filterable and styled."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assistant.domain import JourneyMap, Step
from assistant.exports.origins import origin_label
from assistant.exports.sanitize import xlsx_cell
from assistant.exports.tables import kpi_row

Cell = str | int | float | None

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
# Excel's own red-yellow-green colour scale, one shade per emotion score.
EMOTION_FILLS = {
    score: PatternFill("solid", fgColor=colour)
    for score, colour in {-2: "F8696B", -1: "FBAA77", 0: "FFEB84", 1: "B1D580", 2: "63BE7B"}.items()
}
WRAP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH = 8, 60

MAP_HEADER = [
    "Stage #",
    "Stage",
    "Step #",
    "Action",
    "Touchpoint",
    "Channel",
    "Phase",
    "Front-stage",
    "Back-stage",
    "Thoughts",
    "Emotion",
    "Emotion label",
    "Moment of truth",
    "Why it matters",
    "Pain points",
    "Opportunities",
    "Origin",
]
EMOTION_COLUMN = MAP_HEADER.index("Emotion") + 1


def _value(value: Cell) -> Cell:
    return xlsx_cell(value) if isinstance(value, str) else value


def _sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], freeze: str = "A2"
) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for row in rows:
        ws.append([_value(v) for v in row])
    widths = [len(h) + 2 for h in header]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
            longest = max((len(line) for line in str(cell.value or "").splitlines()), default=0)
            widths[cell.column - 1] = max(widths[cell.column - 1], longest + 2)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = freeze
    ws.auto_filter.ref = ws.dimensions
    return ws


def _step_row(s: int, stage_name: str, n: int, step: Step) -> list[Cell]:
    return [
        s,
        stage_name,
        n,
        step.action,
        step.touchpoint,
        step.channel,
        step.phase or "",
        step.front_stage,
        step.back_stage,
        step.thoughts,
        step.emotion.score,
        step.emotion.label,
        "yes" if step.moment_of_truth.is_moment else "",
        step.moment_of_truth.why,
        "\n".join(f"[{p.severity}/5] {p.description}" for p in step.pain_points),
        "\n".join(o.description for o in step.opportunities),
        origin_label(step.origin),
    ]


def to_xlsx(journey: JourneyMap) -> bytes:
    """The map as an XLSX workbook: Map, Pain points, Opportunities, KPIs, Personas and About sheets."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])

    map_rows: list[list[Cell]] = []
    for s, stage in enumerate(journey.stages, 1):
        if not stage.steps:
            map_rows.append([s, stage.name, None, *[""] * (len(MAP_HEADER) - 3)])
        map_rows += [_step_row(s, stage.name, n, step) for n, step in enumerate(stage.steps, 1)]
    ws = _sheet(wb, "Map", MAP_HEADER, map_rows, freeze="E2")
    for (cell,) in ws.iter_rows(min_row=2, min_col=EMOTION_COLUMN, max_col=EMOTION_COLUMN):
        if isinstance(cell.value, int):
            cell.fill = EMOTION_FILLS[cell.value]
            cell.alignment = Alignment(horizontal="center", vertical="top")

    steps = [(stage, step) for stage in journey.stages for step in stage.steps]
    _sheet(
        wb,
        "Pain points",
        ["Stage", "Step", "Pain point", "Severity", "Provenance", "Evidence", "Origin"],
        (
            [
                stage.name,
                step.action,
                p.description,
                p.severity,
                p.provenance,
                "\n".join(
                    f"“{e.quote}”" + (f" ({e.source_file}:{e.row})" if e.source_file else "")
                    for e in p.evidence
                ),
                origin_label(p.origin),
            ]
            for stage, step in steps
            for p in step.pain_points
        ),
    )
    _sheet(
        wb,
        "Opportunities",
        [
            "Stage",
            "Step",
            "Idea",
            "Expected impact",
            "Effort",
            "Feasibility",
            "Desirability",
            "Viability",
            "KPI",
            "Owner",
            "Origin",
        ],
        (
            [
                stage.name,
                step.action,
                o.description,
                o.expected_impact,
                o.effort,
                o.feasibility,
                o.desirability,
                o.viability,
                o.kpi,
                o.owner,
                origin_label(o.origin),
            ]
            for stage, step in steps
            for o in step.opportunities
        ),
    )
    _sheet(
        wb,
        "KPIs",
        ["Stage", "KPI", "Definition", "Target", "Data source", "Cadence", "Owner", "Why", "Origin"],
        (kpi_row(stage, k) for stage in journey.stages for k in stage.kpis),
    )
    _sheet(
        wb,
        "Personas",
        [
            "Name",
            "Age",
            "Occupation",
            "Life situation",
            "Segment",
            "Buying role",
            "Professional goals",
            "Personal goals",
            "Needs",
            "Frustrations",
            "Behaviours",
            "Channels",
            "Quote",
            "Origin",
        ],
        (
            [
                p.name,
                p.age,
                p.occupation,
                p.life_situation,
                p.segment,
                p.buying_role or "",
                "\n".join(p.professional_goals),
                "\n".join(p.personal_goals),
                "\n".join(p.needs),
                "\n".join(p.frustrations),
                "\n".join(p.behaviours),
                ", ".join(p.channels),
                p.quote,
                origin_label(p.origin),
            ]
            for p in journey.personas
        ),
    )
    about: list[list[Cell]] = [
        ["Title", journey.title],
        ["Journey type", journey.journey_type],
        ["State", journey.state],
        ["Scope", journey.scope],
        ["Goal", journey.goal],
        ["Language", journey.language],
        ["Schema version", journey.schema_version],
        ["Version", journey.version],
        ["Created (UTC)", journey.created_at.isoformat()],
        ["Updated (UTC)", journey.updated_at.isoformat()],
    ]
    about += [["Note", note] for note in journey.notes]
    _sheet(wb, "About", ["Field", "Value"], about)

    wb.properties.title = xlsx_cell(journey.title)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
