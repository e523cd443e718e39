"""The knowledge base content: methodology notes, sample maps, sample feedback and the retrieval question set.

These files are the product's methodology voice, so the checks are what an editor would check: every note
has its front matter and a twin in the other language, every section stands alone at a readable length,
the sample maps load with the real domain model, the question set points at sections that exist, and no
sentence is lifted from the source articles.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.domain import map_from_data
from assistant.index.knowledge import read_knowledge, slugify

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
NOTES = KNOWLEDGE / "methodology"
MAPS = KNOWLEDGE / "maps"
FEEDBACK = KNOWLEDGE / "feedback"
QUESTIONS = ROOT / "evals" / "retrieval" / "questions.jsonl"

FRONT_MATTER_KEYS = {"id", "title", "topic", "stage", "language", "tags"}
MIN_SECTION_WORDS = 80
MAX_SECTION_WORDS = 250
COPY_RUN = 8

HANGUL = re.compile(r"[\uac00-\ud7a3]")
WORD = re.compile(r"\w+")


def parse_note(path: Path) -> tuple[dict[str, str], str]:
    """Split a note into its front matter (flat `key: value` lines) and its Markdown body."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert match, f"{path.name}: no front matter between --- lines at the top"
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        assert sep, f"{path.name}: front matter line without a colon: {line!r}"
        assert key.strip() not in meta, f"{path.name}: key {key.strip()!r} given twice"
        meta[key.strip()] = value.strip()
    return meta, match.group(2)


def sections(body: str) -> list[tuple[str, str]]:
    """`##` sections as (heading, text); a retriever indexes exactly these units."""
    parts = re.split(r"^## +(.+)$", body, flags=re.MULTILINE)
    return [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts), 2)]


def note_paths() -> list[Path]:
    return sorted(NOTES.glob("*.md"))


def all_section_ids() -> set[str]:
    """Section ids as the product's own knowledge loader produces them, so the question set and the index agree."""
    loaded = read_knowledge(NOTES)
    assert not loaded.problems, loaded.problems
    return {section.id for section in loaded.sections}


def test_slug_rule_matches_the_readme_examples() -> None:
    assert slugify("Steps 1 and 2: who travels, and which journey to map first") == (
        "steps-1-and-2-who-travels-and-which-journey-to-map-first"
    )
    assert slugify("NPS: definition, scale and how to read it") == "nps-definition-scale-and-how-to-read-it"
    assert slugify("Step 6: acting on today's journey") == "step-6-acting-on-todays-journey"
    assert slugify("NPS 점수 구간과 계산법") == "nps-점수-구간과-계산법"
    assert slugify("구매 전, 구매 중, 구매 후의 접점 찾기") == "구매-전-구매-중-구매-후의-접점-찾기"


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_note_front_matter_is_complete(path: Path) -> None:
    meta, body = parse_note(path)
    assert set(meta) == FRONT_MATTER_KEYS
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta["id"]), meta["id"]
    assert path.name == f"{meta['id']}.{meta['language']}.md"
    assert meta["language"] in {"ko", "en"}
    assert meta["stage"] in {"any", "pre", "during", "post"}
    assert meta["title"] and meta["topic"]
    assert all(tag.strip() for tag in meta["tags"].split(","))
    # Text before the first section would be an orphan chunk for retrieval: allow only the title line.
    preamble = body.split("\n## ", 1)[0].strip()
    assert preamble == f"# {meta['title']}", f"{path.name}: only a '# title' line may precede the sections"


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_note_sections_stand_alone_at_a_readable_length(path: Path) -> None:
    _, body = parse_note(path)
    found = sections(body)
    assert len(found) >= 3, f"{path.name}: only {len(found)} sections"
    slugs = [slugify(h) for h, _ in found]
    # The README's slug rule and the loader agree only while headings never yield a double dash.
    assert not [s for s in slugs if "--" in s or s.startswith("-") or s.endswith("-")], slugs
    assert len(set(slugs)) == len(slugs), f"{path.name}: two sections share a slug"
    for heading, text in found:
        words = len(WORD.findall(text))
        assert MIN_SECTION_WORDS <= words <= MAX_SECTION_WORDS, f"{path.name} / {heading}: {words} words"
        assert "\n# " not in f"\n{text}", f"{path.name} / {heading}: a level-1 heading inside a section"


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_note_is_written_in_its_declared_language(path: Path) -> None:
    meta, body = parse_note(path)
    hangul_share = len(HANGUL.findall(body)) / max(1, len(re.findall(r"\w", body)))
    if meta["language"] == "ko":
        assert hangul_share > 0.5, f"{path.name}: only {hangul_share:.0%} Hangul"
    else:
        assert hangul_share < 0.05, f"{path.name}: {hangul_share:.0%} Hangul in an English note"


