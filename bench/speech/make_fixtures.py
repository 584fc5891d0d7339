"""Make the speech fixtures the aligner is tested and benchmarked on.

Consumes the scripts below and espeak-ng (``apt-get install espeak-ng``; its C
library is driven through ctypes). Produces, per fixture, in ``fixtures/``:

- ``<name>.ogg``: the speech, Opus in Ogg at 16 kHz mono (small enough to commit);
- ``<name>.txt``: the transcript in course-page form, each paragraph opened by a
  ``Skip to N minutes and M seconds`` marker: the paragraph's true start, floored to
  whole seconds, as course pages give it;
- ``<name>.truth.json``: every word's true start and end and every sentence's start
  (integer ms).

Truth comes from espeak-ng's own word events, which carry each word's position in
the audio it synthesises: sentences are synthesised one at a time and joined with
pauses of chosen length (some of 2-4 s, like a lecturer writing on a board), so
every word's time in the final file is known exactly. Word ends are the last
audible 10 ms frame before the next word (espeak-ng reports starts only).

Deterministic: same espeak-ng, same output. CI has no espeak-ng, so the outputs are
committed; run this only to change the fixtures:

    .venv/bin/python bench/speech/make_fixtures.py
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

OUT = Path(__file__).resolve().parent / "fixtures"
RATE = 16_000


@dataclass(frozen=True)
class Script:
    name: str
    voice: str
    words_per_minute: int
    title: str
    # paragraphs -> sentences -> (text, pause after in ms)
    paragraphs: tuple[tuple[tuple[str, int], ...], ...]


SCRIPTS = (
    Script(
        "soil-lecture",
        "gmw/en",
        165,
        "Why soil matters",
        (
            (
                ("Good morning, and welcome back to the second lecture on soil science.", 700),
                ("Last week we looked at how rocks break down into small particles.", 500),
                ("Today I want to talk about what lives in those particles.", 2800),
            ),
            (
                ("Let me write the three main groups on the board.", 3400),
                ("First, there are bacteria, which recycle nitrogen and carbon.", 400),
                (
                    "Second, fungi, whose threads can stretch for 100 metres in a handful of earth.",
                    600,
                ),
                ("Third, the larger animals, such as earthworms and mites.", 1200),
            ),
            (
                (
                    "In 2019, a survey found that about 40% of farmland soils in England were degraded.",
                    500,
                ),
                ("That matters, because soil takes centuries to form.", 300),
                ("One centimetre can take 100 years or more.", 2200),
            ),
            (
                ("So what can farmers do?", 900),
                ("They can plant cover crops, reduce ploughing, and add compost.", 500),
                ("Each of these feeds the living part of the soil.", 800),
            ),
        ),
    ),
    Script(
        "nhs-history",
        "en-us",
        175,
        "The founding of the NHS",
        (
            (
                ("The National Health Service was launched on 5 July 1948.", 600),
                ("Its aim was simple: care that was free at the point of use.", 500),
                (
                    "Before then, a visit to the doctor could cost a family more than £5 a week in today's money.",
                    900,
                ),
            ),
            (
                ("The minister behind the plan was Aneurin Bevan.", 400),
                ("He had to persuade doctors, who feared losing their independence.", 300),
                ("Dr. Charles Hill, of the British Medical Association, led the opposition.", 2500),
            ),
            (
                (
                    "On the 1st day, hospitals, doctors, nurses, pharmacists and dentists were brought together.",
                    600,
                ),
                ("By the 1950s, prescription charges had been introduced.", 400),
                ("The debate about paying for care has never really stopped.", 1000),
            ),
            (
                ("Today the NHS employs about 1.5 million people.", 500),
                ("It is one of the largest employers in the world.", 700),
            ),
        ),
    ),
    Script(
        "attachment-parenting",
        "en+f3",
        150,
        "Video feedback and attachment",
        (
            (
                ("In this part of the course we look at Bowlby’s ideas about attachment.", 600),
                ("A secure attachment gives a child a safe base from which to explore.", 800),
            ),
            (
                ("One intervention that builds on this work is called VIPP.", 400),
                ("It stands for video feedback intervention to promote positive parenting.", 500),
                ("A home visitor films the parent and the baby playing together.", 3000),
            ),
            (
                ("Then, at the next visit, they watch the film together.", 500),
                (
                    "The visitor points out moments where the baby signals a need, and the parent responds.",
                    400,
                ),
                (
                    "Parents learn to co-operate with their child rather than compete for control.",
                    1500,
                ),
            ),
            (
                ("Trials with 4 to 6 sessions have shown effects on sensitive parenting.", 600),
                ("But it is not a quick fix, and families need support over time.", 900),
            ),
        ),
    ),
    Script(
        "bread-baking",
        "en-gb-scotland",
        160,
        "Baking a simple loaf",
        (
            (
                ("Right, let's make a basic white loaf.", 500),
                (
                    "You'll need 500 grams of strong flour, 7 grams of yeast, and a pinch of salt.",
                    700,
                ),
                ("Mix them in a large bowl.", 2600),
            ),
            (
                ("Now add 300 millilitres of warm water, a little at a time.", 400),
                ("The dough should feel soft, but not sticky.", 800),
                ("Knead it for about 10 minutes, until it's smooth and springy.", 3600),
            ),
            (
                ("I'll leave that to rise for an hour or so.", 500),
                ("When it has doubled in size, knock it back and shape it.", 400),
                ("Bake it at 220 degrees for 30 minutes.", 1100),
            ),
            (
                ("Tap the bottom: if it sounds hollow, it's done.", 600),
                ("Let it cool before you cut it!", 900),
            ),
        ),
    ),
)


# --- espeak-ng through ctypes --------------------------------------------------------


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_PHONEME = 0, 1, 7
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE_PARAMETER = 1


class Espeak:
    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        self.lib = ctypes.CDLL(name)
        self.rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, None, _INITIALIZE_PHONEME_EVENTS
        )
        if self.rate <= 0:
            raise RuntimeError("espeak-ng failed to initialise")
        self._samples: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, str]] = []
        self._callback = _CALLBACK(self._on_audio)  # kept referenced while in use
        self.lib.espeak_SetSynthCallback(self._callback)

    def _on_audio(self, wav: object, count: int, events: object) -> int:
        if count > 0:
            self._samples.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())  # type: ignore[arg-type]
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:  # type: ignore[index]
            e = events[i]  # type: ignore[index]
            name = bytes(e.id).split(b"\0")[0].decode("latin-1")
            self._events.append((e.type, e.text_position, e.audio_position, name))
            i += 1
        return 0

    def _synth(self, text: str) -> None:
        self._samples, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()

    def _phoneme_count(self, word: str) -> int:
        """How many phonemes espeak-ng speaks for ``word`` on its own."""
        self._synth(word)
        return max(1, sum(1 for k, _, _, n in self._events if k == _EVENT_PHONEME and n[:1] != "_"))

    def say(self, text: str, voice: str, wpm: int) -> tuple[np.ndarray, list[int]]:
        """Samples (at ``self.rate``) and the start (ms) of each whitespace token."""
        if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {voice}")
        self.lib.espeak_SetParameter(_RATE_PARAMETER, wpm, 0)
        counts = [self._phoneme_count(t.strip(".,:;!?")) for t in text.split()]
        self._synth(text)
        return np.concatenate(self._samples).astype(np.float64), self._starts(text, counts)

    def _starts(self, text: str, counts: list[int]) -> list[int]:
        """Each token's first phoneme. espeak-ng joins some function words to a
        neighbour ("on the", "of the") under one word event; the joined phonemes are
        shared out by each token's own phoneme count."""
        owner = _char_to_token(text)
        tokens = text.split()
        groups: list[tuple[int, list[int]]] = []  # (first token, phoneme times)
        for kind, position, ms, name in self._events:
            if kind == _EVENT_WORD and position > 0:
                # (espeak-ng sometimes emits a stray word event at position 0.)
                index = min(max(position - 1, 0), len(text) - 1)
                while index < len(text) and owner[index] < 0:
                    index += 1
                if index < len(text) and (not groups or owner[index] > groups[-1][0]):
                    groups.append((owner[index], []))
            elif kind == _EVENT_PHONEME and groups and not name.startswith("_"):
                groups[-1][1].append(ms)
        starts: list[int | None] = [None] * len(tokens)
        for g, (first, times) in enumerate(groups):
            last = groups[g + 1][0] if g + 1 < len(groups) else len(tokens)
            if not times or last <= first:
                continue
            at = 0
            for t in range(first, last):
                starts[t] = times[min(at, len(times) - 1)]
                at += counts[t]
        missing = [tokens[i] for i, s in enumerate(starts) if s is None]
        if missing:
            raise RuntimeError(f"espeak-ng reported no phonemes for {missing} in {text!r}")
        return [s for s in starts if s is not None]


