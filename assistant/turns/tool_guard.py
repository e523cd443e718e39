"""Which tool calls a turn may make, and with which arguments: checked before any tool runs.

A model that reads customers' words can be talked into calling tools. What it may call is decided by the
turn, not by the model: the tools the turn's job needs (assistant/agent/agent.py TOOLSETS), and an export
only when the user's own message asked for one. Arguments are checked too: no tool here takes a file path
or a URL, so a path or a link in an argument can only come from the data unless the user wrote it, and the
call is refused. Verbatim evidence quotes in a saved map are the exception: they are customers' words by
design and the save checks each against its stored row.

Pure functions over names, arguments and the user's text; the middleware that applies them is in agent.py.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.domain.strings import strings_at
from assistant.turns.understand import asks_for_export

EXPORTS = frozenset({"export_map"})
WRITES = frozenset({"save_journey_map", "apply_map_operations", "undo_map_edit", "draft_personas"})
"""Tools with effects: they change a map or hand over a file. Only these are held to the turn's job; a
reading tool changes nothing, so a misread job never stops the model from reading (its arguments are
still checked)."""

_URL = re.compile(
    r"(?i)(?:\b[a-z][a-z0-9+.-]{1,15}://|\bwww\.|\bmailto:(?=\S)|\bjavascript:(?=\S)|\bdata:(?=[a-z]+/)|\bfile:(?=/))"
    r"[^\s<>\"'`)\]]*"
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,24}/[^\s<>\"'`)\]]*"
    r"|[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}\b"
)
"""A link: anything with a scheme, `www.`, a host name followed by a path, or an e-mail address (which
a chat's markdown turns into a link)."""
_PATH = re.compile(
    r"(?<![\w.:/\\~-])(?:[A-Za-z]:|~|\.\.)?(?:[\\/][^\\/\s:;,'\"()<>\[\]{}`]+){2,}[\\/]?"
    r"|(?<![\w.])(?:~|\.\.)[\\/][^\s:;,'\"()<>\[\]{}`]+"
)
"""A file-system path: absolute with two or more parts, from the home folder (~/), or climbing up (../)."""


def links(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text)]


def paths(text: str) -> list[str]:
    found = []
    for m in _PATH.finditer(text):
        # A link's own path is the link's business, not a file path.
        if not any(m.start() >= u.start() and m.end() <= u.end() for u in _URL.finditer(text)):
            found.append(m.group(0))
    return found


def allowed_tools(
    toolset: frozenset[str],
    user_text: str,
    intent: str | None,
    every: frozenset[str] = frozenset(),
    read_data: bool = True,
) -> frozenset[str]:
    """The tools this turn may run: its job's toolset, every reading tool (of `every`), and, until the
    turn has read any data, the writing tools too (the job may have been misread, and nothing but the
    user has spoken yet); never an export the user's message did not ask for. Once data was read, a write
    the job does not explain is taken as coming from the data."""
    allowed = toolset | (every - WRITES - EXPORTS) | (frozenset() if read_data else every & WRITES)
    if intent != "export" and not asks_for_export(user_text):
        return allowed - EXPORTS
    return allowed


def _evidence_quote(path: str) -> bool:
    return ".evidence[" in path and path.endswith(".quote")


def refusal(name: str, args: dict[str, Any], allowed: frozenset[str], user_text: str) -> str | None:
    """Why this call may not run (one line), or None when it may."""
    if name not in allowed:
        if name in EXPORTS:
            return f"{name} refused: the user did not ask for an export in this turn"
        return f"{name} refused: not a tool for this turn's request"
    for where, text in strings_at(args):
        if _evidence_quote(where):
            continue
        for link in links(text):
            if link not in user_text:
                return f"{name} refused: argument {where} holds a link the user did not give ({link[:60]})"
        for path in paths(text):
            if path not in user_text:
                return f"{name} refused: argument {where} holds a file path the user did not give"
    return None
