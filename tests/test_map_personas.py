"""How many drafted personas are kept (assistant.maps.personas): the number asked, within the limit."""

from __future__ import annotations

import pytest

from assistant.domain.map_model import MAX_PERSONAS, Persona
from assistant.errors import JourneyError
from assistant.maps.personas import persona_count_note, personas_to_keep

DRAFTED = [Persona(name=f"P{k}") for k in range(MAX_PERSONAS + 2)]


def test_exactly_the_number_asked_is_kept() -> None:
    assert [p.name for p in personas_to_keep(DRAFTED, 2, explicit=True)] == ["P0", "P1"]
    with pytest.raises(JourneyError, match="asked for 2 personas and this call has 1"):
        personas_to_keep(DRAFTED[:1], 2, explicit=True)


def test_without_a_number_at_most_the_limit() -> None:
    assert len(personas_to_keep(DRAFTED, 1, explicit=False)) == MAX_PERSONAS
    assert len(personas_to_keep(DRAFTED[:1], 1, explicit=False)) == 1


def test_a_map_with_more_personas_than_the_methodology_starts_with_gets_a_note() -> None:
    assert persona_count_note(MAX_PERSONAS, 1) is None
    note = persona_count_note(MAX_PERSONAS + 1, 1)
    assert note is not None and f"at most {MAX_PERSONAS}" in note
    assert persona_count_note(MAX_PERSONAS + 1, MAX_PERSONAS + 1) is None
