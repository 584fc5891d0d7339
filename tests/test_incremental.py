"""Incremental assembly: after a change, the index, the search database, the review
candidates and the report are rebuilt from the changed documents' records alone (the
rest is kept from the previous files), and the bytes are those of a full rebuild."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import pipeline.report.write
import pipeline.run.corpus
import pipeline.run.records
from pipeline.cli import app
from pipeline.run.records import RACY_NS, Record, file_sha256, input_sha256, read_record

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from corpus import document, sentences  # noqa: E402
from trees import tree  # noqa: E402

runner = CliRunner()
COUNT = 5


def make_corpus(folder: Path, pool: list[str], count: int, words: int = 150) -> None:
    for n in range(count):
        path = folder / f"step-{n}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(n, pool, words), encoding="utf-8")


def run(inputs: Path, out: Path, *, code: int = 0) -> None:
    result = runner.invoke(
        app, ["run", str(inputs), "--out", str(out), "--no-tags", "--jobs", "1", "-q"]
    )
    assert result.exit_code == code, result.output


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The records read (by file name) by the index assembly and the report."""
    seen: list[str] = []

    def counted(path: Path) -> Record | None:
        seen.append(Path(path).name)
        return read_record(path)

    monkeypatch.setattr(pipeline.run.corpus, "read_record", counted)
    monkeypatch.setattr(pipeline.report.write, "read_record", counted)
    yield seen


@pytest.fixture
def corpus(tmp_path: Path, pool: list[str]) -> tuple[Path, Path]:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, COUNT)
    run(inputs, out)
    return inputs, out


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return sentences()


def clean_tree(inputs: Path, tmp_path: Path, name: str = "clean", code: int = 0) -> dict[str, str]:
    clean = tmp_path / name
    run(inputs, clean, code=code)
    return tree(clean)


def test_one_changed_document_reads_no_record(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    inputs, out = corpus
    (inputs / "step-3.txt").write_text(document(103, pool, 150), encoding="utf-8")
    run(inputs, out)
    # The changed document is handed to the index in memory: no record is read back.
    assert reads == []
    assert tree(out) == clean_tree(inputs, tmp_path)
    for name in ("index/.docs.json", "report/.rows.json", "review/candidates.csv"):
        assert (out / name).is_file()


@pytest.mark.parametrize("spans", ["missing", "shifted", "not a mapping"])
def test_search_spans_recorded_wrongly_or_not_are_read_from_the_database(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], spans: str
) -> None:
    """A run takes the kept documents' rowids from index/.docs.json; written by an
    older version (none) or not adding up to the database's rows, they are read from
    the database instead, and the search database is still a clean build's."""
    inputs, out = corpus
    docs_file = out / "index" / ".docs.json"
    data = json.loads(docs_file.read_text(encoding="utf-8"))
    assert sorted(data["search_spans"]) == sorted(data["documents"])
    if spans == "missing":
        del data["search_spans"]
    elif spans == "shifted":
        data["search_spans"] = {d: [f + 1, n] for d, (f, n) in data["search_spans"].items()}
    else:
        data["search_spans"] = ["step-0", 1, 3]
    docs_file.write_text(json.dumps(data), encoding="utf-8")
    (inputs / "step-3.txt").write_text(document(113, pool, 150), encoding="utf-8")
    run(inputs, out)
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_search_spans_end() -> None:
    from pipeline.index.search import _spans_end

    assert _spans_end({}) == 0
    assert _spans_end({"b": (4, 2), "a": (1, 3)}) == 5
    assert _spans_end({"a": (1, 3), "b": (5, 2)}) == -1  # a gap
    assert _spans_end({"a": (1, 3), "b": (3, 2)}) == -1  # an overlap
    assert _spans_end({"a": (1, 0)}) == -1


