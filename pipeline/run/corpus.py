"""Corpus runs: inputs -> per-document outputs and records -> tables, search and report.

``run_corpus`` plans (which inputs are new, changed, unchanged or deleted, from
their keys), maps ``run_one`` over what must be done with an executor, removes the
outputs of deleted inputs, then assembles the index from every record by streaming,
and writes ``run-report.json``. A run that finds nothing to do loads no model.
The output folder is locked for the run; stale temporary files are swept first.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import io
import json
import os
import threading
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.clock import format_clock
from pipeline.collector import settle
from pipeline.errors import PipelineError, TranscriptError
from pipeline.files import Listing, sync_folder, write_bytes_atomic, write_text_atomic
from pipeline.ingest.manifest import MANIFEST_NAME, Entry, manifest_issues, read_manifest
from pipeline.ingest.sources import (
    MediaFinder,
    Resolver,
    discover,
    doc_id_under,
    find_root,
    under_root,
)
from pipeline.model import INTERVENTION, DocumentResult, Issue, Quality
from pipeline.run.codec import dump_sorted, from_data, load, to_data
from pipeline.run.document import (
    Source,
    caption_names,
    process_document,
    worker_for,
    write_captions,
)
from pipeline.run.records import (
    Kept,
    Record,
    document_key,
    input_sha256,
    media_identity,
    read_record,
    record_file,
    record_path,
    record_paths,
    remove_document,
    sweep_temporaries,
    write_record,
)
from pipeline.settings import Settings

STATE_FILE = ".state.json"
LOCK_FILE = ".lock"
REPORT_FILE = "run-report.json"
CANDIDATES_FILE = Path("review") / "candidates.csv"
INDEX_DOCS_FILE = Path("index") / ".docs.json"  # pipeline.index.tables.INDEX_DOCS

# Statuses in the run report.
DONE, UNCHANGED, FAILED, REMOVED = "done", "unchanged", "failed", "removed"


@dataclass(frozen=True, slots=True)
class Summary:
    """What the run report says of one document: small enough to send between processes."""

    doc_id: str
    source: str
    status: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    quality: Quality | None = None
    cues: int = 0
    entities: int = 0
    interventions: int = 0
    candidates: int = 0
    stage_ms: tuple[tuple[str, int], ...] = ()


@dataclass
class RunReport:
    documents: list[Summary] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # errors not about one document
    warnings: list[str] = field(default_factory=list)  # warnings not about one document
    index_written: bool = False
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(d.status == status for d in self.documents)

    @property
    def failed(self) -> bool:
        return self.count(FAILED) > 0 or bool(self.problems)

    def to_json(self, lines: str | None = None) -> str:
        """The run report; ``lines``: ``_document_lines(self.documents)``, if at hand."""
        totals = {s: self.count(s) for s in (DONE, UNCHANGED, FAILED, REMOVED)}
        body = {
            "pipeline": __version__,
            "totals": {
                **totals,
                "documents": len(self.documents),
                "warnings": sum(len(d.warnings) for d in self.documents),
                "cues": sum(d.cues for d in self.documents),
                "entities": sum(d.entities for d in self.documents),
                "interventions": sum(d.interventions for d in self.documents),
                "seconds": round(self.seconds, 3),
            },
            "problems": self.problems,
            "warnings": self.warnings,
            "documents": [],
        }
        head = json.dumps(body, indent=2, ensure_ascii=False)
        if not self.documents:
            return head + "\n"
        if lines is None:
            lines = _document_lines(self.documents)
        return head.removesuffix("[]\n}") + "[\n" + lines + "\n  ]\n}\n"


def _document_lines(documents: Sequence[Summary]) -> str:
    """The run report's documents, one a line: as easy to read and grep, and json's C
    encoder (indent makes it fall back to Python: a quarter of a second at 2,000
    documents)."""
    return ",\n".join("    " + json.dumps(_summary_data(d), ensure_ascii=False) for d in documents)


def _summary_data(summary: Summary) -> dict[str, Any]:
    data: dict[str, Any] = to_data(summary)
    data["stage_seconds"] = {k: round(v / 1000, 3) for k, v in summary.stage_ms}
    del data["stage_ms"]
    return data


# --- one document, in whichever process runs it --------------------------------------


def run_one(source: Source, settings: Settings, out_dir: Path, key: str) -> Summary:
    """Process one document and write its outputs, then its record; never raises for
    a bad input (the Summary says what failed)."""
    return run_one_keeping(source, settings, out_dir, key)[0]


def run_one_keeping(
    source: Source, settings: Settings, out_dir: Path, key: str
) -> tuple[Summary, Record | None]:
    """``run_one``, with the record it wrote (None when it failed): a run in this
    process hands it to the index assembly, which then need not read it back."""
    worker = worker_for(settings)
    try:
        result = process_document(source, settings, worker)
    except TranscriptError as error:
        return Summary(source.doc_id, source.shown, FAILED, errors=(str(error),)), None
    except PipelineError as error:
        return Summary(source.doc_id, source.shown, FAILED, errors=(str(error),)), None
    except Exception as error:  # a bug must not stop the other documents
        message = f"{source.shown}: internal error ({type(error).__name__}: {error})"
        return Summary(source.doc_id, source.shown, FAILED, errors=(message,)), None
    try:
        record = write_document(result, source, settings, out_dir, key)
    except (PipelineError, OSError) as error:
        return Summary(source.doc_id, source.shown, FAILED, errors=(str(error),)), None
    return summarise(result, source.shown), record


def write_document(
    result: DocumentResult, source: Source, settings: Settings, out_dir: Path, key: str
) -> Record:
    """The record goes first (so a kill part-way redoes the document), then the
    captions, then the new record."""
    record_path(out_dir, result.doc_id).unlink(missing_ok=True)
    written = write_captions(result, out_dir, settings)
    outputs = tuple(p.relative_to(out_dir).as_posix() for p in written)
    # Wall times vary from run to run: they go to the run report, never into a record.
    timeless = replace(result, stage_ms=())
    record = Record(result.doc_id, key, source.resolved, outputs, timeless)
    try:
        write_record(out_dir, record)
    except OSError as error:
        raise PipelineError(
            f"{out_dir}: cannot write the record of {result.doc_id} ({error.strerror or error})."
        ) from None
    return record


def summarise(result: DocumentResult, shown: str) -> Summary:
    interventions = sum(m.label == INTERVENTION for m in result.mentions)
    return Summary(
        result.doc_id,
        shown,
        DONE,
        warnings=tuple(_render(w, shown) for w in result.warnings),
        quality=result.quality,
        cues=len(result.cues),
        entities=len(result.mentions) - interventions,
        interventions=interventions,
        candidates=len(result.candidates),
        stage_ms=result.stage_ms,
    )


def _render(issue: Issue, shown: str) -> str:
    return issue.render(shown)


# --- planning --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    source: Source
    key: str


@dataclass
class Plan:
    todo: list[Job] = field(default_factory=list)
    unchanged: list[Summary] = field(default_factory=list)
    failed: list[Summary] = field(default_factory=list)
    removed: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # doc_id, outputs
    keys: dict[str, str] = field(default_factory=dict)  # doc_id -> key of its current outputs
    # doc_id -> the input's sha256 and stamp, kept in the state so that the next run
    # need not read an input whose stamp is unchanged.
    digests: dict[str, tuple[str, list[int]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # not about one document


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the user named: paths, and the per-run extras that apply to them."""

    paths: tuple[Path, ...]
    manifest: Path | None = None
    duration_ms: int | None = None  # for a single input file
    media: Path | None = None  # for a single input file


