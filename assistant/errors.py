"""The product's error hierarchy: the CLI and the chat turn each into one clear sentence."""

from __future__ import annotations

import re


class JourneyError(Exception):
    """Base class: the message is written for the person using the product."""

    exit_code = 1


class ConfigError(JourneyError):
    """A setting is missing or wrong; the message says what to set."""

    exit_code = 2


class MapValidationError(JourneyError):
    """A journey map or persona does not satisfy the model; lists JSON paths of the bad fields."""

    exit_code = 2

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ImportFormatError(JourneyError):
    """A file given to `journey import` is not one the product can read."""

    exit_code = 2


class IngestError(JourneyError):
    """A feedback file cannot be read at all (binary, empty, wrong format, too large)."""

    exit_code = 2


class StoreError(JourneyError):
    """The feedback store or the vector index is unusable."""

    exit_code = 2


class ModelError(JourneyError):
    """The embedded language model cannot be fetched, verified or loaded; the message says what to do."""

    exit_code = 2


class ModelOutputError(JourneyError):
    """A language model kept returning output that fails validation."""


_PATH = re.compile(r"(?<![\w.:/\\~-])(?:[A-Za-z]:)?(?:[\\/][^\\/\s:;,'\"()<>\[\]{}]+){2,}[\\/]?")


def without_paths(message: str) -> str:
    """The message with every absolute file-system path cut to its last part (a file's name): what a
    server shows a user never names its own folders."""
    return _PATH.sub(lambda m: re.split(r"[\\/]", m.group(0).rstrip("\\/"))[-1], message)
