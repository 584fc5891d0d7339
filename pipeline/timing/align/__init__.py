"""Align: media + transcript paragraphs -> word times from the audio.

``decode_audio`` turns a media file into ``Audio``; an ``Aligner`` (one per worker
process) times every token of a list of ``ParagraphText`` in it and returns an
``Alignment``; ``transcript_forms``, ``spoken_forms`` and ``Pronouncer`` are the
text normaliser.
"""

from pipeline.ingest.sources import MEDIA_SUFFIXES
from pipeline.timing.align.aligner import (
    Aligner,
    Alignment,
    ParagraphAlignment,
    ParagraphText,
)
from pipeline.timing.align.media import Audio, MediaError, decode_audio
from pipeline.timing.align.normalise import Pronouncer, spoken_forms, transcript_forms

__all__ = [
    "MEDIA_SUFFIXES",
    "Aligner",
    "Alignment",
    "Audio",
    "MediaError",
    "ParagraphAlignment",
    "ParagraphText",
    "Pronouncer",
    "decode_audio",
    "spoken_forms",
    "transcript_forms",
]
