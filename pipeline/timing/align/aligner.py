"""Aligner: Audio + the transcript's paragraphs -> a time for every word.

Consumes ``Audio`` (16 kHz mono int16) and ``ParagraphText`` (each paragraph's
whitespace tokens and its marker times). Produces an ``Alignment``: per paragraph,
one (start_ms, end_ms) per token, or None with the reason it could not be aligned;
and ``mismatch`` when the media is not the one the transcript was made from.

How: each paragraph is forced-aligned with pocketsphinx against a grammar that is
one chain of its words (numbers, acronyms and the like may be read several ways;
see normalise.py), inside a window of audio from about a second before its marker
to a second past the next one. Windows keep the cost linear in the length of the
video; a paragraph longer than 2.5 minutes is aligned in pieces for the same
reason. The grammar also accepts a few words of the neighbouring paragraphs at
its edges, because whole-second markers let a window hold the end of the previous
paragraph and the start of the next; without them, the paragraph's first word
would swallow the end of the one before. Pauses may hold silence, noise or
untranscribed sound, and are likely only where the text is punctuated.

Failure: a paragraph fails when the grammar cannot be followed, a word would last
implausibly long, its words fit the audio badly, or its speech is pressed against
the window's edge (a wrong marker); it is then retried in wider windows (3 s,
then 8 s) and finally reported with its reason, alone. The whole alignment is a
mismatch when half the paragraphs fail, the typical paragraph fits badly, much of
the typical paragraph's loud audio is left to silence and fillers by its words,
or half the markers lie beyond the end of the audio.

Determinism: every window is decoded on its own, with batch cepstral
normalisation and the model's adaptive noise removal turned off, so a result
depends only on its input, not on what was aligned before.
"""

from __future__ import annotations

import math
import operator
import os
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from pocketsphinx import Decoder

from pipeline.timing.align.media import SAMPLE_RATE, Audio
from pipeline.timing.align.normalise import Pronouncer, Spoken, transcript_forms

FRAME_MS = 10  # pocketsphinx's frame rate: 100 frames a second

# Beams: the grammar is a single chain, so exploring all of it is cheap, and
# default beams prune the right path away on voices the model fits badly
# ("Final result does not match the grammar"). -1 lifts the per-frame limits.
_BEAMS = {
    "beam": 1e-200,
    "pbeam": 1e-200,
    "wbeam": 1e-200,
    "lpbeam": 1e-200,
    "lponlybeam": 1e-200,
    "maxhmmpf": -1,
    "maxwpf": -1,
}
# Windows start this long before a paragraph's marker (markers are floored to
# whole seconds, and people start speaking a little before the cut they time)
# and end this long after the next marker; a failed paragraph is retried with
# the wider margin and more neighbouring words.
_MARGINS_MS = (1_000, 3_000, 8_000)
_CONTEXT_WORDS = (4, 10, 25)
# Paragraphs longer than this are aligned in pieces of about _PIECE_MS (see
# _align_paragraph); each piece's window reaches this far past its estimate.
_LONG_MS = 150_000
_PIECE_MS = 60_000
_PIECE_SLACK_MS = 10_000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
# Words pressed against a window's edge were probably cut off by it: the marker
# is off, so the paragraph is tried again in a wider window.
_EDGE_MS = 30
# Pauses: likely where the text is punctuated, possible but unlikely elsewhere.
# A cheap pause between any two words lets short words ("the", "but", "I") slip
# into the silence before them; an expensive one still wins over a long
# hesitation, whose acoustic evidence grows with its length.
_PAUSE_AT_PUNCTUATION = 0.5
_PAUSE_ELSEWHERE = 0.002
_PAUSE_AT_EDGES = 0.9
# The price of using a neighbouring paragraph's words at the window's edges.
_CONTEXT_ENTRY = 1e-4
# What a pause may hold: silence, noise (breaths, clicks) and sounds no transcript
# writes down (fillers, music under a pause). Without the last, a music bed in a
# long pause fits a vowel better than silence and stretches a word over it.
_PAUSE_FILLERS = ("<sil>", "[NOISE]", "[SPEECH]")
_PUNCTUATED = re.compile(r"[.,;:!?…)\]\"”’–—-]+$")
# A word longer than this has swallowed a pause, music or the wrong speech.
_WORD_BASE_MS = 1_200
_WORD_PER_PHONE_MS = 150
# Acoustic fit: the mean per-frame acoustic score of the paragraph's words, in
# nats, relative to the best-scoring model state in each frame (pocketsphinx
# normalises every frame so), hence comparable across recordings and levels.
# 0 would be a perfect fit: a free phone loop over the same frames scores -1 to
# +0.3, so this is already a goodness-of-pronunciation score and decoding a phone
# loop as a reference (tried: 2-3x the cost) adds nothing. Measured on the fixtures: the right text scores
# -2.0 to -4.0 (clean, noisy and music bed alike; synthetic voices fit the model
# worse than people do, so real speech should score higher), another text in
# the same audio -5.5 to -8.4, even in the widest retry window.
_MIN_FIT = -5.0
# The media is not the transcript's when most paragraphs fail, or the typical
# paragraph fits badly.
_MISMATCH_FAILED_SHARE = 0.5
_MISMATCH_FIT = -4.75
_MISMATCH_UNEXPLAINED = 0.25
_LOUD_RANGE_DB = 15.0
_FRAME_SAMPLES = 160  # 10 ms at 16 kHz: the recogniser's frame
_TINY = 1e-300
_SCORE_SHIFT = 1024


