"""The chat's context next to the message box: a map picker and a data picker, each showing what this chat
works on (`Map: US airline trip v2`, `Data: airline_1500.csv (1,497 rows)`), built from the workspace's
saved maps and datasets. A pick travels with the next message (Chainlit sends the composer's modes with
it) and becomes the chat's context before the assistant answers.

Only a pick that differs from what was last shown counts: the composer re-sends its current choice with
every message, and an upload in the same message may have changed the context meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import chainlit as cl

from assistant.chat_app.texts import t
from assistant.contracts.chat_context import ChatContext
from assistant.workspace import Workspace

MAP_PICKER = "journey_map"
DATA_PICKER = "journey_data"
NONE = "none"
ALL = "all"
MAX_MAPS = 30


@dataclass(frozen=True)
class Pick:
    """What a message's pickers ask the chat to work on (None: keep)."""

    map: str | None = None
    datasets: list[str] | None = None
    all_feedback: bool | None = None


def data_id(context: ChatContext) -> str:
    if context.all_feedback:
        return ALL
    if not context.datasets:
        return NONE
    if len(context.datasets) == 1:
        return "ds:" + context.datasets[0]
    return "set:" + json.dumps(context.datasets, ensure_ascii=False)


def map_id(context: ChatContext) -> str:
    return "map:" + context.map if context.map else NONE


def pickers(ws: Workspace, context: ChatContext, lang: str) -> list[cl.Mode]:
    """The two pickers, their current option being this chat's context."""
    maps = ws.list_maps()[:MAX_MAPS]
    map_options = [cl.ModeOption(id=NONE, name=t(lang, "ctx_no_map"), description=t(lang, "ctx_no_map_help"))]
    map_options += [
        cl.ModeOption(id="map:" + m.name, name=f"{m.name} v{m.version}", description=m.title or m.name)
        for m in maps
    ]
    if context.map and context.map not in {m.name for m in maps}:
        map_options.append(cl.ModeOption(id=map_id(context), name=context.map, description=context.map))
    listed = ws.datasets()
    rows = {d.name: d.rows for d in listed.datasets}
    data_options = [
        cl.ModeOption(id=NONE, name=t(lang, "ctx_no_data"), description=t(lang, "ctx_no_data_help"))
    ]
    data_options += [
        cl.ModeOption(
            id="ds:" + d.name, name=t(lang, "ctx_rows", name=d.name, rows=d.rows), description=d.name
        )
        for d in listed.datasets
    ]
    if len(context.datasets) > 1 and not context.all_feedback:
        total = sum(rows.get(d, 0) for d in context.datasets)
        label = t(lang, "ctx_rows", name=" + ".join(context.datasets), rows=total)
        data_options.append(cl.ModeOption(id=data_id(context), name=label, description=label))
    data_options.append(
        cl.ModeOption(
            id=ALL, name=t(lang, "ctx_all", rows=listed.total_rows), description=t(lang, "ctx_all_help")
        )
    )
    chosen_map, chosen_data = map_id(context), data_id(context)
    for option in map_options:
        option.default = option.id == chosen_map
    for option in data_options:
        option.default = option.id == chosen_data
    return [
        cl.Mode(id=MAP_PICKER, name=t(lang, "ctx_map"), options=map_options),
        cl.Mode(id=DATA_PICKER, name=t(lang, "ctx_data"), options=data_options),
    ]


def read_pick(modes: dict[str, str] | None, shown: ChatContext) -> Pick:
    """The context a message's pickers ask for, compared with what was last shown."""
    modes = modes or {}
    chosen_map = modes.get(MAP_PICKER)
    chosen_data = modes.get(DATA_PICKER)
    pick_map = None
    if chosen_map and chosen_map != map_id(shown) and chosen_map.startswith("map:"):
        pick_map = chosen_map[len("map:") :]
    if not chosen_data or chosen_data == data_id(shown):
        return Pick(map=pick_map)
    if chosen_data == ALL:
        return Pick(map=pick_map, all_feedback=True)
    if chosen_data == NONE:
        return Pick(map=pick_map, datasets=[])
    if chosen_data.startswith("ds:"):
        return Pick(map=pick_map, datasets=[chosen_data[len("ds:") :]])
    if chosen_data.startswith("set:"):
        try:
            names = json.loads(chosen_data[len("set:") :])
        except ValueError:
            return Pick(map=pick_map)
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return Pick(map=pick_map, datasets=names)
    return Pick(map=pick_map)
