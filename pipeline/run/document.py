"""The unit of work: one document through every stage.

``process_document(source, settings, worker)`` runs ingest, timing (with the media's
audio when there is some), tag and captions for one input and returns its
DocumentResult; ``write_document`` writes its caption files and then its record.
The ``Worker`` holds what is expensive to load (the spaCy model, the aligner), once
per worker process, whichever executor runs it. Every command goes this one road.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.captions import (
    CHAPTER_TITLE_MAX,
    build_chapters,
    build_cues,
    measure,
    quality_json,
    to_chapters_vtt,
    to_srt,
    to_webvtt,
)
from pipeline.collector import settle
from pipeline.errors import PipelineError, TranscriptError
from pipeline.files import write_text_atomic
from pipeline.ingest.sources import read_transcript
from pipeline.model import (
    AUDIO,
    CAPTIONS,
    ESTIMATE,
    DocumentResult,
    Issue,
    Mention,
    Timeline,
    Transcript,
)
from pipeline.settings import Settings
from pipeline.timing import segment

if TYPE_CHECKING:
    from pipeline.tag import Tagger
    from pipeline.timing.align import Aligner

# How far process_document goes: the stage commands stop early.
STAGES = ("ingest", "timing", "tag", "captions")


@dataclass(frozen=True, slots=True)
class Source:
    """One input, as discovery and the manifest resolved it."""

    path: Path  # as given or found
    root: Path  # where its doc id counts from
    doc_id: str
    duration_ms: int | None = None
    video_url: str | None = None
    media: Path | None = None  # video or audio to time the words from
    duration_origin: str | None = None  # where duration_ms came from, for messages
    real: Path | None = None  # ``path`` resolved, when discovery has done it
    name: str | None = None  # ``path`` under ``root`` (posix), when discovery has worked it out

    @property
    def shown(self) -> str:
        """The path for messages, as the user gave or sees it."""
        return str(self.path)

    @property
    def resolved(self) -> str:
        """The absolute path, links resolved: what records and the state name."""
        return str(self.real or self.path.resolve())


class Worker:
    """What one worker process loads once and reuses for every document."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tagger: Tagger | None = None
        self._aligner: Aligner | None = None

    @property
    def tagger(self) -> Tagger:
        if self._tagger is None:
            from pipeline.tag import open_tagger

            s = self.settings
            # Documents ahead (pipeline/collector.py); set first, as loading the model
            # makes hundreds of thousands of objects too (0.33 -> 0.26 s of CPU).
            settle()
            self._tagger = open_tagger(
                model=s.model, gazetteers=s.gazetteers, cache_dir=s.cache_dir, labels=s.labels
            )
        return self._tagger

    @property
    def aligner(self) -> Aligner:
        if self._aligner is None:
            from pipeline.timing.align import Aligner

            self._aligner = Aligner()
        return self._aligner


_WORKERS: dict[Settings, Worker] = {}


def worker_for(settings: Settings) -> Worker:
    """This process's Worker for ``settings``: loaded on first use, then kept.

    Keyed by the (frozen, hashable) settings themselves: their fingerprint reads the
    gazetteer files, which would be I/O for every document.
    """
    worker = _WORKERS.get(settings)
    if worker is None:
        _WORKERS.clear()  # one configuration per process at a time
        worker = _WORKERS[settings] = Worker(settings)
    return worker


class _Stopwatch:
    def __init__(self) -> None:
        self.laps: dict[str, int] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = round((time.perf_counter() - started) * 1000)
            self.laps[name] = self.laps.get(name, 0) + elapsed


