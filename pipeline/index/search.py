"""Search: chunks -> a SQLite FTS5 index, ranked queries over it, and search-engine exports.

``build_search_index(results, out_dir)`` writes ``out_dir/index/search.sqlite``
(porter + unicode61 tokenizer, BM25 ranking) atomically and reproducibly;
``search(path, query, ...)`` returns ranked ``Hit``s; ``export_chunks`` writes the
chunks as JSON lines or an OpenSearch/Elasticsearch bulk body.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import tempfile
import unicodedata
from array import array
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import msgspec

from pipeline import __version__
from pipeline.errors import ConfigError, PipelineError
from pipeline.files import atomic_target, current_umask
from pipeline.index.tables import (
    CHUNKS_SCHEMA,
    INDEX_DOCS,
    INTERVENTION_LABEL,
    SCHEMA_VERSION,
    ChunkRow,
    chunk_rows,
    deep_link,
    index_dir,
    locate,
    read_chunks,
    sorted_results,
)
from pipeline.model import DocumentResult, Mention, Word

SEARCH_FILE = "search.sqlite"
SNIPPET_TOKENS = 24
TOKENIZER = "porter unicode61"

_FTS_SQL = f"""CREATE VIRTUAL TABLE chunks_fts USING fts5(
    text, content='chunks', content_rowid='rowid', tokenize='{TOKENIZER}'
)"""
# The full-text index's own tables (FTS5 "shadow" tables), copied in from the file where
# SearchBuilder builds the index.
_FTS_TABLES = ("chunks_fts_data", "chunks_fts_idx", "chunks_fts_docsize", "chunks_fts_config")

_SCHEMA_SQL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE chunks (
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    speaker TEXT,
    text TEXT NOT NULL,
    course TEXT,
    institution TEXT,
    step_title TEXT,
    video_url TEXT,
    entity_texts TEXT NOT NULL,      -- JSON array
    entity_labels TEXT NOT NULL,     -- JSON array
    intervention_ids TEXT NOT NULL,  -- JSON array
    word_times BLOB NOT NULL         -- each word's offset in text and start: pack_word_times
);
-- Exact-match filters, one row per (value, chunk), with the time of the value's first
-- mention in the chunk; WITHOUT ROWID makes them their own indexes.
CREATE TABLE chunk_interventions (
    intervention_id TEXT NOT NULL,
    chunk_rowid INTEGER NOT NULL REFERENCES chunks(rowid),
    start_ms INTEGER NOT NULL,
    PRIMARY KEY (intervention_id, chunk_rowid)
) WITHOUT ROWID;
CREATE TABLE chunk_labels (
    label TEXT NOT NULL COLLATE NOCASE,
    chunk_rowid INTEGER NOT NULL REFERENCES chunks(rowid),
    start_ms INTEGER NOT NULL,
    PRIMARY KEY (label, chunk_rowid)
) WITHOUT ROWID;
-- External content: the text is stored once, in chunks; snippet() reads it there.
{_FTS_SQL};
"""

# --- building -------------------------------------------------------------------


class SearchRecord(msgspec.Struct, frozen=True, gc=False):
    """A chunk as the search index holds it: its row, and what places a match in time."""

    row: ChunkRow
    video_url: str | None
    word_times: tuple[tuple[int, int], ...]  # (character offset in row.text, start_ms)
    interventions: tuple[tuple[str, int], ...]  # (id, time of its first mention here)
    labels: tuple[tuple[str, int], ...]  # (label, time of its first mention here)


def search_path(out_dir: Path) -> Path:
    return index_dir(out_dir) / SEARCH_FILE


def build_search_index(results: Sequence[DocumentResult], out_dir: Path) -> Path:
    """Write ``out_dir/index/search.sqlite`` from the chunks; returns its path."""
    return write_search_index(search_records(results), search_path(out_dir))


