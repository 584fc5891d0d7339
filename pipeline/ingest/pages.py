"""Pages: text copied from a course page -> Transcript (metadata + timed paragraphs).

``parse_transcript(text)`` is pure: markers ("Skip to 1 minute and 33 seconds", a
visible clock glued to it or alone on its line) open paragraphs; the page template
around them (boilerplate, course, institution, step title and description) becomes
metadata or is counted; anything else is kept as unclassified and warned about.

The step title is found by its place in the template, not its punctuation: the first
line between the last paragraph and the page footer (the description runs from the
next line to the footer), or the line under the step number. Equal markers are
legal (turns in the same second); a marker earlier than the one before is an error;
spans between markers no speaking rate can fill are warned about.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pipeline.clock import format_clock
from pipeline.errors import TranscriptError
from pipeline.ingest.decode import MULTISPACE, encoding_warnings, normalise_text
from pipeline.model import Issue, Metadata, Paragraph, Repair, Transcript, Unclassified

# --- markers -------------------------------------------------------------------
# "Skip to 1 minute and 33 seconds", "Skip to 1 hour, 2 minutes and 5 seconds",
# "Skip to 1 hour 2 minutes and 5 seconds". Each unit is optional (copies drop the
# zero parts) but at least one must be there; singular and plural both occur.
_LABEL = (
    r"Skip\s+to\s+"
    r"(?=\d)"
    r"(?:(?P<h>\d+)\s+hours?(?:\s*,\s*|\s+)(?:and\s+)?)?"
    r"(?:(?P<m>\d+)\s+minutes?(?:\s*,\s*|\s+)(?:and\s+)?)?"
    r"(?:(?P<s>\d+)\s+seconds?)?"
)
# A visible clock (m:ss or h:mm:ss) copied from the player, often glued to the
# label with no space ("1:09Skip to ..."). The lookbehind keeps it from eating
# the digits of a preceding number.
_CLOCK = r"(?<![\d:])(?P<clock>(?:\d{1,2}:)?\d{1,3}:\d{2})(?![\d:])"
MARKER_RE = re.compile(rf"(?:{_CLOCK}[ \t]*)?{_LABEL}", re.IGNORECASE)
# The clock alone on its line, the paragraph below it; brackets occur in exports.
CLOCK_LINE_RE = re.compile(r"^[\[(]?(?P<clock>(?:\d{1,2}:)?\d{1,3}:\d{2})[\])]?$")
CLOCK_PARTS_RE = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+)$")
# The clock leading its paragraph's line ("0:07 In this section ..."), as transcript
# exporters write it. Prose can open with a time too ("10:30 is when ..."), so this
# form counts only in a document with no other markers and at least two such lines.
CLOCK_PREFIX_RE = re.compile(
    r"^[\[(]?(?P<clock>(?:\d{1,2}:)?\d{1,3}:\d{2})[\])]?\s+(?P<text>\S.*)$"
)
# Bullets and dashes that list tools put before each marker.
_BULLET = re.compile(r"^[-–—•*·>]+$")

# A speaker label in capitals opening a paragraph ("HILARY KENNEDY: ...", "JOSÉ ÁLVAREZ:",
# "ŁUKASZ NOWAK:"). Capitals only: mixed-case "For example: ..." is ordinary prose.
_CAPITALS = "A-ZÀ-ÖØ-Þ" + "".join(c for c in map(chr, range(0x100, 0x250)) if c.isupper())
SPEAKER_RE = re.compile(
    rf"^(?P<speaker>[{_CAPITALS}][{_CAPITALS}0-9 .'’\-]{{0,38}}[{_CAPITALS}0-9.])\s*:\s+(?=\S)"
)

# --- page boilerplate -----------------------------------------------------------
# Whole lines of the course page around the transcript. Each pattern is a line
# the page template prints; matching is on the whole stripped line, any case.
_BOILERPLATE = [
    r"want to keep learning\??",
    r"join the course to learn more\.?",
    r"share this(?: video| article| step| page| audio)?:?",
    r"get a taste of this course",
    r"find out what this course is like by previewing some of the course steps"
    r" before you join:?",
    r"(?:show|hide|download|view|read) (?:the )?(?:video )?transcript",
    r"transcript|video|audio|play video",
    r"download (?:the )?(?:video|audio|transcript|subtitles|slides)(?:\s*:.*)?",
    r"join (?:this|the) course|register|sign in|sign up|log in|enrol(?:l)? now",
    r"(?:mark|marked) as complete|completed?",
    r"comments? \(\d+\)|\d+ (?:likes?|replies|comments?)",
    r"(?:low|standard|high) definition|\d{3,4}p",
    r"skip to (?:main )?content|back to top",
    r"(?:go to )?(?:the )?(?:previous|next)(?: step)?",
    r"comments?|like|reply|see all comments",
    r"facebook|twitter|x|linkedin|email|whatsapp|pinterest|copy link",
    r"(?:©|copyright\b).*|all rights reserved\.?",
    r"(?:week|step) \d+(?:\.\d+)?",
    r"\d{1,2}\.\d{1,2}",  # the step number printed above the title
]
BOILERPLATE_RE = re.compile(rf"^(?:{'|'.join(_BOILERPLATE)})$", re.IGNORECASE)
# "This content is taken from the The University of Warwick's online course,
# Babies in Mind: Why the Parent's Mind Matters. Join the course to learn more."
# The template writes a lowercase "the <institution>", hence "the The"; a
# capitalised "The" belongs to the name ("The Open University").
TAKEN_FROM_RE = re.compile(
    r"^This content is taken from (?:(?-i:the) )?(?P<institution>.+?)[’']s? online course,\s*"
    r"(?P<course>.+?)\.?\s*(?:Join the course to learn more\.?)?$",
    re.IGNORECASE,
)
# Printed before two lines: the course title, then the institution.
FROM_COURSE_RE = re.compile(
    r"^This (?:video|article|audio|step|content) is from the (?:free )?online course:?$",
    re.IGNORECASE,
)
# A step title is one short line. Where the page template puts it (see
# ``_PageParser._flush_trailer``) its punctuation does not matter; elsewhere only a
# line that does not read as a sentence is taken for one.
TITLE_MAX_WORDS = 16
_SENTENCE_END = (".", "!", "?", "…", ":", ";")
# The step number the template prints directly above the step title ("1.5", "Step 2.7"):
# the line after it is the title whatever its punctuation.
STEP_NUMBER_RE = re.compile(r"^(?:step\s+)?\d{1,2}\.\d{1,2}$", re.IGNORECASE)


# --- speaking-rate bounds -------------------------------------------------------
# A paragraph's words over the time from its marker to the next (pauses included)
# say whether the markers can be right. Conversational and lecture English runs at
# 2-3 words a second (120-180 wpm) and the fastest speakers on record reach about 10
# in short bursts, so more than 8 across a paragraph means a mistyped marker.
MAX_WORDS_PER_SECOND = 8.0
# Slow, careful speech (about 100 wpm) still keeps 1.5 words a second; under 0.5 the
# span would be three-quarters silence or more.
MIN_WORDS_PER_SECOND = 0.5
# Markers are whole seconds, so a span may be up to a second longer or shorter.
MARKER_PRECISION_MS = 1_000
# One silence the text does not show (a slide, a demonstration, music) is allowed on
# top, so a short paragraph before a pause is not flagged.
SILENCE_ALLOWANCE_MS = 10_000


@dataclass(frozen=True, slots=True)
class Marker:
    start_ms: int
    line: int
    text: str  # as written, for messages


@dataclass
class _Draft:
    marker: Marker
    body: list[str] = field(default_factory=list)
    clock_only: bool = False


def parse_transcript(
    text: str,
    *,
    doc_id: str = "document",
    source: str = "<text>",
    sha256: str | None = None,
    repairs: Iterable[Repair] = (),
    duration_ms: int | None = None,
    duration_origin: str | None = None,
) -> Transcript:
    """Parse page text with timing markers into a Transcript.

    ``duration_origin`` says where ``duration_ms`` came from ("manifest.csv:4",
    "--duration"), for the warning when it cannot be the video's length.
    """
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    repairs = list(repairs)
    uncertain = encoding_warnings(text, repairs)
    text, text_repairs = normalise_text(text)
    all_repairs = [*repairs, *text_repairs]
    parser = _PageParser(source)
    parser.warnings.extend(uncertain)
    parser.feed(text.split("\n"))
    return parser.finish(doc_id, source, sha256, all_repairs, duration_ms, duration_origin)


# --- the page parser ------------------------------------------------------------


class _PageParser:
    """One pass over the lines: markers open paragraphs, the rest is page."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.drafts: list[_Draft] = []
        self.warnings: list[Issue] = []
        self.unclassified: list[Unclassified] = []
        self.boilerplate = 0
        self.course: str | None = None
        self.institution: str | None = None
        self.title: str | None = None
        self.description: list[str] = []
        self.in_description = False
        self.expect: list[str] = []  # metadata fields the next lines hold
        self.last_marker_line = 0
        self.ended = False  # past the end of the transcript
        # Text between the last paragraph and the page footer, held until the footer
        # (or the end of the file) says what it is: the template's title slot.
        self.trailer: list[Unclassified] = []
        self.trailer_read = False  # the title slot after the transcript is decided
        self.title_next = False  # the line before was the step number

    def error(self, code: str, message: str, line: int | None, remedy: str) -> TranscriptError:
        return TranscriptError(self.source, Issue(code, message, line, remedy))

    def feed(self, lines: list[str]) -> None:
        pieces = list(self._pieces(lines))
        if not any(kind == "marker" for kind, *_ in pieces):
            raise self.error(
                "no-marker",
                "no timing marker found",
                None,
                "Each paragraph must start with a marker such as 'Skip to 1 minute and 33"
                " seconds' or a clock such as '1:33' on its own line; caption files need"
                " the .vtt or .srt extension.",
            )
        self.last_marker_line = max(p[1] for p in pieces if p[0] == "marker")
        blank_before = False
        for kind, line_no, payload, marker in pieces:
            if kind == "blank":
                blank_before = True
                continue
            if kind == "marker":
                assert marker is not None
                self._open(marker, payload, clock_only=payload is None)
            else:
                self._text(line_no, payload or "", blank_before)
            blank_before = False

    def _pieces(self, lines: list[str]) -> Iterator[tuple[str, int, str | None, Marker | None]]:
        """Split lines into blank, text and marker pieces (a line may hold several)."""
        prefixed = _clock_prefixed(lines)
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                yield "blank", number, None, None
                continue
            clock = CLOCK_LINE_RE.match(line)
            if clock:
                start = self._clock_ms(clock.group("clock"), number)
                yield "marker", number, None, Marker(start, number, line)
                continue
            lead = CLOCK_PREFIX_RE.match(line) if prefixed else None
            if lead:
                start = self._clock_ms(lead.group("clock"), number)
                written = line[: lead.start("text")].strip()
                yield "marker", number, lead.group("text"), Marker(start, number, written)
                continue
            position = 0
            for match in MARKER_RE.finditer(line):
                if not any(match.group(g) for g in ("h", "m", "s")):
                    continue
                before = line[position : match.start()].strip()
                if before and not _BULLET.match(before):
                    yield "text", number, before, None
                marker = self._marker(match, number)
                end = _next_marker_start(line, match.end())
                yield "marker", number, line[match.end() : end].strip(), marker
                position = end
            if position == 0:
                yield "text", number, line, None

    def _marker(self, match: re.Match[str], line: int) -> Marker:
        h, m, s = (int(match.group(g) or 0) for g in ("h", "m", "s"))
        clock = match.group("clock")
        label = match.group(0)[match.end("clock") - match.start() :] if clock else match.group(0)
        written = match.group(0).strip()
        if s > 59 or (match.group("h") and m > 59):
            unit, value = ("seconds", s) if s > 59 else ("minutes", m)
            raise self.error(
                "impossible-time",
                f"marker '{written}' has {value} {unit}; {unit} run from 0 to 59",
                line,
                "Correct the marker in the source file (carry the excess into the next unit).",
            )
        start = ((h * 60 + m) * 60 + s) * 1000
        if clock:
            clock_ms = self._clock_ms(clock, line)
            if clock_ms != start:
                self.warnings.append(
                    Issue(
                        "clock-mismatch",
                        f"clock {clock} disagrees with label '{label.strip()}'; using the label",
                        line,
                    )
                )
        return Marker(start, line, written)

    def _clock_ms(self, clock: str, line: int) -> int:
        parts = CLOCK_PARTS_RE.match(clock)
        assert parts is not None
        h, m, s = (int(parts.group(g) or 0) for g in ("h", "m", "s"))
        if s > 59 or (parts.group("h") and m > 59):
            raise self.error(
                "impossible-time",
                f"clock '{clock}' is not a valid time; minutes and seconds run from 0 to 59",
                line,
                "Correct the clock in the source file.",
            )
        return ((h * 60 + m) * 60 + s) * 1000

    def _open(self, marker: Marker, inline: str | None, *, clock_only: bool) -> None:
        if self.drafts:
            previous = self.drafts[-1]
            # A clock line directly followed by its label is one marker, not two.
            if previous.clock_only and not previous.body and not clock_only:
                if previous.marker.start_ms != marker.start_ms:
                    self.warnings.append(
                        Issue(
                            "clock-mismatch",
                            f"clock '{previous.marker.text}' disagrees with label"
                            f" '{marker.text}'; using the label",
                            marker.line,
                        )
                    )
                self.drafts.pop()
            else:
                self._check_closed(previous)
                # Equal markers are legal: the page clock shows whole seconds, so two
                # short speaker turns can start in the same second (the paragraphs
                # share it, in order). Only going back in time is an error.
                if marker.start_ms < previous.marker.start_ms:
                    raise self.error(
                        "marker-order",
                        f"marker '{marker.text}' ({format_clock(marker.start_ms)}) is earlier"
                        f" than the one before it at line {previous.marker.line}"
                        f" ({format_clock(previous.marker.start_ms)})",
                        marker.line,
                        "Fix the time, or move the paragraph to where it is spoken.",
                    )
        self.in_description = False
        self.title_next = False
        draft = _Draft(marker, clock_only=clock_only)
        if inline:
            draft.body.append(inline)
        self.drafts.append(draft)

    def _check_closed(self, draft: _Draft) -> None:
        if not draft.body:
            raise self.error(
                "empty-paragraph",
                f"the paragraph at {format_clock(draft.marker.start_ms)}"
                f" ('{draft.marker.text}') has no text",
                draft.marker.line,
                "Add the paragraph's text after its marker, or delete the marker.",
            )

    def _text(self, line_no: int, text: str, blank_before: bool) -> None:
        draft = self.drafts[-1] if self.drafts else None
        is_last = draft is not None and draft.marker.line == self.last_marker_line
        if self._page_line(text):
            if is_last and draft is not None and draft.body:
                self.ended = True  # page text after the last paragraph: it is over
            if self.ended:
                self._flush_trailer(footer=True)
            return
        if draft is not None and not self.ended:
            if not is_last:
                # Between two markers everything is transcript, blank lines or not.
                draft.body.append(text)
                return
            if not draft.body:
                draft.body.append(text)
                return
            joined = draft.body[-1]
            if not blank_before and not joined.endswith(_SENTENCE_END):
                # A hard-wrapped line continues the last paragraph mid-sentence.
                draft.body.append(text)
                return
            # Otherwise the transcript has ended; what follows is page.
            self.ended = True
        if self.ended and not self.trailer_read:
            self.trailer.append(Unclassified(line_no, text))
            return
        self._page_text(line_no, text)

    def _page_line(self, text: str) -> bool:
        """Known boilerplate and metadata lines; True when consumed."""
        if self.expect:
            fieldname = self.expect.pop(0)
            if BOILERPLATE_RE.match(text):
                self.expect.insert(0, fieldname)
                self.boilerplate += 1
                return True
            setattr(self, fieldname, text)
            self.boilerplate += 1
            return True
        taken = TAKEN_FROM_RE.match(text)
        if taken:
            self.institution = self.institution or taken.group("institution").strip()
            self.course = self.course or taken.group("course").strip()
            self.boilerplate += 1
            self.in_description = False
            return True
        if FROM_COURSE_RE.match(text):
            # The trailer's own lines are authoritative over the header sentence.
            self.expect = ["course", "institution"]
            self.boilerplate += 1
            self.in_description = False
            return True
        if BOILERPLATE_RE.match(text) or text in (self.course, self.institution):
            self.boilerplate += 1
            self.in_description = False
            self.title_next = not self.drafts and STEP_NUMBER_RE.match(text) is not None
            return True
        return False

    def _flush_trailer(self, *, footer: bool) -> None:
        """Decide the block between the last paragraph and the page footer.

        The page template prints the step title and then its description there, so
        when a footer line closes the block its first line is the title, whatever
        its punctuation ("Why do ducks need water?"), and the rest the description.
        Without a footer (the copy stops early) nothing confirms the template, and
        each line is judged by its shape, as text elsewhere on the page is.
        """
        block, self.trailer = self.trailer, []
        self.trailer_read = True
        self.in_description = False
        if not block:
            return
        first, rest = block[0], block[1:]
        if footer and _fits_title_slot(first.text) and self.title in (None, first.text):
            if self.title is None:
                self.title = first.text
            else:
                self.boilerplate += 1  # the header's title, printed again
            self.description.extend(item.text for item in rest)
            return
        for item in block:
            self._page_text(item.line, item.text)

    def _page_text(self, line_no: int, text: str) -> None:
        """Text outside the transcript: a step title, its description, or unknown."""
        title_next, self.title_next = self.title_next, False
        if self.title is None and title_next and _fits_title_slot(text):
            self.title = text  # the line under the step number, by position
            self.in_description = True
            return
        if self.title is None and _looks_like_title(text):
            self.title = text
            self.in_description = True
            return
        if self.in_description and self.title is not None and not _looks_like_title(text):
            self.description.append(text)
            return
        self.in_description = False
        self.unclassified.append(Unclassified(line_no, text))

    def finish(
        self,
        doc_id: str,
        source: str,
        sha256: str,
        repairs: list[Repair],
        duration_ms: int | None,
        duration_origin: str | None = None,
    ) -> Transcript:
        if self.ended:
            self._flush_trailer(footer=False)
        for draft in self.drafts:
            self._check_closed(draft)
        paragraphs: list[Paragraph] = []
        speaker: str | None = None
        collapsed = 0
        for index, draft in enumerate(self.drafts):
            body = " ".join(draft.body)
            text, runs = MULTISPACE.subn(" ", body)
            collapsed += runs
            label = SPEAKER_RE.match(text)
            if label:
                speaker = label.group("speaker").strip()
                text = text[label.end() :]
            following = (
                self.drafts[index + 1].marker.start_ms if index + 1 < len(self.drafts) else None
            )
            paragraphs.append(
                Paragraph(
                    index,
                    draft.marker.start_ms,
                    following,
                    speaker,
                    text.strip(),
                    draft.marker.line,
                )
            )
        if collapsed:
            repairs = [*repairs, Repair("whitespace", collapsed, "runs of spaces collapsed")]
        paragraphs = apply_duration(paragraphs, duration_ms, self.warnings, origin=duration_origin)
        self.warnings.extend(implausible_gaps(paragraphs))
        for item in self.unclassified:
            self.warnings.append(
                Issue(
                    "unclassified",
                    f"text outside the transcript is neither a marker nor known page text:"
                    f" '{_clip(item.text)}'",
                    item.line,
                    "It is kept as unclassified; add a marker if it is spoken.",
                )
            )
        metadata = Metadata(
            course=self.course,
            institution=self.institution,
            step_title=self.title,
            step_description="\n".join(self.description) or None,
        )
        return Transcript(
            doc_id=doc_id,
            source=source,
            sha256=sha256,
            metadata=metadata,
            paragraphs=tuple(paragraphs),
            unclassified=tuple(self.unclassified),
            repairs=tuple(repairs),
            warnings=tuple(sorted(self.warnings, key=lambda w: (w.line or 0, w.code))),
            boilerplate_lines=self.boilerplate,
            duration_ms=duration_ms,
        )


