"""The app's settings panel is built from the ChatSettings request model: same controls as before, in
both languages, and a field added to the model shows up in the form."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from chainlit.input_widget import Select, Slider, Switch, TextInput
from pydantic import Field

from assistant.chat_app.forms import form_inputs
from assistant.contracts.requests import ChatSettings, Request
from assistant.domain.map_model import MAX_PERSONAS


def test_the_settings_panel_has_language_personas_and_model() -> None:
    language, personas, model = form_inputs(ChatSettings, "en", {}, choices={"model": ["a", "b"]})
    assert isinstance(language, Select) and language.id == "language"
    assert language.label == "Answer language"
    assert language.items == {"Same as my message": "auto", "English": "en", "한국어": "ko"}
    assert language.initial_value == "auto"
    assert isinstance(personas, Slider) and personas.id == "personas"
    assert (personas.min, personas.max, personas.step, personas.initial) == (1, MAX_PERSONAS, 1, 1.0)
    assert isinstance(model, Select) and model.values == ["a", "b"] and model.initial_value == "a"


def test_korean_labels_and_the_values_chosen_before() -> None:
    language, personas = form_inputs(
        ChatSettings, "ko", {"language": "ko", "personas": 2.0}, {"model": ["a"]}
    )
    assert isinstance(language, Select) and isinstance(personas, Slider)
    assert language.label == "답변 언어" and personas.label == "만들 페르소나 수"
    assert language.items["질문과 같은 언어"] == "auto"
    assert language.initial_value == "ko" and personas.initial == 2.0
    assert language.tooltip and "자동" in language.tooltip


def test_a_model_is_offered_only_when_there_is_a_choice() -> None:
    assert [w.id for w in form_inputs(ChatSettings, "en", {}, {"model": ["only"]})] == [
        "language",
        "personas",
    ]
    assert [w.id for w in form_inputs(ChatSettings, "en", {}, {"model": []})] == ["language", "personas"]


class MoreSettings(ChatSettings):
    tone: Literal["plain", "formal"] = "plain"
    """How the answers sound."""
    show_sources: bool = True
    """Show where each number comes from."""
    sign_off: str = ""
    """A line under every answer."""
    quotes: Annotated[int, Field(ge=0, le=5)] = 2
    """Quotes per theme."""


def test_a_field_added_to_the_request_shows_up_in_the_form() -> None:
    inputs = {w.id: w for w in form_inputs(MoreSettings, "en", {}, {"model": ["a", "b"]})}
    assert list(inputs) == ["language", "personas", "model", "tone", "show_sources", "sign_off", "quotes"]
    tone = inputs["tone"]
    assert isinstance(tone, Select) and tone.items == {"plain": "plain", "formal": "formal"}
    assert tone.label == "Tone" and tone.tooltip == "How the answers sound."
    assert isinstance(inputs["show_sources"], Switch) and inputs["show_sources"].initial is True
    assert isinstance(inputs["sign_off"], TextInput)
    quotes = inputs["quotes"]
    assert isinstance(quotes, Slider) and (quotes.min, quotes.max, quotes.initial) == (0, 5, 2.0)


def test_a_number_without_bounds_has_no_control() -> None:
    class Unbounded(Request):
        n: int = 1

    with pytest.raises(TypeError, match="needs both bounds"):
        form_inputs(Unbounded, "en")


def test_what_the_form_sent_is_read_by_the_model() -> None:
    assert ChatSettings.from_form({"language": "ko", "personas": 2.0, "model": "b"}) == ChatSettings(
        language="ko", personas=2, model="b"
    )
    odd = ChatSettings.from_form({"language": "fr", "personas": MAX_PERSONAS + 1, "unknown": 1})
    assert odd == ChatSettings()
    assert ChatSettings.from_form({}) == ChatSettings()
