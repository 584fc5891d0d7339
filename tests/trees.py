"""Whole output folders compared: what the run, incremental and compiled-module tests share."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Files that say when and how a run went, not what it made.
VOLATILE = {"run-report.json", ".state.json", ".lock"}


def tree(out: Path) -> dict[str, str]:
    """Every output file's sha256 by path, the run's own bookkeeping aside."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name not in VOLATILE and ".cache" not in path.parts:
            found[path.relative_to(out).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
