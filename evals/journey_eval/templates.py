"""Path templates over the tool results a scripted model has been shown in the current turn.

A script cannot know the numbers or feedback ids a tool will return, so its replies refer to them:

    "{{diagnose_journey.stages[stage=Check-in].negative}}"         a value of the latest diagnose_journey
    "{{search_feedback#0.hits[text~=QR|boarding pass].id}}"         the first hit (of the turn's first
                                                                    search) whose text matches the regex
    "{{search_feedback.hits[0].text|quote}}"                        its text, without the view's "…"
    "{{diagnose_journey.stages[stage=Check-in].negative_share|pct}}" 0.387 -> "39%"

Roots: a tool name (its latest result in the turn; `name#k` is the k-th, 0-based, negative from the end),
`last` (the latest result of any tool) and `user` (the user's message). Selectors: `.key`, `[3]`,
`[key=value]` (first element whose key equals value, case-insensitive), `[key~=regex]`. Filters: `pct`,
`pct1`, `quote`, `len`, `json`, `str`. A string that is one template keeps the value's type (a number, a
list); templates inside longer text are replaced by their text.

The results are read from the messages the model received (the JSON inside each tool message's DATA
block), the same way a real model reads them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage

from assistant import data_blocks

TEMPLATE = re.compile(r"\{\{\s*(.+?)\s*\}\}")
_ROOT = re.compile(r"^([A-Za-z_][\w]*)(?:#(-?\d+))?")
_STEP = re.compile(r"\.([\w]+)|\[(-?\d+)\]|\[([\w]+)(~?=)([^\]]+)\]")
GROUNDING_CHECK = "[grounding check]"


class TemplateError(ValueError):
    """A template that found nothing: the script expected a result the turn did not produce."""


def _pct(x: Any, digits: int = 0) -> str:
    return f"{float(x) * 100:.{digits}f}%"


def _quote(x: Any) -> str:
    return " ".join(str(x).rstrip("…").split())


FILTERS: dict[str, Callable[[Any], Any]] = {
    "pct": _pct,
    "pct1": lambda x: _pct(x, 1),
    "quote": _quote,
    "len": len,
    "json": lambda x: json.dumps(x, ensure_ascii=False),
    "str": str,
}


def read_data(content: Any) -> Any:
    """A tool message's result: the JSON inside its DATA block (or the raw text if it is not JSON)."""
    text = str(content).strip()
    text = data_blocks.unwrap(text) or text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@dataclass
class TurnResults:
    """What the model has seen in the current turn, by tool."""

    user: str = ""
    language: str = "en"
    by_tool: dict[str, list[Any]] = field(default_factory=dict)
    order: list[Any] = field(default_factory=list)

    @classmethod
    def from_messages(cls, messages: Sequence[BaseMessage]) -> TurnResults:
        start = 0
        for i, m in enumerate(messages):
            if isinstance(m, HumanMessage) and not str(m.content).startswith(GROUNDING_CHECK):
                start = i
        out = cls()
        system = next((str(m.content) for m in messages if isinstance(m, SystemMessage)), "")
        # The product tells the model which language to answer in; the analyst follows it.
        out.language = "ko" if re.search(r"Answer in Korean", system) else "en"
        if start < len(messages):
            out.user = str(messages[start].content)
        for m in messages[start:]:
            if isinstance(m, ToolMessage):
                value = read_data(m.content)
                out.by_tool.setdefault(str(m.name), []).append(value)
                out.order.append(value)
        return out

    def latest(self, tool: str) -> Any:
        values = self.by_tool.get(tool)
        if not values:
            raise TemplateError(f"no {tool} result in this turn (results: {sorted(self.by_tool) or 'none'})")
        return values[-1]


def resolve(expr: str, results: TurnResults) -> Any:
    """The value of one template expression (without the braces)."""
    path, *filters = _split_filters(expr)
    m = _ROOT.match(path)
    if m is None:
        raise TemplateError(f"{{{{{expr}}}}}: a path starts with a tool name, `last` or `user`")
    root, index = m.group(1), m.group(2)
    if root == "user":
        value: Any = results.user
    elif root == "last":
        if not results.order:
            raise TemplateError(f"{{{{{expr}}}}}: no tool result in this turn")
        value = results.order[-1]
    else:
        values = results.by_tool.get(root, [])
        k = int(index) if index is not None else -1
        if not values or not -len(values) <= k < len(values):
            raise TemplateError(
                f"{{{{{expr}}}}}: no {root} result #{k} in this turn (results: {sorted(results.by_tool) or 'none'})"
            )
        value = values[k]
    rest = path[m.end() :]
    pos = 0
    while pos < len(rest):
        step = _STEP.match(rest, pos)
        if step is None:
            raise TemplateError(f"{{{{{expr}}}}}: cannot read {rest[pos:]!r}")
        value = _step(value, step, expr)
        pos = step.end()
    for name in filters:
        if name not in FILTERS:
            raise TemplateError(f"{{{{{expr}}}}}: unknown filter {name!r} (known: {', '.join(FILTERS)})")
        value = FILTERS[name](value)
    return value


def _split_filters(expr: str) -> list[str]:
    """Split on the `|` that start filters, not on those inside a `[…~=a|b]` selector."""
    parts, depth, current = [], 0, ""
    for ch in expr:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return [*parts, current.strip()]


def _step(value: Any, step: re.Match[str], expr: str) -> Any:
    key, index, sel_key, op, sel_value = step.groups()
    try:
        if key is not None:
            return value[key]
        if index is not None:
            return value[int(index)]
    except (KeyError, IndexError, TypeError):
        raise TemplateError(f"{{{{{expr}}}}}: {step.group(0)!r} found nothing") from None
    if not isinstance(value, list):
        raise TemplateError(
            f"{{{{{expr}}}}}: {step.group(0)!r} selects from a list, not {type(value).__name__}"
        )
    for item in value:
        if not isinstance(item, dict) or sel_key not in item:
            continue
        found = str(item[sel_key])
        if (op == "=" and found.casefold() == sel_value.strip().casefold()) or (
            op == "~=" and re.search(sel_value, found, re.IGNORECASE)
        ):
            return item
    raise TemplateError(f"{{{{{expr}}}}}: no element with {sel_key}{op}{sel_value}")


def render(value: Any, results: TurnResults) -> Any:
    """A reply's arguments with every template filled in (recursively)."""
    if isinstance(value, dict):
        return {k: render(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, results) for v in value]
    if isinstance(value, str):
        whole = TEMPLATE.fullmatch(value.strip())
        if whole is not None:
            return resolve(whole.group(1), results)
        return TEMPLATE.sub(lambda m: str(resolve(m.group(1), results)), value)
    return value