# --- assembling a fixture ------------------------------------------------------------


def _char_to_token(text: str) -> list[int]:
    """For each character (0-based), the index of the whitespace token it is in, or -1."""
    owner = [-1] * len(text)
    token = -1
    inside = False
    for i, ch in enumerate(text):
        if ch.isspace():
            inside = False
            continue
        if not inside:
            token += 1
            inside = True
        owner[i] = token
    return owner


def _audible_end(signal: np.ndarray, rate: int, start_ms: int, stop_ms: int, floor: float) -> int:
    """End of the last 10 ms frame in [start, stop) louder than ``floor``."""
    hop = rate // 100
    first = start_ms * rate // 1000
    last = min(len(signal), stop_ms * rate // 1000)
    end = start_ms + 10
    for at in range(first, last - hop + 1, hop):
        if np.sqrt(np.mean(signal[at : at + hop] ** 2)) > floor:
            end = (at + hop) * 1000 // rate
    return min(max(end, start_ms + 10), stop_ms)


def build(script: Script, espeak: Espeak) -> None:
    rng = np.random.default_rng(sum(map(ord, script.name)))
    pieces: list[np.ndarray] = []
    clock_ms = 600  # a little room before the first word
    pieces.append(np.zeros(espeak.rate * clock_ms // 1000))
    words: list[dict[str, object]] = []
    sentences: list[dict[str, int]] = []
    paragraph_starts: list[int] = []
    for p, paragraph in enumerate(script.paragraphs):
        token_in_paragraph = 0
        for s, (text, pause_ms) in enumerate(paragraph):
            signal, starts = espeak.say(text, script.voice, script.words_per_minute)
            floor = 0.02 * float(np.sqrt(np.mean(signal**2)))
            length_ms = len(signal) * 1000 // espeak.rate
            tokens = text.split()
            if s == 0:
                paragraph_starts.append(clock_ms + starts[0])
            sentences.append(
                {"paragraph": p, "first_word": token_in_paragraph, "start_ms": clock_ms + starts[0]}
            )
            for i, token in enumerate(tokens):
                stop = starts[i + 1] if i + 1 < len(tokens) else length_ms
                end = _audible_end(signal, espeak.rate, starts[i], stop, floor)
                words.append(
                    {
                        "paragraph": p,
                        "index": token_in_paragraph,
                        "text": token,
                        "start_ms": clock_ms + starts[i],
                        "end_ms": clock_ms + end,
                    }
                )
                token_in_paragraph += 1
            pieces.append(signal)
            # Exact sample counts keep the clock and the audio in step.
            gap = np.zeros(espeak.rate * pause_ms // 1000)
            pieces.append(gap)
            clock_ms += (len(signal) + len(gap)) * 1000 // espeak.rate
            # Rounding to whole ms above must not drift: re-derive from samples.
            clock_ms = sum(len(x) for x in pieces) * 1000 // espeak.rate
    audio = np.concatenate(pieces)
    # A faint noise floor: real recordings are never digital silence.
    audio += rng.normal(0.0, 3.0, len(audio))
    pcm16 = _resample(np.clip(audio, -32768, 32767).astype(np.int16), espeak.rate)
    _write_opus(OUT / f"{script.name}.ogg", pcm16)
    duration_ms = len(pcm16) * 1000 // RATE
    _write_transcript(script, paragraph_starts)
    truth = {
        "name": script.name,
        "voice": script.voice,
        "words_per_minute": script.words_per_minute,
        "duration_ms": duration_ms,
        "paragraph_starts_ms": paragraph_starts,
        "sentences": sentences,
        "words": words,
    }
    (OUT / f"{script.name}.truth.json").write_text(json.dumps(truth, indent=1) + "\n", "utf-8")
    print(
        f"{script.name}: {duration_ms / 1000:.1f} s, {len(words)} words, {len(sentences)} sentences"
    )


def _resample(pcm: np.ndarray, rate: int) -> np.ndarray:
    frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out)


def _write_opus(path: Path, pcm: np.ndarray) -> None:
    # bitexact: no random stream serial number, so the file is reproducible.
    with av.open(str(path), "w", format="ogg", options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libopus", rate=RATE)
        stream.bit_rate = 20_000
        stream.layout = "mono"
        step = 960
        for at in range(0, len(pcm), step):
            chunk = pcm[at : at + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = at
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _marker(ms: int) -> str:
    minutes, seconds = divmod(ms // 1000, 60)
    m = "minute" if minutes == 1 else "minutes"
    s = "second" if seconds == 1 else "seconds"
    return f"Skip to {minutes} {m} and {seconds} {s}"


def _write_transcript(script: Script, starts: list[int]) -> None:
    lines = [script.title, ""]
    for paragraph, start in zip(script.paragraphs, starts, strict=True):
        text = " ".join(sentence for sentence, _ in paragraph)
        lines += [f"{_marker(start)} {text}", ""]
    (OUT / f"{script.name}.txt").write_text("\n".join(lines), "utf-8")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    espeak = Espeak()
    for script in SCRIPTS:
        build(script, espeak)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
