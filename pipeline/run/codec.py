"""Codec: frozen dataclasses <-> JSON data, for the per-document records on disk.

Generic over the model's dataclasses: fields are read back by their type hints
(nested dataclasses, tuples, optionals), so a record holds a DocumentResult
exactly and a new field needs no code here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar, Union

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; paths to strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    if hasattr(value, "__fspath__"):
        return str(value)
    return value


def from_data(kind: type[T], data: Any) -> T:
    """Rebuild a ``kind`` (a dataclass) from ``to_data`` output."""
    return typing.cast(T, _decode(kind, data))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _decode(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        values = {
            f.name: _decode(hints[f.name], data[f.name])
            for f in dataclasses.fields(hint)
            if f.name in data
        }
        return hint(**values)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in data)
        return tuple(_decode(a, v) for a, v in zip(args, data, strict=True))
    if origin is list:
        (arg,) = typing.get_args(hint)
        return [_decode(arg, v) for v in data]
    if origin is dict:
        _, arg = typing.get_args(hint)
        return {k: _decode(arg, v) for k, v in data.items()}
    if hint is float and isinstance(data, int):
        return float(data)
    return data
