"""The name and media type an export is offered under (assistant.exports)."""

from __future__ import annotations

from assistant.exports import FORMATS, MEDIA_TYPES, export_filename


def test_a_title_becomes_a_safe_file_name() -> None:
    assert export_filename("Loan: apply / sign", "csv") == "Loan--apply---sign.csv"
    assert export_filename("대출 신청 여정", "mermaid") == "대출-신청-여정.mmd"
    assert export_filename("../..", "json") == "journey-map.json"
    assert export_filename("x" * 80, "html") == "x" * 60 + ".html"


def test_every_format_has_a_media_type() -> None:
    assert set(MEDIA_TYPES) == set(FORMATS)
