"""Sentences: where sentences end in transcript text, apart from any timing.

A rule-based splitter (abbreviations, initials, numbers, quotes, ellipses); a
sentence may run across a paragraph marker. ``bench/sentences.py`` compares it with
spaCy's splitters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from pipeline.model import Paragraph

ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "st",
        "vs",
        "cf",
        "fig",
        "no",
        "nos",
        "approx",
        "dept",
        "est",
        "vol",
        "ed",
        "eds",
        "rev",
        "gen",
        "col",
        "lt",
        "sr",
        "jr",
        "inc",
        "ltd",
        "co",
        "corp",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "al",
    ]
)
_WORD_RE = re.compile(r"\S+")
_CLOSERS = "\"'”’)]»"
CLOSE = re.escape(_CLOSERS)
_TERMINAL = re.compile(rf"(?:[.!?]+|…)[{CLOSE}]*$")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")  # "J." or "U.S." as an initial or acronym
_OPENS_SENTENCE = re.compile(r"^[(\[«“‘\"']*[A-Z0-9]")


def sentence_end_after(token: str, following: str | None) -> bool:
    """Whether a sentence ends after ``token`` given the next token (None at the end)."""
    if following is None:
        return _TERMINAL.search(token) is not None
    if not _TERMINAL.search(token):
        return False
    if not _OPENS_SENTENCE.match(following):
        return False  # "... and so on" or "e.g. a parent": lower case continues
    bare = token.rstrip(_CLOSERS)
    if bare.endswith("."):
        stem = bare[:-1].lstrip("(\"'“‘").lower()
        if stem in ABBREVIATIONS:
            return False
        if _INITIAL.match(bare.lstrip("(\"'“‘")) and len(bare) <= 3:
            return False  # "J. Bowlby": a single initial
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one text (rule-based)."""
    tokens = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    spans: list[tuple[int, int]] = []
    begin: int | None = None
    for i, (start, end) in enumerate(tokens):
        if begin is None:
            begin = start
        following = text[tokens[i + 1][0] : tokens[i + 1][1]] if i + 1 < len(tokens) else None
        if sentence_end_after(text[start:end], following) or following is None:
            spans.append((begin, end))
            begin = None
    return spans


def tokens(paragraph: Paragraph) -> tuple[tuple[int, int, str], ...]:
    """The paragraph's whitespace tokens as (start char, end char, text)."""
    return text_tokens(paragraph.text)


@lru_cache(maxsize=256)
def text_tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """The whitespace tokens of ``text``; kept for the last texts seen, as timing asks
    for each paragraph's several times (keyed by the text, whose hash Python keeps:
    a Paragraph's is worked out again, anchors and all, at every call)."""
    return tuple((m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text))


def sentence_flags(paragraphs: Sequence[Paragraph]) -> list[list[bool]]:
    """For every token, whether a sentence ends after it.

    A paragraph's last token ends a sentence only when it is punctuated as one: a
    marker can fall mid-sentence, and the sentence then runs on into the next.
    """
    flags: list[list[bool]] = []
    for paragraph in paragraphs:
        texts = [t for _, _, t in tokens(paragraph)]
        following = [*texts[1:], None]
        flags.append([sentence_end_after(t, f) for t, f in zip(texts, following, strict=True)])
    return flags
