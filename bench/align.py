"""Accuracy and cost of audio alignment against the text-only model of speech.

Consumes the committed fixtures in ``bench/speech/fixtures/`` (audio, page-format
transcript, word truth). For each fixture and each condition (clean; white and
pink noise at 20 dB SNR; a synthetic music bed at the same level; all generated
deterministically with a seeded RNG), times every word with the aligner and with
the text-only model, and prints, for sentence starts and word starts, the
absolute error: mean, median, p90, max and the share within 0.1/0.25/0.5 s
(words of paragraphs the aligner gave up on count as outside every bound). Then
the aligner's CPU seconds per audio minute and the peak memory of this process,
and whether each fixture's audio with another fixture's transcript is reported as
a mismatch.

    .venv/bin/python bench/align.py
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.ingest import read_transcript
from pipeline.model import Paragraph
from pipeline.timing.align import Aligner, Audio, ParagraphText, decode_audio

try:
    from pipeline.segment import time_paragraphs
except ImportError:  # after the package is restructured
    from pipeline.timing.speech import time_paragraphs  # type: ignore[import-not-found,no-redef]

FIXTURES = Path(__file__).resolve().parent / "speech" / "fixtures"
SNR_DB = 20.0
BOUNDS_MS = (100, 250, 500)


@dataclass(frozen=True)
class Fixture:
    name: str
    audio: Audio
    paragraphs: tuple[Paragraph, ...]
    truth_words: tuple[int, ...]  # start ms of every token, in transcript order
    sentence_words: tuple[int, ...]  # index of the first token of every sentence
    speech: np.ndarray  # mask of samples inside true words


def load(name: str) -> Fixture:
    truth = json.loads((FIXTURES / f"{name}.truth.json").read_text("utf-8"))
    audio = decode_audio(FIXTURES / f"{name}.ogg")
    transcript = read_transcript(FIXTURES / f"{name}.txt", duration_ms=audio.duration_ms)
    words = truth["words"]
    tokens = [t for p in transcript.paragraphs for t in p.text.split()]
    if [w["text"] for w in words] != tokens:
        raise SystemExit(f"{name}: transcript and truth disagree on the words")
    first_of = {(w["paragraph"], w["index"]): k for k, w in enumerate(words)}
    sentences = tuple(first_of[(s["paragraph"], s["first_word"])] for s in truth["sentences"])
    mask = np.zeros(len(audio.samples) // 2, dtype=bool)
    for w in words:
        mask[w["start_ms"] * 16 : w["end_ms"] * 16] = True
    return Fixture(
        name,
        audio,
        transcript.paragraphs,
        tuple(w["start_ms"] for w in words),
        sentences,
        mask,
    )


# --- conditions ---------------------------------------------------------------------


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    """1/f noise: white noise shaped in the frequency domain (a power-of-two FFT
    keeps the memory small)."""
    size = 1 << max(1, (n - 1).bit_length())
    spectrum = np.fft.rfft(rng.standard_normal(size))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    return np.fft.irfft(spectrum / np.sqrt(f), size)[:n]


def _music(rng: np.random.Generator, n: int, rate: int = 16_000) -> np.ndarray:
    """Sine-tone chords with a few harmonics, a new chord every two seconds."""
    roots = [220.0, 246.9, 261.6, 293.7, 329.6, 349.2, 392.0]
    t = np.arange(n) / rate
    out = np.zeros(n)
    chord_len = 2 * rate
    for start in range(0, n, chord_len):
        root = roots[int(rng.integers(len(roots)))]
        seg = slice(start, min(n, start + chord_len))
        envelope = np.minimum(1.0, np.minimum(t[seg] - t[start], 0.1) * 10)
        for ratio in (1.0, 1.26, 1.5, 2.0):
            for harmonic, weight in ((1, 1.0), (2, 0.4), (3, 0.2)):
                out[seg] += weight * envelope * np.sin(2 * np.pi * root * ratio * harmonic * t[seg])
    return out


def with_background(fixture: Fixture, kind: str) -> Audio:
    samples = np.frombuffer(fixture.audio.samples, dtype="<i2").astype(np.float64)
    if kind == "clean":
        return fixture.audio
    rng = np.random.default_rng(sum(map(ord, fixture.name + kind)))
    n = len(samples)
    background = {
        "white": lambda: rng.standard_normal(n),
        "pink": lambda: _pink(rng, n),
        "music": lambda: _music(rng, n),
    }[kind]()
    speech_power = float(np.mean(samples[fixture.speech] ** 2))
    scale = np.sqrt(speech_power / 10 ** (SNR_DB / 10) / float(np.mean(background**2)))
    mixed = np.clip(samples + background * scale, -32768, 32767).astype("<i2")
    return Audio(mixed.tobytes(), fixture.audio.sample_rate)


# --- measuring ----------------------------------------------------------------------


def paragraph_texts(fixture: Fixture) -> list[ParagraphText]:
    return [
        ParagraphText(p.index, p.start_ms, p.end_ms, tuple(p.text.split()))
        for p in fixture.paragraphs
    ]


def stats(errors: list[int | None]) -> str:
    found = [abs(e) for e in errors if e is not None]
    n = len(errors)
    if not found:
        return f"{n:5d}  (nothing aligned)"
    within = [sum(e <= b for e in found) / n for b in BOUNDS_MS]
    p90 = float(np.percentile(found, 90))
    return (
        f"{n:5d} {statistics.mean(found) / 1000:6.3f} {statistics.median(found) / 1000:6.3f}"
        f" {p90 / 1000:6.3f} {max(found) / 1000:6.2f}"
        + "".join(f" {w * 100:6.1f}%" for w in within)
        + f" {n - len(found):5d}"
    )


def main() -> int:
    names = sorted(p.name[: -len(".truth.json")] for p in FIXTURES.glob("*.truth.json"))
    fixtures = [load(n) for n in names]
    aligner = Aligner()
    header = (
        f"{'method':9} {'condition':9} {'what':9} {'n':>5} {'mean':>6} {'median':>6}"
        f" {'p90':>6} {'max':>6} {'<=0.1s':>7} {'<=0.25s':>7} {'<=0.5s':>7} {'unal.':>5}"
    )
    print("absolute error of starts, seconds; all fixtures pooled")
    print(header)
    cpu = 0.0
    audio_ms = 0
    rows: dict[tuple[str, str], tuple[list[int | None], list[int | None]]] = {}
    text_words: list[int | None] = []
    text_sentences: list[int | None] = []
    for fixture in fixtures:
        words, _, _, _ = time_paragraphs(fixture.paragraphs)
        text_words += [w.start_ms - t for w, t in zip(words, fixture.truth_words, strict=True)]
        text_sentences += [
            words[k].start_ms - fixture.truth_words[k] for k in fixture.sentence_words
        ]
    per_fixture: list[str] = []
    for condition in ("clean", "white", "pink", "music"):
        all_words: list[int | None] = []
        all_sentences: list[int | None] = []
        for fixture in fixtures:
            audio = with_background(fixture, condition)
            began = time.process_time()
            result = aligner.align(audio, paragraph_texts(fixture))
            cpu += time.process_time() - began
            audio_ms += audio.duration_ms
            times: list[int | None] = []
            for paragraph, text in zip(result.paragraphs, paragraph_texts(fixture), strict=True):
                if paragraph.times is None:
                    times += [None] * len(text.tokens)
                else:
                    times += [start for start, _ in paragraph.times]
            errors = [
                None if t is None else t - truth
                for t, truth in zip(times, fixture.truth_words, strict=True)
            ]
            all_words += errors
            all_sentences += [errors[k] for k in fixture.sentence_words]
            failed = [p.index for p in result.paragraphs if p.times is None]
            per_fixture.append(
                f"  {condition:6} {fixture.name:22} sentences {stats([errors[k] for k in fixture.sentence_words])}"
                + (f"  failed paragraphs {failed}" if failed else "")
                + (f"  MISMATCH: {result.mismatch}" if result.mismatch else "")
            )
        rows[("aligner", condition)] = (all_sentences, all_words)
    for (method, condition), (sentences, words) in rows.items():
        print(f"{method:9} {condition:9} {'sentences':9} {stats(sentences)}")
        print(f"{method:9} {condition:9} {'words':9} {stats(words)}")
    print(f"{'text':9} {'any':9} {'sentences':9} {stats(text_sentences)}")
    print(f"{'text':9} {'any':9} {'words':9} {stats(text_words)}")
    print()
    print(
        f"aligner cost: {cpu / (audio_ms / 60_000):.2f} CPU-s per audio minute"
        f" ({cpu:.1f} CPU-s for {audio_ms / 60_000:.1f} min)"
    )
    print(
        f"peak memory (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print()
    print("per fixture (sentence starts):")
    for line in per_fixture:
        print(line)
    print()
    # A document with one marker for all of its speech: every fixture joined,
    # three times over, as a single paragraph (aligned in pieces).
    joined = [f for _ in range(3) for f in fixtures]
    samples = b"".join(f.audio.samples for f in joined)
    truth: list[int] = []
    offset = 0
    for f in joined:
        truth += [t + offset for t in f.truth_words]
        offset += f.audio.duration_ms
    tokens = tuple(t for f in joined for p in paragraph_texts(f) for t in p.tokens)
    long_audio = Audio(samples)
    began = time.process_time()
    result = aligner.align(long_audio, [ParagraphText(0, 0, None, tokens)])
    spent = time.process_time() - began
    times = result.paragraphs[0].times
    errors: list[int | None] = (
        [None] * len(truth)
        if times is None
        else [s - t for (s, _), t in zip(times, truth, strict=True)]
    )
    print(
        f"one {long_audio.duration_ms / 60_000:.1f}-minute paragraph:"
        f" {spent / (long_audio.duration_ms / 60_000):.2f} CPU-s per audio minute;"
        f" words {stats(errors)}"
    )
    print(
        f"peak memory after it: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print()
    print("wrong media (each fixture's audio with the next fixture's transcript):")
    for k, fixture in enumerate(fixtures):
        other = fixtures[(k + 1) % len(fixtures)]
        result = aligner.align(fixture.audio, paragraph_texts(other))
        aligned = sum(p.times is not None for p in result.paragraphs)
        verdict = f"mismatch: {result.mismatch}" if result.mismatch else "NOT DETECTED"
        print(f"  {fixture.name} + {other.name}.txt: {aligned} aligned, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
