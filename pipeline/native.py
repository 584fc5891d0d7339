"""Compiled hot loops: which modules are built with mypyc, and whether each is current.

``setup.py`` (which loads this file on its own, with no other import from the package)
compiles ``NATIVE_MODULES`` with mypyc when a C compiler is at hand:
the same Python sources as C extensions (the cue search about 2.6 times faster), with
the same outputs byte for byte (tests/test_native.py runs both). It records the
sha256 of each source it compiled in ``_native.json`` beside this file. Without a
compiler the package installs and runs as pure Python.

A compiled module is used only while its source is the one it was built from: after
an edit Python's own import system would still prefer the stale extension, so
``prefer_current_sources`` (called when the package is imported) puts a finder in
front that loads those modules from source, and all the other compiled ones with them
(``from_source``; ``make install`` builds them again).
``PIPELINE_PURE_PYTHON=1`` loads every one of them from source.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

# The per-word and per-document loops of a worker, besides spaCy: page reading, timing,
# the tagger's document-level rules, cue search and the caption files. (Not a module
# whose dataclasses travel to worker processes: mypyc's classes do not unpickle; nor a
# package's __init__: mypyc's build of one would not import. The report's pages gained
# nothing: string building is already C.)
NATIVE_MODULES = (
    "pipeline.ingest.pages",
    "pipeline.timing.sentences",
    "pipeline.timing.speech",
    "pipeline.timing.timeline",
    "pipeline.tag.names",
    "pipeline.tag.patterns",
    "pipeline.tag.repairs",
    "pipeline.tag.consistency",
    "pipeline.captions.cues",
    "pipeline.captions.chapters",
    "pipeline.captions.quality",
    "pipeline.captions.srt",
    "pipeline.captions.vtt",
)
MANIFEST = "_native.json"
PURE_ENV = "PIPELINE_PURE_PYTHON"
_PACKAGE = Path(__file__).resolve().parent


def source_of(module: str) -> Path:
    """The Python source of one of ``NATIVE_MODULES``."""
    return _PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")


def _extension_of(module: str) -> Path | None:
    source = source_of(module)
    stem = source.stem
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def status() -> dict[str, str]:
    """Each native module's state: "compiled" (its extension is current and used),
    "stale" (an extension built from another source: the source is used), "forced"
    (``PIPELINE_PURE_PYTHON=1``) or "source" (no extension)."""
    try:
        built: dict[str, Any] = json.loads((_PACKAGE / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        built = {}
    pure = os.environ.get(PURE_ENV, "") not in ("", "0")
    states = {}
    for module in NATIVE_MODULES:
        if _extension_of(module) is None:
            states[module] = "source"
        elif pure:
            states[module] = "forced"
        elif built.get(module) != sha256_of(source_of(module)):
            states[module] = "stale"
        else:
            states[module] = "compiled"
    return states


class _SourceFinder:
    """Finds the given modules' Python sources, ahead of their extensions."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.modules = frozenset(modules)

    def find_spec(
        self, name: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in self.modules:
            return None
        return importlib.util.spec_from_file_location(name, source_of(name))


def from_source(states: dict[str, str]) -> list[str]:
    """The native modules to load from source, given their ``status``: the forced ones,
    and every compiled one as soon as one is stale. A compiled module calls the compiled
    modules it imports through their C entry points, so a stale one loaded from source
    beside them crashes the process (a comment added to pipeline/tag/repairs.py, and the
    compiled consistency rules calling it: a segmentation fault)."""
    if any(state == "stale" for state in states.values()):
        return [m for m, state in states.items() if state in ("stale", "compiled")]
    return [m for m, state in states.items() if state == "forced"]


def prefer_current_sources() -> list[str]:
    """Load stale (or, with ``PIPELINE_PURE_PYTHON=1``, all) native modules from
    their sources, and the compiled ones with them when one is stale (``from_source``);
    returns their names. Cheap: a stat and a small hash per module."""
    use_source = from_source(status())
    if use_source and not any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _SourceFinder(use_source))
    return use_source
