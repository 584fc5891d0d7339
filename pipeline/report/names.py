"""Names: a document id -> a valid, unique page file name, and relative links.

Document ids are slugged by ingest (``course/step-title``), but records written by
other tools, or ids built in code, may hold any character. A page name keeps
``[a-z0-9-]``, turns ``/`` into ``.`` and writes every other character as ``_`` and
the hex of its UTF-8 bytes, so different ids never share a name (even on a file
system that ignores case) and no name is hidden, empty or a path.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from urllib.parse import quote

_KEEP = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
MAX_NAME = 200  # bytes, well under the usual 255


def page_name(doc_id: str) -> str:
    """The file name of a document's page: ``course.step-title.html``."""
    parts = []
    for n, char in enumerate(doc_id):
        if char in _KEEP:
            parts.append(char)
        elif char == "/" and 0 < n < len(doc_id) - 1:
            parts.append(".")
        else:
            parts.append("".join(f"_{b:02x}" for b in char.encode("utf-8")))
    stem = "".join(parts) or "_"
    if len(stem) > MAX_NAME:
        digest = hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:16]
        stem = f"{stem[: MAX_NAME - 18]}~{digest}"
    return stem + ".html"


def href(path: str) -> str:
    """A relative posix path as a URL: each segment percent-encoded."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def relative_link(target: str, from_dir: str) -> str:
    """``target`` (posix, relative to the output folder) as seen from ``from_dir``."""
    folder, name = posixpath.split(target)
    normal = posixpath.normpath(target)
    if (
        not folder
        or name in ("", ".", "..")
        or from_dir == normal
        or from_dir.startswith(normal + "/")
    ):
        return href(posixpath.relpath(target, from_dir))
    # The folder's way from ``from_dir`` worked out once (relpath asks the OS for the
    # working folder twice a call), then the name after it: the same path.
    up = _relative_folder(folder, from_dir)
    return href(name if up == "." else f"{up}/{name}")


@functools.lru_cache(maxsize=1024)
def _relative_folder(folder: str, from_dir: str) -> str:
    return posixpath.relpath(folder, from_dir)
