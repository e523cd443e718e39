"""Methodology notes: parsing, section ids, and a collection that follows edits and deletions."""

from __future__ import annotations

from pathlib import Path

from assistant.embedding.hashing import HashingEmbedder
from assistant.index.chroma_index import methodology_index_counts, open_chroma, sync_methodology_index
from assistant.index.hybrid_search import search
from assistant.index.knowledge import default_knowledge_dir, load_knowledge, read_knowledge, slugify
from assistant.settings import load_settings

MOMENTS = """---
id: moments
title: Moments of truth
topic: measurement
stage: purchase
language: en
tags: [trust, kpi]
---
# Moments of truth

## What counts as a moment of truth
A point where the customer decides whether to stay or leave.

## Measuring it
Ask right after the moment, and track conversion at that step.
"""

KOREAN = """---
id: personas-ko
title: 페르소나
topic: personas
stage: all
language: ko
tags:
  - persona
  - 세그먼트
---
## 페르소나에 담을 항목
이름, 목표, 불편, 자주 쓰는 채널을 적는다.

## 데이터로 검증하기
설문과 행동 데이터로 가정을 확인한다.
"""


def write_notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "moments.en.md").write_text(MOMENTS, encoding="utf-8")
    (folder / "personas.ko.md").write_text(KOREAN, encoding="utf-8")
    return folder


def test_notes_split_into_sections_with_stable_ids(tmp_path: Path) -> None:
    sections = load_knowledge(write_notes(tmp_path / "notes"))

    assert [s.id for s in sections] == [
        "moments#what-counts-as-a-moment-of-truth",
        "moments#measuring-it",
        "personas-ko#페르소나에-담을-항목",
        "personas-ko#데이터로-검증하기",
    ]
    first = sections[0]
    assert first.title == "Moments of truth" and first.stage == "purchase" and first.tags == ("trust", "kpi")
    assert first.text.startswith("Moments of truth — What counts as a moment of truth\nA point")
    assert sections[2].tags == ("persona", "세그먼트") and sections[2].language == "ko"


def test_slug_keeps_letters_digits_and_dashes() -> None:
    assert slugify("Step 3: Map the questions (why?)") == "step-3-map-the-questions-why"
    assert slugify("고객 여정 지도, 만들기!") == "고객-여정-지도-만들기"


def test_bad_notes_are_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes")
    (folder / "no-front.md").write_text("## Heading\ntext\n", encoding="utf-8")
    (folder / "no-id.md").write_text("---\ntitle: x\nlanguage: en\n---\n## A\nb\n", encoding="utf-8")
    (folder / "zz-copy.md").write_text(MOMENTS, encoding="utf-8")
    (folder / "binary.md").write_bytes(b"\xff\xfe\x00\x81garbage")

    loaded = read_knowledge(folder)

    assert len(loaded.sections) == 4
    problems = "\n".join(loaded.problems)
    assert "no-front.md: skipped, no front matter" in problems
    assert "no-id.md: skipped, front matter lacks id" in problems
    assert "zz-copy.md: skipped, note id 'moments' (en) is already used by moments.en.md" in problems
    assert "binary.md: skipped" in problems


def test_language_versions_share_a_note_id_but_not_section_ids(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes")
    korean = MOMENTS.replace("language: en", "language: ko").replace("## What counts", "## 무엇이")
    (folder / "moments.ko.md").write_text(korean, encoding="utf-8")
    (folder / "zz-clash.md").write_text(MOMENTS.replace("language: en", "language: fr"), encoding="utf-8")

    loaded = read_knowledge(folder)

    assert loaded.problems == [
        "moments.ko.md: skipped, section id 'moments#measuring-it' is already used by moments.en.md",
        "zz-clash.md: skipped, section id 'moments#what-counts-as-a-moment-of-truth' is already used by "
        "moments.en.md",
    ]


def test_index_follows_edits_and_deletions(tmp_path: Path) -> None:
    folder = write_notes(tmp_path / "notes")
    settings = load_settings(journey_home=tmp_path / "home", journey_embedding="hashing")
    client, embedder = open_chroma(settings), HashingEmbedder()

    first = sync_methodology_index(client, embedder, load_knowledge(folder))
    assert (first.added, first.updated, first.deleted) == (4, 0, 0)

    again = HashingEmbedder()
    assert sync_methodology_index(client, again, load_knowledge(folder)).unchanged == 4
    assert again.texts_embedded == 0  # unchanged sections are not embedded again

    edited = MOMENTS.replace("track conversion at that step", "watch the abandonment rate of checkout")
    (folder / "moments.en.md").write_text(edited, encoding="utf-8")
    (folder / "personas.ko.md").unlink()
    sections = load_knowledge(folder)
    result = sync_methodology_index(client, embedder, sections)

    assert (result.added, result.updated, result.deleted, result.unchanged) == (0, 1, 2, 1)
    assert methodology_index_counts(client, embedder, sections).matches
    hits = search("abandonment rate of checkout", client=client, embedder=embedder, limit=1)
    assert hits[0].id == "moments#measuring-it"
    assert "abandonment" in hits[0].text
    assert hits[0].source == "moments.en.md" and hits[0].location == "moments#measuring-it"


def test_the_project_notes_parse_without_problems() -> None:
    loaded = read_knowledge(default_knowledge_dir())
    assert loaded.problems == []
    assert len({s.id for s in loaded.sections}) == len(loaded.sections)
