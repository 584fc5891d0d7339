"""Write: stream the records of an output folder into ``report/``.

``write_report(out_dir, doc_ids, run_report)`` reads one record at a time (memory
stays flat however many documents there are), writes each document's page as it
goes, then the index page. Pages are written atomically; pages of documents no
longer in the folder are removed. ``report_stale`` tells a run whose index did not
change whether the report must be written anyway (missing, or made from other
failures, rules or code).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.captions.profiles import Profile
from pipeline.files import write_text_atomic
from pipeline.ingest.sources import MediaFinder, media_beside
from pipeline.model import DocumentResult
from pipeline.report.names import href, page_name, relative_link
from pipeline.report.pages import (
    FAILED,
    Corpus,
    IndexRow,
    PageContext,
    document_html,
    index_html,
    measure_document,
    row_for,
)
from pipeline.run.codec import from_data, to_data
from pipeline.run.records import Kept, Record, read_record, record_path

if TYPE_CHECKING:
    from pipeline.run.corpus import RunReport

REPORT_DIR = "report"
DOCS_DIR = "docs"
STAMP_FILE = ".stamp"
ROWS_FILE = ".rows.json"  # what the index page takes from each document
RUN_REPORT_FILE = "run-report.json"
MAX_PENDING = 8  # pages rendered but not yet on disk
Beside = Callable[[Path], Path | None]  # finds the media file beside an input
AUDIO_SUFFIXES = frozenset({".m4a", ".mp3", ".ogg", ".opus", ".oga", ".flac", ".wav"})


def _failures(
    out_dir: Path, run_report: RunReport | None
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Errors of the documents the run failed on, and problems not about one document:
    from ``run_report``, else from the run-report.json a run left."""
    if run_report is not None:
        errors = {d.doc_id: tuple(d.errors) for d in run_report.documents if d.status == FAILED}
        return errors, list(run_report.problems)
    try:
        data = json.loads((out_dir / RUN_REPORT_FILE).read_text(encoding="utf-8"))
        documents = data.get("documents", [])
        errors = {
            str(d["doc_id"]): tuple(str(m) for m in d.get("errors", ()))
            for d in documents
            if d.get("status") == FAILED
        }
        return errors, [str(p) for p in data.get("problems", [])]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}, []