def sources(
    inputs: Inputs,
    settings: Settings,
    exclude: Sequence[Path] = (),
    skipped: list[str] | None = None,
    names: dict[str, str] | None = None,
) -> Iterator[Source | Summary]:
    """Every input as a Source, or a failed Summary for one that cannot be one;
    what discovery left out, and why, goes to ``skipped``; each Source's path under
    its root, by doc id, to ``names``."""
    entries = _manifest_entries(inputs)
    single = len(inputs.paths) == 1 and inputs.paths[0].is_file()
    if (inputs.duration_ms is not None or inputs.media is not None) and not single:
        raise PipelineError("--duration and --media apply to one input file; use a manifest")
    seen: dict[str, Path] = {}
    real: dict[Path, Path] = {}
    beside = MediaFinder()  # each input folder listed once
    real_root = cache(Path.resolve)  # each input root resolved once per run
    resolve = Resolver()  # each input folder resolved once
    notes = skipped if skipped is not None else []
    for item in inputs.paths:
        try:
            found = discover([item], exclude=exclude, skipped=notes, resolve=resolve)
        except TranscriptError as error:
            yield Summary(str(item), str(item), FAILED, errors=(str(error),))
            continue
        for path, root in found:
            resolved = resolve(path)
            relative = under_root(path, resolved, real_root(root))
            doc_id = doc_id_under(relative, path)
            if resolved in real:
                if real[resolved] != path:
                    notes.append(f"{path}: skipped, the same file as {real[resolved]}")
                continue  # the same file named twice
            real[resolved] = path
            if doc_id in seen:
                message = (
                    f"{path}: its document id '{doc_id}' is already used by {seen[doc_id]}."
                    " Ids count from the folder named 'transcripts' (or holding a"
                    " manifest.csv) above the file: rename one of the two, or process the"
                    " two folders into separate --out folders."
                )
                yield Summary(doc_id, str(path), FAILED, errors=(message,))
                continue
            seen[doc_id] = path
            if names is not None:
                names[doc_id] = relative.as_posix()
            entry, origin = entries.get(doc_id, (Entry(None, None), None))
            duration: int | None
            if single and inputs.duration_ms is not None:
                duration, origin = inputs.duration_ms, "--duration"
            else:
                duration = entry.duration_ms
                origin = origin if duration is not None else None
            media = inputs.media if single and inputs.media else entry.media
            if media is None:
                media = beside(path)
            yield Source(
                path,
                root,
                doc_id,
                duration,
                entry.video_url,
                media,
                origin,
                resolved,
                relative.as_posix(),
            )


