"""Codec: frozen dataclasses <-> JSON data, for the state, the run report and the
review report's stored rows (the per-document records are msgspec's: see records).

Generic over the model's dataclasses: fields are read back by their type hints
(nested dataclasses, tuples, optionals), so a new field needs no code here.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, Union

import msgspec

T = TypeVar("T")

_SORTED = msgspec.json.Encoder(order="sorted")
_DECODE = msgspec.json.Decoder().decode


def dump_sorted(data: Any) -> bytes:
    """Compact JSON with every object's keys sorted, written in C: for the large files
    a run rewrites (the state, the report's stored rows), 4-6 times faster than
    ``json.dumps(sort_keys=True)`` (0.1 s a run at 5,000 documents). Only for data
    with finite floats (JSON has no others)."""
    return _SORTED.encode(data)


def load(data: bytes) -> Any:
    """JSON from bytes (``dump_sorted``'s, or ``json.dumps``'s with NaN or Infinity)."""
    try:
        return _DECODE(data)
    except msgspec.DecodeError:
        return json.loads(data)


_SCALARS = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_data(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; paths to strings."""
    if isinstance(value, _SCALARS):
        return value
    names = _names(type(value))
    if names is not None:
        return {name: to_data(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, _SCALARS) else to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    if hasattr(value, "__fspath__"):
        return str(value)
    return value


def _names(kind: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def from_data(kind: type[T], data: Any) -> T:
    """Rebuild a ``kind`` (a dataclass) from ``to_data`` output."""
    decode = _decoder(typing.cast(Any, kind))
    return typing.cast(T, decode(data))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


Decoder = Callable[[Any], Any]


def _identity(data: Any) -> Any:
    return data


@cache
def _decoder(hint: Any) -> Decoder:
    """A function decoding data of type ``hint``, worked out once per type (reading
    a record decodes a million values: the type hints are not looked at each time)."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decoder(options[0]) if len(options) == 1 else _identity
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(hint)]
        plain = [name for name, decode in fields if decode is _identity]
        typed = [(name, decode) for name, decode in fields if decode is not _identity]
        kind = hint

        def dataclass_(data: Any) -> Any:
            if data is None:
                return None
            if not typed and len(data) == len(plain):
                try:
                    return kind(**data)  # the common case, in one call
                except TypeError:
                    pass  # other keys (another version's state or rows): the field by field road
            values = {name: data[name] for name in plain if name in data}
            for name, decode in typed:
                if name in data:
                    values[name] = decode(data[name])
            return kind(**values)

        return dataclass_
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is _identity:
                return lambda data: None if data is None else tuple(data)
            return lambda data: None if data is None else tuple(item(v) for v in data)
        items = [_decoder(a) for a in args]
        return lambda data: (
            None if data is None else tuple(d(v) for d, v in zip(items, data, strict=True))
        )
    if origin is list:
        (arg,) = typing.get_args(hint)
        item = _decoder(arg)
        return lambda data: None if data is None else [item(v) for v in data]
    if origin is dict:
        _, arg = typing.get_args(hint)
        value = _decoder(arg)
        return lambda data: None if data is None else {k: value(v) for k, v in data.items()}
    if hint is float:
        return lambda data: float(data) if isinstance(data, int) else data
    return _identity
