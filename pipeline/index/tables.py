"""Index: DocumentResults -> Parquet tables (documents, segments, chunks, cues, mentions).

``*_rows(results)`` are pure (frozen row Structs, sorted by doc_id then position);
``tables(results)`` turns them into pyarrow Tables with the explicit ``SCHEMAS``; and
``write_tables(results, out_dir)`` writes ``out_dir/index/<table>.parquet`` atomically,
byte for byte the same for the same input.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Collection, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.files import atomic_target, current_umask
from pipeline.model import AUDIO, CAPTIONS, ESTIMATE, DocumentResult, Mention


def _use_quiet_allocator() -> None:
    """Arrow's buffers from the C library's malloc, not the wheel's default mimalloc
    (nor its jemalloc), unless ARROW_DEFAULT_MEMORY_POOL chooses.

    mimalloc and jemalloc both take transparent huge pages from the kernel here, and
    every fresh 2 MB page is zeroed on first touch: `perf` put 28% of a one-changed
    re-run's CPU (1,000 documents, reading and rewriting the tables) in the kernel's
    ``clear_page_erms`` under ``mi_page_free_list_extend``. Writing the first cue row
    group of a run: 0.11-0.21 s with jemalloc (0.05-0.15 s of it in the kernel), 0.036 s
    with malloc. The one-changed re-run: 3.15 s with mimalloc, 2.33 s with jemalloc
    (median of five); a 300-document full run 0.5 s less system CPU. The tables' bytes
    do not depend on the allocator.
    """
    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "system") == "system":
        # (pipeline/__init__.py sets the variable for the C++ pool; this covers a
        # pyarrow imported before the package, whose C++ pool is already chosen.)
        pa.set_memory_pool(pa.system_memory_pool())


_use_quiet_allocator()

# Bump when a column is added, removed, renamed or changes meaning; readers check it.
SCHEMA_VERSION = "2"
INDEX_DIR = "index"
# The label the tag stage gives gazetteer intervention names; their canonical ids
# become ``chunks.intervention_ids`` instead of entity texts and labels.
INTERVENTION_LABEL = "INTERVENTION"
META_SCHEMA_VERSION = b"pipeline.schema_version"
META_PIPELINE_VERSION = b"pipeline.version"
META_TABLE = b"pipeline.table"
# Every run that changes a document rewrites the tables whole: on the 1,000-document
# tables level 9 makes files 4% smaller than level 3 (2.54 MB against 2.64 MB) for
# 2.4 times the time (133 ms against 55 ms); level 1 is no faster and 7% larger.
ZSTD_LEVEL = 3
ROW_GROUP_SIZE = 65_536
# Which documents (under which keys) the index files were built from, written by a run
# after them all; anything else that rewrites an index file removes it first, so rows
# are never kept from files it does not describe.
INDEX_DOCS = ".docs.json"

# --- schemas --------------------------------------------------------------------

# Low-cardinality strings (labels, courses, speakers, doc ids repeated per row) are
# dictionary-encoded, so they load as categoricals and compress to almost nothing.
_DICT = pa.dictionary(pa.int32(), pa.string())
# Parquet names a list's child "element"; naming it so here keeps the schema read
# back from a file equal to the one written.
_STRINGS = pa.list_(pa.field("element", pa.string(), nullable=False))


def _col(name: str, type_: pa.DataType, meaning: str, *, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": meaning})


DOCUMENTS_SCHEMA = pa.schema(
    [
        _col("doc_id", pa.string(), "Document id: the input's path under its root, slugged."),
        _col("source", pa.string(), "Path of the input file as given."),
        _col("sha256", pa.string(), "SHA-256 of the input file's bytes (hex)."),
        _col("course", _DICT, "Course title from the page; null when absent.", nullable=True),
        _col("institution", _DICT, "Institution from the page; null when absent.", nullable=True),
        _col(
            "step_title", pa.string(), "Step title from the page; null when absent.", nullable=True
        ),
        _col(
            "step_description",
            pa.string(),
            "Step description from the page; null when absent.",
            nullable=True,
        ),
        _col(
            "video_url",
            pa.string(),
            "Video URL from the manifest; null when unknown.",
            nullable=True,
        ),
        _col("duration_ms", pa.int64(), "End of the timeline: the video's length in ms."),
        _col(
            "duration_estimated",
            pa.bool_(),
            "True when duration_ms is estimated from the speaking rate, not given.",
        ),
        _col("speakers", _STRINGS, "Speaker labels in order of first appearance."),
        _col("paragraph_count", pa.int32(), "Number of timed paragraphs (rows in segments)."),
        _col("word_count", pa.int32(), "Number of timed words."),
        _col("chunk_count", pa.int32(), "Number of search chunks (rows in chunks)."),
        _col("cue_count", pa.int32(), "Number of caption cues (rows in cues)."),
        _col("mention_count", pa.int32(), "Number of mentions (rows in mentions)."),
        _col("warning_count", pa.int32(), "Number of warnings (ingest and timing)."),
        _col("repair_count", pa.int32(), "Number of repairs ingest made to the text."),
        _col(
            "timed_from_audio",
            pa.float64(),
            "Share of words timed from the media's audio (forced alignment), 0 to 1.",
        ),
        _col(
            "timed_from_captions",
            pa.float64(),
            "Share of words timed inside a caption file's own cue times, 0 to 1.",
        ),
        _col(
            "timed_by_estimate",
            pa.float64(),
            "Share of words timed by the speech model between markers, 0 to 1.",
        ),
        _col(
            "media",
            pa.string(),
            "Media file the words were aligned to; null when none.",
            nullable=True,
        ),
    ]
)

SEGMENTS_SCHEMA = pa.schema(
    [
        _col("segment_id", pa.string(), "Stable id: '<doc_id>#seg<idx>'."),
        _col("doc_id", _DICT, "Document id (see documents)."),
        _col("idx", pa.int32(), "Position of the paragraph in its document, from 0."),
        _col("start_ms", pa.int64(), "Start: the paragraph's timing marker, in ms."),
        _col(
            "end_ms", pa.int64(), "End: the next paragraph's start (the video's end for the last)."
        ),
        _col("speaker", _DICT, "Speaker label; null when none is given.", nullable=True),
        _col("text", pa.string(), "Paragraph text, without marker and speaker label."),
        _col("line", pa.int32(), "1-based line of the marker in the source file."),
        _col(
            "timing",
            _DICT,
            "Where its words' times come from: audio, captions or estimate.",
        ),
    ]
)

CHUNKS_SCHEMA = pa.schema(
    [
        _col("chunk_id", pa.string(), "Stable id of the search unit: the key to upsert on."),
        _col("doc_id", _DICT, "Document id (see documents)."),
        _col("idx", pa.int32(), "Position of the chunk in its document, from 0."),
        _col("start_ms", pa.int64(), "Estimated time of the chunk's first word, in ms."),
        _col("end_ms", pa.int64(), "Estimated end of the chunk's last word, in ms."),
        _col("speaker", _DICT, "Speaker label; null when none is given.", nullable=True),
        _col("text", pa.string(), "Chunk text: whole sentences, roughly 15-45 s of speech."),
        _col("course", _DICT, "Course title; null when absent.", nullable=True),
        _col("institution", _DICT, "Institution; null when absent.", nullable=True),
        _col("step_title", _DICT, "Step title; null when absent.", nullable=True),
        _col(
            "deep_link",
            pa.string(),
            "'<video_url>#t=<whole seconds>' jumping to start_ms; null without a video URL.",
            nullable=True,
        ),
        _col(
            "entity_texts",
            _STRINGS,
            "Texts of the named entities (and of intervention names found by pattern, which"
            " have no canonical id) in the chunk, deduplicated, in order of appearance.",
        ),
        _col(
            "entity_labels",
            _STRINGS,
            "Labels of those entities (PERSON, ORG, ...), deduplicated, in order of appearance.",
        ),
        _col(
            "intervention_ids",
            _STRINGS,
            "Canonical ids of the interventions named in the chunk, deduplicated, in order.",
        ),
    ]
)

CUES_SCHEMA = pa.schema(
    [
        _col("cue_id", pa.string(), "Stable id: '<doc_id>#cue<idx>'."),
        _col("doc_id", _DICT, "Document id (see documents)."),
        _col("idx", pa.int32(), "Position of the cue in its document, from 0."),
        _col("start_ms", pa.int64(), "When the cue appears, in ms."),
        _col("end_ms", pa.int64(), "When the cue disappears, in ms."),
        _col("speaker", _DICT, "Speaker label; null when none is given.", nullable=True),
        _col("text", pa.string(), "Cue text: its lines joined by a space."),
        _col("lines", _STRINGS, "The cue's lines as displayed (one or two)."),
    ]
)

MENTIONS_SCHEMA = pa.schema(
    [
        _col("mention_id", pa.string(), "Stable id of the mention (from the tag stage)."),
        _col("doc_id", _DICT, "Document id (see documents)."),
        _col(
            "chunk_id",
            pa.string(),
            "Chunk the mention is in (see chunks); null for the step title and description.",
            nullable=True,
        ),
        _col(
            "paragraph",
            pa.int32(),
            "Paragraph index (segments.idx); null for the step title and description.",
            nullable=True,
        ),
        _col("part", _DICT, "Where the text is: paragraph, step_title or step_description."),
        _col("start", pa.int32(), "Start of the mention: character offset in that text."),
        _col("end", pa.int32(), "End of the mention: character offset (exclusive)."),
        _col("text", pa.string(), "The mention as written."),
        _col("label", _DICT, "Entity label (PERSON, ORG, GPE, ...) or INTERVENTION."),
        _col(
            "canonical_id",
            _DICT,
            "Gazetteer id of the intervention; null for model entities.",
            nullable=True,
        ),
        _col(
            "canonical_name",
            _DICT,
            "Canonical name of the intervention; null for model entities.",
            nullable=True,
        ),
        _col("categories", _STRINGS, "Gazetteer categories (delivery, tier); empty for entities."),
        _col(
            "source",
            _DICT,
            "Who found it: model (spaCy), gazetteer, or pattern (an intervention name the"
            " text introduces, or a later use of a name established in the document).",
        ),
        _col(
            "confidence",
            pa.float32(),
            "How sure the tagger is (0-1) of a pattern mention; null for model and gazetteer.",
            nullable=True,
        ),
        _col(
            "start_ms",
            pa.int64(),
            "Estimated time the mention is spoken, in ms; null outside the transcript.",
            nullable=True,
        ),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "documents": DOCUMENTS_SCHEMA,
    "segments": SEGMENTS_SCHEMA,
    "chunks": CHUNKS_SCHEMA,
    "cues": CUES_SCHEMA,
    "mentions": MENTIONS_SCHEMA,
}
# The same columns with dictionary ones as plain strings and no metadata: how rows
# from the previous tables and new rows meet before they are encoded again.
PLAIN_SCHEMAS: dict[str, pa.Schema] = {
    name: pa.schema(
        [
            pa.field(
                f.name,
                f.type.value_type if pa.types.is_dictionary(f.type) else f.type,
                nullable=f.nullable,
            )
            for f in schema
        ]
    )
    for name, schema in SCHEMAS.items()
}
TABLE_ROWS: dict[str, str] = {
    "documents": "one row per transcript",
    "segments": "one row per timed paragraph",
    "chunks": "one row per search unit (what a search engine indexes)",
    "cues": "one row per caption cue",
    "mentions": "one row per named-entity or intervention mention",
}

# --- rows -----------------------------------------------------------------------

# Rows are msgspec Structs, not frozen dataclasses: a run makes every row of every
# document (a hundred cues a document), and a Struct is made in C where a frozen
# dataclass's ``__init__`` sets each field through ``object.__setattr__`` (the cue
# rows of a document 0.25 -> 0.05 ms). Fields, order, equality and hashing as before.


class DocumentRow(msgspec.Struct, frozen=True, gc=False):
    doc_id: str
    source: str
    sha256: str
    course: str | None
    institution: str | None
    step_title: str | None
    step_description: str | None
    video_url: str | None
    duration_ms: int
    duration_estimated: bool
    speakers: tuple[str, ...]
    paragraph_count: int
    word_count: int
    chunk_count: int
    cue_count: int
    mention_count: int
    warning_count: int
    repair_count: int
    timed_from_audio: float
    timed_from_captions: float
    timed_by_estimate: float
    media: str | None


class SegmentRow(msgspec.Struct, frozen=True, gc=False):
    segment_id: str
    doc_id: str
    idx: int
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    line: int
    timing: str


class ChunkRow(msgspec.Struct, frozen=True, gc=False):
    chunk_id: str
    doc_id: str
    idx: int
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    course: str | None
    institution: str | None
    step_title: str | None
    deep_link: str | None
    entity_texts: tuple[str, ...]
    entity_labels: tuple[str, ...]
    intervention_ids: tuple[str, ...]


class CueRow(msgspec.Struct, frozen=True, gc=False):
    cue_id: str
    doc_id: str
    idx: int
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    lines: tuple[str, ...]


class MentionRow(msgspec.Struct, frozen=True, gc=False):
    mention_id: str
    doc_id: str
    chunk_id: str | None
    paragraph: int | None
    part: str
    start: int
    end: int
    text: str
    label: str
    canonical_id: str | None
    canonical_name: str | None
    categories: tuple[str, ...]
    source: str
    confidence: float | None
    start_ms: int | None


ROW_TYPES: dict[str, type] = {
    "documents": DocumentRow,
    "segments": SegmentRow,
    "chunks": ChunkRow,
    "cues": CueRow,
    "mentions": MentionRow,
}


def sorted_results(results: Sequence[DocumentResult]) -> list[DocumentResult]:
    """Results in doc_id order; two results with one doc_id are refused."""
    ordered = sorted(results, key=lambda r: r.transcript.doc_id)
    for before, after in itertools.pairwise(ordered):
        if before.transcript.doc_id == after.transcript.doc_id:
            raise PipelineError(
                f"two documents share the id '{after.transcript.doc_id}'"
                f" ({before.transcript.source} and {after.transcript.source});"
                " ids must be unique for the index. Rename one of the two files."
            )
    return ordered


def deep_link(video_url: str | None, start_ms: int) -> str | None:
    """A media-fragment link to the moment: whole seconds, rounded down so no word is cut."""
    if not video_url:
        return None
    base = video_url.split("#", 1)[0]  # a fragment already there would hide ours
    return f"{base}#t={start_ms // 1000}"


def _mention_order(mention: Mention) -> tuple[int, int, int, int, str]:
    # The step title and description come before the transcript on the page.
    rank = {"step_title": 0, "step_description": 1}.get(mention.part, 2)
    paragraph = -1 if mention.paragraph is None else mention.paragraph
    return (rank, paragraph, mention.start, mention.end, mention.mention_id)


def document_rows(results: Sequence[DocumentResult]) -> list[DocumentRow]:
    rows = []
    for result in sorted_results(results):
        transcript, metadata = result.transcript, result.transcript.metadata
        shares = result.timeline.shares()
        rows.append(
            DocumentRow(
                doc_id=transcript.doc_id,
                source=transcript.source,
                sha256=transcript.sha256,
                course=metadata.course,
                institution=metadata.institution,
                step_title=metadata.step_title,
                step_description=metadata.step_description,
                video_url=result.video_url,
                duration_ms=result.timeline.end_ms,
                duration_estimated=result.timeline.end_estimated,
                speakers=transcript.speakers,
                paragraph_count=len(transcript.paragraphs),
                word_count=len(result.timeline.words),
                chunk_count=len(result.chunks),
                cue_count=len(result.cues),
                mention_count=len(result.mentions),
                warning_count=len(result.warnings),
                repair_count=sum(repair.count for repair in transcript.repairs),
                timed_from_audio=round(shares.get(AUDIO, 0.0), 4),
                timed_from_captions=round(shares.get(CAPTIONS, 0.0), 4),
                timed_by_estimate=round(shares.get(ESTIMATE, 0.0), 4),
                media=result.media,
            )
        )
    return rows


def segment_rows(results: Sequence[DocumentResult]) -> list[SegmentRow]:
    rows = []
    for result in sorted_results(results):
        doc_id = result.transcript.doc_id
        for paragraph in sorted(result.transcript.paragraphs, key=lambda p: p.index):
            # Only the last paragraph lacks an end; the timeline knows (or estimated) it.
            end_ms = paragraph.end_ms if paragraph.end_ms is not None else result.timeline.end_ms
            rows.append(
                SegmentRow(
                    segment_id=f"{doc_id}#seg{paragraph.index}",
                    doc_id=doc_id,
                    idx=paragraph.index,
                    start_ms=paragraph.start_ms,
                    end_ms=end_ms,
                    speaker=paragraph.speaker,
                    text=paragraph.text,
                    line=paragraph.line,
                    timing=_timing_source(result, paragraph.index),
                )
            )
    return rows


def _timing_source(result: DocumentResult, index: int) -> str:
    sources = result.timeline.sources
    return sources[index] if index < len(sources) else "estimate"


def chunk_rows(results: Sequence[DocumentResult]) -> list[ChunkRow]:
    rows = []
    for result in sorted_results(results):
        metadata = result.transcript.metadata
        by_chunk: dict[str, list[Mention]] = {}
        for mention in sorted(result.mentions, key=_mention_order):
            if mention.chunk_id is not None:
                by_chunk.setdefault(mention.chunk_id, []).append(mention)
        for chunk in sorted(result.chunks, key=lambda c: c.idx):
            texts: dict[str, None] = {}
            labels: dict[str, None] = {}
            interventions: dict[str, None] = {}
            for mention in by_chunk.get(chunk.chunk_id, ()):
                if mention.label == INTERVENTION_LABEL and mention.canonical_id:
                    interventions.setdefault(mention.canonical_id)
                else:  # entities, and intervention names found by pattern (no id)
                    texts.setdefault(mention.text)
                    labels.setdefault(mention.label)
            rows.append(
                ChunkRow(
                    chunk_id=chunk.chunk_id,
                    doc_id=chunk.doc_id,
                    idx=chunk.idx,
                    start_ms=chunk.start_ms,
                    end_ms=chunk.end_ms,
                    speaker=chunk.speaker,
                    text=chunk.text,
                    course=metadata.course,
                    institution=metadata.institution,
                    step_title=metadata.step_title,
                    deep_link=deep_link(result.video_url, chunk.start_ms),
                    entity_texts=tuple(texts),
                    entity_labels=tuple(labels),
                    intervention_ids=tuple(interventions),
                )
            )
    return rows


def cue_rows(results: Sequence[DocumentResult]) -> list[CueRow]:
    rows = []
    for result in sorted_results(results):
        doc_id = result.transcript.doc_id
        for cue in sorted(result.cues, key=lambda c: c.idx):
            rows.append(
                CueRow(
                    cue_id=f"{doc_id}#cue{cue.idx}",
                    doc_id=doc_id,
                    idx=cue.idx,
                    start_ms=cue.start_ms,
                    end_ms=cue.end_ms,
                    speaker=cue.speaker,
                    text=cue.text,
                    lines=cue.lines,
                )
            )
    return rows


def mention_rows(results: Sequence[DocumentResult]) -> list[MentionRow]:
    rows = []
    for result in sorted_results(results):
        for mention in sorted(result.mentions, key=_mention_order):
            rows.append(
                MentionRow(
                    mention_id=mention.mention_id,
                    doc_id=mention.doc_id,
                    chunk_id=mention.chunk_id,
                    paragraph=mention.paragraph,
                    part=mention.part,
                    start=mention.start,
                    end=mention.end,
                    text=mention.text,
                    label=mention.label,
                    canonical_id=mention.canonical_id,
                    canonical_name=mention.canonical_name,
                    categories=mention.categories,
                    source=mention.source,
                    confidence=mention.confidence,
                    start_ms=mention.start_ms,
                )
            )
    return rows


ROW_BUILDERS: dict[str, Callable[[Sequence[DocumentResult]], Sequence[Any]]] = {
    "documents": document_rows,
    "segments": segment_rows,
    "chunks": chunk_rows,
    "cues": cue_rows,
    "mentions": mention_rows,
}

# --- tables ---------------------------------------------------------------------


def rows_to_table(name: str, rows: Sequence[Any]) -> pa.Table:
    """Rows of ``ROW_TYPES[name]`` as a Table with the explicit schema and its metadata."""
    schema = SCHEMAS[name]
    arrays = []
    for field in schema:
        # A column at a time, its values read in C (attrgetter over map): the run's
        # process builds the rows of every document.
        values: list[Any] = list(map(attrgetter(field.name), rows))
        if pa.types.is_list(field.type):
            values = [list(v) if isinstance(v, tuple) else v for v in values]
        arrays.append(pa.array(values, type=field.type))
    table = pa.Table.from_arrays(arrays, schema=schema)
    for field, column in zip(schema, table.columns, strict=True):
        # pyarrow does not check nullability; a null here is a bug upstream.
        if not field.nullable and column.null_count:
            raise ValueError(f"{name}.{field.name}: {column.null_count} nulls in a required column")
    return table.replace_schema_metadata(_file_metadata(name))


def _file_metadata(name: str) -> dict[bytes, bytes]:
    # Nothing time- or host-dependent: identical input must give identical bytes.
    return {
        META_SCHEMA_VERSION: SCHEMA_VERSION.encode(),
        META_PIPELINE_VERSION: __version__.encode(),
        META_TABLE: name.encode(),
    }


def tables(results: Sequence[DocumentResult]) -> dict[str, pa.Table]:
    """Every table, keyed by name, in ``SCHEMAS`` order."""
    return {name: rows_to_table(name, build(results)) for name, build in ROW_BUILDERS.items()}


# --- files ----------------------------------------------------------------------


# Fixed so that the bytes are reproducible.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": ZSTD_LEVEL,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write one table atomically, with options fixed so the bytes are reproducible."""
    with atomic_target(path) as temporary:
        pq.write_table(table, temporary, row_group_size=ROW_GROUP_SIZE, **PARQUET_OPTIONS)


