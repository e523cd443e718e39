"""How many drafted personas a map takes: the number asked for, within the one persona limit.

Pure: the personas a model drafted and what the user asked come in, the ones to keep come out (or a
refusal the model can act on). MAX_PERSONAS lives in the domain model.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.domain.map_model import MAX_PERSONAS, Persona
from assistant.errors import JourneyError


def personas_to_keep(personas: Sequence[Persona], asked: int, explicit: bool) -> list[Persona]:
    """The drafted personas to save: exactly the number the user asked for (`explicit`: the message named
    it; fewer is refused so the model drafts again and nothing is saved), else at most MAX_PERSONAS."""
    if explicit and len(personas) < asked:
        raise JourneyError(
            f"The user asked for {asked} personas and this call has {len(personas)}; call "
            f"draft_personas again with exactly {asked}. Nothing was saved."
        )
    return list(personas[:asked] if explicit else personas[:MAX_PERSONAS])


def persona_count_note(count: int, asked: int) -> str | None:
    """A note for a saved map that follows more personas than the methodology starts with, unless the user
    asked for more."""
    if count > MAX_PERSONAS and asked <= MAX_PERSONAS:
        return f"the map follows {count} personas; the methodology starts with at most {MAX_PERSONAS}"
    return None