def search_records(results: Sequence[DocumentResult]) -> list[SearchRecord]:
    """One record per chunk, in chunks-table order."""
    extras: dict[str, tuple[Any, ...]] = {}
    for result in sorted_results(results):
        by_chunk: dict[str, list[Mention]] = {}
        for mention in result.mentions:
            if mention.chunk_id is not None:
                by_chunk.setdefault(mention.chunk_id, []).append(mention)
        for chunk in result.chunks:
            words = result.timeline.words[chunk.first_word : chunk.last_word + 1]
            interventions: dict[str, int] = {}
            labels: dict[str, int] = {}
            for mention in by_chunk.get(chunk.chunk_id, ()):
                when = chunk.start_ms if mention.start_ms is None else mention.start_ms
                # INTERVENTION counts as a label too, so that --label INTERVENTION works.
                labels[mention.label] = min(when, labels.get(mention.label, when))
                if mention.label == INTERVENTION_LABEL and mention.canonical_id:
                    key = mention.canonical_id
                    interventions[key] = min(when, interventions.get(key, when))
            extras[chunk.chunk_id] = (
                result.video_url,
                word_offsets(chunk.text, words),
                tuple(sorted(interventions.items())),
                tuple(sorted(labels.items())),
            )
    return [SearchRecord(row, *extras[row.chunk_id]) for row in chunk_rows(results)]


def word_offsets(text: str, words: Sequence[Word]) -> tuple[tuple[int, int], ...]:
    """Where each word starts in the chunk text, with its time; unfound words are skipped."""
    found: list[tuple[int, int]] = []
    cursor = 0
    for word in words:
        at = text.find(word.text, cursor)
        if at >= 0:
            found.append((at, word.start_ms))
            cursor = at + len(word.text)
    return tuple(found)