def index_dir(out_dir: Path) -> Path:
    return Path(out_dir) / INDEX_DIR


def write_tables(results: Sequence[DocumentResult], out_dir: Path) -> dict[str, Path]:
    """Write ``out_dir/index/<table>.parquet`` for every table; returns the paths by name."""
    writer = TableWriter(out_dir)
    for result in sorted_results(results):
        writer.add(result)
    return writer.commit()


class TableWriter:
    """Writes every table from documents handed over in doc_id order: ``add`` for a
    document's result, ``keep`` for a document whose rows are taken from the tables
    already in ``out_dir/index`` (its record is not read; ``kept`` names them all, so
    that those tables are read only when one is).

    Clean and incremental builds go one road, so their bytes cannot differ: each
    table's rows, a document's in their order, come in doc_id order (new rows as plain
    Arrow columns, kept ones as slices of the previous table) and are written a row
    group of ``ROW_GROUP_SIZE`` rows at a time as soon as that many are waiting, each
    row group's dictionary columns encoded again (values in order of first appearance)
    with fixed options. Memory holds at most a row group per table (and the previous
    tables, when documents are kept), however many documents there are. Each table goes
    to a temporary file; ``commit`` moves them all into place.
    """

    SEAL_ROWS = 4_096  # new rows held as Python objects before they become Arrow columns

    def __init__(self, out_dir: Path, kept: Collection[str] = ()) -> None:
        self.directory = index_dir(out_dir)
        self.paths = {name: self.directory / f"{name}.parquet" for name in SCHEMAS}
        self.kept = frozenset(kept)
        self.previous: dict[str, tuple[pa.Table, dict[str, tuple[int, int]]]] = {}
        # Kept rows waiting after the pieces, per table: (first row, row after) in the
        # previous table; consecutive kept documents extend it.
        self.runs: dict[str, tuple[int, int]] = {}
        self.rows: dict[str, list[Any]] = {name: [] for name in SCHEMAS}
        self.pieces: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
        self.waiting: dict[str, int] = {name: 0 for name in SCHEMAS}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.groups: dict[str, int] = {name: 0 for name in SCHEMAS}
        self.temporaries: dict[str, Path] = {}
        self.last_doc_id: str | None = None
        self.last_source = ""
        self.finished = False

    def _next(self, doc_id: str, source: str) -> None:
        """``doc_id`` comes after the last one."""
        if self.last_doc_id is not None and doc_id <= self.last_doc_id:
            self.abort()
            if doc_id == self.last_doc_id:
                raise PipelineError(
                    f"two documents share the id '{doc_id}' ({self.last_source} and"
                    f" {source}); ids must be unique for the index. Rename one of the two files."
                )
            raise ValueError("documents must come in doc_id order")
        self.last_doc_id, self.last_source = doc_id, source

    def add(self, result: DocumentResult) -> None:
        self._next(result.transcript.doc_id, result.transcript.source)
        for name, build in ROW_BUILDERS.items():
            self._close_run(name)  # kept rows before these
            rows = build([result])
            self.rows[name].extend(rows)
            self.waiting[name] += len(rows)
            if len(self.rows[name]) >= self.SEAL_ROWS:
                self._seal(name)
            if self.waiting[name] >= ROW_GROUP_SIZE:
                self._write_groups(name)

    def keep(self, doc_id: str) -> None:
        """``doc_id``'s rows, from the previous tables."""
        self._next(doc_id, doc_id)
        for name in SCHEMAS:
            _, runs = self._previous(name)
            span = runs.get(doc_id)
            if span is None:
                continue  # no rows in this table (a document without mentions)
            if self.rows[name]:
                self._seal(name)  # new rows waiting come before these
            first, stop = span
            run = self.runs.get(name)
            if run is not None and run[1] == first:
                self.runs[name] = (run[0], stop)  # the next kept document: one slice for all
            else:
                self._close_run(name)
                self.runs[name] = (first, stop)
            self.waiting[name] += stop - first
            if self.waiting[name] >= ROW_GROUP_SIZE:
                self._write_groups(name)

    def read_previous(self) -> None:
        """Read the previous tables now, when documents are kept from them."""
        if self.kept:
            for name in SCHEMAS:
                self._previous(name)

    def _previous(self, name: str) -> tuple[pa.Table, dict[str, tuple[int, int]]]:
        """The previous table (dictionary columns as strings) and each kept document's
        rows in it; read on first use."""
        if name not in self.previous:
            try:
                table = pq.read_table(self.paths[name], use_threads=False).cast(PLAIN_SCHEMAS[name])
            except OSError as error:
                self.abort()
                raise _table_error(self.directory, error) from None
            runs = {d: (a, b) for d, a, b in doc_runs(table) if d in self.kept}
            self.previous[name] = (table, runs)
        return self.previous[name]

    def _close_run(self, name: str) -> None:
        """The kept rows waiting become a slice of the previous table, after the pieces."""
        run = self.runs.pop(name, None)
        if run is not None:
            self.pieces[name].append(self.previous[name][0].slice(run[0], run[1] - run[0]))

    def _seal(self, name: str) -> None:
        """New rows waiting as Python objects become Arrow columns (after any kept rows
        waiting before them)."""
        self._close_run(name)
        if self.rows[name]:
            rows, self.rows[name] = self.rows[name], []
            self.pieces[name].append(rows_to_table(name, rows).cast(PLAIN_SCHEMAS[name]))

    def _write_groups(self, name: str, last: bool = False) -> None:
        """Write every full row group waiting; with ``last``, the rest too (an empty
        table gets one empty row group)."""
        self._seal(name)
        while self.waiting[name] >= ROW_GROUP_SIZE or (
            last and (self.waiting[name] or not self.groups[name])
        ):
            waiting = pa.concat_tables([PLAIN_SCHEMAS[name].empty_table(), *self.pieces[name]])
            group, rest = waiting.slice(0, ROW_GROUP_SIZE), waiting.slice(ROW_GROUP_SIZE)
            self._write_group(name, group)
            self.pieces[name] = [rest] if rest.num_rows else []
            self.waiting[name] = rest.num_rows

    def _write_group(self, name: str, plain: pa.Table) -> None:
        schema = SCHEMAS[name].with_metadata(_file_metadata(name))
        plain = plain.combine_chunks()
        columns = [
            pc.dictionary_encode(column).cast(field.type)
            if pa.types.is_dictionary(field.type)
            else column
            for column, field in zip(plain.columns, schema, strict=True)
        ]
        try:
            writer = self.writers.get(name)
            if writer is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                path = self.paths[name]
                handle, temporary = tempfile.mkstemp(
                    prefix=f".{path.name}.", suffix=".tmp", dir=self.directory
                )
                os.close(handle)
                self.temporaries[name] = Path(temporary)
                writer = self.writers[name] = pq.ParquetWriter(temporary, schema, **PARQUET_OPTIONS)
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
        except OSError as error:
            self.abort()
            raise _table_error(self.directory, error) from None
        self.groups[name] += 1

    def finish(self) -> None:
        """Write what is still waiting and close every table (still under a temporary
        name)."""
        for name in SCHEMAS:
            self._write_groups(name, last=True)
            try:
                self.writers.pop(name).close()
                # On disk before index/.docs.json (written durably after the commit)
                # vouches for it, as the search database is: a later run copies kept
                # rows from these files.
                with open(self.temporaries[name], "rb") as written:
                    os.fsync(written.fileno())
            except OSError as error:
                self.abort()
                raise _table_error(self.directory, error) from None
        self.previous.clear()
        self.finished = True

    def commit(self) -> dict[str, Path]:
        """Finish, then move every table into place."""
        if not self.finished:
            self.finish()
        mode = 0o666 & ~current_umask()
        try:
            (self.directory / INDEX_DOCS).unlink(missing_ok=True)
            for name, temporary in self.temporaries.items():
                os.chmod(temporary, mode)
                os.replace(temporary, self.paths[name])
        except OSError as error:
            self.abort()
            raise _table_error(self.directory, error) from None
        return dict(self.paths)

    def abort(self) -> None:
        for writer in self.writers.values():
            try:
                writer.close()
            except Exception:  # cleaning up after another error: that one is raised
                pass
        self.writers.clear()
        for temporary in self.temporaries.values():
            temporary.unlink(missing_ok=True)


