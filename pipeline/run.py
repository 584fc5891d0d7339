"""Run: every stage for every transcript, each document a pure function of
(transcript, options); tagging is batched across documents and cached.

consumes: input paths; produces DocumentResults, captions/ and (write_candidates)
review/candidates.csv under the output folder; the CLI adds index/.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline.captions import (
    CHAPTER_TITLE_MAX,
    PROFILES,
    Profile,
    Quality,
    build_chapters,
    build_cues,
    measure,
    to_chapters_vtt,
    to_srt,
    to_webvtt,
)
from pipeline.errors import PipelineError, TranscriptError
from pipeline.files import write_text_atomic
from pipeline.ingest import MAX_BYTES, doc_id_for, read_many
from pipeline.manifest import MANIFEST_NAME, Entry, read_manifest
from pipeline.model import Chunk, DocumentResult, Mention, Timeline, Transcript
from pipeline.segment import ChunkSizes, Segmented, segment

if TYPE_CHECKING:  # tag imports spaCy: only for the types here
    from pipeline.tag import Candidate, TagResult


class Tagger(Protocol):
    def tag_documents(
        self, items: Iterable[tuple[Transcript, Timeline, tuple[Chunk, ...]]]
    ) -> Iterator[TagResult]: ...


@dataclass(frozen=True, slots=True)
class Options:
    profile: Profile = PROFILES["default"]
    max_bytes: int = MAX_BYTES
    encoding: str | None = None
    manifest: Path | None = None
    duration_ms: int | None = None  # for a single input file
    chunk_sizes: ChunkSizes = field(default_factory=ChunkSizes)


@dataclass
class Outcome:
    """What a batch did: results in input order, and the files that failed."""

    results: list[DocumentResult] = field(default_factory=list)
    qualities: dict[str, Quality] = field(default_factory=dict)
    failures: list[PipelineError] = field(default_factory=list)
    warnings: int = 0
    candidates: list[Candidate] = field(default_factory=list)


def load_manifests(paths: Sequence[Path], options: Options) -> dict[str, Entry]:
    """The manifest named by the options, else one found in an input folder."""
    entries: dict[str, Entry] = {}
    for path in paths:
        root = path if path.is_dir() else path.parent
        candidate = options.manifest or (root / MANIFEST_NAME)
        if candidate.is_file():
            entries.update(read_manifest(candidate, root))
    return entries


def read_inputs(
    paths: Sequence[Path], options: Options, entries: dict[str, Entry]
) -> Iterator[tuple[Path, Transcript | TranscriptError]]:
    durations = {k: v.duration_ms for k, v in entries.items() if v.duration_ms is not None}
    if options.duration_ms is not None:
        if len(paths) != 1 or not paths[0].is_file():
            raise PipelineError("--duration applies to one input file; use a manifest for many")
        durations[doc_id_for(paths[0], paths[0].parent)] = options.duration_ms
    yield from read_many(
        paths, max_bytes=options.max_bytes, encoding=options.encoding, durations=durations
    )


def protected_spans(mentions: Iterable[Mention]) -> list[tuple[int, int, int]]:
    return [(m.paragraph, m.start, m.end) for m in mentions if m.paragraph is not None]


def chapter_names(mentions: Iterable[Mention]) -> dict[int, list[str]]:
    """The interventions named in each paragraph, in order, to title its chapter.

    A canonical name too long for a title gives way to the words as spoken.
    """
    names: dict[int, list[str]] = {}
    for mention in mentions:
        if mention.paragraph is None or mention.label != "INTERVENTION":
            continue
        name = mention.canonical_name or mention.text
        if len(name) > CHAPTER_TITLE_MAX:
            name = mention.text
        if name not in names.setdefault(mention.paragraph, []):
            names[mention.paragraph].append(name)
    return names


def assemble(
    transcript: Transcript,
    segmented: Segmented,
    mentions: tuple[Mention, ...],
    profile: Profile,
    video_url: str | None = None,
) -> DocumentResult:
    cues = build_cues(transcript, segmented.timeline, profile, protected_spans(mentions))
    return DocumentResult(
        transcript, segmented.timeline, segmented.chunks, cues, mentions, video_url
    )


def write_captions(result: DocumentResult, out_dir: Path, profile: Profile) -> Quality:
    """captions/<doc_id>.vtt, .srt, .chapters.vtt and .quality.json."""
    base = out_dir / "captions" / result.transcript.doc_id
    chapters = build_chapters(result.transcript, result.timeline, chapter_names(result.mentions))
    quality = measure(result.cues, profile)
    for suffix, text in (
        (".vtt", to_webvtt(result.transcript, result.cues, profile)),
        (".srt", to_srt(result.cues)),
        (".chapters.vtt", to_chapters_vtt(result.transcript, chapters)),
        (".quality.json", quality.to_json()),
    ):
        write_text_atomic(base.with_name(base.name + suffix), text)
    return quality


def process(
    paths: Sequence[Path],
    options: Options,
    *,
    tagger: Tagger | None = None,
    out_dir: Path | None = None,
    on_result: Callable[[DocumentResult, Quality | None], None] | None = None,
    on_error: Callable[[PipelineError], None] | None = None,
) -> Outcome:
    """Ingest, segment, tag (when a tagger is given) and build cues for every
    input; write captions when ``out_dir`` is given."""
    outcome = Outcome()
    transcripts: list[Transcript] = []
    entries = load_manifests(paths, options)
    for _path, read in read_inputs(paths, options, entries):
        if isinstance(read, TranscriptError):
            outcome.failures.append(read)
            if on_error:
                on_error(read)
            continue
        transcripts.append(read)
    segments = [segment(t, sizes=options.chunk_sizes) for t in transcripts]
    if tagger is not None:
        items = [(t, s.timeline, s.chunks) for t, s in zip(transcripts, segments, strict=True)]
        tagged = list(tagger.tag_documents(items))
        all_mentions = [t.mentions for t in tagged]
        outcome.candidates = [c for t in tagged for c in t.candidates]
    else:
        all_mentions = [() for _ in transcripts]
    for transcript, segmented, mentions in zip(transcripts, segments, all_mentions, strict=True):
        result = assemble(
            transcript, segmented, mentions, options.profile, _url(entries, transcript.doc_id)
        )
        quality = write_captions(result, out_dir, options.profile) if out_dir else None
        if quality is not None:
            outcome.qualities[transcript.doc_id] = quality
        outcome.results.append(result)
        outcome.warnings += len(transcript.warnings)
        if on_result:
            on_result(result, quality)
    return outcome


def _url(entries: dict[str, Entry], doc_id: str) -> str | None:
    entry = entries.get(doc_id)
    return entry.video_url if entry else None


CANDIDATE_COLUMNS = ("doc_id", "part", "paragraph", "time", "start_ms", "text", "context")


def write_candidates(candidates: Sequence[Candidate], out_dir: Path) -> Path:
    """review/candidates.csv: names that look like interventions but are not in the
    gazetteer, with their context, for a content team to add (or not)."""
    import csv
    import io

    from pipeline.ingest import format_clock

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANDIDATE_COLUMNS)
    for c in candidates:
        when = format_clock(c.start_ms) if c.start_ms is not None else ""
        writer.writerow((c.doc_id, c.part, c.paragraph, when, c.start_ms, c.text, c.context))
    path = out_dir / "review" / "candidates.csv"
    write_text_atomic(path, buffer.getvalue())
    return path
