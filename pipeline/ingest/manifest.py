"""The optional manifest: known video durations and URLs, one row per transcript.

``transcripts/manifest.csv`` (or ``--manifest FILE``) with a header and columns
``path`` (relative to the manifest's folder), ``duration`` (seconds, or m:ss /
h:mm:ss, decimals allowed), and optionally ``video_url`` and ``media`` (a video or
audio file to time the words from, relative to the manifest's folder).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.ingest.sources import SUFFIXES, doc_id_for

MANIFEST_NAME = "manifest.csv"
_CLOCK = re.compile(r"^(?:(?:(?P<h>\d+):)?(?P<m>\d+):)?(?P<s>\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Entry:
    duration_ms: int | None
    video_url: str | None
    media: Path | None = None
    line: int = 0


def parse_duration(text: str) -> int:
    """'418', '418.5', '6:58' or '1:02:05' as milliseconds; ValueError otherwise."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a duration (seconds, m:ss or h:mm:ss)")
    hours = int(match.group("h") or 0)
    minutes = int(match.group("m") or 0)
    seconds = float(match.group("s"))
    if (match.group("m") is not None and seconds >= 60) or (match.group("h") and minutes >= 60):
        raise ValueError(f"'{text}' is not a valid time")
    return round(((hours * 60 + minutes) * 60 + seconds) * 1000)


def read_manifest(path: Path, root: Path) -> dict[str, Entry]:
    """Entries keyed by the doc id their path has under ``root``.

    A later row for the same document replaces an earlier one; ``manifest_issues``
    reports that, and rows that match no input.
    """
    return {row.doc_id: row.entry for row in _rows(path, root)}


def manifest_issues(path: Path, root: Path, found_doc_ids: Collection[str]) -> list[str]:
    """Warnings, rendered ``path:line: ...``, for rows a run would otherwise ignore.

    A duplicate row (a second row for the same document; the last one is used), and a
    row whose document is not among ``found_doc_ids`` (the doc ids of the inputs this
    run found) when its path names no transcript file on disk: a mistyped or stale
    path. A row for a transcript that exists but was not among this run's inputs (the
    run named other files) is not a problem and is not reported. Malformed rows raise
    ConfigError, as ``read_manifest`` does.
    """
    issues: list[str] = []
    first: dict[str, _Row] = {}
    for row in _rows(path, root):
        earlier = first.setdefault(row.doc_id, row)
        if earlier is not row:
            issues.append(
                f"{path}:{row.line}: a second row for document '{row.doc_id}'"
                f" ('{row.name}'; the first is at line {earlier.line}); the last row is"
                " used. Delete the row that is wrong."
            )
        if row.doc_id in found_doc_ids:
            continue
        target = path.parent / row.name
        if target.is_file() and target.suffix.lower() in SUFFIXES:
            continue  # a transcript this run did not include
        if target.is_file():
            problem = f"names '{row.name}', which is not a transcript (.txt, .vtt or .srt)"
        else:
            problem = f"names '{row.name}', which matches no input file"
        issues.append(
            f"{path}:{row.line}: the row {problem}; it is ignored. Correct the"
            f" path (it is relative to the manifest's folder, {path.parent}) or delete"
            " the row."
        )
    return issues


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    name: str  # the path as written
    doc_id: str
    entry: Entry


def _rows(path: Path, root: Path) -> Iterator[_Row]:
    """Every row, checked; a malformed one raises ConfigError naming file and line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "path" not in reader.fieldnames:
            raise ConfigError(
                f"{path}:1: the manifest needs a header with a 'path' column"
                " (and 'duration', optionally 'video_url')"
            )
        for row in reader:
            line = reader.line_num
            name = (row.get("path") or "").strip()
            if not name:
                raise ConfigError(f"{path}:{line}: field 'path' is empty")
            duration_text = (row.get("duration") or "").strip()
            try:
                duration = parse_duration(duration_text) if duration_text else None
            except ValueError as error:
                raise ConfigError(f"{path}:{line}: field 'duration': {error}") from None
            url = (row.get("video_url") or "").strip() or None
            if url and not re.match(r"^https?://", url):
                raise ConfigError(f"{path}:{line}: field 'video_url' must start with http(s)://")
            media_name = (row.get("media") or "").strip()
            media = path.parent / media_name if media_name else None
            doc_id = doc_id_for(path.parent / name, root)
            yield _Row(line, name, doc_id, Entry(duration, url, media, line))