def manifests(inputs: Inputs) -> list[tuple[Path, Path]]:
    """The manifests that apply to ``inputs``, each with the root its paths count from."""
    if inputs.manifest is not None:
        return [(inputs.manifest, inputs.manifest.parent)]
    roots = {find_root(p) for p in inputs.paths if p.exists()}
    return [
        (root / MANIFEST_NAME, root) for root in sorted(roots) if (root / MANIFEST_NAME).is_file()
    ]


def _manifest_entries(inputs: Inputs) -> dict[str, tuple[Entry, str]]:
    """Manifest rows by doc id, each with where it is ("manifest.csv:4")."""
    entries: dict[str, tuple[Entry, str]] = {}
    for path, root in manifests(inputs):
        for doc_id, entry in read_manifest(path, root).items():
            entries[doc_id] = (entry, f"{path}:{entry.line}")
    return entries


def manifest_warnings(inputs: Inputs, found: set[str]) -> list[str]:
    """Rows a run would otherwise ignore: duplicates, and paths that match no input."""
    warnings: list[str] = []
    for path, root in manifests(inputs):
        warnings.extend(manifest_issues(path, root, found))
    return warnings


def plan_run(
    inputs: Inputs,
    settings: Settings,
    out_dir: Path,
    state: dict[str, Any],
    force: bool,
    state_ns: int | None = None,
    found_one: Callable[[Job, int], None] | None = None,
) -> Plan:
    """What to do with every input. ``state_ns``, when the state file was written:
    inputs whose stamp is unchanged since then keep their recorded sha256.
    ``found_one`` is called as each document to do is found, with its job and the
    number of documents found so far to do or kept."""
    plan = Plan()
    fingerprint = settings.fingerprint()
    found: set[str] = set()
    documents = state.get("documents", {})
    names: dict[str, str] = {}
    listed = Listing()  # outputs of earlier runs: each folder listed once
    for item in sources(inputs, settings, exclude=[out_dir], skipped=plan.warnings, names=names):
        if isinstance(item, Summary):
            plan.failed.append(item)
            found.add(item.doc_id)
            continue
        found.add(item.doc_id)
        known = documents.get(item.doc_id)
        try:
            digest, stamp = input_sha256(item.path, known, state_ns)
        except OSError as error:
            message = (
                f"{item.path}: cannot read the file ({error.strerror or error})."
                " Check its permissions."
            )
            plan.failed.append(Summary(item.doc_id, item.shown, FAILED, errors=(message,)))
            continue
        entry = {
            "doc_id": item.doc_id,
            "duration_ms": item.duration_ms,
            "video_url": item.video_url,
            "media": media_identity(item.media) if settings.media else None,
            "name": names[item.doc_id],
        }
        key = document_key(digest, fingerprint, entry)
        plan.digests[item.doc_id] = (digest, stamp)
        if (
            not force
            and known
            and known.get("key") == key
            and _record_intact(out_dir, known, listed)
        ):
            summary = from_data(Summary, known["summary"])
            plan.unchanged.append(replace(summary, status=UNCHANGED, source=item.shown))
            plan.keys[item.doc_id] = key
            continue
        plan.todo.append(Job(item, key))
        if found_one is not None:
            found_one(plan.todo[-1], len(plan.todo) + len(plan.unchanged))
    plan.warnings.extend(manifest_warnings(inputs, found))
    # Deleted inputs: records of files under what was scanned that are gone now.
    scanned = [p.resolve() for p in inputs.paths if p.exists()]
    for doc_id, known in sorted(state.get("documents", {}).items()):
        if doc_id in found:
            continue
        input_path = Path(known["input"])
        under = any(input_path == s or s in input_path.parents for s in scanned)
        if under and not input_path.exists():
            plan.removed.append((doc_id, tuple(known["outputs"])))
        elif record_path(out_dir, doc_id).is_file():
            plan.keys[doc_id] = known["key"]  # outside this run: kept as it is
    return plan


