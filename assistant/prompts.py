"""Prompt templates kept as Markdown files in prompts/, loaded by name.

A template is rendered with exactly the variables it names: a missing or an unused variable is an
error, so a prompt and the code that fills it cannot drift apart silently. Untrusted text goes inside a
template's `<<<DATA … DATA>>>` markers: rendering gives the markers a fresh random tag (or the turn's) and
neutralises every value placed between them (assistant/data_blocks.py), so a value cannot close its block
or open one of its own, whether or not its caller remembered to defuse it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from assistant import data_blocks
from assistant.errors import JourneyError
from assistant.resources import prompts_dir

PROMPTS_DIR = prompts_dir()
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptError(JourneyError):
    """A prompt template is missing, or was given the wrong variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(f for _, f, _, _ in string.Formatter().parse(self.text) if f)

    @property
    def data_variables(self) -> frozenset[str]:
        """The variables placed inside the template's data blocks."""
        inside = [self.text[a:b] for a, b in data_blocks.fenced_spans(self.text)]
        return frozenset(f for part in inside for _, f, _, _ in string.Formatter().parse(part) if f)

    def render(self, tag: str | None = None, **values: object) -> str:
        """The prompt with its variables filled; its data blocks carry `tag` (a fresh one when not given)
        and every value inside them is neutralised."""
        given = set(values)
        missing = self.variables - given
        unused = given - self.variables
        if missing or unused:
            raise PromptError(
                f"Prompt {self.name!r}: missing {sorted(missing) or 'nothing'}, unused {sorted(unused) or 'nothing'}."
            )
        tag = tag or data_blocks.new_tag()
        data = self.data_variables
        filled = {k: data_blocks.neutralise(str(v), tag) if k in data else v for k, v in values.items()}
        return data_blocks.tag_markers(self.text, tag).format(**filled)


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    if not _NAME.match(name):
        raise PromptError(f"Prompt names are lower-case words joined by '_', not {name!r}.")
    path = directory / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"No prompt named {name!r} in {directory}.")
    return Prompt(name, path.read_text(encoding="utf-8"))


def as_data(text: str) -> str:
    """Untrusted text neutralised for a data block (rendering does it again for values inside a template's
    blocks; this is for text joined before it reaches one)."""
    return data_blocks.neutralise(text)