def process_document(
    source: Source, settings: Settings, worker: Worker, *, until: str = "captions"
) -> DocumentResult:
    """Every stage for one input, up to ``until``; raises TranscriptError for a bad input.

    Media problems are warnings (the words are then timed from the text), or errors
    with ``settings.strict``.
    """
    clock = _Stopwatch()
    with clock.stage("ingest"):
        transcript = read_transcript(
            source.path,
            root=source.root,
            max_bytes=settings.max_bytes,
            encoding=settings.encoding,
            duration_ms=source.duration_ms,
            duration_origin=source.duration_origin,
            place=(source.doc_id, source.name) if source.name is not None else None,
        )
    if until == "ingest":
        empty = Timeline(transcript.doc_id, (), (), 0, False)
        return DocumentResult(transcript, empty, (), (), video_url=source.video_url)
    media = source.media if settings.media else None
    audio_times: dict[int, Any] = {}
    media_end_ms: int | None = None
    notes: list[Issue] = []
    with clock.stage("timing"):
        if media is not None:
            with clock.stage("align"):
                audio_times, media_end_ms, notes = _align(transcript, media, worker, source)
            if settings.strict and notes:
                first = notes[0]
                raise TranscriptError(source.shown, replace(first, message=first.message))
        segmented = segment(
            transcript,
            sizes=settings.chunk_sizes,
            audio=audio_times,
            media_end_ms=media_end_ms,
            notes=notes,
        )
    timeline, chunks = segmented.timeline, segmented.chunks
    mentions: tuple[Mention, ...] = ()
    candidates: tuple[Any, ...] = ()
    if settings.tags and until in ("tag", "captions"):
        with clock.stage("tag"):
            tagged = worker.tagger.tag_document(transcript, timeline, chunks)
            mentions, candidates = tagged.mentions, tagged.candidates
    result = DocumentResult(
        transcript,
        timeline,
        chunks,
        (),
        mentions,
        source.video_url,
        candidates,
        media=str(media) if media is not None and audio_times else None,
    )
    if until != "captions":
        return replace(result, stage_ms=tuple(clock.laps.items()))
    with clock.stage("captions"):
        cues = build_cues(transcript, timeline, settings.profile, protected_spans(mentions))
        chapters = build_chapters(transcript, timeline, chapter_names(mentions))
        shares = timeline.shares()
        quality = replace(
            measure(cues, settings.profile),
            timed_from_audio=round(shares.get(AUDIO, 0.0), 4),
            timed_from_captions=round(shares.get(CAPTIONS, 0.0), 4),
            timed_by_estimate=round(shares.get(ESTIMATE, 0.0), 4),
        )
    return replace(
        result,
        cues=cues,
        chapters=chapters,
        quality=quality,
        stage_ms=tuple(clock.laps.items()),
    )


def _align(
    transcript: Transcript, media: Path, worker: Worker, source: Source
) -> tuple[dict[int, Any], int | None, list[Issue]]:
    """Word times from the media's audio, the media's end, and what went wrong."""
    from pipeline.timing.align import MediaError
    from pipeline.timing.audio import align_transcript

    try:
        times, end_ms, notes = align_transcript(transcript, media, worker.aligner)
        return dict(times), end_ms, list(notes)
    except MediaError as error:
        issue = Issue(
            "media",
            f"the words cannot be timed from the media ({error}) and are timed from the"
            " text instead",
            None,
            "Or pass --no-media to time from the text without this warning.",
        )
        return {}, None, [issue]


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


CAPTION_SUFFIXES = (".vtt", ".srt", ".chapters.vtt", ".quality.json")


def caption_names(doc_id: str) -> list[str]:
    """A document's caption files, relative to the output folder (posix)."""
    return [f"captions/{doc_id}{suffix}" for suffix in CAPTION_SUFFIXES]


def caption_files(out_dir: Path, doc_id: str) -> list[Path]:
    return [Path(out_dir) / name for name in caption_names(doc_id)]


def caption_texts(result: DocumentResult, settings: Settings) -> list[str]:
    """The texts of captions/<doc_id>.vtt, .srt, .chapters.vtt and .quality.json."""
    assert result.quality is not None, "captions need a result processed to the end"
    return [
        to_webvtt(result.transcript, result.cues, settings.profile),
        to_srt(result.cues),
        to_chapters_vtt(result.transcript, result.chapters),
        quality_json(result.quality),
    ]


def write_captions(result: DocumentResult, out_dir: Path, settings: Settings) -> list[Path]:
    """Write the caption files atomically; returns their paths."""
    paths = caption_files(out_dir, result.transcript.doc_id)
    try:
        for path, text in zip(paths, caption_texts(result, settings), strict=True):
            # Not synced one by one: the run syncs the folder once before its state
            # vouches for them (pipeline.files.sync_folder); a kill needs no sync.
            write_text_atomic(path, text, durable=False)
    except OSError as error:
        raise PipelineError(
            f"{out_dir}: cannot write the captions ({error.strerror or error})."
            " Check that the output folder is writable and the disk has space, or pass"
            " another --out."
        ) from None
    return paths