@dataclass(frozen=True, slots=True)
class ParagraphText:
    """A paragraph to align: its tokens as written and its marker times.

    ``start_ms`` is the marker (whole seconds, floored); ``end_ms`` the next
    paragraph's marker, None for the last.
    """

    index: int
    start_ms: int
    end_ms: int | None
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParagraphAlignment:
    """Where the audio says a paragraph's tokens are.

    ``times`` has one (start_ms, end_ms) per token, non-decreasing; None when the
    paragraph could not be aligned, and ``reason`` then says why.
    ``speech_start_ms`` is where its first word starts in the audio.
    """

    index: int
    times: tuple[tuple[int, int], ...] | None
    reason: str | None = None
    speech_start_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Alignment:
    """Every paragraph's alignment; ``mismatch`` says why the media does not match
    the transcript at all (and then no paragraph is aligned)."""

    paragraphs: tuple[ParagraphAlignment, ...]
    mismatch: str | None = None


# --- the grammar ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Edge:
    src: int
    dst: int
    word: str | None  # None: a null transition
    token: int | None  # the paragraph token this word belongs to, None for context
    probability: float = 1.0


@dataclass(slots=True)
class _Graph:
    """A word graph in the making; state 0 starts it."""

    edges: list[_Edge]
    pauses: list[tuple[int, float]]
    states: int = 1

    def new_state(self) -> int:
        self.states += 1
        return self.states - 1

    def add_token(self, src: int, forms: tuple[Spoken, ...], token: int | None) -> int:
        """Paths from ``src`` through each way of saying a token; returns the end state."""
        dst = self.new_state()
        if not forms:
            self.edges.append(_Edge(src, dst, None, token))
        for form in forms:
            here = src
            for k, word in enumerate(form):
                there = dst if k == len(form) - 1 else self.new_state()
                self.edges.append(_Edge(here, there, word, token))
                here = there
        return dst


@dataclass(frozen=True, slots=True)
class _Span:
    """Tokens aligned in one grammar (a paragraph, or a piece of a long one), with
    where they are expected and the words around them."""

    start_ms: int
    end_ms: int
    tokens: tuple[str, ...]
    forms: tuple[tuple[Spoken, ...], ...]
    before: tuple[tuple[Spoken, ...], ...]
    after: tuple[tuple[Spoken, ...], ...]


@dataclass(frozen=True, slots=True)
class _Evidence:
    """How well the audio supports a paragraph's alignment (see _MIN_FIT and
    _unexplained)."""

    fit: float
    unexplained: float


@dataclass(frozen=True, slots=True)
class _Word:
    word: str
    token: int | None
    start_frame: int
    end_frame: int  # inclusive
    ascore: float


