"""Chapters: paragraphs -> a chapters track, one chapter per paragraph or topic."""

from __future__ import annotations

import re

from pipeline.captions.cues import FUNCTION_WORDS
from pipeline.model import Chapter, Timeline, Transcript

CHAPTER_TITLE_MAX = 60
CHAPTER_MIN_MS = 20_000
_LEADING_FILLERS = re.compile(
    r"^(?:(?:so|and|but|now|well|okay|ok|right|then|also|firstly|secondly|finally"
    r"|hello|hi|again|welcome back|thanks|thank you"
    r"|for example|in this (?:section|video|step|talk|lecture))(?:,\s*|\s+))+",
    re.IGNORECASE,
)


def chapter_title(text: str, preferred: str | None = None) -> str:
    """A short title from a paragraph: its main named intervention when there is
    one, else the opening clause of its first sentence of three words or more
    (greetings and fillers such as "Hello." or "So, for example," skipped)."""
    title = preferred or _opening_phrase(text)
    if len(title) > CHAPTER_TITLE_MAX:
        cut = title[: CHAPTER_TITLE_MAX - 1].rsplit(" ", 1)[0]
        words = cut.split()
        while words and words[-1].lower() in FUNCTION_WORDS:
            words.pop()
        title = " ".join(words) + "…"
    return title[:1].upper() + title[1:]


def _opening_phrase(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    for sentence in sentences:
        clauses = re.split(r",|;|:| – | — ", _LEADING_FILLERS.sub("", sentence))
        phrase = clauses[0]
        for clause in clauses[1:]:
            if len(phrase.split()) >= 3:
                break
            phrase = f"{phrase},{clause}"
        phrase = phrase.strip().rstrip(".!?… ")
        if len(phrase.split()) >= 3:
            return phrase
    return sentences[0].rstrip(".!?… ")


def build_chapters(
    transcript: Transcript,
    timeline: Timeline,
    preferred: dict[int, list[str]] | None = None,
) -> tuple[Chapter, ...]:
    """One chapter per paragraph; paragraphs under 20 s join the next one.

    ``preferred`` lists, per paragraph, the names it mentions (interventions, in
    order); the first one the previous chapter is not already titled with wins.
    """
    paragraphs = transcript.paragraphs
    groups: list[list[int]] = []
    for p in paragraphs:
        if groups and _group_ms(transcript, groups[-1], timeline) < CHAPTER_MIN_MS:
            groups[-1].append(p.index)
        else:
            groups.append([p.index])
    if len(groups) > 1 and _group_ms(transcript, groups[-1], timeline) < CHAPTER_MIN_MS:
        groups[-2].extend(groups.pop())
    chapters: list[Chapter] = []
    for group in groups:
        start = paragraphs[group[0]].start_ms
        last = paragraphs[group[-1]]
        end = last.end_ms if last.end_ms is not None else timeline.end_ms
        previous = chapters[-1].title if chapters else None
        names = [n for i in group for n in (preferred or {}).get(i, [])]
        choice = next((n for n in names if chapter_title("", n) != previous), None)
        chapters.append(Chapter(start, end, chapter_title(paragraphs[group[0]].text, choice)))
    return tuple(chapters)


def _group_ms(transcript: Transcript, group: list[int], timeline: Timeline) -> int:
    last = transcript.paragraphs[group[-1]]
    end = last.end_ms if last.end_ms is not None else timeline.end_ms
    return end - transcript.paragraphs[group[0]].start_ms
