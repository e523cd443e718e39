"""A readable difference between two versions of a map: stages and steps added, removed, renamed or
moved, and fields changed (old → new). Stages are matched by name, steps by action text; a stage that
disappeared while another with mostly the same steps appeared counts as renamed."""

from __future__ import annotations

from typing import Any

from assistant.contracts.results import Change
from assistant.domain.map_model import JourneyMap

IGNORED_MAP_FIELDS = {"stages", "personas", "version", "created_at", "updated_at", "schema_version"}


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted paths; lists stay whole (compared as values)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_leaves(item, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def _short(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    text = "''" if value in ("", None) else repr(value)
    return text if len(text) <= 80 else text[:77] + "…'"


def _field_changes(before: dict[str, Any], after: dict[str, Any], path: str, what: str) -> list[Change]:
    a, b = _leaves(before), _leaves(after)
    out = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            out.append(
                Change(
                    kind="field_changed",
                    path=f"{path}.{key}",
                    before=a.get(key),
                    after=b.get(key),
                    text=f"{what}: {key} {_short(a.get(key))} → {_short(b.get(key))}"
                    + _list_delta(a.get(key), b.get(key)),
                )
            )
    return out


def _item_label(item: Any) -> str:
    if isinstance(item, dict):
        for field in ("description", "name", "quote"):
            if item.get(field):
                return _short(item[field])
    return _short(item)


def _list_delta(before: Any, after: Any) -> str:
    """For list fields (pain points, KPIs, goals…): which items came and went, not only the counts."""
    if not isinstance(before, list) or not isinstance(after, list):
        return ""
    added = [_item_label(x) for x in after if x not in before]
    removed = [_item_label(x) for x in before if x not in after]
    parts = [f"added {', '.join(added)}"] * bool(added) + [f"removed {', '.join(removed)}"] * bool(removed)
    return f" ({'; '.join(parts)})" if parts else ""


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """The fewest items that must move to turn `old_order` into `new_order` (both the same items).

    Moving one step from first to last shifts every other step by one place; reporting each of them as
    moved would bury the one real move, so only the items outside a longest run that kept its relative
    order are reported."""
    position = {key: i for i, key in enumerate(new_order)}
    seq = [position[key] for key in old_order]
    # Longest increasing subsequence, O(n^2): maps have at most 30 stages and 60 steps per stage.
    best = [1] * len(seq)
    prev = [-1] * len(seq)
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    keep: set[str] = set()
    i = max(range(len(seq)), key=lambda k: best[k], default=-1)
    while i >= 0:
        keep.add(old_order[i])
        i = prev[i]
    return set(old_order) - keep


def _same_but_name(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return {k: v for k, v in a.items() if k != "name"} == {k: v for k, v in b.items() if k != "name"}


def _steps_overlap(a: dict[str, Any], b: dict[str, Any]) -> float:
    sa = {s["action"].casefold() for s in a["steps"]}
    sb = {s["action"].casefold() for s in b["steps"]}
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def diff_maps(old: JourneyMap, new: JourneyMap) -> list[Change]:
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    changes: list[Change] = []
    for key in sorted(set(a) - IGNORED_MAP_FIELDS):
        if a.get(key) != b.get(key):
            changes.append(
                Change(
                    kind="field_changed",
                    path=key,
                    before=a.get(key),
                    after=b.get(key),
                    text=f"Map {key}: {_short(a.get(key))} → {_short(b.get(key))}",
                )
            )
    changes.extend(_stage_changes(a["stages"], b["stages"]))
    changes.extend(_persona_changes(a["personas"], b["personas"]))
    return changes


def _stage_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    old_by = {s["name"].casefold(): s for s in old}
    new_by = {s["name"].casefold(): s for s in new}
    removed = [s for s in old if s["name"].casefold() not in new_by]
    added = [s for s in new if s["name"].casefold() not in old_by]
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (old_by[k], new_by[k]) for k in old_by if k in new_by
    ]
    for o, n in pairs:
        if o["name"] != n["name"]:  # the same name in other letter case: still a rename to the reader
            changes.append(
                Change(
                    kind="stage_renamed",
                    path=f"stages[{o['name']}]",
                    before=o["name"],
                    after=n["name"],
                    text=f"Renamed stage '{o['name']}' → '{n['name']}'",
                )
            )
    for r in list(removed):
        candidates = [s for s in added if _steps_overlap(r, s) >= 0.5]
        if (
            not candidates
            and len(removed) == len(added) == 1
            and old.index(r) == new.index(added[0])
            and _same_but_name(r, added[0])
        ):
            candidates = added  # same place, same content, one name out and one in: a rename
        if candidates:
            target = max(candidates, key=lambda s: _steps_overlap(r, s))
            changes.append(
                Change(
                    kind="stage_renamed",
                    path=f"stages[{r['name']}]",
                    before=r["name"],
                    after=target["name"],
                    text=f"Renamed stage '{r['name']}' → '{target['name']}'",
                )
            )
            pairs.append((r, target))
            removed.remove(r)
            added.remove(target)
    everywhere_old = {s["action"].casefold() for st in old for s in st["steps"]}
    everywhere_new = {s["action"].casefold() for st in new for s in st["steps"]}
    renames = {id(o): _step_renames(o, n, everywhere_old, everywhere_new) for o, n in pairs}
    # Steps that left one stage and appeared in another are moves, not a removal plus an addition.
    gone = {
        (s["action"].casefold()): (o["name"], s)
        for o, n in pairs
        for s in o["steps"]
        if s["action"].casefold() not in {x["action"].casefold() for x in n["steps"]}
        and s["action"].casefold() not in renames[id(o)]
    }
    gone.update({s["action"].casefold(): (r["name"], s) for r in removed for s in r["steps"]})
    came = {
        (s["action"].casefold()): (n["name"], s)
        for o, n in pairs
        for s in n["steps"]
        if s["action"].casefold() not in {x["action"].casefold() for x in o["steps"]}
        and s["action"].casefold() not in renames[id(o)].values()
    }
    came.update({s["action"].casefold(): (a["name"], s) for a in added for s in a["steps"]})
    moved = set(gone) & set(came)
    for r in removed:
        changes.append(
            Change(
                kind="stage_removed",
                path=f"stages[{r['name']}]",
                before=r["name"],
                text=f"Removed stage '{r['name']}' ({len(r['steps'])} steps)",
                numbers=[len(r["steps"])],
            )
        )
    for s in added:
        changes.append(
            Change(
                kind="stage_added",
                path=f"stages[{s['name']}]",
                after=s["name"],
                text=f"Added stage '{s['name']}' at position {new.index(s) + 1}",
                numbers=[new.index(s) + 1],
            )
        )
    old_name_of = {p[1]["name"]: p[0]["name"] for p in pairs}
    new_name_of = {p[0]["name"]: p[1]["name"] for p in pairs}
    kept_old = [o["name"] for o in old if any(o is p[0] for p in pairs)]
    kept_new = [old_name_of[n["name"]] for n in new if any(n is p[1] for p in pairs)]
    old_place = {s["name"]: i for i, s in enumerate(old)}
    new_place = {s["name"]: i for i, s in enumerate(new)}
    for name in kept_old:
        if name in _moved(kept_old, kept_new):
            i, j = old_place[name], new_place[new_name_of[name]]
            changes.append(
                Change(
                    kind="stage_moved",
                    path=f"stages[{new_name_of[name]}]",
                    before=i,
                    after=j,
                    text=f"Moved stage '{new_name_of[name]}' from position {i + 1} to {j + 1}",
                    numbers=[i + 1, j + 1],
                )
            )
    for o, n in pairs:
        where = f"stages[{n['name']}]"
        head_o = {k: v for k, v in o.items() if k not in ("name", "steps")}
        head_n = {k: v for k, v in n.items() if k not in ("name", "steps")}
        changes.extend(_field_changes(head_o, head_n, where, f"Stage '{n['name']}'"))
        changes.extend(_step_changes(o, n, where, renames[id(o)]))
    for key in sorted(moved):
        (src, step), (dst, _) = gone[key], came[key]
        changes.append(
            Change(
                kind="step_moved",
                path=f"stages[{dst}].steps",
                before=src,
                after=dst,
                text=f"Moved step '{step['action']}' from '{src}' to '{dst}'",
            )
        )
    for key, (stage, step) in gone.items():
        if key not in moved and not any(r["name"] == stage for r in removed):
            changes.append(
                Change(
                    kind="step_removed",
                    path=f"stages[{stage}].steps",
                    before=step["action"],
                    text=f"Removed step '{step['action']}' from '{stage}'",
                )
            )
    for key, (stage, step) in came.items():
        if key not in moved and not any(a["name"] == stage for a in added):
            changes.append(
                Change(
                    kind="step_added",
                    path=f"stages[{stage}].steps",
                    after=step["action"],
                    text=f"Added step '{step['action']}' to '{stage}'",
                )
            )
    return changes


def _step_renames(
    o: dict[str, Any], n: dict[str, Any], everywhere_old: set[str], everywhere_new: set[str]
) -> dict[str, str]:
    """Steps of one stage whose action text changed (old key → new key), so an `update_step` of the
    action reads as a rename rather than a removal plus an addition. A step counts as renamed when its
    old action is gone from the whole map, the new one is new to the whole map, and it kept its place
    or every other field."""

    def rest(step: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in step.items() if k != "action"}

    only_old = [(i, s) for i, s in enumerate(o["steps"]) if s["action"].casefold() not in everywhere_new]
    only_new = [(j, s) for j, s in enumerate(n["steps"]) if s["action"].casefold() not in everywhere_old]
    renames: dict[str, str] = {}
    taken: set[int] = set()
    for i, before in only_old:
        for j, after in only_new:
            if j in taken:
                continue
            same_place, same_rest = i == j, rest(before) == rest(after)
            if (same_place and same_rest) or (
                len(only_old) == len(only_new) == 1 and (same_place or same_rest)
            ):
                renames[before["action"].casefold()] = after["action"].casefold()
                taken.add(j)
                break
    return renames


def _step_changes(o: dict[str, Any], n: dict[str, Any], where: str, renames: dict[str, str]) -> list[Change]:
    changes: list[Change] = []
    old_steps = {s["action"].casefold(): (i, s) for i, s in enumerate(o["steps"])}
    new_steps = {s["action"].casefold(): (i, s) for i, s in enumerate(n["steps"])}
    # Steps present on both sides, keyed by their old action (a renamed step by its old one).
    common = {k: k for k in old_steps if k in new_steps} | renames
    old_order = sorted(common, key=lambda k: old_steps[k][0])
    new_order = sorted(common, key=lambda k: new_steps[common[k]][0])
    moved = _moved(old_order, new_order)
    for k in old_order:
        (i, before), (j, after) = old_steps[k], new_steps[common[k]]
        label = f"'{n['name']}' / '{after['action']}'"
        if k in renames or before["action"] != after["action"]:
            changes.append(
                Change(
                    kind="field_changed",
                    path=f"{where}.steps[{j}].action",
                    before=before["action"],
                    after=after["action"],
                    text=f"Renamed step '{before['action']}' → '{after['action']}' in '{n['name']}'",
                )
            )
        if k in moved:
            changes.append(
                Change(
                    kind="step_moved",
                    path=f"{where}.steps[{j}]",
                    before=i,
                    after=j,
                    text=f"Moved step '{after['action']}' in '{n['name']}' from {i + 1} to {j + 1}",
                    numbers=[i + 1, j + 1],
                )
            )
        changes.extend(
            _field_changes({**before, "action": after["action"]}, after, f"{where}.steps[{j}]", label)
        )
    return changes


def _persona_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    changes: list[Change] = []
    old_by = {p["name"].casefold(): p for p in old}
    new_by = {p["name"].casefold(): p for p in new}
    for key, p in old_by.items():
        if key not in new_by:
            changes.append(
                Change(
                    kind="persona_removed",
                    path=f"personas[{p['name']}]",
                    before=p["name"],
                    text=f"Removed persona '{p['name']}'",
                )
            )
        else:
            changes.extend(_field_changes(p, new_by[key], f"personas[{p['name']}]", f"Persona '{p['name']}'"))
    for key, p in new_by.items():
        if key not in old_by:
            changes.append(
                Change(
                    kind="persona_added",
                    path=f"personas[{p['name']}]",
                    after=p["name"],
                    text=f"Added persona '{p['name']}'",
                )
            )
    return changes