class SearchBuilder:
    """Builds the FTS5 database in a temporary file beside ``path``, one document at a
    time; ``commit`` moves it into place. The same records give the same bytes.

    Rows are written in the order they are handed over: a document's new rows here,
    kept rows copied from the previous database by a thread of its own (SQLite lets go
    of the GIL while it copies), while the run goes on; rows handed over while the
    thread has work queued go to it too, after that work.
    The full-text index is built alongside, in a second file, and copied in at
    ``finish``: a block of ``BLOCK_ROWS`` rowids at a time, once all its chunks are
    written, in one statement. FTS5 writes its pending terms out as a segment at every
    statement that may change many rows, so the segments, and the bytes, depend on
    where statements start; blocks fixed by rowid make them the same whichever
    documents a run kept and however their rows arrived (tests/test_search.py), and
    one statement per block lets go of the GIL for the whole block.
    """

    MAX_PENDING = 32  # batches queued for the thread: memory stays flat
    RUN_ROWS = 2048  # kept rows handed to the thread at once
    BLOCK_ROWS = 4096  # chunks indexed per statement (part of the index's bytes)

    def __init__(
        self,
        path: Path,
        previous: Path | None = None,
        spans: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        self.path = Path(path)
        # Kept documents' rows are copied from ``previous`` (the database already in
        # place): doc_id -> (its first rowid there, its chunk count). ``spans`` are
        # those the run that wrote it recorded (``placed``): else they are read from
        # it, a scan of every chunk (a quarter of a second at 5,000 documents).
        self.previous = previous
        self.spans: dict[str, tuple[int, int]] = {}
        # Where each document's rows are in this database, for the next run.
        self.placed: dict[str, tuple[int, int]] = {}
        # Kept rows not yet handed to the thread: (first, last, new rowid - old rowid).
        self.run: tuple[int, int, int] | None = None
        self.rowid = 0
        self.written = 0  # rows in the chunks table (in the writing thread)
        self.indexed = 0  # rows in the full-text index (in the writing thread)
        self.db: sqlite3.Connection | None = None
        self.fts: sqlite3.Connection | None = None
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-writer")
        self.pending: deque[Future[None]] = deque()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = self._temporary(".tmp")
        self.fts_file = self._temporary(".fts.tmp")
        try:
            # No journal and a fixed page size: the files are private until what is
            # moved into place (the VACUUM INTO copy, synced in finish) is written.
            # Used by the writing thread, and by finish once it is done.
            self.db = sqlite3.connect(self.temporary, check_same_thread=False)
            self.db.executescript(
                "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            )
            self.db.executescript(_SCHEMA_SQL)
            self.db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("schema_version", SCHEMA_VERSION),
                    ("pipeline_version", __version__),
                    ("tokenizer", TOKENIZER),
                ],
            )
            self.db.commit()
            self.fts = sqlite3.connect(self.fts_file, check_same_thread=False)
            self.fts.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
            self.fts.execute(_FTS_SQL)
            # The chunks are read from the database being written, block by block, each
            # once it is committed there.
            self.fts.execute("ATTACH DATABASE ? AS source", (str(self.temporary),))
            if previous is not None:
                self.db.execute("ATTACH DATABASE ? AS previous", (str(previous),))
                (last,) = self.db.execute("SELECT max(rowid) FROM previous.chunks").fetchone()
                if spans is not None and _spans_end(spans) == (last or 0):
                    self.spans = spans
                else:
                    self.spans = {
                        doc_id: (first, count)
                        for doc_id, first, count in self.db.execute(
                            "SELECT doc_id, min(rowid), count(*) FROM previous.chunks"
                            " GROUP BY doc_id"
                        )
                    }
        except (OSError, sqlite3.Error) as error:
            raise self._failed(error) from None

    def _temporary(self, suffix: str) -> Path:
        handle, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=suffix, dir=self.path.parent
        )
        os.close(handle)
        return Path(name)

    def keep(self, doc_id: str) -> None:
        """Take ``doc_id``'s rows from the previous database, next in rowid order."""
        first, count = self.spans.get(doc_id, (0, 0))
        if count:
            self.placed[doc_id] = (self.rowid + 1, count)
            shift = self.rowid + 1 - first
            run = self.run
            if run is not None and run[2] == shift and run[1] + 1 == first:
                self.run = (run[0], first + count - 1, shift)  # the next one
            else:
                self._hand_run()
                self.run = (first, first + count - 1, shift)
            if self.run[1] - self.run[0] >= self.RUN_ROWS:
                self._hand_run()
            self.rowid += count

    def add(self, records: Sequence[SearchRecord]) -> None:
        self._hand_run()
        rows = []
        for record in records:
            self.rowid += 1
            row = record.row
            first, count = self.placed.get(row.doc_id, (self.rowid, 0))
            self.placed[row.doc_id] = (first, count + 1)
            chunk = (
                self.rowid,
                row.chunk_id,
                row.doc_id,
                row.idx,
                row.start_ms,
                row.end_ms,
                row.speaker,
                row.text,
                row.course,
                row.institution,
                row.step_title,
                record.video_url,
                _json(row.entity_texts),
                _json(row.entity_labels),
                _json(row.intervention_ids),
                pack_word_times(record.word_times),
            )
            interventions = [(key, self.rowid, ms) for key, ms in record.interventions]
            labels = [(key, self.rowid, ms) for key, ms in record.labels]
            rows.append((chunk, interventions, labels))
        if rows:
            self._submit(self._write, rows, here=True)

    def _hand_run(self) -> None:
        if self.run is not None:
            self._submit(self._copy_run, *self.run)
            self.run = None

    def _submit(self, work: Callable[..., None], *args: Any, here: bool = False) -> None:
        while self.pending and self.pending[0].done():
            self._wait_one()
        if here and not self.pending:
            # A document's new rows, with nothing queued before them (as in a run that
            # does every document), are written here: handing each document's rows to
            # the thread cost more CPU (its wake-ups, the GIL's hand-overs) than the
            # inserts take, and a run's cores are busy with its workers anyway. Kept
            # rows (a copy of many) still go to the thread, while the run goes on.
            try:
                work(*args)
            except (OSError, sqlite3.Error) as error:
                raise self._failed(error) from None
            return
        self.pending.append(self.pool.submit(work, *args))
        while len(self.pending) > self.MAX_PENDING:
            self._wait_one()

    def _wait_one(self) -> None:
        try:
            self.pending.popleft().result()  # raises what the thread raised
        except (OSError, sqlite3.Error) as error:
            raise self._failed(error) from None

    def _failed(self, error: BaseException) -> PipelineError:
        """Writing failed: nothing is kept; the error to raise, naming the database."""
        self.abort()
        return _write_error(self.path, error)

    # --- in the writing thread ---

    def _write(self, rows: list[tuple[tuple[Any, ...], list[Any], list[Any]]]) -> None:
        assert self.db is not None and self.fts is not None
        for chunk, interventions, labels in rows:
            self.db.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk
            )
            self.db.executemany("INSERT INTO chunk_interventions VALUES (?, ?, ?)", interventions)
            # OR IGNORE: labels differing only in case share a row (COLLATE NOCASE).
            self.db.executemany("INSERT OR IGNORE INTO chunk_labels VALUES (?, ?, ?)", labels)
        self.written = rows[-1][0][0]
        self._index_blocks()

    def _copy_run(self, first: int, last: int, shift: int) -> None:
        # A document's chunks have consecutive rowids, and the kept documents that
        # follow one another keep their order: a few rowid ranges copy them all (the
        # previous chunk tables have rowid order, the filter tables are small).
        assert self.db is not None and self.fts is not None
        span = {"shift": shift, "first": first, "last": last}
        self.db.execute(
            "INSERT INTO chunks SELECT rowid + :shift, chunk_id, doc_id, idx, start_ms,"
            " end_ms, speaker, text, course, institution, step_title, video_url,"
            " entity_texts, entity_labels, intervention_ids, word_times"
            " FROM previous.chunks WHERE rowid BETWEEN :first AND :last ORDER BY rowid",
            span,
        )
        for table, column in (
            ("chunk_interventions", "intervention_id"),
            ("chunk_labels", "label"),
        ):
            self.db.execute(
                f"INSERT INTO {table} SELECT {column}, chunk_rowid + :shift, start_ms"
                f" FROM previous.{table} WHERE chunk_rowid BETWEEN :first AND :last",
                span,
            )
        self.written = last + shift
        self._index_blocks()

    def _index_blocks(self, last: bool = False) -> None:
        """Index every block of rowids written in full (with ``last``, the rest too)."""
        assert self.db is not None and self.fts is not None
        while self.written - self.indexed >= self.BLOCK_ROWS or (
            last and self.written > self.indexed
        ):
            stop = min(self.indexed + self.BLOCK_ROWS, self.written)
            self.db.commit()  # what the other connection reads
            self.fts.execute(
                "INSERT INTO chunks_fts(rowid, text) SELECT rowid, text FROM source.chunks"
                " WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                (self.indexed + 1, stop),
            )
            # Ends the read of the other file (its next commit would wait for it); FTS5
            # writes its pending terms at a commit too: at block ends, as everywhere.
            self.fts.commit()
            self.indexed = stop

    # --- at the end ---

    def finish(self) -> Path:
        """Complete the database in its temporary file; ``commit`` moves it into place."""
        self._hand_run()
        while self.pending:
            self._wait_one()
        self.pool.shutdown()
        assert self.db is not None and self.fts is not None
        built = self.temporary
        try:
            self._index_blocks(last=True)
            # No 'optimize' (merging every segment into one): a rewrite of the whole
            # index after the last document (0.1 s at 5,000 documents), for queries a
            # few segments do not slow; FTS5's automatic merges keep them few.
            self.fts.commit()
            self.fts.close()
            self.fts = None
            self.db.commit()
            if self.previous is not None:
                self.db.execute("DETACH DATABASE previous")
            self.db.execute("ATTACH DATABASE ? AS fts", (str(self.fts_file),))
            for table in _FTS_TABLES:
                self.db.execute(f"DELETE FROM main.{table}")
                self.db.execute(f"INSERT INTO main.{table} SELECT * FROM fts.{table}")
            self.db.commit()
            self.db.execute("DETACH DATABASE fts")
            self.fts_file.unlink()
            # VACUUM INTO a fresh file: its bytes (header counters included) depend on
            # the content alone, not on how many transactions built it.
            self.temporary = self._temporary(".tmp")
            self.db.execute("VACUUM INTO ?", (str(self.temporary),))
            self.db.close()
            with open(self.temporary, "rb") as written:  # written after the run's sync
                os.fsync(written.fileno())
        except (OSError, sqlite3.Error) as error:
            self.abort()
            built.unlink(missing_ok=True)
            raise _write_error(self.path, error) from None
        built.unlink(missing_ok=True)
        return self.temporary

    def commit(self) -> Path:
        try:
            os.chmod(self.temporary, 0o666 & ~current_umask())
            (self.path.parent / INDEX_DOCS).unlink(missing_ok=True)
            os.replace(self.temporary, self.path)
        except OSError as error:
            raise self._failed(error) from None
        return self.path

    def abort(self) -> None:
        for future in self.pending:
            future.cancel()
        self.pending.clear()
        self.pool.shutdown(wait=True)
        for db in (self.db, self.fts):
            if db is not None:
                with contextlib.suppress(Exception):
                    db.close()
        self.temporary.unlink(missing_ok=True)
        self.fts_file.unlink(missing_ok=True)


