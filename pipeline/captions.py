"""Captions: timed words -> cues -> WebVTT, SRT and chapter tracks, and their quality.

Cues are chosen per paragraph by dynamic programming over word boundaries: a cue
must fit the profile's lines, and the cost prefers breaks at sentence ends, then
commas, then before conjunctions; it avoids breaks after an article, preposition or
subject pronoun, inside a name, and sentence boundaries inside a cue. Display times chain cue to cue (keeping the minimum gap) so that reading
speed uses the pauses; speech too fast to read keeps its timing and is reported.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.model import Cue, Timeline, Transcript, Word

# --- profiles -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    """Caption rules. Reading speed is in characters per second (spaces and
    punctuation count) or, where a guideline states it so, words per minute."""

    name: str = "default"
    max_chars_per_line: int = 42
    max_lines: int = 2
    speed_unit: str = "cps"  # "cps" or "wpm"
    max_speed: float = 20.0
    target_speed: float = 17.0  # the share at or under this is reported
    min_duration_ms: int = 833
    max_duration_ms: int = 7_000
    min_gap_ms: int = 83  # two frames at 24 fps


PROFILES = {
    # Netflix English timed-text style guide numbers.
    "default": Profile(),
    # BBC subtitle guidelines: about 37 characters a line, 160-180 words a minute.
    "bbc": Profile(
        "bbc", max_chars_per_line=37, speed_unit="wpm", max_speed=180.0, target_speed=160.0
    ),
    # DCMP Captioning Key (educational media): 32 characters, 2 lines, 2 s minimum.
    "dcmp": Profile(
        "dcmp",
        max_chars_per_line=32,
        min_duration_ms=2_000,
        max_duration_ms=7_000,
        speed_unit="wpm",
        max_speed=160.0,
        target_speed=130.0,
    ),
}


def load_profile(spec: str) -> Profile:
    """A named profile, or a TOML file whose keys override the default profile."""
    if spec in PROFILES:
        return PROFILES[spec]
    path = Path(spec)
    if path.suffix != ".toml" or not path.is_file():
        names = ", ".join(PROFILES)
        raise ConfigError(f"unknown caption profile '{spec}'; use one of {names} or a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    known = {f.name: str(f.type) for f in fields(Profile)}
    kinds: dict[str, type | tuple[type, ...]] = {"str": str, "int": int, "float": (int, float)}
    values: dict[str, Any] = {"name": path.stem}
    for key, raw in data.items():
        value: Any = raw
        if key not in known:
            raise ConfigError(f"{path}: unknown key '{key}'; known keys: {', '.join(known)}")
        if not _is_kind(value, kinds[known[key]]):
            raise ConfigError(f"{path}: '{key}' must be a {known[key]}, not {value!r}")
        values[key] = value * 1.0 if known[key] == "float" else value
    profile = Profile(**values)
    if profile.speed_unit not in ("cps", "wpm"):
        raise ConfigError(f"{path}: speed_unit must be 'cps' or 'wpm'")
    if profile.max_chars_per_line < 10 or profile.max_lines < 1:
        raise ConfigError(f"{path}: max_chars_per_line must be >= 10 and max_lines >= 1")
    return profile


def _is_kind(value: object, kind: type | tuple[type, ...]) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


# --- where breaks may fall ----------------------------------------------------------

# No line or cue break after these: it would strand a word from its phrase.
FUNCTION_WORDS = frozenset(
    "a an the this that these those my your his her its our their of in on at to for"
    " with by from into onto about as than and or but nor so if because while"
    " although though whether is are was were be been being has have had do does did"
    " not no can could will would shall should may might must very such per via"
    " i we you he she they it who".split()
)
# A break before these starts a new phrase.
PHRASE_STARTS = frozenset(
    "and but or so because which who whom whose that when where while if although"
    " though until unless since whereas".split()
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_CLAUSE_END = re.compile(r"[,;:–—][\"'”’)\]]*$")
_CAPITALISED = re.compile(r"^[\"'“‘(]*[A-Z][\w’'-]*[,.;:!?\"'”’)]*$")
_NAME_JOINERS = frozenset({"of", "the", "and", "for", "de", "van", "von", "da", "du", "la"})


def name_spans(words: Sequence[Word]) -> list[tuple[int, int]]:
    """Word-index spans (inclusive) of runs of capitalised words: "Anna Freud Centre",
    "University of Warwick". No break falls inside them."""
    spans = []
    i = 0
    while i < len(words):
        if not _CAPITALISED.match(words[i].text):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and not re.search(r"[,.;:!?]$", words[j].text):
            nxt = words[j + 1].text
            if _CAPITALISED.match(nxt):
                j += 1
            elif (
                nxt.lower() in _NAME_JOINERS
                and j + 2 < len(words)
                and _CAPITALISED.match(words[j + 2].text)
                and not re.search(r"[,.;:!?]$", nxt)
            ):
                j += 2
            else:
                break
        if j > i:
            spans.append((i, j))
        i = j + 1
    return spans


def protected_breaks(
    words: Sequence[Word], protected: Sequence[tuple[int, int, int]] = ()
) -> set[int]:
    """Word indexes k such that no break may fall between word k and word k+1.

    ``protected`` are (paragraph, start char, end char) spans from the tagger
    (entities and intervention names); capitalised name runs are added here.
    """
    blocked: set[int] = set()
    for first, last in name_spans(words):
        blocked.update(range(first, last))
    if protected:
        by_paragraph: dict[int, list[tuple[int, int]]] = {}
        for paragraph, start, end in protected:
            by_paragraph.setdefault(paragraph, []).append((start, end))
        for k in range(len(words) - 1):
            here, nxt = words[k], words[k + 1]
            if here.paragraph != nxt.paragraph:
                continue
            for start, end in by_paragraph.get(here.paragraph, ()):
                if start < here.end and nxt.start < end:
                    blocked.add(k)
                    break
    return blocked


def break_cost(words: Sequence[Word], k: int, blocked: set[int]) -> float:
    """Cost of breaking after word k (a cue or line break)."""
    token = words[k].text
    cost = 0.0
    if _SENTENCE_END.search(token):
        cost = 0.0
    elif _CLAUSE_END.search(token):
        cost = 0.6
    elif k + 1 < len(words) and words[k + 1].text.lower() in PHRASE_STARTS:
        cost = 1.2
    else:
        cost = 2.5
    if token.lower().strip("\"'“‘(") in FUNCTION_WORDS and not _CLAUSE_END.search(token):
        cost += 6.0
    if k in blocked:
        cost += 40.0
    return cost


# --- line breaking --------------------------------------------------------------


def break_lines(
    words: Sequence[Word],
    first: int,
    last: int,
    profile: Profile,
    blocked: set[int],
    costs: Sequence[float] | None = None,
) -> tuple[float, tuple[str, ...]] | None:
    """The best split of words[first..last] into at most ``max_lines`` lines and its
    cost, or None when the words do not fit. ``costs`` are the break costs of every
    word when the caller has them (the cue builder asks thousands of times)."""
    n_words = last - first + 1
    prefix = [0]
    for word in words[first : last + 1]:
        prefix.append(prefix[-1] + len(word.text))

    def width_of(i: int, j: int) -> int:  # words i..j-1 joined by spaces
        return prefix[j] - prefix[i] + (j - i - 1)

    width = profile.max_chars_per_line
    texts = [w.text for w in words[first : last + 1]]
    if width_of(0, n_words) <= width or n_words == 1:
        # One line; a single word longer than a line is shown whole.
        return 0.0, (" ".join(texts),)
    inf = float("inf")
    memo: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def cost_after(k: int) -> float:
        return costs[first + k] if costs is not None else break_cost(words, first + k, blocked)

    def lay(i: int, lines: int) -> tuple[float, list[int]]:
        """Cost and cut points of laying words[i:] out in at most ``lines`` lines."""
        key = (i, lines)
        if key in memo:
            return memo[key]
        best: tuple[float, list[int]] = (inf, [])
        if width_of(i, n_words) <= width or i == n_words - 1:
            best = (0.0, [n_words])
        if lines > 1:
            for j in range(i + 1, n_words):
                length = width_of(i, j)
                if length > width and j - 1 > i:
                    break
                cost_rest, cuts = lay(j, lines - 1)
                if cost_rest == inf:
                    continue
                next_len = width_of(j, cuts[0])
                # Bottom-heavy: a top line longer than the next costs more.
                shape = (
                    0.08 * (length - next_len) if length > next_len else 0.02 * (next_len - length)
                )
                cost = cost_rest + cost_after(j - 1) + shape
                if cost < best[0]:
                    best = (cost, [j, *cuts])
        memo[key] = best
        return best

    cost, cuts = lay(0, profile.max_lines)
    if cost == inf:
        return None
    lines, start = [], 0
    for cut in cuts:
        lines.append(" ".join(texts[start:cut]))
        start = cut
    return cost, tuple(lines)


# --- cue building ----------------------------------------------------------------


def speed(text_chars: int, words: int, duration_ms: int, profile: Profile) -> float:
    if duration_ms <= 0:
        return float("inf")
    if profile.speed_unit == "wpm":
        return words * 60_000 / duration_ms
    return text_chars * 1000 / duration_ms


def build_cues(
    transcript: Transcript,
    timeline: Timeline,
    profile: Profile = PROFILES["default"],
    protected: Sequence[tuple[int, int, int]] = (),
) -> tuple[Cue, ...]:
    words = timeline.words
    blocked = protected_breaks(words, protected)
    costs = [break_cost(words, k, blocked) for k in range(len(words))]
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    start = 0
    for end in range(1, len(words) + 1):
        if end == len(words) or words[end].paragraph != words[start].paragraph:
            spans.extend(_paragraph_cues(words, start, end, profile, costs))
            start = end
    return _timed(transcript, words, spans, timeline.end_ms, profile)


SENTENCE_INSIDE_COST = 1.0  # per sentence end that falls inside a cue


def _paragraph_cues(
    words: Sequence[Word], lo: int, hi: int, profile: Profile, costs: Sequence[float]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Dynamic programming over the cue boundaries of one paragraph."""
    inf = float("inf")
    best: list[float] = [inf] * (hi - lo + 1)
    choice: list[tuple[int, tuple[str, ...]]] = [(0, ())] * (hi - lo + 1)
    best[0] = 0.0
    max_chars = profile.max_chars_per_line * profile.max_lines
    # ends[k]: sentence ends among words lo..lo+k-1, to price sentences split by cues.
    ends = [0]
    for k in range(lo, hi):
        ends.append(ends[-1] + bool(_SENTENCE_END.search(words[k].text)))
    for j in range(lo + 1, hi + 1):
        length = -1
        for i in range(j - 1, lo - 1, -1):
            length += len(words[i].text) + 1
            single = i == j - 1
            if length > max_chars and not single:
                break
            if best[i - lo] == inf:
                continue
            speech_ms = words[j - 1].end_ms - words[i].start_ms
            if speech_ms > profile.max_duration_ms and not single:
                break
            # Display runs until the next cue starts (the gap aside).
            shown_ms = (words[j].start_ms if j < hi else words[j - 1].end_ms) - words[i].start_ms
            shown_ms = max(shown_ms - profile.min_gap_ms, 1)
            cost = 1.0
            if j < hi:
                cost += costs[j - 1]
            rate = speed(length, j - i, shown_ms, profile)
            if rate > profile.max_speed:
                cost += 8.0 + (rate - profile.max_speed)
            elif rate > profile.target_speed:
                cost += 0.5 * (rate - profile.target_speed) / profile.target_speed * 4
            if shown_ms < profile.min_duration_ms:
                cost += 12.0  # under the minimum only where the text allows nothing else
            if length < 20 and j < hi and not _SENTENCE_END.search(words[j - 1].text):
                cost += 1.0  # a short fragment flashes by
            # One sentence ending and the next starting in the same cue reads worse.
            cost += SENTENCE_INSIDE_COST * (ends[j - 1 - lo] - ends[i - lo])
            if best[i - lo] + cost >= best[j - lo]:
                continue  # line breaking only adds cost: this cue cannot win
            laid = break_lines(words, i, j - 1, profile, set(), costs)
            if laid is None:
                continue
            line_cost, lines = laid
            total = best[i - lo] + cost + line_cost
            if total < best[j - lo]:
                best[j - lo] = total
                choice[j - lo] = (i, lines)
    result = []
    j = hi
    while j > lo:
        i, lines = choice[j - lo]
        result.append((i, j - 1, lines))
        j = i
    return result[::-1]


