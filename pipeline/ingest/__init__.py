"""Ingest: bytes -> Transcript (metadata + timed paragraphs), with repairs and problems.

decode (bytes -> text, repairs), pages ("Skip to" transcripts), captions (.vtt/.srt
in), sources (discovery, document ids, reading one file), manifest (durations,
video URLs and media named per transcript).
"""

from pipeline.clock import format_clock
from pipeline.ingest.captions import parse_captions
from pipeline.ingest.decode import decode_bytes, normalise_text
from pipeline.ingest.pages import parse_transcript
from pipeline.ingest.sources import (
    MAX_BYTES,
    SUFFIXES,
    discover,
    doc_id_for,
    read_many,
    read_transcript,
    slugify,
)

__all__ = [
    "MAX_BYTES",
    "SUFFIXES",
    "decode_bytes",
    "discover",
    "doc_id_for",
    "format_clock",
    "normalise_text",
    "parse_captions",
    "parse_transcript",
    "read_many",
    "read_transcript",
    "slugify",
]
