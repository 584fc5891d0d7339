"""SubRip out: cues -> a .srt file's text, through pysrt."""

from __future__ import annotations

import io
from collections.abc import Sequence

from pipeline.model import Cue


def to_srt(cues: Sequence[Cue]) -> str:
    """SubRip through pysrt, with LF line ends."""
    import pysrt

    items = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index=cue.idx + 1,
                start=pysrt.SubRipTime.from_ordinal(cue.start_ms),
                end=pysrt.SubRipTime.from_ordinal(cue.end_ms),
                text="\n".join(cue.lines),
            )
            for cue in cues
        ]
    )
    buffer = io.StringIO()
    items.write_into(buffer, eol="\n")
    return buffer.getvalue()
