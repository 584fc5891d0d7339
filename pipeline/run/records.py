"""Records: the on-disk account of what is done, one JSON file per document.

``OUT/.records/<doc_id>.json`` holds the key its outputs were made under (the hash of
the input's bytes, the settings fingerprint, the manifest row and the media file),
the files it wrote, and the DocumentResult itself, from which the tables, the
search database and the report are assembled without running any stage again. A
record is written only after every output of its document is in place, so a run
killed at any moment leaves either the old record or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from pipeline.files import TEMP_SUFFIX, write_bytes_atomic
from pipeline.model import DocumentResult

RECORDS_DIR = ".records"
# 2: sequences of dataclasses as tables (an earlier codec); 3: msgspec's JSON of the
# dataclasses as they are (field names on every item, but encoded and decoded in C:
# 0.2 ms and 0.45 ms for a 900-word document, against 1.0 ms and 1.4 ms); 4: words
# as arrays (pipeline.model.Word is an array-like Struct): records half the size.
RECORD_FORMAT = 4


@dataclass(frozen=True, slots=True)
class Record:
    doc_id: str
    key: str  # what the outputs were made from: see document_key
    input: str  # the input file's resolved path, to notice when it is deleted
    outputs: tuple[str, ...]  # files written, relative to the output folder
    result: DocumentResult


@dataclass(frozen=True, slots=True)
class Kept:
    """A document whose record was not read: the index kept its rows from the files
    in place, built under ``key``. The report keeps its page if it can, else reads
    the record itself."""

    key: str


def document_key(
    input_sha256: str,
    settings_fingerprint: str,
    entry: dict[str, Any],
) -> str:
    """The key of one document's outputs: the same key, the same bytes."""
    blob = json.dumps(
        {"input": input_sha256, "settings": settings_fingerprint, "entry": entry},
        sort_keys=True,
    ).encode()
    return hashlib.sha256(blob).hexdigest()


# A file whose modification time is this close to when the state was written may have
# been changed again within the file system's time resolution (one to two seconds on
# some): its stamp proves nothing, so it is hashed (git's "racily clean" entries).
RACY_NS = 2_000_000_000


def file_stamp(stat: os.stat_result) -> list[int]:
    """What changes when a file's bytes may have: size, modification and change times,
    inode (a file replaced by a rename gets a new one)."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def input_sha256(
    path: Path, known: dict[str, Any] | None, state_ns: int | None
) -> tuple[str, list[int]]:
    """The sha256 of ``path`` and its stamp; the digest ``known`` holds is reused when
    the stamp is the one recorded with it and the file is not racy against the state
    written at ``state_ns`` (so an unchanged input is not read at all)."""
    stamp = file_stamp(path.stat())
    if (
        known is not None
        and state_ns is not None
        and known.get("stamp") == stamp
        and isinstance(known.get("sha256"), str)
        and stamp[1] < state_ns - RACY_NS
    ):
        return known["sha256"], stamp
    return file_sha256(path), stamp


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_identity(path: Path | None) -> dict[str, Any] | None:
    """A media file's identity without reading it: path, size and modification time.

    Hashing a video on every run would cost more than a no-op run may.
    """
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return {"path": str(path), "missing": True}
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def records_dir(out_dir: Path) -> Path:
    return Path(out_dir) / RECORDS_DIR


def record_path(out_dir: Path, doc_id: str) -> Path:
    return Path(record_file(os.fspath(out_dir), doc_id))


def record_file(out_dir: str, doc_id: str) -> str:
    """``record_path`` as a plain string, for loops over every kept document."""
    return os.path.join(out_dir, RECORDS_DIR, f"{doc_id}.json")


@dataclass(frozen=True, slots=True)
class _RecordFile:
    """A record file: the format first, so that another version's file is told apart."""

    format: int
    record: Record


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(_RecordFile)


def encode_record(record: Record) -> bytes:
    """The bytes of a record file (UTF-8 JSON; the same record, the same bytes)."""
    return _ENCODER.encode(_RecordFile(RECORD_FORMAT, record))


def decode_record(data: bytes) -> Record | None:
    """The record in ``data``; None when it is damaged or written by another format
    (its document is then redone)."""
    try:
        stored = _DECODER.decode(data)
    except msgspec.MsgspecError:
        return None
    return stored.record if stored.format == RECORD_FORMAT else None


def write_record(out_dir: Path, record: Record) -> Path:
    path = record_path(out_dir, record.doc_id)
    # Synced with the folder (see write_captions).
    write_bytes_atomic(path, encode_record(record), durable=False)
    return path


def read_record(path: Path) -> Record | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return decode_record(data)


def record_paths(out_dir: Path) -> Iterator[tuple[str, Path]]:
    """(doc_id, record path) for every record, in doc_id order."""
    base = records_dir(out_dir)
    if not base.is_dir():
        return
    found = []
    for directory, _dirs, files in os.walk(base):
        for name in files:
            if name.endswith(".json") and not name.startswith("."):
                path = Path(directory) / name
                doc_id = path.relative_to(base).as_posix()[: -len(".json")]
                found.append((doc_id, path))
    yield from sorted(found)


def remove_document(out_dir: Path, doc_id: str, outputs: tuple[str, ...]) -> None:
    """Delete a document's outputs, then its record, then folders left empty."""
    out_dir = Path(out_dir)
    for name in outputs:
        (out_dir / name).unlink(missing_ok=True)
    path = record_path(out_dir, doc_id)
    path.unlink(missing_ok=True)
    for start in [*(out_dir / name for name in outputs), path]:
        _prune(start.parent, out_dir)


def _prune(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def sweep_temporaries(out_dir: Path) -> int:
    """Remove temporary files a killed run left behind; returns how many."""
    count = 0
    if not Path(out_dir).is_dir():
        return 0
    for directory, _dirs, files in os.walk(out_dir):
        for name in files:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                (Path(directory) / name).unlink(missing_ok=True)
                count += 1
    return count