def _record_intact(out_dir: Path, known: dict[str, Any], listed: Listing | None = None) -> bool:
    """The record the state describes is still the one on disk, and its outputs are
    all there (a caption file deleted by hand is made again)."""
    base = os.fspath(out_dir)  # plain strings: this runs for every kept document
    try:
        stat = os.stat(record_file(base, known["summary"]["doc_id"]))
    except OSError:
        return False
    if stat.st_size != known.get("record_size"):
        return False
    if stat.st_mtime_ns != known.get("record_mtime_ns"):
        return False
    exists = listed.isfile if listed is not None else os.path.isfile
    return all(exists(os.path.join(base, name)) for name in known.get("outputs", ()))


# --- the run ---------------------------------------------------------------------

Progress = Callable[[str, Summary | None, int], None]  # event, summary, total


def run_corpus(
    inputs: Inputs,
    out_dir: Path,
    settings: Settings,
    *,
    executor: Executor | None = None,
    force: bool = False,
    write_index: bool = True,
    progress: Progress | None = None,
) -> RunReport:
    """Process what changed under ``inputs`` into ``out_dir`` and assemble the index."""
    from pipeline.run.executors import InProcess

    started = time.perf_counter()
    out_dir = Path(out_dir)
    executor = executor or InProcess()
    report = RunReport()
    notify = progress or (lambda _e, _s, _n: None)
    with locked(out_dir), closing(executor):
        sweep_temporaries(out_dir)
        state, state_ns = _read_state(out_dir)

        # A document to do is begun as soon as it is found, while the rest is planned:
        # a worker starts and loads the model meanwhile (a re-run after one edit in
        # 5,000 documents: 2.74 -> 2.60 s, medians of 12 alternating runs).
        def start(job: Job, found: int) -> None:
            executor.start(job.source, job.key, settings, out_dir, found)

        plan = plan_run(inputs, settings, out_dir, state, force, state_ns, start)
        report.warnings.extend(plan.warnings)
        total = len(plan.todo) + len(plan.unchanged) + len(plan.failed)
        notify("start", None, total)
        for summary in plan.unchanged:
            report.documents.append(summary)
            notify(UNCHANGED, summary, total)
        for summary in plan.failed:
            report.documents.append(summary)
            notify(FAILED, summary, total)
        docs = dict(state.get("documents", {}))
        # In doc_id order, the order the index is assembled in (outputs do not depend on it).
        plan.todo.sort(key=lambda job: job.source.doc_id)
        jobs = {job.source.doc_id: job for job in plan.todo}
        if len(jobs) > 1:
            settle()  # many documents' objects ahead (pipeline/collector.py)
        # With documents to do, the index is assembled while they are done: each as
        # it is finished, in doc_id order, by a thread of this process.
        assembly = _Assembly(out_dir, report, settings, plan) if write_index and jobs else None
        try:
            for summary, record in executor.map(
                [job.source for job in plan.todo],
                [job.key for job in plan.todo],
                settings,
                out_dir,
                beside=len(plan.unchanged) if assembly is not None else 0,
            ):
                report.documents.append(summary)
                notify(summary.status, summary, total)
                if summary.status == DONE:
                    job = jobs[summary.doc_id]
                    docs[summary.doc_id] = _state_entry(out_dir, job, summary)
                    plan.keys[summary.doc_id] = job.key
                elif summary.doc_id in docs and record_path(out_dir, summary.doc_id).is_file():
                    plan.keys[summary.doc_id] = docs[summary.doc_id]["key"]  # old outputs stay
                if assembly is not None:
                    assembly.hand(summary, record)
            for doc_id, outputs in plan.removed:
                remove_document(out_dir, doc_id, outputs)
                docs.pop(doc_id, None)
                report.documents.append(Summary(doc_id, doc_id, REMOVED))
                notify(REMOVED, None, total)
        except BaseException:
            if assembly is not None:
                assembly.cancel()
            raise
        if jobs:
            # The documents' files on disk before the state vouches for them; before the
            # index is written, which need not be (a damaged index is built again).
            sync_folder(out_dir)
        docs = {k: _stamped(v, plan.digests.get(k)) for k, v in docs.items() if k in plan.keys}
        index_key = _index_key(plan.keys)
        doc_ids = sorted(plan.keys)
        if assembly is not None:
            notify("index", None, total)
            report.index_written = True
            assembly.end(index_key)
            assembly.wait_streamed()
        # The state and the run report's document lines are encoded while the
        # assembly's threads finish the index (0.2 s at 5,000 documents).
        documents = sorted(report.documents, key=lambda d: (d.doc_id, d.status))
        new_state = {
            "format": 1,
            "documents": docs,
            "index_key": index_key if write_index else state.get("index_key"),
        }
        state_bytes = dump_sorted(new_state)
        lines = _document_lines(documents)
        if assembly is not None:
            assembly.join()
        elif write_index and (index_key != state.get("index_key") or not _index_present(out_dir)):
            notify("index", None, total)
            report.index_written = True

            def review(records: Iterator[tuple[str, Record | Kept | None]]) -> None:
                _write_review_report(out_dir, doc_ids, report, settings, index_key, records)

            # One pass over the records feeds the tables, the search and the report;
            # documents the index keeps from its previous files are not read.
            assemble(out_dir, doc_ids, review, plan.keys)
        elif write_index:
            kept = ((doc_id, Kept(plan.keys[doc_id])) for doc_id in doc_ids)
            _write_review_report(out_dir, doc_ids, report, settings, index_key, kept)
        report.documents = documents  # the same documents, in doc_id order
        report.seconds = time.perf_counter() - started
        write_bytes_atomic(out_dir / STATE_FILE, state_bytes)
        write_text_atomic(out_dir / REPORT_FILE, report.to_json(lines))
    return report