def test_every_note_exists_in_korean_and_english() -> None:
    languages: dict[str, set[str]] = {}
    for path in note_paths():
        meta, _ = parse_note(path)
        languages.setdefault(meta["id"], set()).add(meta["language"])
    assert len(languages) >= 12
    missing = {note: {"ko", "en"} - langs for note, langs in languages.items() if langs != {"ko", "en"}}
    assert not missing, missing


def test_the_methodology_topics_of_the_product_are_covered() -> None:
    ids = {parse_note(p)[0]["id"] for p in note_paths()}
    assert {
        "journey-management-steps",
        "personas",
        "moments-of-truth",
        "journey-data-lenses",
        "solicited-unsolicited-feedback",
        "touchpoints-purchase-phases",
        "first-impressions-trust",
        "stage-kpis",
        "analytics-segmentation",
        "hidden-dropouts",
        "improvement-cycles",
        "comparable-survey-questions",
    } <= ids


def test_nps_note_states_the_bands_in_both_languages() -> None:
    for language in ("en", "ko"):
        _, body = parse_note(NOTES / f"stage-kpis.{language}.md")
        for band in ("0–6", "7–8", "9–10"):
            assert band in body, f"stage-kpis.{language}.md does not state the NPS band {band}"


@pytest.mark.parametrize(
    ("name", "language"), [("loan-application-ko.json", "ko"), ("ecommerce-first-purchase-en.json", "en")]
)
def test_sample_map_is_valid_complete_and_in_its_language(name: str, language: str) -> None:
    data = json.loads((MAPS / name).read_text(encoding="utf-8"))
    journey = map_from_data(data)
    assert journey.language == language
    assert 5 <= len(journey.stages) <= 7
    assert 1 <= len(journey.personas) <= 2
    for persona in journey.personas:
        for field in type(persona).model_fields:
            if field == "origin":
                continue  # where a drafted persona came from; these samples were written by hand
            assert getattr(persona, field), f"persona {persona.name}: {field} is empty"
    moments = 0
    for stage in journey.stages:
        assert 2 <= len(stage.steps) <= 4, stage.name
        assert stage.description and stage.goal and stage.kpis, stage.name
        for kpi in stage.kpis:
            assert kpi.definition and kpi.owner and kpi.cadence and kpi.rationale, (stage.name, kpi.name)
        for step in stage.steps:
            where = f"{stage.name} / {step.action}"
            assert step.touchpoint and step.front_stage and step.back_stage and step.thoughts, where
            assert step.phase and step.emotion.label, where
            assert step.pain_points and step.opportunities, where
            assert all(p.provenance in {"asserted", "inferred"} for p in step.pain_points), where
            for idea in step.opportunities:
                assert idea.expected_impact and idea.kpi and idea.owner, where
                assert None not in (idea.effort, idea.feasibility, idea.desirability, idea.viability), where
            if step.moment_of_truth.is_moment:
                moments += 1
                assert step.moment_of_truth.why, where
    assert 2 <= moments <= 3
    # Sample maps are fixtures for demos and exports: their timestamps must not drift.
    assert "created_at" in data and "updated_at" in data
    prose = [journey.title, journey.scope, journey.goal] + [
        text
        for stage in journey.stages
        for text in [stage.name, stage.description, stage.goal]
        + [t for step in stage.steps for t in (step.action, step.thoughts, step.front_stage, step.back_stage)]
    ]
    letters = re.findall(r"[^\W\d_]", " ".join(prose))
    hangul_share = len(HANGUL.findall(" ".join(prose))) / len(letters)
    assert hangul_share > 0.6 if language == "ko" else hangul_share == 0