def _spans_end(spans: dict[str, tuple[int, int]]) -> int:
    """The last rowid of documents placed one after another from rowid 1 (0 for none);
    -1 when they are not so placed (a gap or an overlap)."""
    end = 0
    for first, count in sorted(spans.values()):
        if first != end + 1 or count < 1:
            return -1
        end += count
    return end


def previous_search_ok(path: Path) -> bool:
    """The search database at ``path`` was written with this schema and pipeline
    version (rows may be copied from it)."""
    if not Path(path).is_file():
        return False
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta"))
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return meta == {
        "schema_version": SCHEMA_VERSION,
        "pipeline_version": __version__,
        "tokenizer": TOKENIZER,
    }


def _write_error(path: Path, error: BaseException) -> PipelineError:
    return PipelineError(
        f"{path}: cannot write the search index ({error})."
        " Check that the folder is writable and the disk has space."
    )


def write_search_index(records: Sequence[SearchRecord], path: Path) -> Path:
    """Build the FTS5 database at ``path`` atomically, the same bytes for the same records."""
    builder = SearchBuilder(path)
    builder.add(records)
    builder.finish()
    return builder.commit()


_ENCODE = msgspec.json.Encoder().encode


def _json(values: Sequence[Any]) -> str:
    """Compact JSON, non-ASCII as is: the bytes of ``json.dumps(values,
    ensure_ascii=False, separators=(",", ":"))``, written in C (three a chunk)."""
    return _ENCODE(values).decode()


