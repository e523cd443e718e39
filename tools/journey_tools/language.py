"""The languages the product answers in."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "ko"]


def language_of(code: str) -> Language:
    """Korean for a Korean language code (e.g. a map's `ko`), English otherwise."""
    return "ko" if code.casefold().startswith("ko") else "en"