def test_loan_map_follows_the_touchpoints_of_the_loan_example() -> None:
    journey = map_from_data(json.loads((MAPS / "loan-application-ko.json").read_text(encoding="utf-8")))
    touchpoints = " ".join(step.touchpoint for stage in journey.stages for step in stage.steps)
    for expected in (
        "광고",
        "추천",
        "계산기",
        "지점",
        "신청서",
        "이메일",
        "문자",
        "콜센터",
        "승인",
        "확정",
        "명세서",
    ):
        assert expected in touchpoints, expected


def read_feedback(name: str) -> list[dict[str, str]]:
    with (FEEDBACK / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_korean_feedback_sample_is_varied_and_scored_as_nps() -> None:
    rows = read_feedback("loan-app-feedback-ko.csv")
    assert 120 <= len(rows) <= 200
    assert list(rows[0]) == ["id", "작성일", "채널", "단계", "내용", "점수"]
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["내용"] for r in rows}) == len(rows), "every comment is written separately"
    scores = [int(r["점수"]) for r in rows if r["점수"]]
    assert all(0 <= s <= 10 for s in scores)
    assert min(scores) <= 3 and max(scores) == 10
    assert sum(1 for r in rows if not r["단계"]) >= 10
    journey = map_from_data(json.loads((MAPS / "loan-application-ko.json").read_text(encoding="utf-8")))
    assert {r["단계"] for r in rows if r["단계"]} <= set(journey.stage_names)
    months = Counter(r["작성일"][:7] for r in rows)
    assert len(months) >= 5 and all(m.startswith("2026-") for m in months)


def test_english_feedback_sample_is_varied_and_scored_as_csat() -> None:
    rows = read_feedback("shop-feedback-en.csv")
    assert 120 <= len(rows) <= 200
    assert list(rows[0]) == ["id", "created", "channel", "plan", "comment", "rating"]
    assert len({r["comment"] for r in rows}) == len(rows), "every comment is written separately"
    ratings = [int(r["rating"]) for r in rows if r["rating"]]
    assert set(ratings) == {1, 2, 3, 4, 5}
    assert len({r["plan"] for r in rows}) >= 2
    months = Counter(r["created"][:7] for r in rows)
    assert len(months) >= 5 and all(m.startswith("2026-") for m in months)
    assert "CC0" in (FEEDBACK / "README.md").read_text(encoding="utf-8")


def test_retrieval_questions_point_at_sections_that_exist() -> None:
    known = all_section_ids()
    questions = [
        json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    assert len(questions) >= 40
    assert len({q["id"] for q in questions}) == len(questions)
    by_language = Counter(q["language"] for q in questions)
    assert by_language["ko"] >= 20 and by_language["en"] >= 20
    for q in questions:
        assert set(q) == {"id", "question", "language", "relevant"}, q["id"]
        assert q["relevant"], q["id"]
        unknown = [r for r in q["relevant"] if r not in known]
        assert not unknown, f"{q['id']}: no such section {unknown}"
    headings = {s.split("#", 1)[1] for s in known}
    assert not [q["id"] for q in questions if slugify(q["question"]) in headings], "questions copy headings"


def _grams(text: str) -> set[str]:
    words = WORD.findall(text)
    return {" ".join(words[i : i + COPY_RUN]) for i in range(len(words) - COPY_RUN + 1)}


def _seeds_dir() -> Path | None:
    for candidate in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if candidate.is_dir():
            return candidate
    return None


def test_no_sentence_is_copied_from_the_source_articles() -> None:
    seeds = _seeds_dir()
    if seeds is None:
        pytest.skip("the source articles (../shared/seeds) are not present on this machine")
    seed_grams: set[str] = set()
    for path in seeds.glob("*.txt"):
        seed_grams |= _grams(path.read_text(encoding="utf-8", errors="ignore"))
    ours = [p for p in KNOWLEDGE.rglob("*") if p.is_file()] + [QUESTIONS]
    copied = {p.name: sorted(_grams(p.read_text(encoding="utf-8")) & seed_grams)[:2] for p in ours}
    assert not {name: runs for name, runs in copied.items() if runs}
