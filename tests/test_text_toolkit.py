"""The text toolkit (tools/journey_tools/text/): one reading of Korean and English words for search, themes and claims."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import journey_tools.text as text
import journey_tools.text_clean as text_clean
from assistant.feedback.keywords import query_terms

ROOT = Path(__file__).resolve().parent.parent


def test_one_stop_word_list_per_language_and_search_drops_a_part_of_it() -> None:
    assert text.EN_SEARCH_STOP < text.EN_STOP
    assert {"what", "how", "the"} <= text.EN_SEARCH_STOP
    assert {"not", "more"} <= text.EN_STOP - text.EN_SEARCH_STOP  # a query's "not" is kept
    assert {"그리고", "ㅠㅠ"} <= text.KO_STOP


def test_korean_stems_parts_and_pairs() -> None:
    assert text.strip_particles("인증번호가") == text.strip_particles("인증번호를") == "인증번호"
    assert text.strip_particles("앱이") == "앱이"  # a stem keeps two characters at least
    assert text.compound_parts("본인인증") == ("본인", "인증")
    assert text.compound_parts("알려주세요") == ("알려",)  # 주세 is an ending's piece, not a word
    assert text.bigrams("배송비") == ["배송", "송비"] and text.bigrams("앱") == ["앱"]


def test_content_words_terms_and_search_tokens() -> None:
    assert text.tokens("The boarding pass didn't load, 인증번호가 안 와요") == [
        "boarding",
        "pass",
        "didn't",
        "load",
        "인증번호",
    ]
    assert "boarding pass" in text.terms("The boarding pass failed")
    assert text.search_tokens("How do I get a refund? 배송이 늦어요") == [
        "get",
        "refund",
        "배송",
        "송이",
        "늦어",
        "어요",
    ]
    terms = query_terms("refunds for 배송이 and 로그인이")
    assert terms.words == (("refunds", True), ("배송", True)) and terms.trigrams == ("로그인",)


def test_english_stems() -> None:
    assert {text.stem_en(w) for w in ("calls", "called", "calling")} == {"call"}
    assert text.light_stem_en("payment") == text.light_stem_en("paying") == "pay"
    assert text.light_stem_en("checkout") == "checkout"


def test_cleaning_is_text_cleans_own_functions() -> None:
    assert text.clean_text is text_clean.clean_text and text.handles is text_clean.handles
    assert text.clean_text("@SkyHop my bag https://t.co/x #lostbag") == "my bag lostbag"


@pytest.mark.parametrize(
    ("words", "value"),
    [("eighteen", 18), ("twenty-five", 25), ("two hundred and ten", 210), ("three thousand", 3000)],
)
def test_english_number_words(words: str, value: int) -> None:
    m = text.EN_NUMBER.search(f"about {words} rows")
    assert m is not None and text.en_value(m.group(0)) == value


def test_korean_number_words_and_counts() -> None:
    assert text.ko_native_value("열", "여덟") == 18 and text.ko_native_value("스물", None) == 20
    assert text.ko_native_value(None, "다섯") == 5
    assert text.ko_sino_value("이", None) == 20 and text.ko_sino_value(None, "팔") == 18
    assert [text.count_value(w) for w in ("3", "Two", "a couple of", "세", "석", "열", "many")] == [
        3,
        2,
        2,
        3,
        3,
        10,
        None,
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_toolkit_is_pure_and_keyword_search_does_not_import_its_store() -> None:
    paths = sorted((ROOT / "tools" / "journey_tools" / "text").glob("*.py"))
    assert len(paths) >= 4, paths  # the toolkit is where this test looks
    for path in paths:
        assert not any(m.startswith("assistant") for m in _imports(path)), path
    assert "assistant.feedback.store" not in _imports(ROOT / "assistant" / "feedback" / "keywords.py")
