"""Segment: Transcript -> timed words, sentences and search chunks.

Time inside a paragraph is spread over its words by a model of speech: each word
costs its syllables and letters (weak-form words less, the word before a pause
more), and punctuation adds a pause; each paragraph's markers scale those costs to
its real duration. ``leave_one_out`` measures how well it predicts a marker it was
not given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.model import Chunk, Paragraph, Sentence, Timeline, Transcript, Word

# --- sentences -------------------------------------------------------------------

# Tokens ending in a period that do not end a sentence. Lower-cased, without the
# final period. "etc" is absent on purpose: it usually ends the sentence it is in.
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
_CLOSE = re.escape(_CLOSERS)
_TERMINAL = re.compile(rf"(?:[.!?]+|…)[{_CLOSE}]*$")
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


# --- the speech model -------------------------------------------------------------

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")
_COMMA_AFTER = re.compile(rf"[,;:–—][{_CLOSE}]*$|^[–—-]{{1,2}}$")


def syllables(word: str) -> int:
    """A vowel-group estimate of spoken syllables; digits and acronyms are spelled."""
    letters = "".join(_LETTERS.findall(word))
    digits = len(_DIGITS.findall(word))
    if not letters:
        # "14" is two syllables, "2019" four or five: about 1.3 per digit.
        return max(1, round(digits * 1.3)) if digits else 0
    if letters.isupper() and 1 < len(letters) <= 5:
        return len(letters) + round(digits * 1.3)  # "UK", "NHS": each letter spoken
    lower = letters.lower()
    count = len(_VOWEL_GROUPS.findall(lower))
    if lower.endswith("e") and not lower.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # silent final e
    if lower.endswith("ed") and not lower.endswith(("ted", "ded")) and count > 1:
        count -= 1  # "played", not "wanted"
    return max(1, count) + round(digits * 1.3)


# Words English speakers reduce to weak forms ("of" as /əv/, "the" as /ðə/): they
# take a fraction of a stressed syllable's time, so spreading time evenly over
# syllables would give them too much.
WEAK_FORMS = frozenset(
    "a an the and but or nor so that than as at for from of to in on by with into"
    " is am are was were be been being has have had do does did can could shall should"
    " will would must may might it its i me my we us our you your he him his she her"
    " they them their this these those there which who whom what some just not".split()
)
_BARE = re.compile(r"[^\w’']+")


@dataclass(frozen=True, slots=True)
class SpeechModel:
    """Relative costs, in syllable units, of what takes time when speaking."""

    # Shapes from phonetics (weak forms, pre-boundary lengthening, pauses at
    # punctuation). Weights from the middle of the region where three measures
    # hold together: leave-one-out on the sample's scripted narration (<= 0.8 s),
    # leave-one-out on 9 unscripted lecture caption files by other speakers (no
    # worse than the sample's own optimum), and the sample's captions (>= 98% of
    # cues at or under 20 cps). bench/timing.py prints the first.
    syllable: float = 1.0
    weak_form: float = 0.25  # share of a syllable's cost in a weak-form word
    char: float = 0.2  # per character: long consonant clusters take time
    word: float = 0.0  # per-word overhead
    final_lengthening: float = 1.3  # the word before a pause is drawn out
    comma: float = 0.25  # pause after , ; : and dashes
    sentence: float = 3.0  # pause after a sentence end
    # Used only when a document has no second marker to learn its rate from
    # (the sample lecture's own pace, about 4.4 syllables a second).
    default_ms_per_unit: float = 143.0

    def costs(self, tokens: Sequence[str], ends: Sequence[bool]) -> list[tuple[float, float]]:
        """(speech, pause-after) units for each token."""
        result = []
        for token, sentence_end in zip(tokens, ends, strict=True):
            weight = self.weak_form if _BARE.sub("", token.lower()) in WEAK_FORMS else 1.0
            speech = self.syllable * weight * syllables(token) + self.char * len(token) + self.word
            if sentence_end:
                pause = self.sentence
            elif _COMMA_AFTER.search(token):
                pause = self.comma
            else:
                pause = 0.0
            if pause:
                speech *= self.final_lengthening
            result.append((speech, pause))
        return result


DEFAULT_MODEL = SpeechModel()


@dataclass(frozen=True, slots=True)
class Segmented:
    timeline: Timeline
    chunks: tuple[Chunk, ...]


def _tokens(paragraph: Paragraph) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(paragraph.text)]


def _sentence_flags(paragraphs: Sequence[Paragraph]) -> list[list[bool]]:
    """For every token, whether a sentence ends after it.

    A paragraph's last token ends a sentence only when it is punctuated as one: a
    marker can fall mid-sentence, and the sentence then runs on into the next.
    """
    flags: list[list[bool]] = []
    for paragraph in paragraphs:
        tokens = [t for _, _, t in _tokens(paragraph)]
        following = [*tokens[1:], None]
        flags.append([sentence_end_after(t, f) for t, f in zip(tokens, following, strict=True)])
    return flags


def time_paragraphs(
    paragraphs: Sequence[Paragraph], model: SpeechModel = DEFAULT_MODEL
) -> tuple[list[Word], list[bool], int, bool]:
    """Words with times, sentence-end flags, the end of speech and whether it was estimated."""
    flags = _sentence_flags(paragraphs)
    per_paragraph = []
    for paragraph, ends in zip(paragraphs, flags, strict=True):
        tokens = _tokens(paragraph)
        costs = model.costs([t for _, _, t in tokens], ends)
        per_paragraph.append((tokens, costs))
    # The document's own rate, from the paragraphs whose end is known.
    known_ms = known_units = 0.0
    for paragraph, (_, costs) in zip(paragraphs, per_paragraph, strict=True):
        if paragraph.end_ms is not None:
            known_ms += paragraph.end_ms - paragraph.start_ms
            known_units += sum(s + p for s, p in costs)
    ms_per_unit = known_ms / known_units if known_units else model.default_ms_per_unit
    words: list[Word] = []
    sentence_ends: list[bool] = []
    end_ms = 0
    estimated = False
    for paragraph, (tokens, costs), ends in zip(paragraphs, per_paragraph, flags, strict=True):
        total = sum(s + p for s, p in costs)
        if paragraph.end_ms is not None:
            end = paragraph.end_ms
        else:
            # The last pause is not spoken: the video ends with the last word.
            end = paragraph.start_ms + round((total - costs[-1][1]) * ms_per_unit)
            estimated = True
        scale = (end - paragraph.start_ms) / total if total else 0.0
        clock = float(paragraph.start_ms)
        for (start_char, end_char, text), (speech, pause) in zip(tokens, costs, strict=True):
            word_start = round(clock)
            clock += speech * scale
            word_end = max(word_start + 1, round(clock))
            clock += pause * scale
            words.append(
                Word(paragraph.index, start_char, end_char, text, word_start, min(word_end, end))
            )
        sentence_ends.extend(ends)
        end_ms = end
    return words, sentence_ends, end_ms, estimated


def build_timeline(transcript: Transcript, model: SpeechModel = DEFAULT_MODEL) -> Timeline:
    words, ends, end_ms, estimated = time_paragraphs(transcript.paragraphs, model)
    sentences = []
    first = 0
    for i, is_end in enumerate(ends):
        # A speaker change closes a sentence whatever its punctuation.
        speaker_change = (
            i + 1 < len(words)
            and words[i + 1].paragraph != words[i].paragraph
            and transcript.paragraphs[words[i + 1].paragraph].speaker
            != transcript.paragraphs[words[i].paragraph].speaker
        )
        if is_end or speaker_change or i == len(words) - 1:
            sentences.append(Sentence(first, i))
            first = i + 1
    return Timeline(transcript.doc_id, tuple(words), tuple(sentences), end_ms, estimated)


# --- chunks ---------------------------------------------------------------------

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


def segment(
    transcript: Transcript,
    model: SpeechModel = DEFAULT_MODEL,
    sizes: ChunkSizes = ChunkSizes(),  # frozen, so sharing the default is safe
) -> Segmented:
    timeline = build_timeline(transcript, model)
    chunks = make_chunks(
        transcript, timeline, min_ms=sizes.min_ms, target_ms=sizes.target_ms, max_ms=sizes.max_ms
    )
    return Segmented(timeline, chunks)


# --- accuracy -------------------------------------------------------------------


def leave_one_out(paragraphs: Sequence[Paragraph], model: SpeechModel = DEFAULT_MODEL) -> list[int]:
    """Signed errors (ms) predicting each interior marker from the others.

    Marker k is removed by merging paragraphs k-1 and k; its predicted time is
    the estimated start of the first word that followed it.
    """
    errors = []
    for k in range(1, len(paragraphs)):
        if paragraphs[k].end_ms is None:
            continue
        before, after = paragraphs[k - 1], paragraphs[k]
        merged = Paragraph(0, before.start_ms, after.end_ms, None, f"{before.text} {after.text}", 0)
        words, _, _, _ = time_paragraphs([merged], model)
        predicted = words[len(before.text.split())].start_ms
        errors.append(predicted - after.start_ms)
    return errors
