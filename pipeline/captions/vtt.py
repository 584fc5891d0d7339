"""WebVTT out: cues -> a .vtt file's text, as webvtt-py writes it.

UTF-8 without BOM, LF, ``hh:mm:ss.mmm``, unique cue ids, ``&``, ``<``, ``>``
escaped, speakers as ``<v Name>`` voice spans, provenance in a NOTE block.
"""

from __future__ import annotations

import re
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


Block = tuple[str, int, int, list[str]]  # identifier, start ms, end ms, text lines


def to_webvtt(transcript: Transcript, cues: Sequence[Cue], profile: Profile) -> str:
    """WebVTT: escaped text, voice spans, provenance NOTE."""
    note = _provenance(transcript, f"profile: {profile.name}")
    return _webvtt(note, cue_blocks(transcript, cues))


def cue_blocks(transcript: Transcript, cues: Sequence[Cue]) -> list[Block]:
    """Each cue as written: its id, times and escaped lines, the speaker as a voice span."""
    blocks = []
    for cue in cues:
        lines = [_escape(line) for line in cue.lines]
        if cue.speaker:
            lines[0] = f"<v {_escape(cue.speaker)}>{lines[0]}"
        blocks.append((f"{transcript.doc_id}-{cue.idx + 1}", cue.start_ms, cue.end_ms, lines))
    return blocks


def _webvtt(note: str, blocks: Sequence[Block]) -> str:
    """The text webvtt-py writes for these cues (tests/test_captions.py checks it is
    the same, byte for byte), without building its Caption objects: parsing each
    time string back costs more than the rest of a document's captions. The header
    and NOTE come from webvtt-py; the cue blocks are checked as it checks them."""
    from webvtt import WebVTT

    out = [str(WebVTT(header_comments=[note]).content).removesuffix("\n")]
    for identifier, start_ms, end_ms, lines in blocks:
        if "\n" in identifier or "\r" in identifier or "-->" in identifier:
            raise ValueError(
                f'Caption identifiers must be a single line without "-->": {identifier!r}'
            )
        if not _readable(lines):
            raise ValueError(f'Caption text must not have empty lines or "-->": {lines!r}')
        out.append(f"\n\n{identifier}\n{vtt_time(start_ms)} --> {vtt_time(end_ms)}")
        out.extend(f"\n{line}" for line in lines)
    out.append("\n")
    return "".join(out)


def _readable(lines: Sequence[str]) -> bool:
    """False when the lines, written as a cue's text, would end it early or start
    another cue when read back (an empty line before the last, or "-->")."""
    split = _LINE_BREAK.split("\n".join(lines))
    while split and not split[-1]:
        split.pop()
    return all(split) and not any("-->" in line for line in split)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def to_chapters_vtt(transcript: Transcript, chapters: Sequence[Chapter]) -> str:
    blocks = [
        (f"{transcript.doc_id}-chapter-{n + 1}", c.start_ms, c.end_ms, [_escape(c.title)])
        for n, c in enumerate(chapters)
    ]
    note = _provenance(transcript, 'kind: chapters (use as <track kind="chapters">)')
    return _webvtt(note, blocks)
