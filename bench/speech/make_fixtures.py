"""Make the speech fixtures the aligner is tested and benchmarked on.

Consumes the scripts below and espeak-ng (``apt-get install espeak-ng``; its C
library is driven through ctypes). Produces, per fixture, in ``fixtures/``:

- ``<name>.ogg``: the speech, Opus in Ogg at 16 kHz mono (small enough to commit);
- ``<name>.txt``: the transcript in course-page form, each paragraph opened by a
  ``Skip to N minutes and M seconds`` marker: the paragraph's true start, floored to
  whole seconds, as course pages give it; then, on an interview page, the speaker's
  label in capitals (``DR MAYA OSEI: ...``), which is written but not spoken, so it is
  no word of the truth (the page parser strips it from the paragraph's text too);
- ``<name>.truth.json``: every word's true start and end and every sentence's start
  (integer ms).

Truth comes from espeak-ng's own word events, which carry each word's position in
the audio it synthesises: sentences are synthesised one at a time and joined with
pauses of chosen length (some of 2-4 s, like a lecturer writing on a board), so
every word's time in the final file is known exactly. Word ends are the last
audible 10 ms frame before the next word (espeak-ng reports starts only).

Where espeak-ng would read a written token as no person would ("WHO" as the word
"who", "£12.50" as "pound twelve point five zero"), a script gives the spoken form
("W H O", "twelve pounds fifty"); the truth keeps the written token, timed from the
start of its first spoken word to the end of its last.

espeak-ng carries state from one synthesis to the next (a voice can change how the
next one sounds), so a fixture depends on what the same process spoke before it. The
first ``CHAINED`` fixtures were made one after another in one process and are kept so,
byte for byte; every later one is made in a fresh process, from its own script only.

Deterministic: same espeak-ng, same output. CI has no espeak-ng, so the outputs are
committed; run this only to change the fixtures:

    .venv/bin/python bench/speech/make_fixtures.py
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

OUT = Path(__file__).resolve().parent / "fixtures"
RATE = 16_000
# The first fixtures, made in one espeak-ng session (see the module docstring).
CHAINED = 4


@dataclass(frozen=True)
class Script:
    name: str
    voice: str
    words_per_minute: int
    title: str
    # paragraphs -> sentences -> (text, pause after in ms)
    paragraphs: tuple[tuple[tuple[str, int], ...], ...]
    # Interview pages: each paragraph's speaker label (None: the same speaker goes on,
    # no label written), and each speaker's voice (``voice`` until a label says other).
    speakers: tuple[str | None, ...] = ()
    voices: tuple[tuple[str, str], ...] = ()
    # Written token (trailing punctuation aside) -> what is said for it.
    spoken: tuple[tuple[str, str], ...] = ()


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
    Script(
        "reef-interview",
        "en-gb-x-rp",
        160,
        "Listening to coral reefs",
        (
            (
                ("Dr Osei, thank you for joining us today.", 500),
                ("Your team records the sounds that coral reefs make.", 300),
                ("Why listen to a reef at all?", 900),
            ),
            (
                ("A healthy reef is surprisingly noisy.", 400),
                (
                    "Shrimps snap their claws, fish grunt and chatter, and the whole place crackles like a fire.",
                    500,
                ),
                ("When a reef is damaged, most of that noise goes quiet.", 1100),
            ),
            (("And young fish can hear the difference?", 700),),
            (
                ("Yes, that's the surprising part.", 300),
                ("Larvae drifting in open water swim towards the sound of a living reef.", 400),
                (
                    "So we played recordings of healthy reefs through underwater speakers on patches of dead coral.",
                    2400,
                ),
            ),
            (
                (
                    "After six weeks, those patches had twice as many young fish as the silent ones.",
                    500,
                ),
                ("It isn't a cure, but it can help a damaged reef recover faster.", 900),
            ),
        ),
        speakers=("INTERVIEWER", "DR MAYA OSEI", "INTERVIEWER", "DR MAYA OSEI", None),
        voices=(("INTERVIEWER", "en-gb-x-rp"), ("DR MAYA OSEI", "en-029+f4")),
    ),
    Script(
        "vaccine-statistics",
        "en-gb-x-gbcwmd",
        165,
        "Vaccination in numbers",
        (
            (
                ("Today's topic is vaccination, in numbers.", 500),
                (
                    "In 2019, the WHO named vaccine hesitancy one of the ten biggest threats to global health.",
                    600,
                ),
                ("Measles cases rose by about 30% between 2016 and 2017.", 1000),
            ),
            (
                (
                    "In the UK, the target is for 95% of children to have both MMR doses by their 5th birthday.",
                    500,
                ),
                ("In 2022, only 84.5% of children in England did.", 400),
                ("On the 3rd of May, the UKHSA urged parents to check.", 1500),
            ),
            (
                ("Why does the gap matter?", 400),
                (
                    "Measles is so contagious that 1 infected person can pass it to 12 to 18 others.",
                    500,
                ),
                (
                    "A dose of vaccine costs the NHS less than £12.50, while a week in hospital can cost over £1,000.",
                    1200,
                ),
            ),
            (
                (
                    "Your GP should invite your child at 12 months and at 3 years and 4 months.",
                    500,
                ),
                (
                    "It's never too late to catch up.",
                    400,
                ),
                ("That's the 1st step, and probably the most important one.", 900),
            ),
        ),
        spoken=(
            ("WHO", "W H O"),
            ("UKHSA", "U K H S A"),
            ("£12.50", "twelve pounds fifty"),
            ("£1,000", "a thousand pounds"),
        ),
    ),
    Script(
        "supply-demand-board",
        "en-gb-x-gbclan",
        110,
        "Supply and demand on the board",
        (
            (
                ("Right, let's begin with a simple idea.", 600),
                ("I'll write it up on the board.", 3400),
                ("Price is set where supply meets demand.", 800),
            ),
            (
                ("Now, draw two lines.", 3200),
                ("The first one slopes down: that is demand.", 600),
                ("The second one slopes up: that is supply.", 3500),
            ),
            (
                ("The point where they cross is called the equilibrium.", 700),
                ("If the price is above it, sellers are left with stock they cannot sell.", 500),
                ("If it is below, buyers queue and the shelves go empty.", 3000),
            ),
            (
                ("Let me add one more line.", 3000),
                ("A new tax shifts the whole supply curve upwards.", 600),
                ("We will see why next week.", 600),
            ),
        ),
    ),
    Script(
        "battery-podcast",
        "en-us-nyc",
        190,
        "What is inside your phone battery",
        (
            (
                (
                    "Okay, so let's talk about what's actually inside the battery in your phone.",
                    250,
                ),
                (
                    "It's a lithium-ion cell, and it has three main parts: two electrodes and an electrolyte between them.",
                    300,
                ),
                (
                    "When you charge it, lithium ions move from one side to the other and pack themselves into layers of graphite.",
                    200,
                ),
                (
                    "When you use the phone, they flow back, and that movement drives the current.",
                    600,
                ),
            ),
            (
                ("Here's the thing most people get wrong.", 200),
                ("You don't need to let the battery run flat before charging it.", 250),
                (
                    "That advice comes from older nickel batteries, which really did lose capacity if you topped them up too often.",
                    300,
                ),
                (
                    "Lithium cells actually prefer to sit somewhere in the middle, not completely full and not completely empty.",
                    700,
                ),
            ),
            (
                ("Heat is the real enemy.", 200),
                (
                    "Leave your phone on a hot dashboard, and the chemistry inside starts to break down much faster.",
                    300,
                ),
                (
                    "Over a couple of years, that can cost you a big chunk of your battery life.",
                    800,
                ),
            ),
            (
                (
                    "So keep it cool, charge it whenever it suits you, and don't worry too much about the percentage.",
                    300,
                ),
                ("Your battery will thank you.", 800),
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
    voice = script.voice
    voices = dict(script.voices)
    for p, paragraph in enumerate(script.paragraphs):
        label = script.speakers[p] if script.speakers else None
        if label is not None:
            voice = voices[label]
        token_in_paragraph = 0
        for s, (text, pause_ms) in enumerate(paragraph):
            tokens = text.split()
            said = [_spoken(token, script.spoken) for token in tokens]
            signal, spoken_starts = espeak.say(" ".join(said), voice, script.words_per_minute)
            floor = 0.02 * float(np.sqrt(np.mean(signal**2)))
            length_ms = len(signal) * 1000 // espeak.rate
            # Each written token's first and last spoken word.
            firsts = np.cumsum([0] + [len(x.split()) for x in said]).tolist()
            starts = [spoken_starts[k] for k in firsts[:-1]]
            stops = [spoken_starts[k] if k < len(spoken_starts) else length_ms for k in firsts[1:]]
            if s == 0:
                paragraph_starts.append(clock_ms + starts[0])
            sentences.append(
                {"paragraph": p, "first_word": token_in_paragraph, "start_ms": clock_ms + starts[0]}
            )
            for i, token in enumerate(tokens):
                end = _audible_end(signal, espeak.rate, starts[i], stops[i], floor)
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
    if script.speakers:
        truth["speaker_voices"] = dict(script.voices)
        truth["paragraph_speakers"] = list(script.speakers)
    (OUT / f"{script.name}.truth.json").write_text(json.dumps(truth, indent=1) + "\n", "utf-8")
    print(
        f"{script.name}: {duration_ms / 1000:.1f} s, {len(words)} words, {len(sentences)} sentences"
    )


def _spoken(token: str, spoken: tuple[tuple[str, str], ...]) -> str:
    """What is said for a written token: its spoken form, if the script gives one,
    with the token's trailing punctuation kept (it shapes espeak-ng's phrasing)."""
    word = token.rstrip(".,:;!?")
    return dict(spoken).get(word, word) + token[len(word) :]


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
    labels = script.speakers or (None,) * len(script.paragraphs)
    for paragraph, start, label in zip(script.paragraphs, starts, labels, strict=True):
        text = " ".join(sentence for sentence, _ in paragraph)
        speaker = f"{label}: " if label else ""
        lines += [f"{_marker(start)} {speaker}{text}", ""]
    (OUT / f"{script.name}.txt").write_text("\n".join(lines), "utf-8")


def _build_alone(name: str) -> None:
    build(next(s for s in SCRIPTS if s.name == name), Espeak())


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    espeak = Espeak()
    for script in SCRIPTS[:CHAINED]:
        build(script, espeak)
    spawn = multiprocessing.get_context("spawn")
    for script in SCRIPTS[CHAINED:]:
        child = spawn.Process(target=_build_alone, args=(script.name,))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"{script.name}: the process making it failed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