def _state_entry(out_dir: Path, job: Job, summary: Summary) -> dict[str, Any]:
    stat = record_path(out_dir, summary.doc_id).stat()
    return {
        "key": job.key,
        "input": job.source.resolved,
        "outputs": caption_names(summary.doc_id),
        "record_size": stat.st_size,
        "record_mtime_ns": stat.st_mtime_ns,
        "summary": to_data(replace(summary, stage_ms=())),
    }


def _stamped(entry: dict[str, Any], digest: tuple[str, list[int]] | None) -> dict[str, Any]:
    """The state entry with the input's sha256 and stamp as this run found them; an
    entry whose input was not looked at this run keeps its own."""
    if digest is None:
        return entry
    return {**entry, "sha256": digest[0], "stamp": digest[1]}


def _index_key(keys: dict[str, str]) -> str:
    blob = json.dumps(sorted(keys.items())).encode()
    return hashlib.sha256(blob).hexdigest()


INDEX_FILES = (
    "index/documents.parquet",
    "index/segments.parquet",
    "index/chunks.parquet",
    "index/cues.parquet",
    "index/mentions.parquet",
    "index/search.sqlite",
    "index/.docs.json",
)


def _index_present(out_dir: Path) -> bool:
    return all((out_dir / name).is_file() for name in INDEX_FILES)


def _read_state(out_dir: Path) -> tuple[dict[str, Any], int | None]:
    """The state, and when it was written (None when it was rebuilt from the records)."""
    path = out_dir / STATE_FILE
    try:
        written_ns = path.stat().st_mtime_ns
        data = load(path.read_bytes())
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("format") != 1:
        return _state_from_records(out_dir), None
    return data, written_ns


