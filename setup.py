"""Builds the per-word loops of a run (``NATIVE_MODULES`` in pipeline/native.py) with mypyc.

The same Python sources, compiled to C extensions when mypyc and a C compiler are at
hand; otherwise (or with PIPELINE_PURE_PYTHON=1) the package installs as pure Python
and gives the same outputs, more slowly. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _native() -> ModuleType:
    """pipeline/native.py, loaded by itself (the package's imports are not installed yet)."""
    spec = importlib.util.spec_from_file_location("_native", ROOT / "pipeline" / "native.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NATIVE = _native()
COMPILED: dict[str, str] = {}  # module -> sha256 of the source mypyc translated


class BuildNative(build_ext):
    """build_ext, then the manifest of what was compiled (pipeline/_native.json): a
    module counts as compiled only once its extension is built, from that source."""

    def run(self) -> None:
        super().run()
        built = {
            ext.name: Path(self.get_ext_fullpath(ext.name)).is_file() for ext in self.extensions
        }
        done = {m: sha for m, sha in COMPILED.items() if built.get(m, False)}
        if not all(built.values()):
            done = {}  # mypyc's library or a module missing: none is usable
        folder = ROOT / "pipeline" if self.inplace else Path(self.build_lib) / "pipeline"
        folder.mkdir(parents=True, exist_ok=True)
        manifest = folder / NATIVE.MANIFEST
        manifest.write_text(json.dumps(done, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"compiled with mypyc: {', '.join(done) or 'nothing'}", file=sys.stderr)


def native_extensions() -> list:
    if os.environ.get(NATIVE.PURE_ENV, "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("mypyc is not available: installing pure Python", file=sys.stderr)
        return []
    modules = NATIVE.NATIVE_MODULES
    hashes = {m: NATIVE.sha256_of(NATIVE.source_of(m)) for m in modules}
    try:
        # A library per module, inside its package (one shared library would be a
        # top-level module, which an editable install does not put on the path).
        extensions = mypycify(
            [str(NATIVE.source_of(m).relative_to(ROOT)) for m in modules],
            opt_level="3",
            separate=True,
        )
    except BaseException as error:  # mypyc refuses the code: stay pure Python
        print(f"mypyc cannot compile ({error}): installing pure Python", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: a warning, and pure Python
    COMPILED.update(hashes)
    return extensions


setup(ext_modules=native_extensions(), cmdclass={"build_ext": BuildNative})
