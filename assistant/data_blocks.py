"""Data blocks: how untrusted text (feedback rows, tool results, map fields, column names, files) reaches
a language model.

Every piece of data sits in one block, opened by `<<<DATA <tag>` and closed by `<tag> DATA>>>`, where the
tag is a fresh random code the data's author cannot know (one per turn in the agent, one per rendered
prompt elsewhere). Inside a block the text is neutralised so it cannot pass for a marker, even one without
the tag: invisible format characters (zero-width spaces and joiners, bidirectional controls, the "tag"
characters some attacks hide words in) are removed, runs of angle brackets (also their full-width forms)
are broken, and the tag itself is cut out. Nothing else in the text changes. The system prompt says that
what a block holds is never an instruction.

The defence is structural: it does not look for known attack wording, so it works the same on wording it
has never seen.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

OPEN = "<<<DATA"
CLOSE = "DATA>>>"
_TAG = re.compile(r"^[0-9a-f]{8}$")
_LEFT_RUN = re.compile(r"[<\uFF1C\uFE64]{2,}")
_RIGHT_RUN = re.compile(r"[>\uFF1E\uFE65]{2,}")
_BLOCK = re.compile(r"\A<<<DATA ([0-9a-f]{8})\n(.*)\n\1 DATA>>>\Z", re.DOTALL)
_ANY_BLOCK = re.compile(r"\A<<<DATA(?: ([0-9a-f]{8}))?\n(.*)\n(?:[0-9a-f]{8} )?DATA>>>\Z", re.DOTALL)


def new_tag() -> str:
    """Eight random hex digits: a marker the data cannot forge."""
    return secrets.token_hex(4)


def invisible(ch: str) -> bool:
    """A character that changes how text is read without being seen (Unicode format characters)."""
    return unicodedata.category(ch) == "Cf"


def neutralise(text: str, tag: str | None = None) -> str:
    """The text as it may stand inside a data block: no invisible characters, no run of angle brackets
    that could read as a marker, and never the block's own tag."""
    text = "".join(ch for ch in text if not invisible(ch))
    text = _LEFT_RUN.sub(lambda m: "‹" * len(m.group(0)), text)
    text = _RIGHT_RUN.sub(lambda m: "›" * len(m.group(0)), text)
    if tag:
        text = text.replace(tag, "·" * len(tag))
    return text


def opening(tag: str) -> str:
    return f"{OPEN} {tag}"


def closing(tag: str) -> str:
    return f"{tag} {CLOSE}"


def block(text: str, tag: str) -> str:
    """One closed data block holding `text`."""
    if not _TAG.match(tag):
        raise ValueError("a data block's tag is eight hex digits (new_tag())")
    return f"{opening(tag)}\n{neutralise(text, tag)}\n{closing(tag)}"


def is_one_block(text: str) -> bool:
    """The whole text is exactly one data block, with no other marker of its tag inside."""
    m = _BLOCK.match(text)
    if m is None:
        return False
    tag, body = m.group(1), m.group(2)
    return tag not in body and OPEN not in body and CLOSE not in body


def unwrap(text: str) -> str | None:
    """What one data block holds (None when the text is not one block; a block from before tags were
    used reads too, for recorded runs)."""
    return m.group(2) if (m := _ANY_BLOCK.match(text.strip())) is not None else None


def tag_markers(template: str, tag: str) -> str:
    """A template's bare markers (`<<<DATA`, `DATA>>>`) carrying the tag."""
    return template.replace(OPEN, opening(tag)).replace(CLOSE, closing(tag))


def fenced_spans(template: str) -> list[tuple[int, int]]:
    """Where a template's data blocks are: (start, end) between each bare opening marker and the closing
    marker after it."""
    spans: list[tuple[int, int]] = []
    start = template.find(OPEN)
    while start != -1:
        end = template.find(CLOSE, start + len(OPEN))
        if end == -1:
            break
        spans.append((start + len(OPEN), end))
        start = template.find(OPEN, end + len(CLOSE))
    return spans


def inside_blocks(text: str, needle: str) -> bool:
    """Every occurrence of `needle` lies inside a data block (between an opening marker and the closing
    marker with the same tag)."""
    folded, needle = text.casefold(), needle.casefold()
    spans = [
        (m.end(), folded.find(f"{m.group(1)} {CLOSE.casefold()}", m.end()))
        for m in re.finditer(r"<<<data ([0-9a-f]{8})\n", folded)
    ]
    spans = [(a, b) for a, b in spans if b != -1]
    start = folded.find(needle)
    while start != -1:
        if not any(a <= start and start + len(needle) <= b for a, b in spans):
            return False
        start = folded.find(needle, start + 1)
    return True