# --- word times: (character offset in the chunk text, start_ms) of every word ---------
#
# Packed, as the search database holds them: a byte saying the two item sizes, the word
# count and the first word's time (two little-endian uint32), then the offsets as steps
# from the previous word's (the first from 0) and the times as steps from the previous
# word's, each in the narrowest of B, H, I (i when a step goes back). About 3 bytes a
# word where JSON pairs took 12.6: at 1,000 documents the database is 10.1 MB of its
# 24.5 smaller, so every run that rewrites it has that much less to copy and sync.
_SIZES = ("B", "H", "I", "i")
_BIG_ENDIAN = sys.byteorder == "big"


def _narrowest(steps: Sequence[int]) -> str:
    low, high = min(steps, default=0), max(steps, default=0)
    if low < 0:
        return "i"
    return "B" if high < 1 << 8 else "H" if high < 1 << 16 else "I"


def _little(values: array[int]) -> bytes:
    if _BIG_ENDIAN:
        values.byteswap()
    return values.tobytes()


def pack_word_times(times: Sequence[tuple[int, int]]) -> bytes:
    """``times`` as the search database's ``word_times`` column holds them."""
    if not times:
        return b""
    offsets = [at for at, _ in times]
    starts = [ms for _, ms in times]
    offset_steps = [offsets[0], *(b - a for a, b in pairwise(offsets))]
    time_steps = [b - a for a, b in pairwise(starts)]
    kinds = _narrowest(offset_steps), _narrowest(time_steps)
    head = bytes([_SIZES.index(kinds[0]) * 4 + _SIZES.index(kinds[1])])
    return (
        head
        + _little(array("I", (len(times), starts[0])))
        + _little(array(kinds[0], offset_steps))
        + _little(array(kinds[1], time_steps))
    )