def report_stamp(index_key: str, run_report: RunReport | None, profile: Profile | None) -> str:
    """What the report is made from, when the records are as ``index_key`` says."""
    failures = sorted(
        (d.doc_id, list(d.errors))
        for d in (run_report.documents if run_report else ())
        if d.status == FAILED
    )
    from pipeline.settings import code_sha256

    blob = json.dumps(
        {
            "index": index_key,
            "failures": failures,
            "problems": list(run_report.problems) if run_report else [],
            "profile": asdict(profile) if profile else None,
            "code": code_sha256(),
            "version": __version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def report_stale(out_dir: Path, stamp: str) -> bool:
    """True when ``report/`` is missing or was made from something else."""
    base = Path(out_dir) / REPORT_DIR
    try:
        return (base / STAMP_FILE).read_text(encoding="utf-8") != stamp or not (
            base / "index.html"
        ).is_file()
    except OSError:
        return True


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _local_media(
    aligned: str | None, input_path: str, beside: Beside = media_beside
) -> Path | None:
    """The media file the words were aligned to, else one beside the input."""
    if aligned:
        media = Path(aligned)
        candidates = (
            [media]
            if media.is_absolute()
            else [Path.cwd() / media, Path(input_path).parent / media.name]
        )
        for candidate in candidates:
            if candidate.is_file():
                return candidate
    return beside(Path(input_path))


def _source_lines(input_path: str, result: DocumentResult) -> dict[int, str]:
    """The input's lines that warnings point at, decoded as ingest decodes them."""
    wanted = {w.line for w in result.warnings if w.line is not None}
    if not wanted:
        return {}
    from pipeline.ingest.decode import decode_bytes

    try:
        text, _repairs = decode_bytes(Path(input_path).read_bytes(), source=input_path)
    except Exception:  # the input may be gone or changed: the line numbers still show
        return {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return {n: lines[n - 1] for n in sorted(wanted) if 0 < n <= len(lines)}


def _page_inputs(
    out_dir: Path,
    doc_id: str,
    media: str | None,
    video_url: str | None,
    input_path: str,
    beside: Beside = media_beside,
) -> list[Any]:
    """What a document's page takes from the file system besides its record (which
    caption files exist, the media link, whether the input is there to quote from):
    a kept page is kept only while this is unchanged."""
    base = out_dir / "captions" / doc_id
    files = [
        base.with_name(base.name + suffix).is_file()
        for suffix in (".vtt", ".chapters.vtt", ".srt", ".quality.json")
    ]
    link = _media_link(out_dir, media, video_url, input_path, beside)
    return [*files, *link, Path(input_path).is_file()]


def _media_link(
    out_dir: Path,
    media: str | None,
    video_url: str | None,
    input_path: str,
    beside: Beside = media_beside,
) -> tuple[str | None, str, bool]:
    """(href from the document's page, "video" or "audio", whether it is remote)."""
    here = os.path.join(out_dir, REPORT_DIR, DOCS_DIR)
    found = _local_media(media, input_path, beside)
    if found is not None:
        relative = os.path.relpath(found.resolve(), os.path.realpath(here))
        kind = "audio" if found.suffix.lower() in AUDIO_SUFFIXES else "video"
        return href(Path(relative).as_posix()), kind, False
    if video_url:
        return video_url, "video", True
    return None, "video", False


def page_context(
    out_dir: Path,
    result: DocumentResult,
    input_path: str,
    errors: Sequence[str],
    profile: Profile | None,
    beside: Beside = media_beside,
) -> PageContext:
    """Links from ``report/docs/<page>`` to the document's captions and media."""
    page_dir = f"{REPORT_DIR}/{DOCS_DIR}"
    base = out_dir / "captions" / result.doc_id
    files: dict[str, str | None] = {}
    for name, suffix in (
        ("vtt", ".vtt"),
        ("chapters", ".chapters.vtt"),
        ("srt", ".srt"),
        ("quality", ".quality.json"),
    ):
        path = base.with_name(base.name + suffix)
        files[name] = (
            relative_link(f"captions/{result.doc_id}{suffix}", page_dir) if path.is_file() else None
        )
    vtt_text = _read_text(base.with_name(base.name + ".vtt")) if files["vtt"] else None
    chapters_text = (
        _read_text(base.with_name(base.name + ".chapters.vtt")) if files["chapters"] else None
    )
    media_href, kind, remote = _media_link(
        out_dir, result.media, result.video_url, input_path, beside
    )
    return PageContext(
        index_href="../index.html",
        vtt_href=files["vtt"],
        chapters_href=files["chapters"],
        srt_href=files["srt"],
        quality_href=files["quality"],
        media_href=media_href,
        media_kind=kind,
        media_remote=remote,
        vtt_text=vtt_text,
        chapters_text=chapters_text,
        source_lines=_source_lines(input_path, result),
        errors=tuple(errors),
        profile=profile,
    )


def write_report(
    out_dir: Path,
    doc_ids: Sequence[str],
    run_report: RunReport | None = None,
    *,
    profile: Profile | None = None,
    stamp: str | None = None,
    records: Iterable[tuple[str, Record | Kept | None]] | None = None,
) -> Path:
    """Write ``out_dir/report/``: a page per document in ``doc_ids`` that has a
    record, a row per document (failed ones too), and the index. Returns the index
    page's path. ``profile``: the caption rules to check cues against (default: the
    one each document's quality report names).

    With a ``stamp`` (a run), what the index page takes from each document is kept
    in ``report/.rows.json``; a document handed as ``Kept`` keeps its page and row
    when that file holds it under the same key, errors and page inputs, else its
    record is read here."""
    out_dir = Path(out_dir)
    report_dir = out_dir / REPORT_DIR
    docs_dir = report_dir / DOCS_DIR
    failures, problems = _failures(out_dir, run_report)
    head = _rows_head(profile)
    cached = _read_rows(report_dir, head) if stamp is not None else {}
    (report_dir / ROWS_FILE).unlink(missing_ok=True)
    entries: dict[str, dict[str, Any]] = {}
    beside = MediaFinder()  # each input folder listed once
    rows: list[IndexRow] = []
    corpus = Corpus()
    written: set[str] = set()
    seen: set[str] = set()
    # Pages are written (and flushed to disk) by a thread while the next record is
    # read and rendered; at most a few pages wait, so memory stays flat.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="report-writer") as writer:
        pending: deque[Future[None]] = deque()
        # ``records``: the same records already being read (by the index assembly).
        pairs = records if records is not None else _read_each(out_dir, doc_ids)
        for doc_id, item in pairs:
            seen.add(doc_id)
            errors = failures.get(doc_id, ())
            name = page_name(doc_id)
            record: Record | None
            if isinstance(item, Kept):
                entry = cached.get(doc_id)
                kept_row = _kept_row(entry)
                if (
                    entry is not None
                    and kept_row is not None
                    and _keeps(out_dir, doc_id, docs_dir / name, entry, item, errors, beside)
                    and _merge(corpus, entry)
                ):
                    written.add(name)
                    rows.append(kept_row)
                    entries[doc_id] = entry
                    continue
                record = read_record(record_path(out_dir, doc_id))
            else:
                record = item
            if record is None:
                rows.append(
                    IndexRow(doc_id, None, "", FAILED if errors else "missing", errors=errors)
                )
                continue
            result = record.result
            measures = measure_document(result, profile)
            context = page_context(out_dir, result, record.input, errors, profile, beside)
            html = document_html(result, context, measures)
            pending.append(writer.submit(write_text_atomic, docs_dir / name, html))
            while len(pending) > MAX_PENDING:
                pending.popleft().result()
            written.add(name)
            row = row_for(result, f"{DOCS_DIR}/{name}", measures, errors)
            rows.append(row)
            own = Corpus()
            own.add(result, measures)
            if corpus.profile is None or corpus.profile == own.profile:
                _merge(corpus, _charts_data(own))
            else:
                corpus.add(result, measures)
            entries[doc_id] = {
                "key": record.key,
                "errors": list(errors),
                "page": _page_inputs(
                    out_dir, doc_id, result.media, result.video_url, record.input, beside
                ),
                "media": result.media,
                "video_url": result.video_url,
                "input": record.input,
                "row": to_data(row),
                **_charts_data(own),
            }
        for future in pending:
            future.result()
    for doc_id, errors in sorted(failures.items()):
        if doc_id not in seen:
            rows.append(IndexRow(doc_id, None, "", FAILED, errors=errors))
    rows.sort(key=lambda r: r.doc_id)
    index = report_dir / "index.html"
    write_text_atomic(index, index_html(rows, corpus, problems=problems))
    _remove_stale_pages(docs_dir, written)
    if stamp is None:
        (report_dir / STAMP_FILE).unlink(missing_ok=True)
    else:
        body = {**head, "documents": entries}
        write_text_atomic(report_dir / ROWS_FILE, json.dumps(body, sort_keys=True))
        write_text_atomic(report_dir / STAMP_FILE, stamp)
    return index


def _rows_head(profile: Profile | None) -> dict[str, Any]:
    """What every kept row depends on besides its document."""
    from pipeline.settings import code_sha256

    return {
        "format": 1,
        "code": code_sha256(),
        "version": __version__,
        "profile": asdict(profile) if profile else None,
    }


def _read_rows(report_dir: Path, head: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The entries of ``report/.rows.json`` by doc_id, if it was made by this code with
    these rules; else none."""
    try:
        data = json.loads((report_dir / ROWS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in head.items()):
        return {}
    documents = data.get("documents")
    return documents if isinstance(documents, dict) else {}


def _kept_row(entry: dict[str, Any] | None) -> IndexRow | None:
    try:
        return from_data(IndexRow, entry["row"]) if entry is not None else None
    except (KeyError, TypeError, ValueError):
        return None


def _keeps(
    out_dir: Path,
    doc_id: str,
    page: Path,
    entry: dict[str, Any],
    kept: Kept,
    errors: Sequence[str],
    beside: Beside,
) -> bool:
    """The page of a kept document on disk is the one it would be made again."""
    try:
        return bool(
            entry["key"] == kept.key
            and entry["errors"] == list(errors)
            and page.is_file()
            and entry["page"]
            == _page_inputs(
                out_dir, doc_id, entry["media"], entry["video_url"], entry["input"], beside
            )
        )
    except (KeyError, TypeError):
        return False


def _charts_data(corpus: Corpus) -> dict[str, Any]:
    """A document's part of the corpus charts (measured against its own profile)."""
    return {
        "profile": to_data(corpus.profile) if corpus.profile else None,
        "speeds": [[v, n] for v, n in corpus.speeds.items()],
        "durations": [[v, n] for v, n in corpus.durations_ms.items()],
        "interventions": [[v, n] for v, n in corpus.interventions.items()],
    }


def _merge(corpus: Corpus, data: dict[str, Any]) -> bool:
    """Add a document's chart counts to ``corpus``; False (nothing added) when they
    were measured against another profile than the corpus's, or cannot be read."""
    try:
        own = from_data(Profile, data["profile"]) if data["profile"] is not None else None
        speeds = [(float(v), int(n)) for v, n in data["speeds"]]
        durations = [(int(v), int(n)) for v, n in data["durations"]]
        interventions = [(str(v), int(n)) for v, n in data["interventions"]]
    except (KeyError, TypeError, ValueError):
        return False
    if own is not None and corpus.profile is not None and own != corpus.profile:
        return False
    if corpus.profile is None:
        corpus.profile = own
    for speed, count in speeds:
        corpus.speeds[speed] += count
    for duration, count in durations:
        corpus.durations_ms[duration] += count
    for name, count in interventions:
        corpus.interventions[name] += count
    return True


def _read_each(out_dir: Path, doc_ids: Sequence[str]) -> Iterator[tuple[str, Record | None]]:
    for doc_id in doc_ids:
        yield doc_id, read_record(record_path(out_dir, doc_id))


def _remove_stale_pages(docs_dir: Path, keep: set[str]) -> None:
    if not docs_dir.is_dir():
        return
    for path in docs_dir.iterdir():
        if path.suffix == ".html" and path.name not in keep:
            path.unlink(missing_ok=True)
