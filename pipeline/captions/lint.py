"""Lint: existing .vtt/.srt files read as they are, to measure against profiles.

The cues come from the same tolerant reader as caption files given to ingest
(``pipeline.ingest.captions.read_cue_file``), but are not merged or collapsed: they
are measured as a player shows them.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Cue, Issue


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of an existing .vtt or .srt file, as they are (not re-timed).

    Raises TranscriptError naming the file, the line and the remedy when the file
    cannot be read, or holds no cue with text.
    """
    return read_cues_warning(path)[0]


def read_cues_warning(path: Path) -> tuple[tuple[Cue, ...], tuple[Issue, ...]]:
    """``read_cues``, with what the reader warns of (lines it skipped or repaired,
    uncertain decoding), by line, as ingest reports them."""
    from pipeline.errors import TranscriptError
    from pipeline.ingest import decode_bytes
    from pipeline.ingest.captions import plain_text, read_cue_file
    from pipeline.ingest.decode import encoding_warnings

    source = str(path)
    text, repairs = decode_bytes(path.read_bytes(), source=source)
    uncertain = encoding_warnings(text, repairs)
    fmt = "srt" if path.suffix.lower() == ".srt" else "vtt"
    read = read_cue_file(text, fmt, source)
    cues: list[Cue] = []
    for cue in read.cues:
        lines = tuple(p for p in (plain_text(line) for line in cue.lines) if p)
        if lines:
            cues.append(Cue(len(cues), cue.start_ms, cue.end_ms, lines, cue.voice))
    if not cues:
        example = (
            "00:00:01.000 --> 00:00:03.000" if fmt == "vtt" else "00:00:01,000 --> 00:00:03,000"
        )
        raise TranscriptError(
            source,
            Issue(
                "no-cues",
                "the caption file holds no cue with text, so there is nothing to measure",
                read.cues[0].line if read.cues else None,
                f"Check that it is a complete {'WebVTT' if fmt == 'vtt' else 'SubRip'} file,"
                f" each cue's text under a timing line such as {example}.",
            ),
        )
    warnings = sorted([*uncertain, *read.warnings], key=lambda w: (w.line or 0, w.code))
    return tuple(cues), tuple(warnings)
