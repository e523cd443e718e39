"""Prompt templates kept as Markdown files in prompts/, loaded by name.

A template is rendered with exactly the variables it names: a missing or an unused variable is an
error, so a prompt and the code that fills it cannot drift apart silently. Untrusted text goes inside
`<<<DATA … DATA>>>` markers, and any marker inside the data itself is defused first.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

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

    def render(self, **values: object) -> str:
        given = set(values)
        missing = self.variables - given
        unused = given - self.variables
        if missing or unused:
            raise PromptError(
                f"Prompt {self.name!r}: missing {sorted(missing) or 'nothing'}, unused {sorted(unused) or 'nothing'}."
            )
        return self.text.format(**values)


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    if not _NAME.match(name):
        raise PromptError(f"Prompt names are lower-case words joined by '_', not {name!r}.")
    path = directory / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"No prompt named {name!r} in {directory}.")
    return Prompt(name, path.read_text(encoding="utf-8"))


def as_data(text: str) -> str:
    """Defuse the data markers inside untrusted text, so it cannot close its own data block early."""
    return text.replace("<<<DATA", "<<< DATA").replace("DATA>>>", "DATA >>>")
