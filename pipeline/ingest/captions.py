"""Caption files in: .vtt/.srt -> Transcript, cues merged into paragraphs.

``read_cue_file`` is one tolerant, line-based reader for WebVTT and SubRip (also used
by ``captions --lint``): it accepts what players accept, counts every repair it makes,
warns with the line where it guesses, and rejects what it cannot time with the file,
the line and the remedy. ``parse_captions`` merges the cues into paragraphs; each
paragraph keeps its cues' own times as anchors (one per cue, or one per timed word
run in rolling auto-captions), so that timing places the words inside it from the
file instead of estimating them.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pipeline.clock import format_clock
from pipeline.errors import TranscriptError
from pipeline.ingest.decode import encoding_warnings, normalise_text
from pipeline.ingest.pages import SPEAKER_RE, apply_duration
from pipeline.model import Anchor, Issue, Metadata, Paragraph, Repair, Transcript

# --- timings ---------------------------------------------------------------------


def _timestamp(name: str) -> str:
    """A timestamp with named parts ``<name>_h`` ... ``<name>_frac``."""
    return (
        # Hours may be left out: WebVTT allows mm:ss.mmm, and SubRip writers drop them too.
        # More than 3 digits is no video's length.
        rf"(?:(?P<{name}_h>\d{{1,3}}):)?"
        rf"(?P<{name}_m>\d{{1,2}}):(?P<{name}_s>\d{{1,2}})"
        # The fraction: ',' (SubRip) or '.' (WebVTT), each found in the other format's
        # files; fewer than 3 digits, or none, from writers that drop zeros. Players
        # accept all of these.
        rf"(?:(?P<{name}_sep>[.,])(?P<{name}_frac>\d{{1,3}}))?"
    )


_TIMING_RE = re.compile(
    r"^[ \t]*"
    + _timestamp("start")
    # The arrow, with or without spaces around it.
    + r"[ \t]*-->[ \t]*"
    + _timestamp("end")
    # Cue settings (WebVTT 'align:start position:0%') or SubRip coordinates
    # ('X1:40 X2:600 ...') follow after white space; they do not change the times.
    + r"(?:[ \t]+(?P<settings>.*?))?[ \t]*$",
    re.ASCII,
)
# A line that means to be a timing but is not one: an error, never spoken text.
_TIMING_ATTEMPT_RE = re.compile(
    # '-->' after a number, or two timestamps joined by a short arrow ('->').
    r"^\s*\d[\d:.,]*\s*-->|^\s*(?:\d+:)+\d+(?:[.,]\d+)?\s*->\s*(?:\d+:)+\d+",
    re.ASCII,
)
# An inline timestamp of a timed word run: 'we<00:00:01.200><c> film</c>'.
_INLINE_TIME_RE = re.compile(
    r"<(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})[.,](?P<frac>\d{1,3})>", re.ASCII
)
# 'WEBVTT' then nothing, or white space and a title; anything else is not the header.
_HEADER_RE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
# Blocks of a WebVTT file that are not cues: comments, style sheets, regions.
_NON_CUE_BLOCK_RE = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t]|$)")
_DIGITS_RE = re.compile(r"^[0-9]+$")
_LINE_END_RE = re.compile(r"\r\n|\r|\n")

# --- cue text --------------------------------------------------------------------
# ASS/SSA override tags ('{\an8}', '{\i1}') that subtitle editors leave in SubRip.
_ASS_TAG_RE = re.compile(r"\{\\[^{}]*\}")
# Ruby annotations (<rt>) are reading aids, not spoken text.
_RUBY_TEXT_RE = re.compile(r"<rt\b[^<>]*>.*?</rt\s*>", re.IGNORECASE | re.DOTALL)
# Markup: <i>, <b>, <u>, <font ...>, <c.class>, <v Name>, <lang en>, <ruby>. A '<'
# that does not open a tag name ('a < b') is text.
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]+)*[ \t]+([^>]+)>")

_REPAIR_DETAILS = {
    "timestamp-commas": "WebVTT timings written hh:mm:ss,mmm (SubRip style), read as .mmm",
    "timestamp-dots": "SubRip timings written hh:mm:ss.mmm (WebVTT style), read as ,mmm",
    "timestamp-hours": "SubRip timings without hours (mm:ss,mmm)",
    "timestamp-digits": "timings with fewer than 3 digits after the seconds",
    "cues-not-separated": "cues without a blank line between them, split at the timing line",
    "blank-line-in-cue": "cue text after a blank line, kept in its cue",
    "ass-tags": "ASS override tags such as {\\an8} removed",
    "bom-removed": "byte order mark",
    "rolling-captions": "lines repeated by rolling captions, shown once",
}


@dataclass(frozen=True, slots=True)
class CaptionCue:
    """A cue as the file gives it: times, payload lines (markup kept, blank lines and
    ASS tags dropped) and the 1-based line of its timing line."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    line: int

    @property
    def plain_lines(self) -> tuple[str, ...]:
        """The lines as shown: markup removed, entities decoded, empty ones dropped."""
        return tuple(p for p in (plain_text(line) for line in self.lines) if p)

    @property
    def voice(self) -> str | None:
        """The speaker of a ``<v Name>`` span, if any."""
        for line in self.lines:
            match = _VOICE_RE.search(line)
            if match and match.group(1).strip():
                return html.unescape(match.group(1)).strip()
        return None


