"""SubRip out: cues -> a .srt file's text, as pysrt writes it.

pysrt's items parse and normalise each time (a SubRipTime per start and end) before
formatting it: more than the rest of a document's SubRip. The text here is what
pysrt's ``SubRipFile.write_into`` makes of the same cues, byte for byte
(tests/test_captions.py checks it against pysrt); pysrt still reads every SubRip file.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.model import Cue


def srt_time(ms: int) -> str:
    """``HH:MM:SS,mmm`` as pysrt writes it (negative times as zero; hours may pass 99)."""
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"


def to_srt(cues: Sequence[Cue]) -> str:
    """SubRip with LF line ends: numbered from 1, a blank line after each cue."""
    out = []
    for cue in cues:
        item = (
            f"{cue.idx + 1}\n{srt_time(cue.start_ms)} --> {srt_time(cue.end_ms)}\n"
            + "\n".join(cue.lines)
            + "\n"
        )
        out.append(item if item.endswith("\n\n") else item + "\n")
    return "".join(out)