def _state_from_records(out_dir: Path) -> dict[str, Any]:
    """The state rebuilt from the records, when its file is missing or damaged."""
    docs: dict[str, Any] = {}
    for doc_id, path in record_paths(out_dir):
        record = read_record(path)
        if record is None:
            continue
        stat = path.stat()
        docs[doc_id] = {
            "key": record.key,
            "input": record.input,
            "outputs": list(record.outputs),
            "record_size": stat.st_size,
            "record_mtime_ns": stat.st_mtime_ns,
            "summary": to_data(summarise(record.result, record.result.transcript.source)),
        }
    return {"format": 1, "documents": docs, "index_key": None}


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for this run; a second run stops with a clear message."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole run
    except OSError as error:
        raise PipelineError(
            f"{out_dir}: cannot use it as the output folder ({error.strerror or error})."
            " Pass --out with a writable folder."
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineError(
                f"{out_dir}: another run is writing to this output folder."
                " Wait for it to finish, or pass another --out."
            ) from None
        yield
    finally:
        handle.close()


# --- assembling the index ---------------------------------------------------------


def _index_code() -> str:
    """What the index files' bytes depend on besides the records."""
    from pipeline.settings import code_sha256

    return f"{__version__}/{code_sha256()}"


def _index_file(out_dir: Path) -> Any:
    """What ``index/.docs.json`` holds (None when it cannot be read)."""
    try:
        return json.loads((out_dir / INDEX_DOCS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _search_spans(data: Any) -> dict[str, tuple[int, int]] | None:
    """Where the search database in place holds each document's rows (first rowid,
    count), as the run that wrote it recorded in ``index/.docs.json`` (``data``); None
    if not."""
    try:
        spans = data["search_spans"]
        return {str(d): (int(first), int(count)) for d, (first, count) in spans.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _index_docs(out_dir: Path, data: Any) -> dict[str, str]:
    """doc_id -> key of every document the index files in place were built from, when
    this code wrote them all and they are all there; else empty (everything is then
    built from the records). ``data``: what ``index/.docs.json`` holds."""
    if not isinstance(data, dict) or data.get("format") != 1 or data.get("code") != _index_code():
        return {}
    docs = data.get("documents")
    if not isinstance(docs, dict) or not _index_present(out_dir):
        return {}
    if not (out_dir / CANDIDATES_FILE).is_file():
        return {}
    from pipeline.index.search import previous_search_ok, search_path
    from pipeline.index.tables import previous_tables_ok

    if not previous_tables_ok(out_dir) or not previous_search_ok(search_path(out_dir)):
        return {}
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in docs.items()):
        return {}
    return docs


def _previous_candidates(out_dir: Path) -> dict[str, list[list[str]]]:
    """The rows of review/candidates.csv in place, by doc_id."""
    rows: dict[str, list[list[str]]] = {}
    with (out_dir / CANDIDATES_FILE).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row in reader:
            rows.setdefault(row[0], []).append(row)
    return rows


def assemble(
    out_dir: Path,
    doc_ids: Sequence[str],
    also: Callable[[Iterator[tuple[str, Record | Kept | None]]], None] | None = None,
    keys: dict[str, str] | None = None,
    *,
    fetch: Callable[[str], Record | None] | None = None,
    ended: Callable[[], None] | None = None,
) -> None:
    """Tables, search database and review candidates from the records, one at a time.

    With ``keys`` (doc_id -> key of its record), a document the index files in place
    were built from under the same key is kept (the same key, the same rows): its rows are
    copied from those files and its record is not read (``fetch`` gets a record, by
    default from its file; ``ended`` is called once every record is read). ``also`` is
    handed the same stream of (doc_id, record) pairs, with ``Kept`` for a kept document (the report
    reads along); whatever it leaves unread is read here, as the tables need every
    record. ``index/.docs.json`` says which documents (under which keys) the index
    holds; it is removed first and written last, so nothing is ever kept from the
    files of a run killed half-way.
    """
    from pipeline.index.search import SearchBuilder, search_path, search_records
    from pipeline.index.tables import TableWriter

    index_file = _index_file(out_dir) if keys is not None else None
    previous = _index_docs(out_dir, index_file) if keys is not None else {}
    keep = {d for d in doc_ids if keys is not None and d in previous and previous[d] == keys.get(d)}
    old_candidates = _previous_candidates(out_dir) if keep else {}
    spans = _search_spans(index_file) if keep else None
    (out_dir / INDEX_DOCS_FILE).unlink(missing_ok=True)
    tables = TableWriter(out_dir, keep)
    search = SearchBuilder(search_path(out_dir), search_path(out_dir) if keep else None, spans)
    # The previous tables are read now, not at the first kept document: when the first
    # documents are ones being done, this thread would otherwise wait for them idle and
    # read the tables after (at 1,000 documents, 0.6 s more once the first one is in).
    tables.read_previous()
    candidates = io.StringIO()
    writer = csv.writer(candidates, lineterminator="\n")
    writer.writerow(CANDIDATE_COLUMNS)
    built: dict[str, str] = {}
    read = fetch or (lambda doc_id: read_record(record_path(out_dir, doc_id)))

    def stream() -> Iterator[tuple[str, Record | Kept | None]]:
        for doc_id in doc_ids:
            if doc_id in keep:
                tables.keep(doc_id)
                search.keep(doc_id)
                writer.writerows(old_candidates.get(doc_id, ()))
                built[doc_id] = previous[doc_id]
                yield doc_id, Kept(previous[doc_id])
                continue
            record = read(doc_id)
            if record is not None:
                result = record.result
                tables.add(result)
                search.add(search_records([result]))
                for c in result.candidates:
                    when = format_clock(c.start_ms) if c.start_ms is not None else ""
                    writer.writerow(
                        (c.doc_id, c.part, c.paragraph, when, c.start_ms, c.text, c.context)
                    )
                built[doc_id] = record.key
            yield doc_id, record
        # Every document is in: the tables (pyarrow) and the search database (SQLite)
        # are finished at once by two threads, both letting go of the GIL while they
        # compress and index (a one-changed run's last stretch is mostly these two
        # linear writes), while the report writes its index page and the run its state.
        finishing.append(pool.submit(tables.finish))
        finishing.append(pool.submit(search.finish))
        if ended is not None:
            ended()

    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="index-finish")
    finishing: list[Future[Any]] = []
    try:
        records = stream()
        try:
            if also is not None:
                also(records)
        finally:
            for _ in records:
                pass
        for future in finishing:
            future.result()
    except BaseException:
        wait(finishing)  # neither is still writing when its files are removed
        tables.abort()
        search.abort()
        raise
    finally:
        pool.shutdown()
    tables.commit()
    search.commit()
    write_text_atomic(out_dir / CANDIDATES_FILE, candidates.getvalue())
    index_docs = {
        "format": 1,
        "code": _index_code(),
        "documents": built,
        "search_spans": search.placed,
    }
    write_text_atomic(out_dir / INDEX_DOCS_FILE, json.dumps(index_docs, sort_keys=True))


# --- the review report (pipeline.report) ----------------------------------------------


def _write_review_report(
    out_dir: Path,
    doc_ids: list[str],
    report: RunReport,
    settings: Settings,
    index_key: str | Callable[[], str],
    records: Iterator[tuple[str, Record | Kept | None]] | None = None,
    failures: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """OUT/report/ after the index; also when the index is unchanged but the report
    is missing or was made from other failures, rules or code. ``index_key`` is a
    function while the run is still going (see ``_Assembly``)."""
    from pipeline.report import report_stale, write_report
    from pipeline.report.write import report_stamp

    stamp: str | Callable[[], str]
    if callable(index_key):
        key_later = index_key

        def stamp() -> str:
            return report_stamp(key_later(), report, settings.profile)

    else:
        stamp = report_stamp(index_key, report, settings.profile)
        if not (report.index_written or report_stale(out_dir, stamp)):
            return
    try:
        write_report(
            out_dir,
            doc_ids,
            report,
            profile=settings.profile,
            stamp=stamp,
            records=records,
            failures=failures,
        )
    except OSError as error:
        report.problems.append(
            f"{out_dir / 'report'}: cannot write the review report ({error.strerror or error})."
        )


CANDIDATE_COLUMNS = ("doc_id", "part", "paragraph", "time", "start_ms", "text", "context")

Finished = tuple[Summary, Record | None]  # a document's summary, and its record if at hand


class _Cancelled(Exception):
    """The run stopped before every document was handed to the assembly."""


_ON_DISK = object()  # handed without its record: read it from its file


class _Assembly:
    """The index and the review report assembled by a thread while the documents are
    done: ``assemble`` takes the documents in doc_id order, each as soon as the run
    hands it over (``hand``), with its record when it was done in this process (so it
    is not read back) or from its file. With worker processes, this is the work that
    used to wait for the last document, on one core.

    Records held in memory are bounded (``MAX_HELD``: the run waits), so memory stays
    flat. ``end`` tells it the run is over (the report's index page needs the last
    failures and problems), ``wait_streamed`` waits until it has read every document
    (the index files are then being finished by threads that let go of the GIL: the run
    encodes its state meanwhile), ``join`` until it is done; ``cancel`` stops it without
    committing anything (a failed or interrupted run leaves the previous index in place).
    """

    MAX_HELD = 8

    def __init__(self, out_dir: Path, report: RunReport, settings: Settings, plan: Plan) -> None:
        self.out_dir = out_dir
        self.todo = {job.source.doc_id for job in plan.todo}
        self.doc_ids = sorted(set(plan.keys) | self.todo)
        self.failures = {d.doc_id: d.errors for d in report.documents if d.status == FAILED}
        self.condition = threading.Condition()
        self.ready: dict[str, Any] = {}
        self.held = 0
        self.ended = False
        self.cancelled = False
        self.index_key = ""
        self.error: BaseException | None = None
        keys = dict(plan.keys)  # documents to do are never kept: they are not in it yet

        def review(records: Iterator[tuple[str, Record | Kept | None]]) -> None:
            _write_review_report(
                out_dir,
                self.doc_ids,
                report,
                settings,
                lambda: self.index_key,
                records,
                failures=self.failures,
            )

        def work() -> None:
            try:
                assemble(out_dir, self.doc_ids, review, keys, fetch=self._fetch, ended=self._end)
            except _Cancelled:
                pass
            except BaseException as error:  # raised again by join, in the run's thread
                self.error = error
            finally:
                self.streamed.set()
                with self.condition:
                    self.condition.notify_all()

        self.streamed = threading.Event()  # every document read (or the thread stopped)
        self.thread = threading.Thread(target=work, name="index-assembly", daemon=True)
        self.thread.start()

    def hand(self, summary: Summary, record: Record | None) -> None:
        """A document is finished (done or failed): its summary, and its record if at hand."""
        if summary.status == FAILED:
            self.failures[summary.doc_id] = summary.errors
        if not self.thread.is_alive():
            return  # it stopped on an error, which join raises: hold nothing for it
        held: Any = record
        if record is None:  # a failed document's previous record, if it has one
            path = record_path(self.out_dir, summary.doc_id)
            held = _ON_DISK if summary.status != FAILED or path.is_file() else None
        with self.condition:
            self.ready[summary.doc_id] = held
            self.held += record is not None
            self.condition.notify_all()
            while self.held > self.MAX_HELD and self.thread.is_alive():
                self.condition.wait(0.5)

    def _fetch(self, doc_id: str) -> Record | None:
        if doc_id in self.todo:
            with self.condition:
                while doc_id not in self.ready:
                    if self.cancelled:
                        raise _Cancelled
                    self.condition.wait()
                held = self.ready.pop(doc_id)
                if held is None:
                    return None
                if held is not _ON_DISK:
                    self.held -= 1
                    self.condition.notify_all()
                    return typing.cast(Record, held)
        return read_record(record_path(self.out_dir, doc_id))

    def _end(self) -> None:
        with self.condition:
            while not self.ended:
                if self.cancelled:
                    raise _Cancelled
                self.condition.wait()
        self.streamed.set()

    def end(self, index_key: str) -> None:
        """Every document has been handed over: the assembly goes on to finish the
        index and the report (``join`` waits for it)."""
        with self.condition:
            self.index_key = index_key
            self.ended = True
            self.condition.notify_all()

    def wait_streamed(self) -> None:
        """Wait until every document is read: what is left is mostly the index files'
        threads, which let go of the GIL."""
        self.streamed.wait()

    def join(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        with self.condition:
            self.cancelled = True
            self.condition.notify_all()
        self.thread.join()


class Executor:
    """Maps run_one over sources; yields each document's Summary as it finishes, with
    its record when it was done in this process (else None)."""

    def map(
        self,
        sources: Sequence[Source],
        keys: Sequence[str],
        settings: Settings,
        out_dir: Path,
        *,
        beside: int = 0,
    ) -> Iterator[Finished]:
        """``beside``: kept documents this process streams into the index meanwhile."""
        raise NotImplementedError

    def start(
        self, source: Source, key: str, settings: Settings, out_dir: Path, found: int
    ) -> None:
        """The run, still planning, has found a document to do (``found`` documents so
        far, to do or kept): an executor may start on it now (``map`` then yields its
        result with the others')."""

    def close(self) -> None:
        """Let go of anything ``start`` began and ``map`` did not collect."""
