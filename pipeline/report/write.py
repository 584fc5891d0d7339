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
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.captions.profiles import Profile
from pipeline.files import Listing, write_bytes_atomic, write_text_atomic
from pipeline.ingest.sources import MediaFinder, media_beside
from pipeline.model import DocumentResult
from pipeline.report.names import href, page_name, relative_link
from pipeline.report.pages import (
    FAILED,
    Corpus,
    IndexRow,
    Measures,
    PageContext,
    document_html,
    index_html,
    index_row,
    measure_document,
    row_for,
)
from pipeline.run.codec import dump_sorted, from_data, load, to_data
from pipeline.run.records import Kept, Record, read_record, record_path

if TYPE_CHECKING:
    from pipeline.run.corpus import RunReport

REPORT_DIR = "report"
DOCS_DIR = "docs"
STAMP_FILE = ".stamp"
ROWS_FILE = ".rows.json"  # what the index page takes from each document
RUN_REPORT_FILE = "run-report.json"
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


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
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
    exists: Callable[[str], bool] = os.path.isfile,
) -> list[Any]:
    """What a document's page takes from the file system besides its record (which
    caption files exist, the media link, whether the input is there to quote from):
    a kept page is kept only while this is unchanged."""
    # Plain strings: this runs for every kept document of a run.
    base = os.path.join(out_dir, "captions", doc_id)
    files = [exists(base + suffix) for suffix in (".vtt", ".chapters.vtt", ".srt", ".quality.json")]
    link = _media_link(out_dir, media, video_url, input_path, beside)
    return [*files, *link, exists(input_path)]


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
    # Plain strings: this runs for every document a run writes a page for.
    base = os.path.join(out_dir, "captions", result.doc_id)
    files: dict[str, str | None] = {}
    for name, suffix in (
        ("vtt", ".vtt"),
        ("chapters", ".chapters.vtt"),
        ("srt", ".srt"),
        ("quality", ".quality.json"),
    ):
        files[name] = (
            relative_link(f"captions/{result.doc_id}{suffix}", page_dir)
            if os.path.isfile(base + suffix)
            else None
        )
    vtt_text = _read_text(base + ".vtt") if files["vtt"] else None
    chapters_text = _read_text(base + ".chapters.vtt") if files["chapters"] else None
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
    stamp: str | Callable[[], str] | None = None,
    records: Iterable[tuple[str, Record | Kept | None]] | None = None,
    failures: Mapping[str, tuple[str, ...]] | None = None,
) -> Path:
    """Write ``out_dir/report/``: a page per document in ``doc_ids`` that has a
    record, a row per document (failed ones too), and the index. Returns the index
    page's path. ``profile``: the caption rules to check cues against (default: the
    one each document's quality report names).

    With a ``stamp`` (a run), what the index page takes from each document is kept
    in ``report/.rows.json``; a document handed as ``Kept`` keeps its page and row
    when that file holds it under the same key, errors and page inputs, else its
    record is read here.

    While a run is still going (``records`` handed over as documents finish), its
    errors so far come as ``failures`` (each document's before it is handed over)
    and ``stamp`` as a function called once the records are all read."""
    out_dir = Path(out_dir)
    report_dir = out_dir / REPORT_DIR
    docs_dir = report_dir / DOCS_DIR
    if failures is None:
        failures = _failures(out_dir, run_report)[0]
    head = _rows_head(profile)
    cached, totals = _read_rows(report_dir, head) if stamp is not None else ({}, None)
    (report_dir / ROWS_FILE).unlink(missing_ok=True)
    entries: dict[str, dict[str, Any]] = {}
    beside = MediaFinder()  # each input folder listed once
    listed = Listing()  # kept documents' files: each folder listed once
    rows: list[IndexRow] = []
    made: dict[str, str] = {}  # rows of the index page, by doc_id, kept with the entries
    charts = _Charts()
    written: set[str] = set()
    seen: set[str] = set()
    # ``records``: the same records already being read (by the index assembly). Each
    # page is written as soon as it is rendered, in this thread: handing pages to writer
    # threads cost more CPU (their wake-ups, the GIL's hand-overs) than the writes take.
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
                and _keeps(out_dir, doc_id, docs_dir / name, entry, item, errors, beside, listed)
                and charts.keep(doc_id, entry)
            ):
                written.add(name)
                rows.append(kept_row)
                entries[doc_id] = entry
                if isinstance(entry.get("html"), str):
                    made[doc_id] = entry["html"]
                continue
            record = read_record(record_path(out_dir, doc_id))
        else:
            record = item
        if record is None:
            rows.append(IndexRow(doc_id, None, "", FAILED if errors else "missing", errors=errors))
            continue
        result = record.result
        measures = measure_document(result, profile)
        context = page_context(out_dir, result, record.input, errors, profile, beside)
        html = document_html(result, context, measures)
        write_text_atomic(docs_dir / name, html, durable=False)
        written.add(name)
        row = row_for(result, f"{DOCS_DIR}/{name}", measures, errors)
        rows.append(row)
        own_profile, counts = charts.add(result, measures)
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
            "html": made.setdefault(doc_id, index_row(row)),
            "profile": own_profile,
            "charts": counts,
        }
    problems = _failures(out_dir, run_report)[1]
    for doc_id, errors in sorted(failures.items()):
        if doc_id not in seen:
            rows.append(IndexRow(doc_id, None, "", FAILED, errors=errors))
    rows.sort(key=lambda r: r.doc_id)
    corpus, new_totals = charts.finish(cached, totals)
    index = report_dir / "index.html"
    write_text_atomic(index, index_html(rows, corpus, problems=problems, rendered=made))
    _remove_stale_pages(docs_dir, written)
    if stamp is None:
        (report_dir / STAMP_FILE).unlink(missing_ok=True)
    else:
        body = {**head, "documents": entries, "totals": new_totals}
        write_bytes_atomic(report_dir / ROWS_FILE, dump_sorted(body))
        write_text_atomic(report_dir / STAMP_FILE, stamp() if callable(stamp) else stamp)
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