@dataclass(frozen=True, slots=True)
class CueFile:
    """Every cue of a caption file, what was repaired to read it, and warnings."""

    cues: tuple[CaptionCue, ...]
    repairs: tuple[Repair, ...] = ()
    warnings: tuple[Issue, ...] = ()


def plain_text(markup: str) -> str:
    """Cue text as shown: tags and inline timestamps removed, entities decoded, white
    space collapsed."""
    return " ".join(_clean(markup).split())


def _clean(markup: str) -> str:
    text = _RUBY_TEXT_RE.sub("", markup)
    text = _INLINE_TIME_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    return html.unescape(text)


def read_cue_file(text: str, fmt: str, source: str = "<captions>") -> CueFile:
    """The cues of a WebVTT (``fmt`` "vtt") or SubRip (any other ``fmt``) file.

    Raises TranscriptError, naming the line and the remedy, for what cannot be
    timed: a malformed timing line, a cue number without its timing line, a file with
    no cues. Everything else players accept is read, and counted or warned about.
    """
    vtt = fmt == "vtt"
    counts: Counter[str] = Counter()
    warnings: list[Issue] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        counts["bom-removed"] += 1
    lines = _LINE_END_RE.split(text)
    body = 0
    has_header = False
    # Blank lines above the header come from editors and concatenation; skip them.
    first = next((n for n, line in enumerate(lines) if line.strip()), 0)
    if vtt and _HEADER_RE.match(lines[first].strip()):
        # The header block runs to the first blank line ('Kind: captions' ...); a
        # timing line ends it too.
        has_header = True
        body = first + 1
        while body < len(lines) and lines[body].strip() and not _TIMING_RE.match(lines[body]):
            body += 1
    timings: list[int] = []
    for n in range(body, len(lines)):
        if _TIMING_RE.match(lines[n]):
            timings.append(n)
        elif _TIMING_ATTEMPT_RE.match(lines[n]):
            raise _bad_timing(source, n + 1, lines[n], vtt)
    if vtt and not has_header and timings:
        warnings.append(
            Issue(
                "vtt-header",
                "the file does not start with 'WEBVTT'; it is read as WebVTT all the same",
                first + 1,
                "Add 'WEBVTT' as its first line: browsers refuse the file without it.",
            )
        )
    bounds = [*timings, len(lines)]
    # Lines before the first cue: its identifier, NOTE blocks, or stray text.
    for block in _blocks(lines, body, bounds[0], bool(timings), vtt, counts, cue_region=False):
        _check_orphan(block, source, vtt)
        if _stray_number(block, warnings):
            continue
        warnings.append(
            Issue(
                "outside-cues",
                f"text outside any cue is ignored ({_quote(block[0][1])})",
                block[0][0],
                "Delete it, or give it a timing line.",
            )
        )
    cues: list[CaptionCue] = []
    for k, at in enumerate(timings):
        match = _TIMING_RE.match(lines[at])
        assert match is not None
        start, quirks = _timestamp_ms(match, "start", vtt)
        end, end_quirks = _timestamp_ms(match, "end", vtt)
        if "out-of-range" in quirks | end_quirks:
            raise _bad_timing(source, at + 1, lines[at], vtt)
        counts.update(quirks | end_quirks)
        blocks = _blocks(lines, at + 1, bounds[k + 1], k + 1 < len(timings), vtt, counts)
        payload: list[str] = []
        for number, block in enumerate(blocks):
            if number:
                _check_orphan(block, source, vtt)
                if _stray_number(block, warnings):
                    continue
                counts["blank-line-in-cue"] += 1
            payload.extend(line for _, line in block)
        cues.append(CaptionCue(start, end, tuple(payload), at + 1))
    cues = _strip_ass_tags(cues, counts)
    cues = _end_before_start(cues, warnings)
    repairs = tuple(Repair(kind, n, _REPAIR_DETAILS[kind]) for kind, n in counts.items() if n)
    return CueFile(tuple(cues), repairs, tuple(warnings))


