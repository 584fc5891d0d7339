"""The optional manifest: known video durations and URLs, one row per transcript.

``transcripts/manifest.csv`` (or ``--manifest FILE``) with a header and columns
``path`` (relative to the manifest's folder), ``duration`` (seconds, or m:ss /
h:mm:ss, decimals allowed), and optionally ``video_url`` and ``media`` (a video or
audio file to time the words from, relative to the manifest's folder).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.ingest.sources import doc_id_for

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
    """Entries keyed by the doc id their path has under ``root``."""
    entries: dict[str, Entry] = {}
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
            entries[doc_id_for(path.parent / name, root)] = Entry(duration, url, media, line)
    return entries
