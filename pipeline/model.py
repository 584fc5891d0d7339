"""The frozen dataclasses (and two frozen msgspec Structs, Word and Cue, made by the
thousand) that cross stage boundaries.

ingest produces a Transcript; timing turns it into a Timeline (Words, each with the
source of its time, and Sentences) and Chunks; tag produces Mentions and Candidates;
captions produces Cues, Chapters and a Quality; a DocumentResult holds them all for
one document. All times are integer milliseconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import msgspec

# Labels kept by default; INTERVENTION is the tagger's own label for intervention names.
INTERVENTION = "INTERVENTION"
DEFAULT_LABELS = (
    "PERSON",
    "ORG",
    "GPE",
    "LOC",
    "NORP",
    "FAC",
    "EVENT",
    "WORK_OF_ART",
    "PRODUCT",
    "LAW",
)
NUMERIC_LABELS = ("DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL")


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page around the transcript says about it (None where absent)."""

    course: str | None = None
    institution: str | None = None
    step_title: str | None = None
    step_description: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """A stretch of a paragraph's text whose times a caption file gives (one cue)."""

    start: int  # character offsets into the paragraph text
    end: int
    start_ms: int
    end_ms: int
    line: int = 0


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A timed paragraph: starts at its marker, ends where the next one starts.

    ``end_ms`` is None for the last paragraph when no video duration is known;
    timing estimates it. ``line`` is the 1-based source line of the marker (or of
    the first cue for caption files). ``anchors`` are the cue times of a caption
    file, empty for page transcripts.
    """

    index: int
    start_ms: int
    end_ms: int | None
    speaker: str | None
    text: str
    line: int
    anchors: tuple[Anchor, ...] = ()


@dataclass(frozen=True, slots=True)
class Issue:
    """A warning or error about one input, located where possible."""

    code: str
    message: str
    line: int | None = None
    remedy: str = ""

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        tail = f" {self.remedy}" if self.remedy else ""
        return f"{where}: {self.message}.{tail}"


@dataclass(frozen=True, slots=True)
class Repair:
    """A change the reader made to its input, counted (never silent)."""

    kind: str
    count: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Unclassified:
    """Text that is neither transcript nor known boilerplate, kept for review."""

    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    doc_id: str
    source: str
    sha256: str
    metadata: Metadata
    paragraphs: tuple[Paragraph, ...]
    unclassified: tuple[Unclassified, ...] = ()
    repairs: tuple[Repair, ...] = ()
    warnings: tuple[Issue, ...] = ()
    boilerplate_lines: int = 0
    duration_ms: int | None = None
    name: str = ""  # the input's path under its root (posix), for provenance

    @property
    def speakers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for paragraph in self.paragraphs:
            if paragraph.speaker:
                seen.setdefault(paragraph.speaker)
        return tuple(seen)

    @property
    def word_count(self) -> int:
        return sum(len(p.text.split()) for p in self.paragraphs)


# Where a word's time comes from, best first.
AUDIO = "audio"  # forced alignment against the media's own audio
CAPTIONS = "captions"  # inside the cue times of a caption file
ESTIMATE = "estimate"  # the speech model between markers
TIMING_SOURCES = (AUDIO, CAPTIONS, ESTIMATE)


class Word(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """A whitespace-delimited word of a paragraph, with its time and where it came from.

    ``start``/``end`` are character offsets into the paragraph's text.

    A msgspec Struct, not a dataclass like its neighbours: a run makes and stores
    every word of every document, and a Struct is made in C (a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``) and kept in a record
    as an array, not an object with its field names.
    """

    paragraph: int
    start: int
    end: int
    text: str
    start_ms: int
    end_ms: int
    source: str = ESTIMATE


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a run of words; it may span paragraphs."""

    first_word: int
    last_word: int  # inclusive index into Timeline.words


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every word of a transcript, timed, and the sentences over them.

    ``sources`` gives each paragraph's timing source (one of TIMING_SOURCES);
    ``notes`` say why a paragraph is not timed from the audio it had.
    """

    doc_id: str
    words: tuple[Word, ...]
    sentences: tuple[Sentence, ...]
    end_ms: int
    end_estimated: bool
    sources: tuple[str, ...] = ()
    notes: tuple[Issue, ...] = ()

    def shares(self) -> dict[str, float]:
        """The share of words timed from each source there is, in one pass."""
        if not self.words:
            return {}
        counts = Counter(w.source for w in self.words)
        return {source: n / len(self.words) for source, n in counts.items()}


@dataclass(frozen=True, slots=True)
class Chunk:
    """A sentence-aligned search unit of roughly 15-45 s."""

    chunk_id: str
    doc_id: str
    idx: int
    start_ms: int
    end_ms: int
    first_word: int
    last_word: int
    speaker: str | None
    text: str


class Cue(msgspec.Struct, frozen=True, gc=False):
    """A caption cue: one or two lines shown from start_ms to end_ms.

    A msgspec Struct like ``Word`` (a hundred a document, made by the cue search and
    read back from every record): made and decoded in C, stored as the same JSON
    object as the frozen dataclass it was."""

    idx: int
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    speaker: str | None = None
    first_word: int = 0
    last_word: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True, slots=True)
class Mention:
    """A named entity or intervention name, placed in time."""

    mention_id: str
    doc_id: str
    chunk_id: str | None
    paragraph: int | None  # None for document-level (step title/description)
    start: int
    end: int  # character span in the paragraph (or metadata field) text
    text: str
    label: str
    canonical_id: str | None
    canonical_name: str | None
    categories: tuple[str, ...] = field(default=())
    source: str = "model"  # "model", "gazetteer" or "pattern"
    start_ms: int | None = None
    part: str = "paragraph"  # or "step_title" / "step_description"
    # How sure the tagger is, 0-1: for pattern mentions (INTERVENTION names the text
    # introduces); None for model entities and gazetteer matches.
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A phrase that looks like an intervention name but is not in the gazetteer."""

    doc_id: str
    part: str
    paragraph: int | None
    start: int
    end: int
    text: str
    context: str
    start_ms: int | None


