"""The app's forms, built from the request models' fields: one request model, many faces.

A field's type gives the control (a fixed set of values: a select; a bounded number: a slider; yes/no:
a switch; text: a text box), its bounds and default give the control's range and first value, and its
docstring the tooltip. Labels come from the app's texts (`set_<field>`, `set_<field>_<value>`,
`set_<field>_help`) in the user's language, else from the field itself. A field whose values are only
known at run time (the provider's models) takes them from `choices`, and is left out when there is
nothing to choose.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from chainlit.input_widget import InputWidget, Select, Slider, Switch, TextInput
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from assistant.chat_app.texts import TEXT, ui_language


def _text(lang: str, key: str) -> str | None:
    return TEXT[ui_language(lang)].get(key)


def _label(lang: str, name: str, field: FieldInfo) -> str:
    return _text(lang, f"set_{name}") or field.title or name.replace("_", " ").capitalize()


def _plain(annotation: Any) -> Any:
    """The type without `| None` and without its Annotated constraints."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            annotation = args[0]
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for c in field.metadata:
        if isinstance(c, Ge | Gt):
            low = float(c.ge if isinstance(c, Ge) else c.gt)  # type: ignore[arg-type]
        if isinstance(c, Le | Lt):
            high = float(c.le if isinstance(c, Le) else c.lt)  # type: ignore[arg-type]
    return low, high


def form_inputs(
    model: type[BaseModel],
    lang: str,
    values: Mapping[str, Any] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> list[InputWidget]:
    """One control per field of `model`, in the fields' order, showing `values` (else the defaults)."""
    values = values or {}
    choices = choices or {}
    inputs: list[InputWidget] = []
    for name, field in model.model_fields.items():
        label = _label(lang, name, field)
        tooltip = _text(lang, f"set_{name}_help") or field.description
        default = field.get_default(call_default_factory=True)
        kind = _plain(field.annotation)
        if name in choices:
            options = list(choices[name])
            if len(options) > 1:
                initial = values.get(name) or (default if default in options else options[0])
                inputs.append(
                    Select(id=name, label=label, values=options, initial_value=str(initial), tooltip=tooltip)
                )
        elif get_origin(kind) is Literal:
            items = {_text(lang, f"set_{name}_{v}") or str(v): str(v) for v in get_args(kind)}
            initial = values.get(name, default)
            inputs.append(
                Select(id=name, label=label, items=items, initial_value=str(initial), tooltip=tooltip)
            )
        elif kind is bool:
            inputs.append(
                Switch(id=name, label=label, initial=bool(values.get(name, default)), tooltip=tooltip)
            )
        elif kind in (int, float):
            low, high = _bounds(field)
            if low is None or high is None:
                raise TypeError(f"{model.__name__}.{name}: a number in a form needs both bounds (ge and le)")
            inputs.append(
                Slider(
                    id=name,
                    label=label,
                    initial=float(values.get(name, default)),
                    min=low,
                    max=high,
                    step=1 if kind is int else (high - low) / 20,
                    tooltip=tooltip,
                )
            )
        elif kind is str:
            initial = values.get(name, default)
            inputs.append(
                TextInput(
                    id=name, label=label, initial=None if initial is None else str(initial), tooltip=tooltip
                )
            )
        else:
            raise TypeError(f"{model.__name__}.{name}: no form control for {field.annotation!r}")
    return inputs
