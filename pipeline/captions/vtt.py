"""WebVTT out: cues -> a .vtt file's text, through webvtt-py.

UTF-8 without BOM, LF, ``hh:mm:ss.mmm``, unique cue ids, ``&``, ``<``, ``>``
escaped, speakers as ``<v Name>`` voice spans, provenance in a NOTE block.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.captions.profiles import Profile
from pipeline.model import Chapter, Cue, Transcript


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _provenance(transcript: Transcript, extra: str = "") -> str:
    from pipeline import __version__

    note = (
        f"source: {transcript.source}\nsha256: {transcript.sha256}\n"
        f"generator: transcript-pipeline {__version__}"
    )
    return note + (f"\n{extra}" if extra else "")


def to_webvtt(transcript: Transcript, cues: Sequence[Cue], profile: Profile) -> str:
    """WebVTT through webvtt-py: escaped text, voice spans, provenance NOTE."""
    from webvtt import Caption, WebVTT

    captions = []
    for cue in cues:
        lines = [_escape(line) for line in cue.lines]
        if cue.speaker:
            lines[0] = f"<v {_escape(cue.speaker)}>{lines[0]}"
        captions.append(
            Caption(
                start=vtt_time(cue.start_ms),
                end=vtt_time(cue.end_ms),
                text=lines,
                identifier=f"{transcript.doc_id}-{cue.idx + 1}",
            )
        )
    note = _provenance(transcript, f"profile: {profile.name}")
    return str(WebVTT(captions=captions, header_comments=[note]).content)


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def to_chapters_vtt(transcript: Transcript, chapters: Sequence[Chapter]) -> str:
    from webvtt import Caption, WebVTT

    captions = [
        Caption(
            start=vtt_time(c.start_ms),
            end=vtt_time(c.end_ms),
            text=[_escape(c.title)],
            identifier=f"{transcript.doc_id}-chapter-{n + 1}",
        )
        for n, c in enumerate(chapters)
    ]
    note = _provenance(transcript, 'kind: chapters (use as <track kind="chapters">)')
    return str(WebVTT(captions=captions, header_comments=[note]).content)
