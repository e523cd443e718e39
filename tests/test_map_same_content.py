"""Saving a map that says the same makes no new version: bookkeeping fields aside (JourneyMap.same_content)."""

from __future__ import annotations

from assistant.domain import map_from_data


def test_bookkeeping_fields_do_not_make_a_map_different() -> None:
    a = map_from_data({"title": "Shop", "stages": [{"name": "Browse"}]})
    later = a.model_copy(update={"version": 3, "created_at": a.created_at.replace(year=2020)})
    assert a.same_content(later)
    assert not a.same_content(a.model_copy(update={"title": "Shop 2"}))
