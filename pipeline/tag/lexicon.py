"""Word lists the label repairs consult: place names and common first names.

Both are built by ``data/build_places.py`` from public sources (GeoNames, ISO 3166-2,
the US census first-name lists) and read once per process.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def places() -> dict[str, str]:
    """Place name -> kind (``country``, ``region``, ``city`` or ``continent``)."""
    text = resources.files("pipeline.tag.data").joinpath("places.tsv").read_text("utf-8")
    rows = (line.split("\t") for line in text.splitlines()[1:] if line)
    return {name: kind for name, kind in rows}


@cache
def first_names() -> frozenset[str]:
    """Common first names, title-cased ("Ruth", "Mark", "Florence")."""
    text = resources.files("pipeline.tag.data").joinpath("first_names.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line)
