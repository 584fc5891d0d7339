"""Caption files in: .vtt/.srt -> Transcript, cues merged into paragraphs.

Each paragraph keeps its cues' own times as anchors, so that timing can place the
words inside it from the file instead of estimating them.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.clock import format_clock
from pipeline.errors import TranscriptError
from pipeline.ingest.decode import MULTISPACE, normalise_text
from pipeline.ingest.pages import SPEAKER_RE, apply_duration
from pipeline.model import Issue, Metadata, Paragraph, Repair, Transcript

# --- caption files ---------------------------------------------------------------

# Cues are merged into a paragraph until a pause this long, or a sentence end once
# the paragraph is this long: close to how course pages paragraph their speech.
PAUSE_MS = 1500
PARAGRAPH_MS = 20_000
_SENTENCE_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")
_TAG = re.compile(r"<[^>]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>")


@dataclass(frozen=True, slots=True)
class _RawCue:
    start_ms: int
    end_ms: int
    text: str
    speaker: str | None
    line: int


def parse_captions(
    text: str,
    fmt: str,
    *,
    doc_id: str = "document",
    source: str = "<captions>",
    sha256: str | None = None,
    repairs: Iterable[Repair] = (),
    duration_ms: int | None = None,
) -> Transcript:
    """Re-time an existing caption file (``fmt`` "vtt" or "srt") into paragraphs."""
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    text, text_repairs = normalise_text(text)
    cues = _read_vtt(text, source) if fmt == "vtt" else _read_srt(text, source)
    if not cues:
        raise TranscriptError(
            source,
            Issue(
                "no-cues",
                "the caption file holds no cues",
                None,
                "Check that it is a complete WebVTT or SubRip file.",
            ),
        )
    warnings: list[Issue] = []
    groups: list[list[_RawCue]] = []
    for cue in cues:
        if groups:
            previous = groups[-1][-1]
            if cue.start_ms < previous.start_ms:
                raise TranscriptError(
                    source,
                    Issue(
                        "marker-order",
                        f"cue at {format_clock(cue.start_ms)} starts before the cue before it"
                        f" ({format_clock(previous.start_ms)})",
                        cue.line,
                        "Sort the cues by start time.",
                    ),
                )
            group_start = groups[-1][0].start_ms
            boundary = (
                cue.speaker != previous.speaker
                or cue.start_ms - previous.end_ms >= PAUSE_MS
                or (
                    _SENTENCE_FINAL.search(previous.text) is not None
                    and previous.end_ms - group_start >= PARAGRAPH_MS
                )
            )
            if not boundary:
                groups[-1].append(cue)
                continue
        groups.append([cue])
    paragraphs = []
    for index, group in enumerate(groups):
        end = groups[index + 1][0].start_ms if index + 1 < len(groups) else group[-1].end_ms
        if index + 1 < len(groups) and groups[index + 1][0].start_ms == group[0].start_ms:
            raise TranscriptError(
                source,
                Issue(
                    "marker-order",
                    f"two paragraphs start at {format_clock(group[0].start_ms)}",
                    groups[index + 1][0].line,
                    "Give overlapping cues distinct start times.",
                ),
            )
        body = MULTISPACE.sub(" ", " ".join(c.text for c in group)).strip()
        paragraphs.append(
            Paragraph(index, group[0].start_ms, end, group[0].speaker, body, group[0].line)
        )
    paragraphs = apply_duration(paragraphs, duration_ms, warnings)
    return Transcript(
        doc_id=doc_id,
        source=source,
        sha256=sha256,
        metadata=Metadata(),
        paragraphs=tuple(paragraphs),
        repairs=tuple([*repairs, *text_repairs]),
        warnings=tuple(warnings),
        duration_ms=duration_ms,
    )


def _clean_cue_text(raw: str) -> tuple[str, str | None]:
    voice = _VOICE.search(raw)
    speaker = voice.group(1).strip() if voice else None
    plain = html.unescape(_TAG.sub("", raw))
    plain = " ".join(plain.split())
    label = SPEAKER_RE.match(plain)
    if label and speaker is None:
        speaker = label.group("speaker").strip()
        plain = plain[label.end() :]
    return plain, speaker


def _read_vtt(text: str, source: str) -> list[_RawCue]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        document = webvtt.from_string(text) if hasattr(webvtt, "from_string") else None
        if document is None:
            document = webvtt.WebVTT.from_string(text)
    except (MalformedFileError, MalformedCaptionError) as error:
        raise TranscriptError(
            source,
            Issue(
                "malformed-captions",
                f"not a valid WebVTT file ({error})",
                _first_bad_timing_line(text),
                "Check the WebVTT header and cue timings (hh:mm:ss.mmm --> hh:mm:ss.mmm).",
            ),
        ) from None
    lines = _timing_lines(text)
    cues = []
    for number, caption in enumerate(document.captions):
        body, speaker = _clean_cue_text(caption.raw_text.replace("\n", " "))
        if not body:
            continue
        start = caption.start_time.in_milliseconds()
        end = caption.end_time.in_milliseconds()
        line = lines[number] if number < len(lines) else 0
        cues.append(_RawCue(start, end, body, speaker, line))
    return cues


def _read_srt(text: str, source: str) -> list[_RawCue]:
    import pysrt

    try:
        items = pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)
    except pysrt.Error as error:
        raise TranscriptError(
            source,
            Issue(
                "malformed-captions",
                f"not a valid SubRip file ({error})",
                _first_bad_timing_line(text),
                "Check the cue numbers and timings (hh:mm:ss,mmm --> hh:mm:ss,mmm).",
            ),
        ) from None
    lines = _timing_lines(text)
    cues = []
    for number, item in enumerate(items):
        body, speaker = _clean_cue_text(item.text.replace("\n", " "))
        if not body:
            continue
        line = lines[number] if number < len(lines) else 0
        cues.append(_RawCue(item.start.ordinal, item.end.ordinal, body, speaker, line))
    return cues


_TIMING_LINE = re.compile(r"^\s*\S+\s*-->\s*\S+")


def _timing_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n"), start=1) if _TIMING_LINE.match(line)]


def _first_bad_timing_line(text: str) -> int | None:
    good = re.compile(r"^\s*(?:\d+:)?\d{2}:\d{2}[.,]\d{3}\s*-->\s*(?:\d+:)?\d{2}:\d{2}[.,]\d{3}")
    for number, line in enumerate(text.split("\n"), start=1):
        if "-->" in line and not good.match(line):
            return number
    return None