class Aligner:
    """Forced alignment of transcripts against their audio.

    Construct once per process: it loads the acoustic model and the dictionary
    (about 0.1 CPU-s and 30 MB; 100 MB while aligning). ``align`` is
    deterministic and keeps no state between calls that affects its results.
    """

    def __init__(self) -> None:
        self._decoder = Decoder(
            lm=None,
            fsgusefiller=False,  # pauses are placed by the grammar, see _PAUSE_*
            fsgusealtpron=True,
            cmn="batch",
            bestpath=False,  # the lattice pass may pick a path that ends off the grammar
            logfn=os.devnull,
            loglevel="FATAL",
            **_BEAMS,
        )
        # The model's feat.params turn on noise removal, whose running noise
        # estimate carries from one window into the next and made a paragraph's
        # times depend on what was aligned before. The setting only takes effect
        # through reinit_feat (the model's file overrides constructor arguments).
        self._decoder.config["remove_noise"] = False
        self._decoder.reinit_feat()
        self._pronouncer = Pronouncer(self._decoder.lookup_word)
        self._searches = 0

    # --- public ----------------------------------------------------------------------

    def align(self, audio: Audio, paragraphs: Sequence[ParagraphText]) -> Alignment:
        """Time every token of ``paragraphs`` in ``audio``."""
        if audio.sample_rate != SAMPLE_RATE:
            raise ValueError(f"the aligner needs {SAMPLE_RATE} Hz audio, not {audio.sample_rate}")
        forms = [transcript_forms(p.tokens) for p in paragraphs]
        self._register(forms)
        results: list[ParagraphAlignment] = []
        evidence: list[_Evidence] = []
        for i, _paragraph in enumerate(paragraphs):
            result, found = self._align_paragraph(audio, paragraphs, forms, i)
            results.append(result)
            if found is not None:
                evidence.append(found)
        results = _monotonic(results)
        mismatch = _mismatch(paragraphs, results, evidence, audio.duration_ms)
        if mismatch:
            results = [
                ParagraphAlignment(r.index, None, "the media does not match the transcript", None)
                for r in results
            ]
        return Alignment(tuple(results), mismatch)

    # --- one paragraph ---------------------------------------------------------------

    def _align_paragraph(
        self,
        audio: Audio,
        paragraphs: Sequence[ParagraphText],
        forms: list[tuple[tuple[Spoken, ...], ...]],
        i: int,
    ) -> tuple[ParagraphAlignment, _Evidence | None]:
        paragraph = paragraphs[i]
        if not any(forms[i]):
            silent = tuple((paragraph.start_ms, paragraph.start_ms) for _ in paragraph.tokens)
            return ParagraphAlignment(paragraph.index, silent, None, None), None
        if paragraph.start_ms >= audio.duration_ms:
            reason = "its marker is after the end of the audio"
            return ParagraphAlignment(paragraph.index, None, reason, None), None
        start = paragraph.start_ms
        end = paragraph.end_ms if paragraph.end_ms is not None else audio.duration_ms
        end = min(audio.duration_ms, max(end, start))
        before = _first_readings(forms[i - 1]) if i > 0 else ()
        after = _first_readings(forms[i + 1]) if i + 1 < len(forms) else ()
        pieces = _pieces(paragraph.tokens, end - start)
        times: list[tuple[int, int]] = []
        found: list[_Evidence] = []
        anchor = start
        for k, (first, last) in enumerate(pieces):
            if k + 1 < len(pieces):
                # A long paragraph is aligned piece by piece, each from where the
                # one before ended: cost and memory grow faster than linearly with
                # a grammar's length. The window reaches well past the piece's
                # share of the paragraph (speaking rates vary); what lies beyond
                # its words is absorbed by the next piece's words and fillers.
                share = _weight(paragraph.tokens[first:last]) / _weight(paragraph.tokens)
                piece_end = min(end, anchor + round(share * (end - start) * 1.5) + _PIECE_SLACK_MS)
            else:
                piece_end = end
            span = _Span(
                anchor,
                piece_end,
                paragraph.tokens[first:last],
                forms[i][first:last],
                before + _first_readings(forms[i][:first]),
                _first_readings(forms[i][last:]) + after,
            )
            piece, evidence, reason = self._align_span(audio, span)
            if piece is None:
                where = f" (in its part {k + 1} of {len(pieces)})" if len(pieces) > 1 else ""
                failed = ParagraphAlignment(paragraph.index, None, f"{reason}{where}", None)
                return failed, evidence
            times += piece
            if evidence is not None:
                found.append(evidence)
            anchor = piece[-1][1]
        # Only the last piece's window ends where the paragraph does; the others
        # reach into speech that is not theirs on purpose, so their share of
        # unexplained audio says nothing.
        overall = _Evidence(statistics.fmean(e.fit for e in found), found[-1].unexplained)
        return ParagraphAlignment(paragraph.index, tuple(times), None, times[0][0]), overall

    def _align_span(
        self, audio: Audio, span: _Span
    ) -> tuple[tuple[tuple[int, int], ...] | None, _Evidence | None, str]:
        """Times for a span's tokens, how well the audio supports them, and why it
        failed (if it did), trying ever wider windows."""
        reason = "no result"
        best: _Evidence | None = None
        for margin, context in zip(_MARGINS_MS, _CONTEXT_WORDS, strict=True):
            window_start = max(0, span.start_ms - margin)
            window_end = min(audio.duration_ms, span.end_ms + margin)
            before = list(span.before[-context:]) if context else []
            after = list(span.after[:context])
            graph, final = self._graph(span.tokens, span.forms, before, after)
            decoded = self._decode(audio, window_start, window_end, graph, final)
            if decoded is None:
                reason = (
                    "its words could not be followed through its stretch of the audio"
                    " (silence, music or other speech there?)"
                )
                continue
            words, unexplained = decoded
            times, fit, problem = self._check(span.tokens, span.forms, words, window_start)
            if problem is None and times is not None:
                problem = _at_edge(times, window_start, window_end, audio.duration_ms)
            evidence = _Evidence(fit, unexplained)
            if best is None or fit > best.fit:
                best = evidence
            if problem is None and times is not None:
                return times, evidence, ""
            reason = problem or reason
        return None, best, reason

    def _graph(
        self,
        tokens: tuple[str, ...],
        forms: tuple[tuple[Spoken, ...], ...],
        before: list[tuple[Spoken, ...]],
        after: list[tuple[Spoken, ...]],
    ) -> tuple[_Graph, int]:
        graph = _Graph([], [(0, _PAUSE_AT_EDGES)])
        # Optional tail of the previous paragraph: enter it at any word.
        entries = []
        state = 0
        for token_forms in before:
            entries.append(state)
            state = graph.add_token(state, token_forms, None)
        first = state
        if before:
            # Entered at cost only, so a neighbour's word must be heard to be used:
            # free, it would take the start of the paragraph's own first word.
            graph.edges = [
                _Edge(0, e.dst, e.word, e.token, _CONTEXT_ENTRY) if e.src == 0 else e
                for e in graph.edges
            ]
            for entry in entries[1:]:
                graph.edges.append(_Edge(0, entry, None, None, _CONTEXT_ENTRY))
            graph.edges.append(_Edge(0, first, None, None))
            graph.pauses.append((first, _PAUSE_AT_EDGES))
        # The paragraph itself: every token, in order.
        state = first
        for t, token_forms in enumerate(forms):
            state = graph.add_token(state, token_forms, t)
            if t + 1 < len(forms):
                punctuated = _PUNCTUATED.search(tokens[t]) is not None
                pause = _PAUSE_AT_PUNCTUATION if punctuated else _PAUSE_ELSEWHERE
                graph.pauses.append((state, pause))
        last = state
        graph.pauses.append((last, _PAUSE_AT_EDGES))
        # Optional head of the next paragraph: leave it after any word.
        final = graph.new_state()
        graph.edges.append(_Edge(last, final, None, None))
        if after:
            state = graph.new_state()
            graph.edges.append(_Edge(last, state, None, None, _CONTEXT_ENTRY))
            for token_forms in after:
                state = graph.add_token(state, token_forms, None)
                graph.edges.append(_Edge(state, final, None, None))
        graph.pauses.append((final, _PAUSE_AT_EDGES))
        return graph, final

    def _decode(
        self, audio: Audio, start_ms: int, end_ms: int, graph: _Graph, final: int
    ) -> tuple[list[_Word], float] | None:
        """The words recognised in the window, by grammar edge, and the share of its
        loud frames that no word explains (see _unexplained)."""
        decoder = self._decoder
        # A fresh search per window (a replaced one may keep state), the previous
        # one removed once it is no longer active.
        self._searches += 1
        name = f"window{self._searches}"
        fsg = decoder.create_fsg(
            name,
            0,
            final,
            [
                (e.src, e.dst, e.probability, e.word) if e.word else (e.src, e.dst, e.probability)
                for e in graph.edges
            ],
        )
        for state, probability in graph.pauses:
            for filler in _PAUSE_FILLERS:
                fsg.add_silence(filler, state, probability)
        decoder.add_fsg(name, fsg)
        decoder.activate_search(name)
        if self._searches > 1:
            decoder.remove_search(f"window{self._searches - 1}")
        first = start_ms * audio.sample_rate // 1000 * 2
        last = end_ms * audio.sample_rate // 1000 * 2
        window = audio.samples[first:last]
        decoder.start_utt()
        decoder.process_raw(window, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        segments = (
            [(s.word, s.start_frame, s.end_frame, s.ascore) for s in decoder.seg()]
            if hypothesis is not None
            else []
        )
        if not segments:
            return None
        words = _parse(graph, final, segments)
        if words is None:
            return None
        return words, _unexplained(window, segments)

    def _check(
        self,
        tokens: tuple[str, ...],
        forms: tuple[tuple[Spoken, ...], ...],
        words: list[_Word],
        window_start: int,
    ) -> tuple[tuple[tuple[int, int], ...] | None, float, str | None]:
        """Token times from the decoded words, the paragraph's acoustic fit, and
        what is wrong with the result (None when it is usable)."""
        spans: dict[int, tuple[int, int]] = {}
        phones: dict[int, int] = {}
        score = 0.0
        frames = 0
        for w in words:
            if w.token is None:
                continue
            begin = window_start + w.start_frame * FRAME_MS
            end = window_start + (w.end_frame + 1) * FRAME_MS
            known = spans.get(w.token)
            spans[w.token] = (known[0], end) if known else (begin, end)
            phones[w.token] = phones.get(w.token, 0) + len(self._pronouncer.phones(w.word).split())
            # The Python API reports exp() of pocketsphinx's internal score, which
            # is scaled down (by 2**10, it appears: ×1024 gives the few nats per
            # frame expected of speech); the thresholds below are in these units.
            score += math.log(max(w.ascore, _TINY)) * _SCORE_SHIFT
            frames += w.end_frame - w.start_frame + 1
        fit = score / frames if frames else -math.inf
        times: list[tuple[int, int]] = []
        clock = window_start
        for t in range(len(tokens)):
            if t in spans:
                begin, end = spans[t]
                begin = max(begin, clock)
                times.append((begin, max(begin, end)))
                clock = max(begin, end)
            elif forms[t]:
                return None, fit, "some of its words were not found in the audio"
            else:
                times.append((clock, clock))  # a silent token ("–") takes no time
        # Silent tokens before the first spoken one belong with it, not with the
        # window's start.
        first_spoken = min(spans)
        onset = times[first_spoken][0]
        times[:first_spoken] = [(onset, onset)] * first_spoken
        # Silent tokens between words ("[WRITES ON BOARD]") share out the gap.
        t = first_spoken + 1
        while t < len(tokens):
            if t in spans:
                t += 1
                continue
            run_end = t
            while run_end < len(tokens) and run_end not in spans:
                run_end += 1
            if run_end < len(tokens):
                gap_start, gap_end = times[t - 1][1], times[run_end][0]
                step = (gap_end - gap_start) / (run_end - t)
                for k in range(t, run_end):
                    times[k] = (
                        gap_start + round(step * (k - t)),
                        gap_start + round(step * (k - t + 1)),
                    )
            t = run_end
        for t, (begin, end) in spans.items():
            limit = _WORD_BASE_MS + _WORD_PER_PHONE_MS * phones[t]
            if end - begin > limit:
                word = tokens[t]
                return (
                    None,
                    fit,
                    f"the word {word!r} would last {(end - begin) / 1000:.1f} s: its audio"
                    " is probably not this text (music, silence or other speech)",
                )
        if fit < _MIN_FIT:
            return None, fit, "its audio does not sound like its text"
        return tuple(times), fit, None

    def _register(self, forms: list[tuple[tuple[Spoken, ...], ...]]) -> None:
        """Give the dictionary every word the grammars will use."""
        missing = sorted(
            {
                word
                for paragraph in forms
                for token in paragraph
                for form in token
                for word in form
                if self._decoder.lookup_word(word) is None
            }
        )
        for k, word in enumerate(missing):
            self._decoder.add_word(word, self._pronouncer.phones(word), k == len(missing) - 1)


def _at_edge(
    times: tuple[tuple[int, int], ...], window_start: int, window_end: int, audio_end: int
) -> str | None:
    """Why the paragraph's speech looks cut off by its window, if it does."""
    if window_start > 0 and times[0][0] - window_start <= _EDGE_MS:
        return "its speech seems to start well before its marker (is the marker late?)"
    if window_end < audio_end and window_end - times[-1][1] <= _EDGE_MS:
        return "its speech seems to run well past the next marker (is that marker early?)"
    return None


def _first_readings(forms: tuple[tuple[Spoken, ...], ...]) -> tuple[tuple[Spoken, ...], ...]:
    """Context for a grammar's edges: spoken tokens, first reading only (they are
    not timed, so their alternatives are not worth the search)."""
    return tuple(t[:1] for t in forms if t)


def _weight(tokens: Sequence[str]) -> int:
    """A token run's expected share of speaking time: its letters, plus a little per word."""
    return sum(len(t) + 2 for t in tokens)


def _pieces(tokens: tuple[str, ...], duration_ms: int) -> list[tuple[int, int]]:
    """Token ranges to align one at a time: the whole paragraph unless it is long,
    else runs of about _PIECE_MS cut at sentence ends (anywhere if there are none)."""
    if duration_ms <= _LONG_MS or len(tokens) < 2:
        return [(0, len(tokens))]
    per_unit = duration_ms / _weight(tokens)
    pieces: list[tuple[int, int]] = []
    first = 0
    elapsed = 0.0
    for t, token in enumerate(tokens):
        elapsed += (len(token) + 2) * per_unit
        sentence_end = _SENTENCE_END.search(token) is not None
        if t + 1 < len(tokens) and (
            (elapsed >= _PIECE_MS and sentence_end) or elapsed >= _PIECE_MS * 1.5
        ):
            pieces.append((first, t + 1))
            first = t + 1
            elapsed = 0.0
    pieces.append((first, len(tokens)))
    # A short last piece joins the one before.
    if len(pieces) > 1 and _weight(tokens[pieces[-1][0] :]) * per_unit < _PIECE_MS / 3:
        tail = pieces.pop()
        pieces[-1] = (pieces[-1][0], tail[1])
    return pieces


def _parse(
    graph: _Graph, final: int, segments: list[tuple[str, int, int, float]]
) -> list[_Word] | None:
    """Which grammar edge each recognised word took (words repeat, so walk the graph)."""
    outgoing: dict[int, list[_Edge]] = {}
    for edge in graph.edges:
        outgoing.setdefault(edge.src, []).append(edge)
    spoken = [
        (re.sub(r"\(\d+\)$", "", word), sf, ef, ascore)
        for word, sf, ef, ascore in segments
        if not (word.startswith(("<", "[")) or word == "(NULL)")
    ]

    def closure(states: dict[int, tuple[int, _Edge | None] | None]) -> None:
        stack = list(states)
        while stack:
            state = stack.pop()
            for edge in outgoing.get(state, []):
                if edge.word is None and edge.dst not in states:
                    states[edge.dst] = states[state]
                    stack.append(edge.dst)

    # layers[k][state] = (previous state, edge taken) for the k-th word
    layers: list[dict[int, tuple[int, _Edge | None] | None]] = [{0: None}]
    closure(layers[0])
    for word, _, _, _ in spoken:
        layer: dict[int, tuple[int, _Edge | None] | None] = {}
        for state in layers[-1]:
            for edge in outgoing.get(state, []):
                if edge.word == word and edge.dst not in layer:
                    layer[edge.dst] = (state, edge)
        if not layer:
            return None
        closure(layer)
        layers.append(layer)
    if final not in layers[-1]:
        return None
    result: list[_Word] = []
    state = final
    for k in range(len(spoken), 0, -1):
        back = layers[k][state]
        assert back is not None
        previous, taken = back
        assert taken is not None
        word, sf, ef, ascore = spoken[k - 1]
        result.append(_Word(word, taken.token, sf, ef, ascore))
        state = previous
    result.reverse()
    return result


def _monotonic(results: list[ParagraphAlignment]) -> list[ParagraphAlignment]:
    """Paragraphs aligned in separate windows may overlap by a few frames at their
    edges; clamp each so time never runs backwards across the document."""
    clock = 0
    fixed = []
    for r in results:
        if r.times is None:
            fixed.append(r)
            continue
        times = []
        for begin, end in r.times:
            begin = max(begin, clock)
            end = max(end, begin)
            times.append((begin, end))
            clock = end if end > begin else begin
        fixed.append(
            ParagraphAlignment(r.index, tuple(times), None, times[0][0] if times else None)
        )
    return fixed


def _mismatch(
    paragraphs: Sequence[ParagraphText],
    results: list[ParagraphAlignment],
    evidence: list[_Evidence],
    duration_ms: int,
) -> str | None:
    """Why the media is not the transcript's, when the evidence says so."""
    if not results:
        return None
    beyond = [p for p in paragraphs if p.start_ms >= duration_ms]
    if len(beyond) * 2 >= len(paragraphs):
        return (
            f"the audio lasts {duration_ms / 1000:.0f} s but {len(beyond)} of"
            f" {len(paragraphs)} paragraphs start after that: this is the wrong or an"
            " incomplete media file"
        )
    failed = [r for r in results if r.times is None]
    if len(failed) == len(results) or len(failed) >= max(
        2, math.ceil(len(results) * _MISMATCH_FAILED_SHARE)
    ):
        return (
            f"{len(failed)} of {len(results)} paragraphs could not be found in the audio:"
            " this is probably not the media of this transcript (or its markers are all"
            " off by more than a few seconds, e.g. the video has an intro the page does"
            " not count)"
        )
    if not evidence:
        return None
    fit = statistics.median(e.fit for e in evidence)
    if fit < _MISMATCH_FIT:
        return (
            f"its words fit the audio badly (median score {fit:.2f}, the right media"
            f" scores above {_MISMATCH_FIT}): this is probably not the media of this"
            " transcript"
        )
    unexplained = statistics.median(e.unexplained for e in evidence)
    if unexplained > _MISMATCH_UNEXPLAINED:
        return (
            f"{unexplained:.0%} of the typical paragraph's loud audio is not its words:"
            " this is probably not the media of this transcript"
        )
    return None


def _unexplained(window: bytes, segments: list[tuple[str, int, int, float]]) -> float:
    """Share of a window's loud 10 ms frames (within 15 dB of its loudest 5%) that
    no recognised word covers. Wrong text leaves the speech to silence and fillers
    (0.17 to 0.9 measured, synthetic and human voices); the right text leaves only
    what a transcript omits (0 to 0.11). Loudness is relative to the window, so
    a quiet recording or a music bed under the speech does not change it."""
    pcm = memoryview(window)[: len(window) - len(window) % 2].cast("h")
    count = len(pcm) // _FRAME_SAMPLES
    if count == 0:
        return 0.0
    energy = []
    for k in range(count):
        frame = pcm[k * _FRAME_SAMPLES : (k + 1) * _FRAME_SAMPLES]
        power = sum(map(operator.mul, frame, frame)) / _FRAME_SAMPLES
        energy.append(10 * math.log10(power + 1.0))
    loud = sorted(energy)[int(0.95 * (count - 1))] - _LOUD_RANGE_DB
    spoken = bytearray(count)
    for word, first, last, _ in segments:
        if word == "(NULL)" or word.startswith(("<", "[")):
            continue
        spoken[first : min(count, last + 1)] = b"\1" * max(0, min(count, last + 1) - first)
    frames = [k for k in range(count) if energy[k] >= loud]
    return sum(1 for k in frames if not spoken[k]) / len(frames)
