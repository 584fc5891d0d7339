"""Chunks: a Timeline -> sentence-aligned search units of roughly 15-45 s."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.model import Chunk, Sentence, Timeline, Transcript, Word

CHUNK_MIN_MS = 15_000
CHUNK_MAX_MS = 45_000
CHUNK_TARGET_MS = 30_000


def make_chunks(
    transcript: Transcript,
    timeline: Timeline,
    *,
    min_ms: int = CHUNK_MIN_MS,
    target_ms: int = CHUNK_TARGET_MS,
    max_ms: int = CHUNK_MAX_MS,
) -> tuple[Chunk, ...]:
    """Sentence-aligned search units: closed at the target length, never past the
    maximum when a sentence boundary allows, and always at a change of speaker."""
    words = timeline.words
    groups: list[list[Sentence]] = []
    for sentence in timeline.sentences:
        if groups:
            current = groups[-1]
            start = words[current[0].first_word].start_ms
            length = words[current[-1].last_word].end_ms - start
            with_next = words[sentence.last_word].end_ms - start
            speaker_changes = _speaker(transcript, words[sentence.first_word]) != _speaker(
                transcript, words[current[-1].last_word]
            )
            if not speaker_changes and (
                length < min_ms or (length < target_ms and with_next <= max_ms)
            ):
                current.append(sentence)
                continue
        groups.append([sentence])
    # A short tail joins the chunk before it when that keeps within the maximum.
    if len(groups) > 1:
        tail, before = groups[-1], groups[-2]
        tail_ms = words[tail[-1].last_word].end_ms - words[tail[0].first_word].start_ms
        joined_ms = words[tail[-1].last_word].end_ms - words[before[0].first_word].start_ms
        same_speaker = _speaker(transcript, words[tail[0].first_word]) == _speaker(
            transcript, words[before[-1].last_word]
        )
        if tail_ms < min_ms and joined_ms <= max_ms and same_speaker:
            before.extend(groups.pop())
    chunks = []
    for idx, group in enumerate(groups):
        first, last = group[0].first_word, group[-1].last_word
        end_ms = words[last].end_ms
        if idx + 1 < len(groups):
            end_ms = max(end_ms, words[groups[idx + 1][0].first_word].start_ms)
        else:
            end_ms = max(end_ms, timeline.end_ms)
        chunks.append(
            Chunk(
                chunk_id=f"{transcript.doc_id}#c{idx}",
                doc_id=transcript.doc_id,
                idx=idx,
                start_ms=words[first].start_ms,
                end_ms=end_ms,
                first_word=first,
                last_word=last,
                speaker=_speaker(transcript, words[first]),
                text=" ".join(w.text for w in words[first : last + 1]),
            )
        )
    return tuple(chunks)


def _speaker(transcript: Transcript, word: Word) -> str | None:
    return transcript.paragraphs[word.paragraph].speaker


@dataclass(frozen=True, slots=True)
class ChunkSizes:
    """Search-unit lengths in ms: at least ``min_ms`` where a sentence end allows,
    closed at ``target_ms``, never past ``max_ms`` unless one sentence is longer."""

    min_ms: int = CHUNK_MIN_MS
    target_ms: int = CHUNK_TARGET_MS
    max_ms: int = CHUNK_MAX_MS
