"""Audio timing: a Transcript and its media -> word times from the audio, and what
went wrong, said so that a content team can act on it.

Decodes the media (``align.media``), aligns every paragraph (``align.aligner``), and
turns the result into the times ``build_timeline`` takes, with notes: a paragraph
that could not be aligned (and why), a marker the audio disagrees with, media
shorter than the markers, media that does not match the transcript at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipeline.clock import format_clock
from pipeline.model import Issue, Transcript
from pipeline.timing.align import (
    Alignment,
    Audio,
    ParagraphAlignment,
    ParagraphText,
    decode_audio,
)
from pipeline.timing.sentences import tokens

# Markers are floored to whole seconds, so speech starts up to 1 s after its marker.
# Further off than this either way, the marker is wrong (or the speaker waited).
MARKER_EARLY_MS = 1_500
MARKER_LATE_MS = 2_500

TokenTimes = tuple[tuple[int, int], ...]


class AlignsParagraphs(Protocol):
    def align(self, audio: Audio, paragraphs: Sequence[ParagraphText]) -> Alignment: ...


def align_transcript(
    transcript: Transcript, media: Path, aligner: AlignsParagraphs
) -> tuple[dict[int, TokenTimes], int | None, list[Issue]]:
    """Token times per aligned paragraph, the media's duration, and notes.

    Raises MediaError when the file gives no audio to align against.
    """
    audio = decode_audio(media)
    texts = [
        ParagraphText(p.index, p.start_ms, p.end_ms, tuple(t for _, _, t in tokens(p)))
        for p in transcript.paragraphs
    ]
    alignment = aligner.align(audio, texts)
    notes: list[Issue] = []
    if alignment.mismatch:
        notes.append(
            Issue(
                "media-mismatch",
                f"{media}: the audio does not match the transcript ({alignment.mismatch});"
                " every word is timed from the text instead",
                None,
                "Check that the media file is this transcript's video.",
            )
        )
        return {}, None, notes
    results = _second_pass(audio, texts, list(alignment.paragraphs), aligner)
    paragraphs = {p.index: p for p in transcript.paragraphs}
    last = transcript.paragraphs[-1] if transcript.paragraphs else None
    if last is not None and audio.duration_ms <= last.start_ms:
        notes.append(
            Issue(
                "media-short",
                f"{media} lasts {format_clock(audio.duration_ms)}, but the last marker is at"
                f" {format_clock(last.start_ms)}",
                last.line,
                "Check that the media file is complete and is this transcript's video.",
            )
        )
    times: dict[int, TokenTimes] = {}
    for result in results:
        paragraph = paragraphs[result.index]
        if result.times is None:
            notes.append(
                Issue(
                    "unaligned",
                    f"the paragraph at {format_clock(paragraph.start_ms)} could not be aligned"
                    f" to the audio ({result.reason or 'no reason given'}); its words are timed"
                    " from the text",
                    paragraph.line,
                    "Check that the paragraph's text is what is said there.",
                )
            )
            continue
        times[result.index] = result.times
        heard = result.speech_start_ms
        if heard is not None and not (
            paragraph.start_ms - MARKER_EARLY_MS <= heard <= paragraph.start_ms + MARKER_LATE_MS
        ):
            notes.append(
                Issue(
                    "marker-off",
                    f"the marker says {format_clock(paragraph.start_ms)}, but in the audio this"
                    f" paragraph starts at {_precise(heard)}",
                    paragraph.line,
                    "Correct the marker; the captions follow the audio.",
                )
            )
    return times, audio.duration_ms, notes


def _second_pass(
    audio: Audio,
    texts: Sequence[ParagraphText],
    results: list[ParagraphAlignment],
    aligner: AlignsParagraphs,
) -> list[ParagraphAlignment]:
    """Retry each paragraph that failed between the speech of its aligned neighbours.

    A wrong marker makes its own paragraph fail and the one before it too (its
    window ends at the wrong marker); once the neighbours are placed, the gap
    between them is where the lost paragraph was said.
    """
    for k, result in enumerate(results):
        if result.times is not None:
            continue
        before = next((r.times for r in reversed(results[:k]) if r.times), None)
        after = next((r.times for r in results[k + 1 :] if r.times), None)
        lo = before[-1][1] if before else 0
        hi = after[0][0] if after else audio.duration_ms
        if hi - lo < 500:
            continue
        retry = ParagraphText(texts[k].index, lo // 1000 * 1000, hi, texts[k].tokens)
        again = aligner.align(audio, [retry])
        if again.mismatch is None and again.paragraphs and again.paragraphs[0].times:
            found = again.paragraphs[0]
            if all(lo - 1000 <= start and end <= hi + 1000 for start, end in found.times or ()):
                results[k] = found
    return results


def _precise(ms: int) -> str:
    """m:ss.s, as a content team would type it into a marker."""
    seconds = ms / 1000
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"
