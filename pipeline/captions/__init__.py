"""Captions: Timeline + mention spans -> Cues -> .vtt / .srt / .chapters.vtt + quality.

profiles (the rules), cues (the cue builder and line breaking), quality (measuring
cues against a profile), vtt, srt and chapters (one module per output format), lint
(reading existing caption files as they are).
"""

from pipeline.captions.chapters import CHAPTER_TITLE_MAX, build_chapters, chapter_title
from pipeline.captions.cues import (
    FUNCTION_WORDS,
    break_cost,
    break_lines,
    build_cues,
    name_spans,
    protected_breaks,
    speed,
)
from pipeline.captions.lint import read_cues
from pipeline.captions.profiles import PROFILES, Profile, load_profile
from pipeline.captions.quality import measure, quality_json
from pipeline.captions.srt import to_srt
from pipeline.captions.vtt import to_chapters_vtt, to_webvtt, vtt_time
from pipeline.model import Chapter, Quality

__all__ = [
    "CHAPTER_TITLE_MAX",
    "FUNCTION_WORDS",
    "PROFILES",
    "Chapter",
    "Profile",
    "Quality",
    "break_cost",
    "break_lines",
    "build_chapters",
    "build_cues",
    "chapter_title",
    "load_profile",
    "measure",
    "name_spans",
    "protected_breaks",
    "quality_json",
    "read_cues",
    "speed",
    "to_chapters_vtt",
    "to_srt",
    "to_webvtt",
    "vtt_time",
]