def _blocks(
    lines: Sequence[str],
    lo: int,
    hi: int,
    has_next: bool,
    vtt: bool,
    counts: Counter[str],
    *,
    cue_region: bool = True,
) -> list[list[tuple[int, str]]]:
    """The lines from ``lo`` to ``hi`` (between a timing line and the next one) as
    blocks of non-blank lines, each line with its 1-based number; the next cue's
    identifier and WebVTT NOTE/STYLE/REGION blocks left out."""
    numbered = [(n + 1, lines[n]) for n in range(lo, hi)]
    if has_next:
        # The next cue's identifier (in SubRip, its number) sits right above its
        # timing line. A number is taken for one even without a blank line before
        # it (files written without blank lines); in WebVTT any line with a blank
        # line above it is an identifier.
        filled = [i for i, (_, line) in enumerate(numbered) if line.strip()]
        if filled:
            last = filled[-1]
            candidate = numbered[last][1].strip()
            above_blank = (last == 0 and not cue_region) or (
                last > 0 and not numbered[last - 1][1].strip()
            )
            trailing_blank = last < len(numbered) - 1
            if _DIGITS_RE.match(candidate) or (vtt and above_blank and not trailing_blank):
                if cue_region and last > 0 and numbered[last - 1][1].strip():
                    counts["cues-not-separated"] += 1
                numbered = numbered[:last]
            elif not trailing_blank and cue_region:
                # The next timing line straight after this cue's text.
                counts["cues-not-separated"] += 1
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for item in [*numbered, (0, "")]:
        if item[1].strip():
            current.append(item)
            continue
        if current:
            blocks.append(current)
        current = []
    if vtt:
        # A cue's payload may begin with the word NOTE; a block after a blank line
        # starting with NOTE, STYLE or REGION is not spoken text.
        first = 1 if cue_region else 0
        blocks = blocks[:first] + [
            b for b in blocks[first:] if not _NON_CUE_BLOCK_RE.match(b[0][1])
        ]
    return blocks


def _check_orphan(block: Sequence[tuple[int, str]], source: str, vtt: bool) -> None:
    """A cue number with text under it but no timing line: a cue that cannot be timed."""
    if len(block) > 1 and _DIGITS_RE.match(block[0][1].strip()):
        example = "00:00:01.000 --> 00:00:03.000" if vtt else "00:00:01,000 --> 00:00:03,000"
        raise TranscriptError(
            source,
            Issue(
                "missing-timing",
                f"cue {block[0][1].strip()} has no timing line",
                block[0][0],
                f"Add its timing line under the cue number (such as {example}), or delete the cue.",
            ),
        )


def _stray_number(block: Sequence[tuple[int, str]], warnings: list[Issue]) -> bool:
    """A cue number alone after a blank line (a cut-off file's last line, or a cue
    with neither timing nor text) is no spoken text: warned about and left out."""
    if len(block) != 1 or not _DIGITS_RE.match(block[0][1].strip()):
        return False
    warnings.append(
        Issue(
            "stray-number",
            f"cue number {block[0][1].strip()} has no timing line and no text; it is ignored",
            block[0][0],
            "Delete it, or complete the cue.",
        )
    )
    return True


