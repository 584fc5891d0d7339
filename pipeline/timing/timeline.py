"""The timeline: every word of a transcript with its time and the source of that time.

Compiled with mypyc where a C compiler is at hand (pipeline/native.py): a run times
every word of every document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.model import (
    AUDIO,
    CAPTIONS,
    ESTIMATE,
    Issue,
    Paragraph,
    Sentence,
    Timeline,
    Transcript,
    Word,
)
from pipeline.timing.sentences import sentence_flags, tokens
from pipeline.timing.speech import DEFAULT_MODEL, SpeechModel, spoken_units, spread

TokenTimes = Sequence[tuple[int, int]]


def build_timeline(
    transcript: Transcript,
    model: SpeechModel = DEFAULT_MODEL,
    *,
    audio: Mapping[int, TokenTimes] | None = None,
    media_end_ms: int | None = None,
    notes: Sequence[Issue] = (),
) -> Timeline:
    """Time every word of ``transcript``.

    ``audio`` maps a paragraph index to its tokens' times from forced alignment;
    ``media_end_ms`` is the media's duration, which ends the last paragraph when
    the transcript does not say. ``notes`` (why paragraphs lack audio times) are
    carried into the timeline.
    """
    paragraphs = transcript.paragraphs
    audio = audio or {}
    flags = sentence_flags(paragraphs)
    spans = [tokens(p) for p in paragraphs]
    texts = [[t for _, _, t in s] for s in spans]
    # Each paragraph's speech costs, once: the rate and the spread both need them.
    costs = [model.costs(t, f) for t, f in zip(texts, flags, strict=True)]
    last_end = paragraphs[-1].end_ms if paragraphs else None
    if (
        last_end is None
        and media_end_ms is not None
        and paragraphs
        and media_end_ms > paragraphs[-1].start_ms
    ):
        last_end = media_end_ms
    ends = [p.end_ms for p in paragraphs[:-1]] + [last_end] if paragraphs else []
    known_ms = known_units = 0.0
    for paragraph, end, paragraph_costs in zip(paragraphs, ends, costs, strict=True):
        if end is not None:
            known_ms += end - paragraph.start_ms
            known_units += sum(s + p for s, p in paragraph_costs)
    ms_per_unit = known_ms / known_units if known_units else model.default_ms_per_unit
    sources = [
        AUDIO if p.index in audio else CAPTIONS if p.anchors else ESTIMATE for p in paragraphs
    ]
    shared = _shared_seconds(paragraphs, ends, texts, flags, sources, ms_per_unit, model)
    words: list[Word] = []
    sentence_ends: list[bool] = []
    end_ms = 0
    estimated = False
    for k, paragraph in enumerate(paragraphs):
        end = ends[k]
        source = sources[k]
        if k in shared:
            # Turns in the same second: timed as one run, handed back paragraph by paragraph.
            times, group_end, group_estimated = shared[k]
            estimated = estimated or group_estimated
            end = max(end if end is not None else group_end, times[-1][1] if times else 0)
            source = ESTIMATE
        else:
            if end is None:
                end = paragraph.start_ms + round(
                    spoken_units(texts[k], flags[k], model) * ms_per_unit
                )
                estimated = source != AUDIO
            if source == AUDIO:
                times = list(audio[paragraph.index])
                end = max(end, times[-1][1]) if times else end
            elif source == CAPTIONS:
                times = _within_anchors(paragraph, texts[k], flags[k], end, model)
            else:
                lo, hi = paragraph.start_ms, end
                # Next to aligned paragraphs, the estimate keeps off the speech they hold.
                if k > 0 and sources[k - 1] == AUDIO and words:
                    lo = max(lo, words[-1].end_ms)
                if k + 1 < len(paragraphs) and sources[k + 1] == AUDIO:
                    following = audio[paragraphs[k + 1].index]
                    if following:
                        hi = min(hi, following[0][0])
                if hi <= lo:
                    lo, hi = paragraph.start_ms, end
                times = spread(texts[k], flags[k], lo, hi, model, costs=costs[k])
        for (start_char, end_char, text), (start, stop) in zip(spans[k], times, strict=True):
            # Starts never go back, whatever mix of sources meets here.
            if words and start < words[-1].start_ms:
                start = words[-1].start_ms
            words.append(
                Word(
                    paragraph.index,
                    start_char,
                    end_char,
                    text,
                    start,
                    max(stop, start),
                    source,
                )
            )
        sentence_ends.extend(flags[k])
        end_ms = max(end, words[-1].end_ms) if words else end
    return Timeline(
        transcript.doc_id,
        tuple(words),
        _sentences(paragraphs, words, sentence_ends),
        end_ms,
        estimated,
        tuple(sources),
        tuple(notes),
    )


def _shared_seconds(
    paragraphs: Sequence[Paragraph],
    ends: Sequence[int | None],
    texts: Sequence[Sequence[str]],
    flags: Sequence[Sequence[bool]],
    sources: Sequence[str],
    ms_per_unit: float,
    model: SpeechModel,
) -> dict[int, tuple[list[tuple[int, int]], int, bool]]:
    """Runs of estimated paragraphs that share one start (turns in the same second).

    Their words are spread together, in order, from the shared start to the end of
    the run's last paragraph, then handed back per paragraph.
    """
    result: dict[int, tuple[list[tuple[int, int]], int, bool]] = {}
    k = 0
    while k < len(paragraphs):
        j = k
        while (
            j + 1 < len(paragraphs)
            and paragraphs[j + 1].start_ms == paragraphs[k].start_ms
            and sources[j + 1] == ESTIMATE
        ):
            j += 1
        if j > k and sources[k] == ESTIMATE:
            run_texts = [t for i in range(k, j + 1) for t in texts[i]]
            run_flags = [f for i in range(k, j + 1) for f in flags[i]]
            end = ends[j]
            estimated = end is None
            if end is None:
                end = paragraphs[k].start_ms + round(
                    spoken_units(run_texts, run_flags, model) * ms_per_unit
                )
            times = spread(run_texts, run_flags, paragraphs[k].start_ms, end, model)
            at = 0
            for i in range(k, j + 1):
                n = len(texts[i])
                result[i] = (times[at : at + n], end, estimated)
                at += n
        k = j + 1
    return result


def _within_anchors(
    paragraph: Paragraph,
    texts: Sequence[str],
    flags: Sequence[bool],
    end_ms: int,
    model: SpeechModel,
) -> list[tuple[int, int]]:
    """Each cue's words spread over that cue's own times; never into the silence after."""
    spans = tokens(paragraph)
    times: list[tuple[int, int] | None] = [None] * len(spans)
    for anchor in paragraph.anchors:
        inside = [i for i, (s, _, _) in enumerate(spans) if anchor.start <= s < anchor.end]
        if not inside:
            continue
        spread_times = spread(
            [texts[i] for i in inside],
            [flags[i] for i in inside],
            anchor.start_ms,
            max(anchor.end_ms, anchor.start_ms + 1),
            model,
        )
        for i, t in zip(inside, spread_times, strict=True):
            times[i] = t
    # Words no cue covers (none in a parsed file) share the time after the one before.
    result: list[tuple[int, int]] = []
    for slot in times:
        if slot is None:
            at = result[-1][1] if result else paragraph.start_ms
            result.append((at, min(at + 1, max(end_ms, at))))
        else:
            result.append(slot)
    return result


def _sentences(
    paragraphs: Sequence[Paragraph], words: Sequence[Word], ends: Sequence[bool]
) -> tuple[Sentence, ...]:
    sentences = []
    first = 0
    for i, is_end in enumerate(ends):
        # A speaker change closes a sentence whatever its punctuation.
        speaker_change = (
            i + 1 < len(words)
            and words[i + 1].paragraph != words[i].paragraph
            and paragraphs[words[i + 1].paragraph].speaker != paragraphs[words[i].paragraph].speaker
        )
        if is_end or speaker_change or i == len(words) - 1:
            sentences.append(Sentence(first, i))
            first = i + 1
    return tuple(sentences)