def _timed(
    transcript: Transcript,
    words: Sequence[Word],
    spans: list[tuple[int, int, tuple[str, ...]]],
    end_of_speech: int,
    profile: Profile,
) -> tuple[Cue, ...]:
    gap = profile.min_gap_ms
    starts: list[int] = []
    for first, _last, _lines in spans:
        start = words[first].start_ms
        if starts:
            start = max(start, starts[-1] + gap + 1)  # never overlap, keep the gap
        starts.append(start)
    cues = []
    for n, ((first, last, lines), start) in enumerate(zip(spans, starts, strict=True)):
        if n + 1 < len(spans):
            end = min(starts[n + 1] - gap, start + profile.max_duration_ms)
        else:
            end = max(words[last].end_ms, end_of_speech, start + profile.min_duration_ms)
            end = min(end, start + max(profile.max_duration_ms, words[last].end_ms - start))
        speaker = transcript.paragraphs[words[first].paragraph].speaker
        cues.append(Cue(n, start, max(end, start + 1), lines, speaker, first, last))
    return tuple(cues)


# --- quality ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quality:
    profile: str
    cues: int
    speed_unit: str
    max_speed: float
    target_speed: float
    over_max_speed: int
    share_within_max: float
    share_within_target: float
    fastest: float
    longest_line: int
    lines_over_limit: int
    most_lines: int
    cues_over_line_count: int
    shortest_ms: int
    longest_ms: int
    under_min_duration: int
    over_max_duration: int
    gaps_under_min: int
    overlaps: int

    def summary(self) -> str:
        unit = self.speed_unit
        return (
            f"{self.cues} cues, {self.share_within_max:.1%} <= {self.max_speed:g} {unit}"
            f" ({self.share_within_target:.1%} <= {self.target_speed:g}), longest line"
            f" {self.longest_line}, durations {self.shortest_ms}-{self.longest_ms} ms,"
            f" {self.gaps_under_min} short gaps, {self.overlaps} overlaps"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def measure(cues: Sequence[Cue], profile: Profile) -> Quality:
    rates = [speed(len(c.text), len(c.text.split()), c.end_ms - c.start_ms, profile) for c in cues]
    durations = [c.end_ms - c.start_ms for c in cues]
    gaps = [b.start_ms - a.end_ms for a, b in itertools.pairwise(cues)]
    line_lengths = [len(line) for c in cues for line in c.lines]
    n = len(cues) or 1
    return Quality(
        profile=profile.name,
        cues=len(cues),
        speed_unit=profile.speed_unit,
        max_speed=profile.max_speed,
        target_speed=profile.target_speed,
        over_max_speed=sum(r > profile.max_speed for r in rates),
        share_within_max=round(sum(r <= profile.max_speed for r in rates) / n, 4),
        share_within_target=round(sum(r <= profile.target_speed for r in rates) / n, 4),
        fastest=round(max(rates, default=0.0), 2),
        longest_line=max(line_lengths, default=0),
        lines_over_limit=sum(length > profile.max_chars_per_line for length in line_lengths),
        most_lines=max((len(c.lines) for c in cues), default=0),
        cues_over_line_count=sum(len(c.lines) > profile.max_lines for c in cues),
        shortest_ms=min(durations, default=0),
        longest_ms=max(durations, default=0),
        under_min_duration=sum(d < profile.min_duration_ms for d in durations),
        over_max_duration=sum(d > profile.max_duration_ms for d in durations),
        gaps_under_min=sum(0 <= g < profile.min_gap_ms for g in gaps),
        overlaps=sum(g < 0 for g in gaps),
    )


# --- writers ---------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _provenance(transcript: Transcript, extra: str = "") -> str:
    from pipeline import __version__

    note = (
        f"source: {transcript.source}\nsha256: {transcript.sha256}\n"
        f"generator: transcript-pipeline {__version__}"
    )
    return note + (f"\n{extra}" if extra else "")


def to_webvtt(transcript: Transcript, cues: Sequence[Cue], profile: Profile) -> str:
    """WebVTT through webvtt-py: escaped text, voice spans, provenance NOTE."""
    from webvtt import Caption, WebVTT

    captions = []
    for cue in cues:
        lines = [_escape(line) for line in cue.lines]
        if cue.speaker:
            lines[0] = f"<v {_escape(cue.speaker)}>{lines[0]}"
        captions.append(
            Caption(
                start=vtt_time(cue.start_ms),
                end=vtt_time(cue.end_ms),
                text=lines,
                identifier=f"{transcript.doc_id}-{cue.idx + 1}",
            )
        )
    note = _provenance(transcript, f"profile: {profile.name}")
    return str(WebVTT(captions=captions, header_comments=[note]).content)


def to_srt(cues: Sequence[Cue]) -> str:
    """SubRip through pysrt, with LF line ends."""
    import pysrt

    items = pysrt.SubRipFile(
        [
            pysrt.SubRipItem(
                index=cue.idx + 1,
                start=pysrt.SubRipTime.from_ordinal(cue.start_ms),
                end=pysrt.SubRipTime.from_ordinal(cue.end_ms),
                text="\n".join(cue.lines),
            )
            for cue in cues
        ]
    )
    buffer = io.StringIO()
    items.write_into(buffer, eol="\n")
    return buffer.getvalue()


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# --- chapters --------------------------------------------------------------------

CHAPTER_TITLE_MAX = 60
CHAPTER_MIN_MS = 20_000
_LEADING_FILLERS = re.compile(
    r"^(?:(?:so|and|but|now|well|okay|ok|right|then|also|firstly|secondly|finally"
    r"|hello|hi|again|welcome back|thanks|thank you"
    r"|for example|in this (?:section|video|step|talk|lecture))(?:,\s*|\s+))+",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


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


def to_chapters_vtt(transcript: Transcript, chapters: Sequence[Chapter]) -> str:
    from webvtt import Caption, WebVTT

    captions = [
        Caption(
            start=vtt_time(c.start_ms),
            end=vtt_time(c.end_ms),
            text=[_escape(c.title)],
            identifier=f"{transcript.doc_id}-chapter-{n + 1}",
        )
        for n, c in enumerate(chapters)
    ]
    note = _provenance(transcript, 'kind: chapters (use as <track kind="chapters">)')
    return str(WebVTT(captions=captions, header_comments=[note]).content)


# --- reading existing caption files (for --lint) -------------------------------------


def read_cues(path: Path) -> tuple[Cue, ...]:
    """The cues of an existing .vtt or .srt file, as they are (not re-timed)."""
    from pipeline.errors import TranscriptError
    from pipeline.ingest import decode_bytes
    from pipeline.model import Issue

    text, _ = decode_bytes(path.read_bytes(), source=str(path))
    cues: list[Cue] = []
    try:
        if path.suffix.lower() == ".srt":
            import pysrt

            for n, item in enumerate(pysrt.from_string(text, error_handling=pysrt.ERROR_RAISE)):
                lines = tuple(_plain(line) for line in item.text.split("\n") if line.strip())
                cues.append(Cue(n, item.start.ordinal, item.end.ordinal, lines))
        else:
            import webvtt

            for n, caption in enumerate(webvtt.from_string(text).captions):
                lines = tuple(_plain(line) for line in caption.lines if line.strip())
                start = caption.start_time.in_milliseconds()
                cues.append(Cue(n, start, caption.end_time.in_milliseconds(), lines))
    except Exception as error:  # both libraries raise their own assorted types
        raise TranscriptError(
            str(path),
            Issue(
                "malformed-captions",
                f"cannot read the caption file ({error})",
                None,
                "Check its header and cue timings.",
            ),
        ) from None
    return tuple(cues)


def _plain(line: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]*>", "", line)).strip()