def _read_rows(
    report_dir: Path, head: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any] | None]:
    """The entries of ``report/.rows.json`` by doc_id and the chart totals over them,
    if it was made by this code with these rules; else none."""
    try:
        data = load((report_dir / ROWS_FILE).read_bytes())
    except (OSError, ValueError):
        return {}, None
    if not isinstance(data, dict) or any(data.get(k) != v for k, v in head.items()):
        return {}, None
    documents, totals = data.get("documents"), data.get("totals")
    if not isinstance(documents, dict):
        return {}, None
    return documents, totals if isinstance(totals, dict) else None


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
    listed: Listing | None = None,
) -> bool:
    """The page of a kept document on disk is the one it would be made again."""
    exists = listed.isfile if listed is not None else os.path.isfile
    try:
        return bool(
            entry["key"] == kept.key
            and entry["errors"] == list(errors)
            and exists(os.fspath(page))
            and entry["page"]
            == _page_inputs(
                out_dir, doc_id, entry["media"], entry["video_url"], entry["input"], beside, exists
            )
        )
    except (KeyError, TypeError):
        return False


Counts = tuple["Counter[float]", "Counter[int]", "Counter[str]"]


def _counts(blob: str) -> Counts:
    """A document's chart counts from their JSON (as ``_Charts.add`` wrote them)."""
    return _counts_of(json.loads(blob))


def _counts_of(data: dict[str, Any]) -> Counts:
    return (
        Counter({float(v): int(n) for v, n in data["speeds"]}),
        Counter({int(v): int(n) for v, n in data["durations"]}),
        Counter({str(v): int(n) for v, n in data["interventions"]}),
    )


def _pairs(counter: Counter[Any]) -> list[list[Any]]:
    return [[v, n] for v, n in counter.items()]