def _clock_prefixed(lines: list[str]) -> bool:
    """Whether this document marks its paragraphs with leading clocks only."""
    count = 0
    for line in lines:
        line = line.strip()
        if CLOCK_LINE_RE.match(line) or _has_label(line):
            return False
        count += CLOCK_PREFIX_RE.match(line) is not None
    return count >= 2


def _has_label(line: str) -> bool:
    return any(any(m.group(g) for g in ("h", "m", "s")) for m in MARKER_RE.finditer(line))


def _next_marker_start(line: str, position: int) -> int:
    for match in MARKER_RE.finditer(line, position):
        if any(match.group(g) for g in ("h", "m", "s")):
            return match.start()
    return len(line)


def _fits_title_slot(text: str) -> bool:
    """Short enough to be a step title where the template puts one.

    A line opening with a speaker label ("JANE: Thank you.") is speech that lost its
    marker, never a title.
    """
    return len(text.split()) <= TITLE_MAX_WORDS and SPEAKER_RE.match(text) is None


def _looks_like_title(text: str) -> bool:
    """A step title found by its shape alone: short and not ending like a sentence."""
    return _fits_title_slot(text) and not text.endswith(_SENTENCE_END)


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def apply_duration(
    paragraphs: list[Paragraph],
    duration_ms: int | None,
    warnings: list[Issue],
    *,
    origin: str | None = None,
) -> list[Paragraph]:
    """End the last paragraph at the video's known duration.

    A duration not after the last marker cannot be the video's length: it is not
    used, and the warning (on the last marker's line) names where it came from.
    """
    if duration_ms is None or not paragraphs:
        return paragraphs
    last = paragraphs[-1]
    if duration_ms <= last.start_ms:
        given = f" given in {origin}" if origin else " given (manifest or --duration)"
        warnings.append(
            Issue(
                "duration",
                f"the video duration {_duration(duration_ms)}{given} is not after the last"
                f" marker ({format_clock(last.start_ms)}); it is not used and the end is"
                " estimated instead",
                last.line,
                "Correct the duration to the video's length, or the last marker.",
            )
        )
        return paragraphs
    return [*paragraphs[:-1], _replace_end(last, duration_ms)]


