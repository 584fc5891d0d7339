"""The command line: a thin translation layer over the library.

Each command parses options, calls one library function per input, and turns the
project's own errors into 'Error: ...' lines on stderr and a non-zero exit.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline import __version__
from pipeline.errors import PipelineError, TranscriptError
from pipeline.ingest import MAX_BYTES, format_clock, read_many
from pipeline.model import Transcript

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