class _Charts:
    """The corpus charts' counts. A document's counts are measured against its own
    profile and kept with its row; when every document has the corpus's profile (the
    first document's), the totals are kept too, and a re-run updates them by the
    documents that changed instead of adding up every kept document's counts."""

    def __init__(self) -> None:
        self.profile: Profile | None = None
        self.kept: dict[str, str] = {}  # doc_id -> its counts' JSON, profile as the corpus's
        self.fresh: list[Counts] = []  # counts of documents read, profile as the corpus's
        self.other: Corpus | None = None  # documents of another profile, measured again
        self.last: tuple[Any, Profile] | None = None  # the last profile read, as stored

    def keep(self, doc_id: str, entry: dict[str, Any]) -> bool:
        """Count a kept document; False when it has another profile than the corpus
        (its record must be read, to measure it again) or its entry is unreadable."""
        try:
            stored = entry["profile"]
            if self.last is not None and self.last[0] == stored:
                own = self.last[1]  # documents mostly share one: decoded once
            else:
                own = from_data(Profile, stored)
                self.last = (stored, own)
            counts = entry["charts"]
        except (KeyError, TypeError, ValueError):
            return False
        if not isinstance(counts, str) or (self.profile is not None and own != self.profile):
            return False
        self.profile = own
        self.kept[doc_id] = counts
        return True

    def add(self, result: DocumentResult, measures: Measures) -> tuple[Any, str]:
        """Count a document read; returns its profile and counts, to keep."""
        own = Corpus()
        own.add(result, measures)
        if self.profile is None:
            self.profile = own.profile
        if own.profile == self.profile:
            self.fresh.append((own.speeds, own.durations_ms, own.interventions))
        else:
            if self.other is None:
                self.other = Corpus(profile=self.profile)
            self.other.add(result, measures)
        blob = json.dumps(
            {
                "speeds": _pairs(own.speeds),
                "durations": _pairs(own.durations_ms),
                "interventions": _pairs(own.interventions),
            }
        )
        return to_data(own.profile), blob

    def _kept_totals(
        self, cached: dict[str, dict[str, Any]], totals: dict[str, Any] | None
    ) -> Counts:
        """The kept documents' counts: the previous totals less the documents no longer
        kept, when there are such totals for this profile; else added up."""
        if totals is not None and self.profile is not None:
            try:
                if from_data(Profile, totals["profile"]) == self.profile:
                    speeds, durations, names = _counts_of(totals)
                    for doc_id, entry in cached.items():
                        if doc_id not in self.kept:
                            gone = _counts(entry["charts"])
                            speeds.subtract(gone[0])
                            durations.subtract(gone[1])
                            names.subtract(gone[2])
                    parts = (speeds, durations, names)
                    if all(n >= 0 for part in parts for n in part.values()):
                        return (+speeds, +durations, +names)
            except (KeyError, TypeError, ValueError):
                pass
        summed: Counts = (Counter(), Counter(), Counter())
        for blob in self.kept.values():
            speeds, durations, names = _counts(blob)
            summed[0].update(speeds)
            summed[1].update(durations)
            summed[2].update(names)
        return summed

    def finish(
        self, cached: dict[str, dict[str, Any]], totals: dict[str, Any] | None
    ) -> tuple[Corpus, dict[str, Any] | None]:
        """The corpus for the index page, and the totals to keep (none when some
        document has another profile, or a speed is not a number)."""
        speeds, durations, names = self._kept_totals(cached, totals)
        for part in self.fresh:
            speeds.update(part[0])
            durations.update(part[1])
            names.update(part[2])
        keep: dict[str, Any] | None = None
        nan = any(math.isnan(v) for v in speeds)
        if self.other is None and self.profile is not None and not nan:
            keep = {
                "profile": to_data(self.profile),
                "speeds": sorted(_pairs(speeds)),
                "durations": sorted(_pairs(durations)),
                "interventions": sorted(_pairs(names)),
            }
        corpus = Corpus(profile=self.profile)
        corpus.speeds.update(speeds)
        corpus.durations_ms.update(durations)
        corpus.interventions.update(names)
        if self.other is not None:
            corpus.speeds.update(self.other.speeds)
            corpus.durations_ms.update(self.other.durations_ms)
            corpus.interventions.update(self.other.interventions)
        return corpus, keep


def _read_each(out_dir: Path, doc_ids: Sequence[str]) -> Iterator[tuple[str, Record | None]]:
    for doc_id in doc_ids:
        yield doc_id, read_record(record_path(out_dir, doc_id))


def _remove_stale_pages(docs_dir: Path, keep: set[str]) -> None:
    if not docs_dir.is_dir():
        return
    for path in docs_dir.iterdir():
        if path.suffix == ".html" and path.name not in keep:
            path.unlink(missing_ok=True)