def _bad_timing(source: str, line: int, text: str, vtt: bool) -> TranscriptError:
    example = "00:00:01.000 --> 00:00:03.000" if vtt else "00:00:01,000 --> 00:00:03,000"
    return TranscriptError(
        source,
        Issue(
            "malformed-timing",
            f"the cue timing {_quote(text)} cannot be read",
            line,
            f"Write it as hh:mm:ss{'.' if vtt else ','}mmm --> hh:mm:ss{'.' if vtt else ','}mmm"
            f" (such as {example}).",
        ),
    )


def _quote(text: str, limit: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _timestamp_ms(match: re.Match[str], name: str, vtt: bool) -> tuple[int, set[str]]:
    """The timestamp in ms, and the repairs reading it took."""
    hours, sep, frac = match.group(f"{name}_h", f"{name}_sep", f"{name}_frac")
    quirks = set()
    if vtt and sep == ",":
        quirks.add("timestamp-commas")
    if not vtt and sep == ".":
        quirks.add("timestamp-dots")
    if not vtt and hours is None:
        quirks.add("timestamp-hours")
    if frac is None or len(frac) < 3:
        quirks.add("timestamp-digits")
    minutes, seconds = int(match.group(f"{name}_m")), int(match.group(f"{name}_s"))
    if seconds > 59 or (hours is not None and minutes > 59):
        # Players drop such a cue; a typo here would shift every word after it.
        quirks.add("out-of-range")
    millis = int((frac or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + minutes) * 60 + seconds) * 1000 + millis, quirks


def _strip_ass_tags(cues: list[CaptionCue], counts: Counter[str]) -> list[CaptionCue]:
    result = []
    for cue in cues:
        lines = []
        for line in cue.lines:
            line, removed = _ASS_TAG_RE.subn("", line)
            counts["ass-tags"] += removed
            if line.strip():
                lines.append(line)
        result.append(replace(cue, lines=tuple(lines)))
    return result


def _end_before_start(cues: list[CaptionCue], warnings: list[Issue]) -> list[CaptionCue]:
    """A cue that ends before it starts is read as ending where the next one starts."""
    result = []
    for k, cue in enumerate(cues):
        if cue.end_ms < cue.start_ms:
            following = cues[k + 1].start_ms if k + 1 < len(cues) else cue.start_ms
            end = max(following, cue.start_ms)
            warnings.append(
                Issue(
                    "cue-times",
                    f"the cue ends ({_clock_ms(cue.end_ms)}) before it starts"
                    f" ({_clock_ms(cue.start_ms)}); it is read as ending at {_clock_ms(end)}",
                    cue.line,
                    "Correct its end time.",
                )
            )
            cue = replace(cue, end_ms=end)
        result.append(cue)
    return result


def _clock_ms(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return f"{format_clock(ms)}.{millis:03d}" if millis else format_clock(seconds * 1000)


# --- rolling captions ------------------------------------------------------------


def _repeated(previous: Sequence[str], current: Sequence[str]) -> int:
    """How many of ``current``'s first lines repeat ``previous``'s last lines."""
    for k in range(min(len(previous), len(current)), 0, -1):
        if tuple(current[:k]) == tuple(previous[-k:]):
            return k
    return 0


def collapse_rolling(cues: Sequence[CaptionCue]) -> tuple[list[CaptionCue], int]:
    """Rolling (roll-up) captions show each line again in the next cue; keep each line
    once, in the cue that brings it, with its timed word runs. Returns the cues left
    and the number of repeated lines dropped (0 for a file that does not roll).

    A file rolls when it carries word timings (``<00:00:01.200><c> word</c>``, as video
    sites generate) or when most cues open with the previous cue's last line.
    """
    shown = [[(line, plain) for line in cue.lines if (plain := plain_text(line))] for cue in cues]
    plains = [[p for _, p in lines] for lines in shown]
    repeats = [0, *(_repeated(a, b) for a, b in itertools.pairwise(plains))]
    timed = any(_INLINE_TIME_RE.search(line) for cue in cues for line in cue.lines)
    rolling = timed or (len(cues) > 2 and 2 * sum(r > 0 for r in repeats) >= len(cues) - 1)
    if not rolling:
        return list(cues), 0
    kept: list[CaptionCue] = []
    dropped = 0
    for cue, lines, k in zip(cues, shown, repeats, strict=True):
        dropped += k
        if lines[k:]:
            kept.append(replace(cue, lines=tuple(line for line, _ in lines[k:])))
    return kept, dropped


# --- caption files -> paragraphs --------------------------------------------------

# Cues are merged into a paragraph until a pause this long, or a sentence end once
# the paragraph is this long: close to how course pages paragraph their speech.
PAUSE_MS = 1500
PARAGRAPH_MS = 20_000
# ... and at any cue once this long: auto-captions have no sentence ends at all.
PARAGRAPH_MAX_MS = 60_000
_SENTENCE_FINAL = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True, slots=True)
class _Run:
    """A stretch of cue text with its own times: a whole cue, or a timed word run.
    ``text`` keeps one leading or trailing space where the markup had white space
    (a word boundary between runs)."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class _TimedCue:
    start_ms: int
    end_ms: int
    runs: tuple[_Run, ...]
    speaker: str | None
    line: int

    @property
    def text(self) -> str:
        return " ".join("".join(r.text for r in self.runs).split())


def _runs(cue: CaptionCue) -> list[_Run]:
    """The cue's text split at its inline timestamps, each part timed up to the next."""
    markup = " ".join(cue.lines)
    runs = []
    at, position = cue.start_ms, 0
    for match in _INLINE_TIME_RE.finditer(markup):
        h, m, s, frac = match.group("h", "m", "s", "frac")
        stamp = ((int(h or 0) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))
        # Inline times belong inside their cue, in order; clamp the ones that are not.
        stamp = min(max(stamp, at), max(cue.end_ms, at))
        runs.append(_Run(_spaced(markup[position : match.start()]), at, stamp))
        at, position = stamp, match.end()
    runs.append(_Run(_spaced(markup[position:]), at, max(cue.end_ms, at)))
    return [run for run in runs if run.text.strip()]


def _spaced(markup: str) -> str:
    """Cue text with white space collapsed to single spaces, kept at the ends."""
    return re.sub(r"\s+", " ", _clean(markup))


def _timed_cue(cue: CaptionCue) -> _TimedCue | None:
    runs = _runs(cue)
    if not runs:
        return None
    speaker = cue.voice
    label = SPEAKER_RE.match("".join(r.text for r in runs).strip())
    first = runs[0].text.lstrip()
    if label and speaker is None and label.end() <= len(first):
        speaker = label.group("speaker").strip()
        runs[0] = replace(runs[0], text=first[label.end() :])
        runs = [run for run in runs if run.text.strip()]
    return _TimedCue(cue.start_ms, cue.end_ms, tuple(runs), speaker, cue.line)


def _paragraph_text(group: Sequence[_TimedCue]) -> tuple[str, tuple[Anchor, ...]]:
    """The group's text, and one anchor per run: its character span and times."""
    parts: list[str] = []
    length = 0
    anchors: list[Anchor] = []
    space_after = False
    for cue in group:
        for number, run in enumerate(cue.runs):
            piece = run.text.strip()
            if not piece:
                continue
            # Cues are always apart; runs inside a cue only where the markup had space.
            if parts and (number == 0 or space_after or run.text[0] == " "):
                parts.append(" ")
                length += 1
            parts.append(piece)
            anchors.append(Anchor(length, length + len(piece), run.start_ms, run.end_ms, cue.line))
            length += len(piece)
            space_after = run.text[-1] == " "
    return "".join(parts), tuple(anchors)


def parse_captions(
    text: str,
    fmt: str,
    *,
    doc_id: str = "document",
    source: str = "<captions>",
    sha256: str | None = None,
    repairs: Iterable[Repair] = (),
    duration_ms: int | None = None,
    duration_origin: str | None = None,
) -> Transcript:
    """Re-time an existing caption file (``fmt`` "vtt" or "srt") into paragraphs.

    A paragraph starts at its first cue and ends where the next paragraph starts
    (the last one at its last cue's end, or at ``duration_ms``); its anchors hold the
    cues' own times, so that its words are timed inside them and never spread into
    the silence after its last cue.
    """
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    repairs = list(repairs)
    uncertain = encoding_warnings(text, repairs)
    text, text_repairs = normalise_text(text)
    read = read_cue_file(text, fmt, source)
    rolled, dropped = collapse_rolling(read.cues)
    cues = [timed for cue in rolled if (timed := _timed_cue(cue)) is not None]
    if not cues:
        raise _no_cues(source, text, fmt, read)
    warnings: list[Issue] = list(read.warnings)
    groups: list[list[_TimedCue]] = []
    for cue in cues:
        if groups:
            previous = groups[-1][-1]
            if cue.start_ms < previous.start_ms:
                raise TranscriptError(
                    source,
                    Issue(
                        "marker-order",
                        f"cue at {format_clock(cue.start_ms)} starts before the cue before it"
                        f" ({format_clock(previous.start_ms)})",
                        cue.line,
                        "Sort the cues by start time.",
                    ),
                )
            group_start = groups[-1][0].start_ms
            boundary = (
                cue.speaker != previous.speaker
                or cue.start_ms - previous.end_ms >= PAUSE_MS
                or (
                    _SENTENCE_FINAL.search(previous.text) is not None
                    and previous.end_ms - group_start >= PARAGRAPH_MS
                )
                or previous.end_ms - group_start >= PARAGRAPH_MAX_MS
            )
            if not boundary:
                groups[-1].append(cue)
                continue
        groups.append([cue])
    paragraphs = []
    for index, group in enumerate(groups):
        end = groups[index + 1][0].start_ms if index + 1 < len(groups) else group[-1].end_ms
        if index + 1 < len(groups) and groups[index + 1][0].start_ms == group[0].start_ms:
            raise TranscriptError(
                source,
                Issue(
                    "marker-order",
                    f"two paragraphs start at {format_clock(group[0].start_ms)}",
                    groups[index + 1][0].line,
                    "Give overlapping cues distinct start times.",
                ),
            )
        body, anchors = _paragraph_text(group)
        paragraphs.append(
            Paragraph(
                index,
                group[0].start_ms,
                max(end, group[0].start_ms),
                group[0].speaker,
                body,
                group[0].line,
                anchors,
            )
        )
    # The duration ends the last paragraph; its anchors still time its words.
    with_duration = apply_duration(paragraphs, duration_ms, warnings, origin=duration_origin)
    paragraphs = [
        replace(new, anchors=old.anchors)
        for new, old in zip(with_duration, paragraphs, strict=True)
    ]
    rolling = [Repair("rolling-captions", dropped, _REPAIR_DETAILS["rolling-captions"])]
    return Transcript(
        doc_id=doc_id,
        source=source,
        sha256=sha256,
        metadata=Metadata(),
        paragraphs=tuple(paragraphs),
        repairs=tuple([*repairs, *text_repairs, *read.repairs, *(rolling if dropped else [])]),
        warnings=tuple(sorted([*uncertain, *warnings], key=lambda w: (w.line or 0, w.code))),
        duration_ms=duration_ms,
    )


def _no_cues(source: str, text: str, fmt: str, read: CueFile) -> TranscriptError:
    if read.cues:
        return TranscriptError(
            source,
            Issue(
                "no-cues",
                "the caption file's cues hold no text",
                read.cues[0].line,
                "Check that it is a complete WebVTT or SubRip file.",
            ),
        )
    first = next(((n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()), None)
    if fmt == "vtt" and first is not None and not _HEADER_RE.match(first[1].strip()):
        # About the whole file: where it fails is said in the message.
        return TranscriptError(
            source,
            Issue(
                "malformed-captions",
                f"not a valid WebVTT file (line {first[0]} is {_quote(first[1])}, not the"
                " 'WEBVTT' header, and no line is a cue timing)",
                None,
                "Check that it is a WebVTT file: 'WEBVTT' on the first line, then cues"
                " timed hh:mm:ss.mmm --> hh:mm:ss.mmm.",
            ),
        )
    example = "00:00:01.000 --> 00:00:03.000" if fmt == "vtt" else "00:00:01,000 --> 00:00:03,000"
    return TranscriptError(
        source,
        Issue(
            "no-cues",
            "the caption file holds no cues (no line is a cue timing)",
            None,
            f"Check that it is a complete {'WebVTT' if fmt == 'vtt' else 'SubRip'} file,"
            f" each cue under a timing line such as {example}.",
        ),
    )
