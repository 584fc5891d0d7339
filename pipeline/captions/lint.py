"""Lint: existing .vtt/.srt files read as they are, to measure against profiles."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.model import Cue


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of an existing .vtt or .srt file, as they are (not re-timed)."""
    from pipeline.errors import TranscriptError
    from pipeline.ingest import decode_bytes
    from pipeline.model import Issue

    text, _ = decode_bytes(path.read_bytes(), source=str(path))
    cues: list[Cue] = []
    try:
        if path.suffix.lower() == ".srt":
            import pysrt

            for n, item in enumerate(pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)):
                lines = tuple(_plain(line) for line in item.text.split("\n") if line.strip())
                cues.append(Cue(n, item.start.ordinal, item.end.ordinal, lines))
        else:
            import webvtt

            for n, caption in enumerate(webvtt.from_string(text).captions):
                lines = tuple(_plain(line) for line in caption.lines if line.strip())
                start = caption.start_time.in_milliseconds()
                cues.append(Cue(n, start, caption.end_time.in_milliseconds(), lines))
    except Exception as error:  # both libraries raise their own assorted types
        raise TranscriptError(
            str(path),
            Issue(
                "malformed-captions",
                f"cannot read the caption file ({error})",
                None,
                "Check its header and cue timings.",
            ),
        ) from None
    return tuple(cues)


def _plain(line: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", line)).strip()
