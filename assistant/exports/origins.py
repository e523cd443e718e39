"""How the exports show where content comes from (the domain model's `Origin`): one short label per
element, so a reader tells what the user said, what customers wrote, what was adapted from a reference
journey and what the assistant inferred."""

from __future__ import annotations

from assistant.domain import Origin

SOURCE_WORDS = {
    "brief": "brief",
    "feedback": "feedback",
    "reference": "reference",
    "model": "inferred",
}


def origin_label(origin: Origin | None) -> str:
    """E.g. 'reference consumer-loan-mobile.en; channel: brief', 'feedback r1, r2', 'inferred'; '' when
    the element does not say."""
    if origin is None:
        return ""
    head = SOURCE_WORDS[origin.source]
    if origin.source == "reference" and origin.reference:
        head += f" {origin.reference}"
    if origin.source == "feedback" and origin.feedback_ids:
        head += " " + ", ".join(origin.feedback_ids[:5])
    others = "; ".join(f"{field}: {SOURCE_WORDS[src]}" for field, src in sorted(origin.fields.items()))
    return f"{head}; {others}" if others else head


def is_inferred(origin: Origin | None) -> bool:
    """Content nobody said or measured: the assistant's inference (or code's filling-in)."""
    return origin is not None and origin.source == "model"
