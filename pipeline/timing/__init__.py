"""Timing: Transcript (+ media) -> Timeline: sentences, and every word with its time
and the source of that time.

Sources, best first: the media's own audio (forced alignment, ``timing.align``), the
cue times of a caption file (``Paragraph.anchors``), and the speech model between
markers (``timing.speech``). Each paragraph takes the best source it has; sentence
detection (``timing.sentences``) is apart from all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.model import Chunk, Issue, Timeline, Transcript
from pipeline.timing.chunks import ChunkSizes, make_chunks
from pipeline.timing.sentences import split_sentences
from pipeline.timing.speech import DEFAULT_MODEL, SpeechModel
from pipeline.timing.timeline import TokenTimes, build_timeline

__all__ = [
    "ChunkSizes",
    "Segmented",
    "SpeechModel",
    "build_timeline",
    "make_chunks",
    "segment",
    "split_sentences",
]

DEFAULT_SIZES = ChunkSizes()


@dataclass(frozen=True, slots=True)
class Segmented:
    timeline: Timeline
    chunks: tuple[Chunk, ...]


def segment(
    transcript: Transcript,
    model: SpeechModel = DEFAULT_MODEL,
    sizes: ChunkSizes = DEFAULT_SIZES,
    *,
    audio: Mapping[int, TokenTimes] | None = None,
    media_end_ms: int | None = None,
    notes: Sequence[Issue] = (),
) -> Segmented:
    """The timeline and the search chunks over it."""
    timeline = build_timeline(
        transcript, model, audio=audio, media_end_ms=media_end_ms, notes=notes
    )
    chunks = make_chunks(
        transcript, timeline, min_ms=sizes.min_ms, target_ms=sizes.target_ms, max_ms=sizes.max_ms
    )
    return Segmented(timeline, chunks)