def test_added_and_deleted_documents_read_only_their_records(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    inputs, out = corpus
    (inputs / "step-7.txt").write_text(document(107, pool, 150), encoding="utf-8")
    run(inputs, out)
    assert reads == []  # handed to the index in memory
    assert tree(out) == clean_tree(inputs, tmp_path, "clean-added")
    reads.clear()
    (inputs / "step-0.txt").unlink()
    (inputs / "step-2.txt").unlink()
    run(inputs, out)
    assert reads == []
    after = tree(out)
    assert not [k for k in after if "step-0" in k or "step-2" in k]
    assert after == clean_tree(inputs, tmp_path, "clean-deleted")


def _full_rebuild(out: Path, tmp_path: Path) -> Path:
    """A copy of ``out`` with nothing to keep from: the next run reads every record."""
    copy = tmp_path / "full"
    shutil.copytree(out, copy)
    (copy / "index" / ".docs.json").unlink()
    (copy / "report" / ".rows.json").unlink()
    return copy


def test_a_failed_document_shows_as_a_full_rebuild_shows_it(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    inputs, out = corpus
    (inputs / "step-1.txt").write_text("no markers here at all\n", encoding="utf-8")
    (inputs / "step-8.txt").write_text("no markers here either\n", encoding="utf-8")
    full = _full_rebuild(out, tmp_path)
    run(inputs, out, code=1)
    # step-1 keeps its previous outputs; its page is made again to show the error.
    assert reads == ["step-1.json"]
    reads.clear()
    run(inputs, full, code=1)
    assert len(reads) == COUNT
    assert tree(out) == tree(full)
    page = (out / "report" / "docs" / "step-1.html").read_text(encoding="utf-8")
    assert "no timing marker found" in page
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert 'id="doc-step-8"' in index and "status-failed" in index
    # Fixed again: the error goes, and the bytes are a clean run's.
    reads.clear()
    (inputs / "step-1.txt").write_text(document(1, pool, 150), encoding="utf-8")
    (inputs / "step-8.txt").unlink()
    run(inputs, out)
    assert reads == ["step-1.json"]
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_a_report_made_again_for_new_failures_keeps_the_other_pages(
    corpus: tuple[Path, Path], tmp_path: Path, reads: list[str]
) -> None:
    inputs, out = corpus
    (inputs / "step-9.txt").write_text("nothing to time here\n", encoding="utf-8")
    run(inputs, out, code=1)  # the index is unchanged: only the report is made again
    assert reads == []
    assert tree(out) == clean_tree(inputs, tmp_path, code=1)


def test_an_index_of_another_schema_version_is_rebuilt_from_every_record(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    import pyarrow.parquet as pq

    inputs, out = corpus
    path = out / "index" / "mentions.parquet"
    table = pq.read_table(path)
    metadata = {**(table.schema.metadata or {}), b"pipeline.schema_version": b"1"}
    pq.write_table(table.replace_schema_metadata(metadata), path)
    (inputs / "step-3.txt").write_text(document(103, pool, 150), encoding="utf-8")
    run(inputs, out)
    # every record but the changed one's (handed over in memory)
    assert sorted(reads) == [f"step-{n}.json" for n in range(COUNT) if n != 3]
    assert tree(out) == clean_tree(inputs, tmp_path)


@pytest.mark.parametrize(
    "missing", ["index/search.sqlite", "review/candidates.csv", "index/.docs.json"]
)
def test_a_missing_index_file_rebuilds_from_every_record(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str], missing: str
) -> None:
    inputs, out = corpus
    (out / missing).unlink()
    (inputs / "step-3.txt").write_text(document(103, pool, 150), encoding="utf-8")
    run(inputs, out)
    # every record but the changed one's (handed over in memory)
    assert sorted(reads) == [f"step-{n}.json" for n in range(COUNT) if n != 3]
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_a_missing_page_or_row_cache_is_made_again_from_its_record(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    inputs, out = corpus
    (out / "report" / "docs" / "step-4.html").unlink()
    (inputs / "step-3.txt").write_text(document(103, pool, 150), encoding="utf-8")
    run(inputs, out)
    assert sorted(reads) == ["step-4.json"]  # step-3's record is handed over in memory
    assert tree(out) == clean_tree(inputs, tmp_path)
    reads.clear()
    (out / "report" / ".rows.json").unlink()
    (inputs / "step-3.txt").write_text(document(203, pool, 150), encoding="utf-8")
    run(inputs, out)
    # every record but the changed one's (handed over in memory)
    assert sorted(reads) == [f"step-{n}.json" for n in range(COUNT) if n != 3]
    assert tree(out) == clean_tree(inputs, tmp_path, "clean-2")


def test_media_finder_answers_as_media_beside(tmp_path: Path) -> None:
    from pipeline.ingest.sources import MediaFinder, media_beside

    names = ["a.txt", "a.mp4", "b.txt", "c.txt", "c.WAV", "d.txt", "d.notes", "e.f.txt", "e.mp4"]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "g.mp4").mkdir()  # a folder is not a media file
    find = MediaFinder()
    for stem in ("a", "b", "c", "d", "e.f", "g", "gone"):
        path = tmp_path / f"{stem}.txt"
        assert find(path) == media_beside(path), stem
    assert find(tmp_path / "a.txt") == tmp_path / "a.mp4"
    assert find(tmp_path / "missing" / "x.txt") is None


def test_documents_made_under_two_profiles_chart_as_a_full_rebuild(
    tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    root, out = tmp_path / "transcripts", tmp_path / "out"
    make_corpus(root / "a", pool, 2)
    make_corpus(root / "b", pool, 2)

    def run_part(part: str, *extra: str) -> None:
        # One job: a redone document's record is then handed over in memory (a worker
        # process writes it and the index reads it back).
        args = [
            "run",
            str(root / part),
            "--out",
            str(out),
            "--no-tags",
            "-q",
            "--jobs",
            "1",
            *extra,
        ]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    run_part("a", "--profile", "bbc")
    run_part("b")  # a's documents, outside this run, keep their bbc cues
    (root / "b" / "step-1.txt").write_text(document(111, pool, 150), encoding="utf-8")
    full = _full_rebuild(out, tmp_path)
    reads.clear()
    run_part("b")
    # The report checks every document against the run's profile: a's pages are kept
    # (and b/step-1's record is handed over in memory).
    assert reads == []
    out, kept = full, out
    reads.clear()
    run_part("b")
    assert len(reads) == 3  # and b/step-1, redone, handed over in memory
    assert tree(kept) == tree(full)


def test_tables_written_by_other_means_are_not_kept_from(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    from pipeline.index.tables import write_tables

    inputs, out = corpus
    write_tables([], out)  # an empty index over the run's
    assert not (out / "index" / ".docs.json").exists()
    (inputs / "step-3.txt").write_text(document(103, pool, 150), encoding="utf-8")
    run(inputs, out)
    # every record but the changed one's (handed over in memory)
    assert sorted(reads) == [f"step-{n}.json" for n in range(COUNT) if n != 3]
    assert tree(out) == clean_tree(inputs, tmp_path)


@pytest.mark.model
def test_tagged_documents_keep_their_mentions_and_chart_counts(
    tmp_path: Path, pool: list[str], reads: list[str]
) -> None:
    import json

    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 3)

    def tagged(folder: Path) -> None:
        args = ["run", str(inputs), "--out", str(folder), "-q", "--jobs", "1"]  # in memory
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    tagged(out)
    before = json.loads((out / "report" / ".rows.json").read_text(encoding="utf-8"))
    assert before["totals"]["interventions"]
    reads.clear()
    (inputs / "step-1.txt").write_text(document(201, pool, 150), encoding="utf-8")
    (inputs / "step-2.txt").unlink()
    tagged(out)
    assert reads == []  # step-1's record is handed over in memory
    clean = tmp_path / "clean"
    tagged(clean)
    assert tree(out) == tree(clean)


# --- input stamps: an unchanged input is not read again, a changed one always is ------


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The inputs read to hash them (by file name)."""
    seen: list[str] = []

    def counted(path: Path) -> str:
        seen.append(Path(path).name)
        return file_sha256(path)

    monkeypatch.setattr(pipeline.run.records, "file_sha256", counted)
    yield seen


def statuses(out: Path) -> dict[str, str]:
    report = json.loads((out / "run-report.json").read_text(encoding="utf-8"))
    return {d["doc_id"]: d["status"] for d in report["documents"]}


def age(paths: Iterable[Path], seconds: int = 3600) -> None:
    """Give files a modification time well before any state written from now on."""
    past = time.time_ns() - seconds * 1_000_000_000
    for path in paths:
        os.utime(path, ns=(past, past))


def test_inputs_with_their_stamps_unchanged_are_not_read(
    tmp_path: Path, pool: list[str], hashed: list[str]
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, COUNT)
    age(inputs.iterdir())
    run(inputs, out)
    hashed.clear()
    run(inputs, out)
    assert hashed == []
    assert set(statuses(out).values()) == {"unchanged"}


def test_a_touched_but_unchanged_input_is_read_and_not_redone(
    tmp_path: Path, pool: list[str], hashed: list[str], reads: list[str]
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, COUNT)
    age(inputs.iterdir())
    run(inputs, out)
    before = tree(out)
    (inputs / "step-2.txt").touch()
    hashed.clear()
    reads.clear()
    run(inputs, out)
    assert hashed == ["step-2.txt"]
    assert set(statuses(out).values()) == {"unchanged"}
    assert reads == []
    assert tree(out) == before
    hashed.clear()
    age([inputs / "step-2.txt"])  # read once more for its new stamp, then not again
    run(inputs, out)
    run(inputs, out)
    assert hashed == ["step-2.txt"]


def test_an_input_edited_in_place_with_size_and_time_restored_is_redone(
    corpus: tuple[Path, Path], tmp_path: Path
) -> None:
    inputs, out = corpus
    path = inputs / "step-1.txt"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace(" the ", " thy ", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    run(inputs, out)
    assert statuses(out)["step-1"] == "done"
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_a_racy_stamp_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one", encoding="utf-8")
    digest, stamp = input_sha256(path, None, None)
    assert digest == hashlib.sha256(b"one").hexdigest()
    # Edited within the file system's time resolution: same size, and (on a coarse
    # file system) the same stamp as the one recorded with the old digest.
    path.write_text("two", encoding="utf-8")
    _, stamp = input_sha256(path, None, None)
    known = {"sha256": digest, "stamp": stamp}
    mtime_ns = stamp[1]
    racy = input_sha256(path, known, mtime_ns + RACY_NS // 2)
    assert racy == (hashlib.sha256(b"two").hexdigest(), stamp)
    trusted = input_sha256(path, known, mtime_ns + 2 * RACY_NS)
    assert trusted == (digest, stamp)  # a stamp older than the state is trusted
    assert input_sha256(path, {**known, "stamp": [0, 0, 0, 0]}, mtime_ns + 2 * RACY_NS)[0] == (
        hashlib.sha256(b"two").hexdigest()
    )


def test_an_interrupted_run_leaves_the_previous_index_and_a_rerun_completes_it(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index is assembled by a thread while documents are done; an interrupt
    (Ctrl-C) part-way stops it without committing anything, and leaves no thread."""
    import threading

    from pipeline.run.corpus import Inputs, run_corpus
    from pipeline.settings import Settings

    inputs, out = corpus
    before = index_files(out)
    for n in range(COUNT):
        (inputs / f"step-{n}.txt").write_text(document(300 + n, pool, 150), encoding="utf-8")
    real = pipeline.run.corpus.run_one_keeping
    done: list[str] = []

    def interrupted(source, settings, out_dir, key):  # type: ignore[no-untyped-def]
        if len(done) == 2:
            raise KeyboardInterrupt
        done.append(source.doc_id)
        return real(source, settings, out_dir, key)

    monkeypatch.setattr(pipeline.run.corpus, "run_one_keeping", interrupted)
    monkeypatch.setattr("pipeline.run.executors.run_one_keeping", interrupted)
    threads = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        run_corpus(Inputs((inputs,)), out, Settings(tags=False, media=False))
    assert threading.active_count() == threads  # the assembly thread is gone
    monkeypatch.undo()
    assert_nothing_committed_then_a_rerun_completes(inputs, out, before, tmp_path)


def index_files(out: Path) -> dict[str, str]:
    return {k: v for k, v in tree(out).items() if k.startswith(("index/", "review/"))}


def assert_nothing_committed_then_a_rerun_completes(
    inputs: Path, out: Path, before: dict[str, str], tmp_path: Path
) -> None:
    """Nothing of a stopped run's index was committed; only the note of which documents
    the index holds is gone (the next run builds it from every record), and it does."""
    assert index_files(out) == {k: v for k, v in before.items() if k != "index/.docs.json"}
    assert not list(out.rglob("*.tmp"))
    run(inputs, out)
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_a_report_failing_while_the_index_files_are_finished_commits_none_of_them(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables and the search database are finished by threads of their own once
    every document is read, while the report writes its index page: an error there
    waits for them, removes what they wrote and commits nothing; a re-run completes."""
    import threading

    from pipeline.run.corpus import Inputs, run_corpus
    from pipeline.settings import Settings

    inputs, out = corpus
    before = index_files(out)
    (inputs / "step-3.txt").write_text(document(303, pool, 150), encoding="utf-8")
    started: list[str] = []

    def failing(*args: object, **kwargs: object) -> str:
        started.extend(t.name for t in threading.enumerate() if t.name.startswith("index-fin"))
        raise RuntimeError("the report's index page")

    monkeypatch.setattr(pipeline.report.write, "index_html", failing)
    threads = threading.active_count()
    with pytest.raises(RuntimeError, match="index page"):
        run_corpus(Inputs((inputs,)), out, Settings(tags=False, media=False))
    assert started  # the index files were being finished beside the report
    assert threading.active_count() == threads
    monkeypatch.undo()
    assert_nothing_committed_then_a_rerun_completes(inputs, out, before, tmp_path)


def test_a_run_with_worker_processes_reads_records_as_they_are_done(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str]
) -> None:
    """With --jobs 2 the records come from the workers' files, handed over as each
    document finishes; the result is a clean run's."""
    inputs, out = corpus
    for n in (1, 3, 4):
        (inputs / f"step-{n}.txt").write_text(document(400 + n, pool, 150), encoding="utf-8")
    result = runner.invoke(
        app, ["run", str(inputs), "--out", str(out), "--no-tags", "--jobs", "2", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert tree(out) == clean_tree(inputs, tmp_path)


def test_documents_to_do_begin_while_planning(
    corpus: tuple[Path, Path], tmp_path: Path, pool: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With worker processes, each document to do goes to a worker as soon as the
    plan finds it (once: map collects it, it is not submitted again); the result is
    a clean run's."""
    from concurrent.futures import ProcessPoolExecutor

    from pipeline.run.executors import ProcessPool

    inputs, out = corpus
    for n in (0, 2):
        (inputs / f"step-{n}.txt").write_text(document(500 + n, pool, 150), encoding="utf-8")
    events: list[str] = []
    submitted: list[str] = []
    start, submit, map_ = ProcessPool.start, ProcessPoolExecutor.submit, ProcessPool.map

    def starting(self: ProcessPool, source: Any, *args: Any) -> None:
        events.append(source.doc_id)
        start(self, source, *args)

    def mapping(self: ProcessPool, *args: Any, **kwargs: Any) -> Any:
        events.append("map")
        return map_(self, *args, **kwargs)

    def submitting(self: ProcessPoolExecutor, fn: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(args[0].doc_id)
        return submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPool, "start", starting)
    monkeypatch.setattr(ProcessPool, "map", mapping)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", submitting)
    result = runner.invoke(
        app, ["run", str(inputs), "--out", str(out), "--no-tags", "--jobs", "2", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert events == ["step-0", "step-2", "map"]
    assert submitted == ["step-0", "step-2"]
    monkeypatch.undo()
    assert tree(out) == clean_tree(inputs, tmp_path)