def doc_runs(table: pa.Table) -> list[tuple[str, int, int]]:
    """(doc_id, first row, row after the last) of each document in a table whose rows
    are grouped by document."""
    if table.num_rows == 0:
        return []
    runs = pc.run_end_encode(table.column("doc_id").combine_chunks())
    ends = runs.run_ends.to_pylist()
    return list(zip(runs.values.to_pylist(), [0, *ends[:-1]], ends, strict=True))


def previous_tables_ok(out_dir: Path) -> bool:
    """The tables in ``out_dir/index`` are all there, of this schema version and
    pipeline version, with this code's columns (rows may be kept from them)."""
    for name, schema in SCHEMAS.items():
        try:
            found = pq.read_schema(index_dir(out_dir) / f"{name}.parquet")
        except (OSError, pa.ArrowInvalid):
            return False
        metadata = found.metadata or {}
        wanted = _file_metadata(name)
        if any(metadata.get(k) != v for k, v in wanted.items()) or not found.equals(schema):
            return False
    return True


def _table_error(path: Path, error: OSError) -> PipelineError:
    return PipelineError(
        f"{path}: cannot write the index ({error.strerror or error})."
        " Check that the folder is writable and the disk has space."
    )


def locate(path: Path, filename: str) -> Path:
    """Find an index file given the file, the index folder or the output folder above it.

    All three are accepted because users pass whichever they have at hand.
    """
    path = Path(path)
    for candidate in (path, path / filename, path / INDEX_DIR / filename):
        if candidate.is_file() and candidate.name == filename:
            return candidate
    raise ConfigError(
        f"{path}: no {filename} found there or in {path / INDEX_DIR}."
        " Build the index with 'pipeline run' (or 'pipeline index') and pass its --out folder."
    )


