"""Codec: frozen dataclasses <-> JSON data, for the per-document records on disk.

Generic over the model's dataclasses: fields are read back by their type hints
(nested dataclasses, tuples, optionals), so a record holds a DocumentResult
exactly and a new field needs no code here.

``to_data`` gives plain dicts (the run report, the state). ``to_rows`` writes a
sequence of dataclasses of one kind as a table, ``{"fields": [...], "rows": [[...]]}``:
a document's words are most of its record, and field names repeated on every word
made records twice the size and their encoding and decoding several times slower.
``from_data`` reads both forms.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Sequence
from functools import cache
from itertools import starmap
from operator import attrgetter
from typing import Any, TypeVar, Union

T = TypeVar("T")


_SCALARS = (str, int, float, bool, type(None))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def to_data(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; paths to strings."""
    return _encode(value, False)


def to_rows(value: Any) -> Any:
    """As ``to_data``, but a list or tuple of dataclasses of one kind becomes a table
    (``{"fields": names, "rows": [values, ...]}``)."""
    return _encode(value, True)


def _encode(value: Any, tables: bool) -> Any:
    """Scalars go first and field names are looked up once per class: writing a record
    encodes every word of a document."""
    if isinstance(value, _SCALARS):
        return value
    names = _names(type(value))
    if names is not None:
        return {name: _encode(getattr(value, name), tables) for name in names}
    if isinstance(value, (list, tuple)):
        if tables and value and _names(type(value[0])) is not None:
            first = type(value[0])
            if all(type(v) is first for v in value):
                return _table(first, value)
        return [v if isinstance(v, _SCALARS) else _encode(v, tables) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v, tables) for k, v in value.items()}
    if hasattr(value, "__fspath__"):
        return str(value)
    return value


def _names(kind: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(kind):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _table(kind: type, items: Sequence[Any]) -> dict[str, Any]:
    names = _names(kind)
    assert names is not None
    get = attrgetter(*names)
    if len(names) == 1:
        rows: list[Any] = [[get(v)] for v in items]
    else:
        rows = list(map(get, items))  # tuples: JSON writes them as lists
    if not _flat(kind):
        rows = [[v if isinstance(v, _SCALARS) else _encode(v, True) for v in row] for row in rows]
    return {"fields": list(names), "rows": rows}


_SCALAR_HINTS = frozenset({str, int, float, bool, type(None)})


@cache
def _flat(kind: type) -> bool:
    """Every field of ``kind`` holds a scalar (or None), by its type hints."""
    for hint in _hints(kind).values():
        options = (
            typing.get_args(hint)
            if typing.get_origin(hint) in (Union, types.UnionType)
            else (hint,)
        )
        if not all(option in _SCALAR_HINTS for option in options):
            return False
    return True


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
                    pass  # other keys (another version's record): the field by field road
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
            if isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
                table = _table_decoder(args[0])
                return lambda data: (
                    None
                    if data is None
                    else table(data)
                    if isinstance(data, dict)
                    else tuple(item(v) for v in data)
                )
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


def _table_decoder(kind: type) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Reads a ``to_rows`` table of ``kind`` back: positionally when its fields are
    this version's, else by name (a record of another version then fails to decode
    and its document is redone)."""
    hints = _hints(kind)
    names = [f.name for f in dataclasses.fields(kind)]
    decoders = [_decoder(hints[name]) for name in names]
    typed = [(k, d) for k, d in enumerate(decoders) if d is not _identity]

    def decode(data: dict[str, Any]) -> tuple[Any, ...]:
        rows = data["rows"]
        if data["fields"] != names:
            return tuple(kind(**dict(zip(data["fields"], row, strict=True))) for row in rows)
        if not typed:
            return tuple(starmap(kind, rows))
        out = []
        for row in rows:
            values = list(row)
            for k, d in typed:
                values[k] = d(values[k])
            out.append(kind(*values))
        return tuple(out)

    return decode