@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True, slots=True)
class Quality:
    """How a document's cues measure against a caption profile."""

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
    # Share of words by timing source (audio, captions, estimate).
    timed_from_audio: float = 0.0
    timed_from_captions: float = 0.0
    timed_by_estimate: float = 0.0

    def summary(self) -> str:
        unit = self.speed_unit
        return (
            f"{self.cues} cues, {self.share_within_max:.1%} <= {self.max_speed:g} {unit}"
            f" ({self.share_within_target:.1%} <= {self.target_speed:g}), longest line"
            f" {self.longest_line}, durations {self.shortest_ms}-{self.longest_ms} ms,"
            f" {self.gaps_under_min} short gaps, {self.overlaps} overlaps"
        )

    def breaks_rules(self) -> bool:
        return bool(
            self.over_max_speed
            or self.lines_over_limit
            or self.cues_over_line_count
            or self.gaps_under_min
            or self.overlaps
            or self.under_min_duration
            or self.over_max_duration
        )


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything the stages made of one transcript: what index and report consume.

    ``stage_ms`` is the wall time each stage took; it is reported, never written
    into outputs that must be byte-identical.
    """

    transcript: Transcript
    timeline: Timeline
    chunks: tuple[Chunk, ...]
    cues: tuple[Cue, ...]
    mentions: tuple[Mention, ...] = ()
    video_url: str | None = None
    candidates: tuple[Candidate, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    quality: Quality | None = None
    media: str | None = None  # the media file the words were aligned to, as given
    stage_ms: tuple[tuple[str, int], ...] = ()

    @property
    def doc_id(self) -> str:
        return self.transcript.doc_id

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Everything to tell the user about this document: ingest, then timing."""
        return (*self.transcript.warnings, *self.timeline.notes)