def read_table(path: Path, name: str) -> pa.Table:
    """Read one of our tables back, checking it was written with this schema version."""
    file = locate(path, f"{name}.parquet")
    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowInvalid) as error:
        raise ConfigError(
            f"{file}: not a readable Parquet file ({error}). Rebuild it with 'pipeline run'."
        ) from None
    found = (table.schema.metadata or {}).get(META_SCHEMA_VERSION, b"").decode() or "none"
    if found != SCHEMA_VERSION:
        raise ConfigError(
            f"{file}: schema version {found}, this pipeline reads version {SCHEMA_VERSION}."
            " Rebuild the index with 'pipeline run'."
        )
    return table


def read_chunks(path: Path) -> list[ChunkRow]:
    """The chunks table read back from ``chunks.parquet`` as rows."""
    table = read_table(path, "chunks")
    names = list(ChunkRow.__struct_fields__)
    rows = []
    for record in table.select(names).to_pylist():
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in record.items()
        }
        rows.append(ChunkRow(**values))
    return rows


# --- documentation --------------------------------------------------------------


def type_name(type_: pa.DataType) -> str:
    """A reader's name for a column type: 'string (dictionary)', 'list<string>'."""
    if pa.types.is_dictionary(type_):
        return f"{type_name(type_.value_type)} (dictionary)"
    if pa.types.is_list(type_):
        return f"list<{type_name(type_.value_type)}>"
    return str(type_)


def describe_schemas() -> str:
    """Markdown: one section per table, one row per column (type and meaning).

    README embeds this text, so the documentation cannot drift from the schemas.
    """
    parts = [
        f"Schema version {SCHEMA_VERSION}. Every file carries `pipeline.schema_version`,"
        " `pipeline.version` and `pipeline.table` in its Parquet key-value metadata;"
        " `(dictionary)` columns load as categoricals; times are integer milliseconds.\n"
    ]
    for name, schema in SCHEMAS.items():
        lines = [
            f"### `{INDEX_DIR}/{name}.parquet`: {TABLE_ROWS[name]}",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
        ]
        for field in schema:
            kind = type_name(field.type) + (", nullable" if field.nullable else "")
            meaning = (field.metadata or {}).get(b"description", b"").decode()
            lines.append(f"| `{field.name}` | {kind} | {meaning} |")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)
