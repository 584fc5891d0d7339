"""The speech model: time spread over a paragraph's words from its text alone.

Each word costs its syllables and letters (weak-form words less, the word before a
pause more), and punctuation adds a pause; the markers around a paragraph scale those
costs to its real duration. It is the fallback timing source, used where neither
the audio nor a caption file's own cue times place the words. ``leave_one_out``
measures how well it predicts a marker it was not given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

from pipeline.model import Paragraph, Word
from pipeline.timing.sentences import CLOSE, sentence_flags, tokens

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[A-Za-z]")
_COMMA_AFTER = re.compile(rf"[,;:–—][{CLOSE}]*$|^[–—-]{{1,2}}$")


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

    def __reduce__(self) -> tuple[type[SpeechModel], tuple[float, ...]]:
        """Pickled as its constructor's arguments: compiled (pipeline/native.py), a
        frozen class cannot have its fields set one by one, as pickle would."""
        return SpeechModel, tuple(getattr(self, f.name) for f in fields(self))

    def costs(self, tokens: Sequence[str], ends: Sequence[bool]) -> list[tuple[float, float]]:
        """(speech, pause-after) units for each token."""
        result = []
        for token, sentence_end in zip(tokens, ends, strict=True):
            weak, count, comma = _features(token)
            weight = self.weak_form if weak else 1.0
            speech = self.syllable * weight * count + self.char * len(token) + self.word
            if sentence_end:
                pause = self.sentence
            elif comma:
                pause = self.comma
            else:
                pause = 0.0
            if pause:
                speech *= self.final_lengthening
            result.append((speech, pause))
        return result


DEFAULT_MODEL = SpeechModel()


@lru_cache(maxsize=1 << 16)
def _features(token: str) -> tuple[bool, int, bool]:
    """(weak form, syllables, pause after) of a token: words repeat, so once each."""
    weak = _BARE.sub("", token.lower()) in WEAK_FORMS
    return weak, syllables(token), _COMMA_AFTER.search(token) is not None


def spread(
    texts: Sequence[str],
    ends: Sequence[bool],
    start_ms: int,
    end_ms: int,
    model: SpeechModel = DEFAULT_MODEL,
    *,
    costs: Sequence[tuple[float, float]] | None = None,
) -> list[tuple[int, int]]:
    """(start_ms, end_ms) of each token when ``texts`` are spoken from start to end;
    ``costs`` are ``model.costs(texts, ends)`` when the caller has them."""
    if costs is None:
        costs = model.costs(texts, ends)
    total = sum(s + p for s, p in costs)
    scale = (end_ms - start_ms) / total if total else 0.0
    clock = float(start_ms)
    times = []
    for speech, pause in costs:
        word_start = round(clock)
        clock += speech * scale
        word_end = max(word_start + 1, round(clock))
        clock += pause * scale
        times.append((word_start, min(word_end, end_ms)))
    return times


def units(texts: Sequence[str], ends: Sequence[bool], model: SpeechModel = DEFAULT_MODEL) -> float:
    """How long the tokens take to say, in the model's units."""
    return sum(s + p for s, p in model.costs(texts, ends))


def spoken_units(
    texts: Sequence[str], ends: Sequence[bool], model: SpeechModel = DEFAULT_MODEL
) -> float:
    """The units up to the last word's end: the pause after it is not spoken."""
    costs = model.costs(texts, ends)
    return sum(s + p for s, p in costs) - (costs[-1][1] if costs else 0.0)


def time_paragraphs(
    paragraphs: Sequence[Paragraph], model: SpeechModel = DEFAULT_MODEL
) -> tuple[list[Word], list[bool], int, bool]:
    """Words timed by the model alone between markers, sentence-end flags, the end of
    speech and whether it was estimated."""
    flags = sentence_flags(paragraphs)
    texts = [[t for _, _, t in tokens(p)] for p in paragraphs]
    # The document's own rate, from the paragraphs whose end is known.
    known_ms = known_units = 0.0
    for paragraph, words_, ends in zip(paragraphs, texts, flags, strict=True):
        if paragraph.end_ms is not None:
            known_ms += paragraph.end_ms - paragraph.start_ms
            known_units += units(words_, ends, model)
    ms_per_unit = known_ms / known_units if known_units else model.default_ms_per_unit
    words: list[Word] = []
    sentence_ends: list[bool] = []
    end_ms = 0
    estimated = False
    for paragraph, words_, ends in zip(paragraphs, texts, flags, strict=True):
        if paragraph.end_ms is not None:
            end = paragraph.end_ms
        else:
            # The last pause is not spoken: the video ends with the last word.
            end = paragraph.start_ms + round(spoken_units(words_, ends, model) * ms_per_unit)
            estimated = True
        times = spread(words_, ends, paragraph.start_ms, end, model)
        for (start_char, end_char, text), (start, stop) in zip(
            tokens(paragraph), times, strict=True
        ):
            words.append(Word(paragraph.index, start_char, end_char, text, start, stop))
        sentence_ends.extend(ends)
        end_ms = end
    return words, sentence_ends, end_ms, estimated


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