def unpack_word_times(data: bytes | str) -> list[tuple[int, int]]:
    """The (offset, start_ms) pairs of ``pack_word_times`` (or of a JSON text, as
    databases written before it held them)."""
    if isinstance(data, str):
        return [(int(at), int(ms)) for at, ms in json.loads(data)]
    if not data:
        return []
    offset_kind, time_kind = _SIZES[data[0] // 4], _SIZES[data[0] % 4]
    head = array("I")
    head.frombytes(data[1:9])
    offsets, times = array(offset_kind), array(time_kind)
    if _BIG_ENDIAN:
        head.byteswap()
    count, first = head
    split = 9 + offsets.itemsize * count
    offsets.frombytes(data[9:split])
    times.frombytes(data[split:])
    if _BIG_ENDIAN:
        offsets.byteswap()
        times.byteswap()
    return list(zip(accumulate(offsets), accumulate(times, initial=first), strict=True))


# --- queries --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked chunk, placed at the moment the match is spoken.

    ``start_ms`` is the estimated time of the first matched word (of the filtered
    intervention or label's first mention in a listing without words); ``end_ms``
    is the chunk's end, ``chunk_start_ms`` its start. ``deep_link`` jumps to
    ``start_ms``. ``snippet`` marks the matched words with [ ].
    """

    doc_id: str
    chunk_id: str
    step_title: str | None
    course: str | None
    start_ms: int
    end_ms: int
    chunk_start_ms: int
    deep_link: str | None
    snippet: str
    score: float  # BM25 relevance, higher is better; 0.0 in a listing without words


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    prefix: bool = False  # written with a trailing '*'

    def fts(self) -> str:
        # A double-quoted string is always a plain phrase to FTS5: no operator, column
        # filter or syntax character inside it means anything.
        quoted = '"' + self.text.replace('"', '""') + '"'
        return quoted + "*" if self.prefix else quoted


# FTS5's operator words. This is a plain-words search: quoted, they are searched for
# as the words they are ("NOT" finds "not"), never read as operators.
OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "NEAR"})
# Characters that join two runs of letters into one word ("don't", "parent-infant",
# "3.5"); inside quotes FTS5 tokenizes such a word into a phrase of its parts.
_JOINERS = frozenset("'’-._")


def _is_word_char(char: str) -> bool:
    # Letters, marks and numbers, as unicode61 counts them; everything else separates.
    return bool(char) and unicodedata.category(char)[0] in "LMN"


def query_terms(query: str) -> list[Term]:
    """The words of a user query, with FTS5 syntax and stray punctuation removed."""
    text = unicodedata.normalize("NFKC", query)
    terms: list[Term] = []
    word: list[str] = []
    for position, char in enumerate(text):
        following = text[position + 1 : position + 2]
        joins = bool(word) and char in _JOINERS and _is_word_char(following)
        if _is_word_char(char) or joins:
            word.append(char)
        elif word:
            terms.append(Term("".join(word), prefix=char == "*"))
            word = []
    if word:
        terms.append(Term("".join(word)))
    return [term for term in terms if any(c.isalnum() for c in term.text)]


def match_expressions(terms: Sequence[Term]) -> tuple[str, str | None]:
    """FTS5 expressions for all terms (implicit AND) and, for two or more, the phrase."""
    all_terms = " ".join(term.fts() for term in terms)
    phrase = " + ".join(term.fts() for term in terms) if len(terms) > 1 else None
    return all_terms, phrase


def search(
    index_path: Path,
    query: str,
    *,
    intervention: str | None = None,
    label: str | None = None,
    course: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Ranked chunks for a plain-words query, filtered; never raises a database error.

    Chunks holding the words as a phrase come first, then those holding them all,
    each group by BM25. Without words, the filtered chunks are listed in time order.
    ``index_path`` is the search file, the index folder or the output folder.
    """
    if limit < 1:
        raise ConfigError(f"the limit must be 1 or more, not {limit}.")
    terms = query_terms(query)
    filters: dict[str, str | None] = {
        "intervention": intervention,
        "label": label,
        "course": course,
    }
    with _open(index_path) as db:
        if not terms and not any(filters.values()):
            return []  # punctuation and symbols alone are no words: nothing matches
        where, params = _filters(db, filters)
        if not terms:
            return _listing(db, where, params, limit)
        all_terms, phrase = match_expressions(terms)
        hits = _ranked(db, where, {**params, "match": phrase or all_terms}, limit)
        if phrase and len(hits) < limit:
            seen = ["c.rowid NOT IN (SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH :phrase)"]
            more = {**params, "match": all_terms, "phrase": phrase}
            hits += _ranked(db, where + seen, more, limit - len(hits))
        return hits


_COLUMNS = (
    "c.doc_id, c.chunk_id, c.step_title, c.course, c.start_ms, c.end_ms, c.video_url, c.word_times"
)


def _ranked(
    db: sqlite3.Connection, where: list[str], params: dict[str, Any], limit: int
) -> list[Hit]:
    # highlight() marks the matches with STX/ETX (never in transcript text, ingest
    # drops control characters): the first STX is the first match's offset.
    sql = f"""
        SELECT {_COLUMNS},
               instr(highlight(chunks_fts, 0, char(2), char(3)), char(2)) - 1,
               snippet(chunks_fts, 0, '[', ']', '…', {SNIPPET_TOKENS}),
               -bm25(chunks_fts) AS score
        FROM chunks_fts JOIN chunks AS c ON c.rowid = chunks_fts.rowid
        WHERE chunks_fts MATCH :match {"".join(" AND " + w for w in where)}
        ORDER BY score DESC, c.doc_id, c.start_ms
        LIMIT :limit
    """
    hits = []
    for row in _run(db, sql, {**params, "limit": limit}):
        *columns, offset, snippet, score = row
        moment = _time_at(columns[4], columns[7], offset)
        hits.append(_hit(columns, moment, snippet, float(score)))
    return hits


def _listing(
    db: sqlite3.Connection, where: list[str], params: dict[str, Any], limit: int
) -> list[Hit]:
    # Placed at the filtered intervention's (or label's) first mention in the chunk.
    sql = f"""
        SELECT {_COLUMNS}, coalesce(
                   (SELECT start_ms FROM chunk_interventions
                    WHERE chunk_rowid = c.rowid AND intervention_id = :intervention),
                   (SELECT start_ms FROM chunk_labels
                    WHERE chunk_rowid = c.rowid AND label = :label),
                   c.start_ms),
               c.text
        FROM chunks AS c
        WHERE {" AND ".join(where)}
        ORDER BY c.doc_id, c.start_ms, c.idx
        LIMIT :limit
    """
    values = {"intervention": None, "label": None, **params, "limit": limit}
    hits = []
    for row in _run(db, sql, values):
        *columns, moment, text = row
        hits.append(_hit(columns, moment, _lead(text, columns[7], moment), 0.0))
    return hits


def _time_at(chunk_start_ms: int, word_times: bytes | str, offset: int) -> int:
    """The start of the word holding character ``offset`` of the chunk text."""
    times = unpack_word_times(word_times)
    position = bisect_right([at for at, _ in times], offset) - 1
    return int(times[position][1]) if offset >= 0 and position >= 0 else chunk_start_ms


def _hit(columns: Sequence[Any], start_ms: int, snippet: str, score: float) -> Hit:
    doc_id, chunk_id, step_title, course, chunk_start_ms, end_ms, video_url, _ = columns
    return Hit(
        doc_id=doc_id,
        chunk_id=chunk_id,
        step_title=step_title,
        course=course,
        start_ms=start_ms,
        end_ms=end_ms,
        chunk_start_ms=chunk_start_ms,
        deep_link=deep_link(video_url, start_ms),
        snippet=snippet,
        score=score,
    )


def _lead(text: str, word_times: bytes | str, moment: int, words: int = SNIPPET_TOKENS) -> str:
    """The words around ``moment`` (a few before it), as a snippet."""
    offset = next((at for at, ms in unpack_word_times(word_times) if ms >= moment), 0)
    first = max(len(text[:offset].split()) - 3, 0)
    parts = text.split()
    window = " ".join(parts[first : first + words])
    return ("…" if first else "") + window + ("…" if first + words < len(parts) else "")


# The filters: SQL condition, and the query listing the values an index holds.
_FILTERS = {
    "intervention": (
        "c.rowid IN (SELECT chunk_rowid FROM chunk_interventions"
        " WHERE intervention_id = :intervention)",
        "SELECT DISTINCT intervention_id FROM chunk_interventions",
    ),
    "label": (
        "c.rowid IN (SELECT chunk_rowid FROM chunk_labels WHERE label = :label)",
        "SELECT DISTINCT label FROM chunk_labels",
    ),
    "course": (
        "instr(casefold(c.course), casefold(:course)) > 0",
        "SELECT DISTINCT course FROM chunks WHERE course IS NOT NULL",
    ),
}


def _filters(
    db: sqlite3.Connection, values: dict[str, str | None]
) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions for the filters given; a value no chunk has is an error naming the known."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for name, value in values.items():
        if not value:
            continue
        condition, known_sql = _FILTERS[name]
        sql = f"SELECT EXISTS (SELECT 1 FROM chunks AS c WHERE {condition})"
        if not _run(db, sql, {name: value})[0][0]:
            known = sorted(str(row[0]) for row in _run(db, known_sql, {}))
            listed = ", ".join(known[:20]) + (", …" if len(known) > 20 else "") or "none"
            exact = " (ids match exactly)" if name == "intervention" else ""
            raise ConfigError(
                f"no chunk in the index matches --{name} {value!r}{exact}. Known values: {listed}."
            )
        where.append(condition)
        params[name] = value
    return where, params


@contextmanager
def _open(index_path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to a search index of this schema version."""
    path = locate(Path(index_path), SEARCH_FILE)
    # mode=ro: a wrong path must not leave an empty database behind.
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise ConfigError(f"{path}: cannot open the search index ({error}).") from None
    try:
        db.create_function("casefold", 1, _casefold, deterministic=True)
        version = _run(db, "SELECT value FROM meta WHERE key = 'schema_version'", {})
        found = version[0][0] if version else "none"
        if found != SCHEMA_VERSION:
            raise ConfigError(
                f"{path}: search index schema version {found}, this pipeline reads version"
                f" {SCHEMA_VERSION}. Rebuild it with 'pipeline run'."
            )
        yield db
    finally:
        db.close()


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


def _run(db: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.Error as error:
        # User words reach FTS5 quoted term by term, so this is a damaged or foreign
        # file, not query syntax.
        raise ConfigError(
            f"the search index cannot be read ({error}). Rebuild it with 'pipeline run'."
        ) from None


# --- export ---------------------------------------------------------------------


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    OPENSEARCH_BULK = "opensearch-bulk"


def safe_id(chunk_id: str) -> str:
    """``chunk_id`` spelt with [A-Za-z0-9_-] only, one to one (Meilisearch's id rule).

    Any other character, '_' included, becomes '_<hex code point>_', so the
    mapping can be undone and two chunk ids never share a safe id.
    """
    out = []
    for char in chunk_id:
        if char.isascii() and (char.isalnum() or char == "-"):
            out.append(char)
        else:
            out.append(f"_{ord(char):x}_")
    return "".join(out)


def chunk_document(row: ChunkRow) -> dict[str, Any]:
    """One chunk as a search-engine document: every chunks column, plus ``id``."""
    document: dict[str, Any] = {"id": safe_id(row.chunk_id)}
    for name in CHUNKS_SCHEMA.names:
        value = getattr(row, name)
        document[name] = list(value) if isinstance(value, tuple) else value
    return document


def export_format(fmt: ExportFormat | str) -> ExportFormat:
    """The format named by ``fmt``, or ConfigError naming the choices."""
    try:
        return ExportFormat(fmt)
    except ValueError:
        choices = ", ".join(f.value for f in ExportFormat)
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {choices}.") from None


def export_lines(rows: Sequence[ChunkRow], fmt: ExportFormat | str) -> Iterator[str]:
    """The export as lines without their newline, in chunks-table order."""
    bulk = export_format(fmt) is ExportFormat.OPENSEARCH_BULK
    for row in rows:
        if bulk:
            yield json.dumps({"index": {"_id": row.chunk_id}}, ensure_ascii=False)
        yield json.dumps(chunk_document(row), ensure_ascii=False)


def export_chunks(
    source: Sequence[DocumentResult] | Path, fmt: ExportFormat | str, out_file: Path
) -> int:
    """Write the chunks of ``source`` (results, or an index/output folder) to ``out_file``.

    ``jsonl``: one JSON document per chunk. ``opensearch-bulk``: an action line
    ``{"index": {"_id": chunk_id}}`` before each document, as the _bulk API takes.
    Returns the number of chunks written.
    """
    fmt = export_format(fmt)  # before any work
    rows = read_chunks(source) if isinstance(source, Path) else chunk_rows(source)
    lines = list(export_lines(rows, fmt))
    out_file = Path(out_file)
    try:
        with (
            atomic_target(out_file) as temporary,
            temporary.open("w", encoding="utf-8", newline="\n") as handle,
        ):
            for line in lines:
                handle.write(line + "\n")
    except OSError as error:
        raise PipelineError(
            f"{out_file}: cannot write the export ({error.strerror or error})."
            " Check the folder exists and is writable."
        ) from None
    return len(rows)
