"""Every export format on real maps: content a reader would look for, Korean text, and structure."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from hostile_texts import full_map, korean_map, minimal_map
from openpyxl import load_workbook

from assistant.domain import JourneyMap
from assistant.exports import (
    FORMATS,
    SUFFIXES,
    export_map,
    to_html,
    to_json,
    to_markdown,
    to_mermaid,
    to_xlsx,
)
from assistant.exports.as_csv import COLUMNS
from assistant.exports.as_mermaid import emotion_to_score

MAPS = {"minimal": minimal_map, "full": full_map, "korean": korean_map}


@pytest.fixture(params=list(MAPS))
def journey(request: pytest.FixtureRequest) -> JourneyMap:
    return MAPS[request.param]()


def test_every_format_is_registered_with_a_suffix(journey: JourneyMap) -> None:
    assert set(FORMATS) == set(SUFFIXES) == {"json", "md", "csv", "xlsx", "mermaid", "html"}
    for fmt in FORMATS:
        assert export_map(journey, fmt)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown export format 'pdf'"):
        export_map(minimal_map(), "pdf")  # type: ignore[arg-type]


def test_json_round_trip_is_exact(journey: JourneyMap) -> None:
    text = to_json(journey)
    assert JourneyMap.model_validate_json(text) == journey
    assert '"created_at"' in text


def test_korean_survives_every_text_format_unescaped() -> None:
    journey = korean_map()
    for fmt in ("json", "md", "csv", "mermaid", "html"):
        text = export_map(journey, fmt).decode("utf-8-sig")
        for word in ("모바일 신용대출 신청", "탐색", "신청", "실행", "앱에서 한도 조회를 누른다"):
            assert word in text, (fmt, word)
    assert "신분증을 촬영해 제출한다" in _xlsx_strings(to_xlsx(journey))


def test_markdown_is_a_readable_document() -> None:
    md = to_markdown(full_map())
    assert md.startswith("# Online store: first purchase\n")
    for heading in (
        "## Personas",
        "## Stages",
        "## Steps",
        "## Pain points",
        "## Moments of truth",
        "## Opportunities",
        "## KPIs",
    ):
        assert f"\n{heading}\n" in md
    assert "| 1 | Discover | Find a trustworthy shop | 2 | +0.5 | 0 |" in md
    assert "| 3 | Delivery |  | 0 | – | 0 |" in md
    assert "### Busy parent" in md and "> If it takes more than five minutes, I give up." in md
    assert "Enters card details** ★ moment of truth" in md
    assert (
        "| Checkout | Enters card details | Shipping fee appears only at the last step | 5/5 | feedback |"
        in md
    )
    assert "- **Checkout – Enters card details**: Half of first-time buyers leave here." in md
    assert "Show verified-buyer badges" in md and "Click-through rate" in md


def test_markdown_of_a_minimal_map_says_what_is_missing() -> None:
    md = to_markdown(minimal_map())
    assert "_No steps yet._" in md and "_None recorded._" in md and "_None defined._" in md


def test_csv_has_one_row_per_step_with_its_stage_and_a_bom(journey: JourneyMap) -> None:
    data = export_map(journey, "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == COLUMNS
    expected = [(s.name, st.action) for s in journey.stages for st in s.steps] + [
        (s.name, "") for s in journey.stages if not s.steps
    ]
    got = [(r["stage_name"], r["action"]) for r in rows]
    assert sorted(got) == sorted(expected) and len(got) == len(expected)
    assert [r["stage_name"] for r in rows] == [s.name for s in journey.stages for _ in (s.steps or [None])]
    assert rows[0]["map_title"] == journey.title
    assert all(not r["map_title"] for r in rows[1:])


@pytest.mark.parametrize(("emotion", "score"), [(-2, 1), (-1, 2), (0, 3), (1, 4), (2, 5)])
def test_mermaid_score_follows_emotion(emotion: int, score: int) -> None:
    assert emotion_to_score(emotion) == score


def test_mermaid_has_a_section_per_stage_and_a_task_per_step() -> None:
    text = to_mermaid(full_map())
    assert text.splitlines() == [
        "journey",
        "  title Online store#58; first purchase",
        "  section Discover",
        "    Sees an advert on social media: 3: Busy parent, Student",
        "    Reads reviews: 4: Busy parent, Student",
        "  section Checkout",
        "    Enters card details: 1: Busy parent, Student",
        "  section Delivery",
        "    Delivery: 3: Busy parent, Student",
    ]
    assert "Customer" in to_mermaid(minimal_map())


def _xlsx_strings(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_xlsx_sheets_values_and_styling() -> None:
    journey = full_map()
    wb = load_workbook(io.BytesIO(to_xlsx(journey)))
    assert wb.sheetnames == ["Map", "Pain points", "Opportunities", "KPIs", "Personas", "About"]
    ws = wb["Map"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    assert [(r["Stage"], r["Action"]) for r in rows] == [
        ("Discover", "Sees an advert on social media"),
        ("Discover", "Reads reviews"),
        ("Checkout", "Enters card details"),
        ("Delivery", None),
    ]
    checkout = rows[2]
    assert checkout["Emotion"] == -2 and checkout["Emotion label"] == "annoyed"
    assert checkout["Moment of truth"] == "yes" and checkout["Touchpoint"] == "Checkout page"
    assert "[5/5] Shipping fee appears only at the last step" in checkout["Pain points"]
    # Styled header, frozen panes, autofilter, widths, emotion colours from red to green.
    assert all(c.font.bold and c.fill.fgColor.rgb.endswith("1F3A5F") for c in ws[1])
    assert ws.freeze_panes == "E2" and ws.auto_filter.ref == ws.dimensions
    assert ws.column_dimensions["D"].width >= len("Sees an advert on social media")
    emotion_col = header.index("Emotion") + 1
    fills = {
        ws.cell(row=i, column=emotion_col).value: ws.cell(row=i, column=emotion_col).fill.fgColor.rgb
        for i in (2, 3, 4)
    }
    assert fills[-2].endswith("F8696B") and fills[1].endswith("B1D580") and fills[0].endswith("FFEB84")

    pains = list(wb["Pain points"].iter_rows(min_row=2, values_only=True))
    assert pains[0][:5] == (
        "Checkout",
        "Enters card details",
        "Shipping fee appears only at the last step",
        5,
        "feedback",
    )
    assert "“The fee showed up at the very end.” (feedback.csv:12)" in pains[0][5]
    opportunities = list(wb["Opportunities"].iter_rows(min_row=2, values_only=True))
    assert opportunities == [
        # A leading "+" would start a formula, so the cell carries the apostrophe prefix.
        ("Discover", "Reads reviews", "Show verified-buyer badges", "'+5% add-to-cart", "low", "high", "medium", "high",
         "Add-to-cart rate", "Product team", None)
    ]  # fmt: skip
    kpis = list(wb["KPIs"].iter_rows(min_row=2, values_only=True))
    assert kpis[0][:4] == ("Discover", "Click-through rate", "Clicks / impressions", "2%")
    personas = list(wb["Personas"].iter_rows(min_row=2, values_only=True))
    assert [p[0] for p in personas] == ["Busy parent", "Student"]
    about = dict(wb["About"].iter_rows(min_row=2, values_only=True))
    assert about["Title"] == journey.title and about["Version"] == 7


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def test_html_is_self_contained_and_marks_what_matters(journey: JourneyMap) -> None:
    page = to_html(journey)
    parsed = parse_html(page)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
    assert not re.search(r"https?:|//[a-z]|url\(|@import", page, re.IGNORECASE)
    assert "@media print" in page and "landscape" in page
    assert "<svg" in page and 'aria-label="Emotion curve"' in page
    text = " ".join(parsed.text)
    for stage in journey.stages:
        assert stage.name in text
    for lane in (
        "Actions",
        "Touchpoint",
        "Front-stage",
        "Back-stage",
        "Thoughts",
        "Emotion",
        "Pain points",
        "Opportunities",
    ):
        assert lane in text


def test_html_marks_pain_points_and_moments_of_truth() -> None:
    page = to_html(full_map())
    assert page.count('class="badge mot"') == 1
    assert "! 2 pain points" in page
    assert page.count('class="mot-ring"') == 1  # the moment of truth is circled on the curve
    assert page.count('class="dot"') == 3  # one point per step
    assert 'title="severity 5/5">●●●●●</span>Shipping fee appears only at the last step' in page
