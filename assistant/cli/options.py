"""Typer options generated from the workspace's request models, so each option is defined once.

`options_from(Model)` returns the `inspect.Parameter`s of a Typer command: field names become
`--kebab-case` options (or positional arguments), field docstrings their help, `dict` fields a
repeatable `KEY=VALUE` option. `build(Model, values)` turns what Typer parsed back into the request,
reporting a bad value as one sentence naming the option.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import typer
from pydantic import BaseModel, ValidationError

from assistant.errors import JourneyError


class OptionError(JourneyError):
    exit_code = 2


def _plain(annotation: Any) -> Any:
    """The annotation without pydantic metadata, in a form Typer understands."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _plain(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        members = [_plain(a) for a in get_args(annotation) if a is not type(None)]
        inner = members[0] if len(members) == 1 else str
        return inner | None
    if origin is dict:
        return list[str] | None
    if origin is list:
        inner = _plain(get_args(annotation)[0])
        # A typed item (a row filter) is written as text on the command line and parsed by the model.
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            inner = str
        return list[inner]  # type: ignore[valid-type]
    if origin is Literal:
        return annotation
    return annotation


def options_from(
    model: type[BaseModel],
    arguments: Sequence[str] = (),
    exclude: Sequence[str] = (),
    flags: dict[str, tuple[str, ...]] | None = None,
) -> list[inspect.Parameter]:
    """Typer parameters for the model's fields (`arguments` are positional; `flags` renames options)."""
    params = []
    for name, field in model.model_fields.items():
        if name in exclude:
            continue
        help_text = (field.description or "").strip()
        annotation = _plain(field.annotation)
        is_dict = get_origin(_strip(field.annotation)) is dict
        if is_dict:
            help_text += " Repeatable: KEY=VALUE."
        default = None if is_dict else (... if field.is_required() else field.default)
        if isinstance(default, list) and not default:
            default = None
            annotation = annotation | None
        if name in arguments:
            info: Any = typer.Argument(help=help_text, show_default=False)
        else:
            info = typer.Option(*(flags or {}).get(name, ()), help=help_text)
        params.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=Annotated[annotation, info]
            )
        )
    return params


def _strip(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _strip(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return _strip(members[0]) if len(members) == 1 else annotation
    return annotation


def _pairs(name: str, items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise OptionError(f"--{name.replace('_', '-')} takes KEY=VALUE, not {item!r}.")
        out[key.strip()] = value.strip()
    return out


def build(model: type[BaseModel], values: dict[str, Any]) -> Any:
    """The request from parsed CLI values; a bad value raises OptionError naming the option."""
    data = {}
    for name, field in model.model_fields.items():
        if name not in values:
            continue
        value = values[name]
        if get_origin(_strip(field.annotation)) is dict:
            value = _pairs(name, value)
        elif value is None and not field.is_required() and field.default is not None:
            continue
        data[name] = value
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else ""
        raise OptionError(f"--{field_name.replace('_', '-')}: {first['msg']}.") from None


def command(
    app: typer.Typer,
    name: str,
    model: type[BaseModel],
    *,
    arguments: Sequence[str] = (),
    exclude: Sequence[str] = (),
    flags: dict[str, tuple[str, ...]] | None = None,
    extra: Sequence[inspect.Parameter] = (),
    help: str | None = None,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `fn(request, **extra)` as a Typer command whose options come from `model`."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        fields = options_from(model, arguments, exclude, flags)
        extra_names = {p.name for p in extra}

        def wrapper(**kwargs: Any) -> None:
            from assistant.cli.root import clear_errors

            with clear_errors():
                request = build(model, {k: v for k, v in kwargs.items() if k not in extra_names})
            fn(request, **{k: kwargs[k] for k in extra_names})

        # Positional arguments first, as Python signatures require.
        ordered = sorted(fields, key=lambda p: p.name not in arguments)
        wrapper.__signature__ = inspect.Signature([*ordered, *extra])  # type: ignore[attr-defined]
        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        app.command(name, help=help)(wrapper)
        return fn

    return decorate


def option(name: str, annotation: Any, default: Any, *flag_names: str, help: str) -> inspect.Parameter:
    """An extra, CLI-only parameter (such as --json or --out) for `command(extra=...)`."""
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        default=default,
        annotation=Annotated[annotation, typer.Option(*flag_names, help=help)],
    )


JSON_FLAG = option("as_json", bool, False, "--json", help="Print the result as JSON on stdout.")