def implausible_gaps(paragraphs: Sequence[Paragraph]) -> list[Issue]:
    """Warnings for spans between markers no speaking rate could fill, or fill so fast.

    Paragraphs that share a start (turns in the same second) are judged together,
    over the time to the next later marker. The warning is on the line of the marker
    that closes the span (for the last paragraph, its own: the end is the duration).
    """
    issues: list[Issue] = []
    k = 0
    while k < len(paragraphs):
        j = k
        while j + 1 < len(paragraphs) and paragraphs[j + 1].start_ms == paragraphs[k].start_ms:
            j += 1
        run, k = paragraphs[k : j + 1], j + 1
        first, last = run[0], run[-1]
        if last.end_ms is None:
            continue
        words = sum(len(p.text.split()) for p in run)
        span = last.end_ms - first.start_ms
        following = paragraphs[k] if k < len(paragraphs) else None
        where = (
            f"the next marker at {format_clock(last.end_ms)}"
            if following is not None
            else f"the video's end at {format_clock(last.end_ms)} (the duration given)"
        )
        line = following.line if following is not None else last.line
        between = (
            f"{words} words between the marker at {format_clock(first.start_ms)}"
            f" (line {first.line}) and {where}"
        )
        if words > MAX_WORDS_PER_SECOND * (span + MARKER_PRECISION_MS) / 1000:
            issues.append(
                Issue(
                    "implausible-gap",
                    f"{between}, {_span(span)} apart: over {MAX_WORDS_PER_SECOND:g} words"
                    " a second, faster than anyone speaks",
                    line,
                    "Check both markers against the video; one of them is probably mistyped.",
                )
            )
        elif (
            span - MARKER_PRECISION_MS > words / MIN_WORDS_PER_SECOND * 1000 + SILENCE_ALLOWANCE_MS
        ):
            issues.append(
                Issue(
                    "implausible-gap",
                    f"{between}, {_span(span)} apart: under {MIN_WORDS_PER_SECOND:g} words"
                    f" a second even with a {SILENCE_ALLOWANCE_MS // 1000} s silence; the"
                    " words will be spread over the whole span",
                    line,
                    "Check both markers (a mistyped hour or minute?) and the duration"
                    " against the video.",
                )
            )
    return issues


def _duration(ms: int) -> str:
    """A clock, with the milliseconds when a manifest gave a fraction of a second."""
    return format_clock(ms) + (f".{ms % 1000:03d}" if ms % 1000 else "")


def _span(ms: int) -> str:
    return f"{ms / 1000:g} s" if ms < 60_000 else format_clock(ms)


def _replace_end(paragraph: Paragraph, end_ms: int) -> Paragraph:
    return Paragraph(
        paragraph.index,
        paragraph.start_ms,
        end_ms,
        paragraph.speaker,
        paragraph.text,
        paragraph.line,
    )
