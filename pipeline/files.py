"""Atomic writes: a reader never sees a half-written output.

Every output goes through here: written under a temporary name beside its target,
flushed, then renamed into place, with the permissions a plain ``open`` would give
(0666 less the umask), so that a web server can read published captions.
"""

from __future__ import annotations

import itertools
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_SUFFIX = ".tmp"
_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask (reading it means setting it, so briefly under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, moved over it only when the block succeeds.

    A failure (or a kill) leaves the old file intact; a stale temporary file is
    named ``.<name>.<random>.tmp`` and swept by the next run.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent
    )
    os.close(handle)
    temp_path = Path(temporary)
    try:
        yield temp_path
        os.chmod(temp_path, 0o666 & ~current_umask())
        os.replace(temp_path, path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise


# Temporary names: a random prefix per process (processes on other machines may share
# the folder and a pid) and a counter; O_EXCL makes a clash a retry, never a mix.
_PROCESS_TAG = secrets.token_hex(4)
_COUNTER = itertools.count()
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_bytes_atomic(path: Path | str, data: bytes, *, durable: bool = True) -> None:
    """``durable``: on disk before the rename (fsync), so that even a power cut leaves
    the old file or the new one. A killed process needs no fsync for that (the rename
    is atomic), so files that are checked when read back or rebuilt from records (the
    tag cache, report pages) skip it, and so do a document's caption files and record,
    which a run syncs all at once (``sync_folder``) before its state vouches for them.

    The fewest system calls: a run writes five files a document, and creating a file
    is what costs (``atomic_target`` takes four more: mkdir, a second open, chmod and
    the umask). The file is created with mode 0666, which the kernel masks with the
    umask as for a plain ``open``; its folder is made only when it is missing."""
    folder, name = os.path.split(os.fspath(path))
    made = False
    while True:
        temporary = os.path.join(folder, f".{name}.{_PROCESS_TAG}{next(_COUNTER)}{TEMP_SUFFIX}")
        try:
            descriptor = os.open(temporary, _CREATE, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            if made or not folder:
                raise
            # (Another thread may be making it too: the retry is what tells.)
            os.makedirs(folder, exist_ok=True)
            made = True
            continue
        break
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if durable:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def sync_folder(folder: Path) -> None:
    """Flush every file written under ``folder`` to disk: one ``syncfs`` of its file
    system (Linux), else ``sync``. A run writes each document's files without an
    fsync apiece and calls this once, before its state file says they are done, so a
    power cut can lose the last documents' work but never vouch for a file that is
    not on disk."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            if libc.syncfs(descriptor) == 0:
                return
        finally:
            os.close(descriptor)
    except (OSError, AttributeError):
        pass
    os.sync()


def write_text_atomic(path: Path, text: str, *, durable: bool = True) -> None:
    """UTF-8 without BOM, line ends exactly as given (LF everywhere here)."""
    write_bytes_atomic(path, text.encode("utf-8"), durable=durable)


class Listing:
    """Whether files exist, from one listing of each folder (a run checks the caption
    files, records and pages of every kept document: thousands of stats otherwise).
    Only for files this run does not write: a listing is not updated."""

    def __init__(self) -> None:
        self.folders: dict[str, frozenset[str]] = {}

    def isfile(self, path: str) -> bool:
        folder, name = os.path.split(path)
        names = self.folders.get(folder)
        if names is None:
            try:
                with os.scandir(folder) as entries:
                    names = frozenset(e.name for e in entries if e.is_file())
            except OSError:
                names = frozenset()
            self.folders[folder] = names
        return name in names
