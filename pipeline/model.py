"""The frozen dataclasses that cross stage boundaries.

ingest produces a Transcript; segment turns it into Words, Sentences, Chunks and
Cues; tag produces Mentions. All times are integer milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the page around the transcript says about it (None where absent)."""

    course: str | None = None
    institution: str | None = None
    step_title: str | None = None
    step_description: str | None = None


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A timed paragraph: starts at its marker, ends where the next one starts.

    ``end_ms`` is None for the last paragraph when no video duration is known;
    the segment stage estimates it. ``line`` is the 1-based source line of the
    marker (or of the first cue for caption files).
    """

    index: int
    start_ms: int
    end_ms: int | None
    speaker: str | None
    text: str
    line: int


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


@dataclass(frozen=True, slots=True)
class Word:
    """A whitespace-delimited word of a paragraph, with its estimated time.

    ``start``/``end`` are character offsets into the paragraph's text.
    """

    paragraph: int
    start: int
    end: int
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence as a run of words; it may span paragraphs."""

    first_word: int
    last_word: int  # inclusive index into Timeline.words


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every word of a transcript, timed, and the sentences over them."""

    doc_id: str
    words: tuple[Word, ...]
    sentences: tuple[Sentence, ...]
    end_ms: int
    end_estimated: bool


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


@dataclass(frozen=True, slots=True)
class Cue:
    """A caption cue: one or two lines shown from start_ms to end_ms."""

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
    source: str = "model"  # "model" or "gazetteer"
    start_ms: int | None = None
    part: str = "paragraph"  # or "step_title" / "step_description"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything the stages made of one transcript: what the index stage consumes."""

    transcript: Transcript
    timeline: Timeline
    chunks: tuple[Chunk, ...]
    cues: tuple[Cue, ...]
    mentions: tuple[Mention, ...] = ()
    video_url: str | None = None
