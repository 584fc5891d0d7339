"""The corpus runner: incremental re-runs, crash safety, executors, the output folder's
consistency, the run report and exit statuses. Whole output trees are compared."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from corpus import document, sentences, write_corpus  # noqa: E402
from trees import VOLATILE, tree  # noqa: E402

runner = CliRunner()


def run(*args: str) -> None:
    result = runner.invoke(app, ["run", *args, "--quiet"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pool() -> list[str]:
    return sentences()


def make_corpus(folder: Path, pool: list[str], count: int, words: int = 150) -> None:
    for n in range(count):
        path = folder / f"step-{n}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(n, pool, words), encoding="utf-8")


def test_changed_added_and_deleted_inputs_change_exactly_their_outputs(
    tmp_path: Path, pool: list[str]
) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 4)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    before = tree(out)
    (inputs / "step-1.txt").write_text(document(101, pool, 150), encoding="utf-8")
    (inputs / "step-2.txt").unlink()
    (inputs / "step-9.txt").write_text(document(109, pool, 150), encoding="utf-8")
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    after = tree(out)
    changed = {k for k in before.keys() & after.keys() if before[k] != after[k]}
    assembled = ("index/", "report/")  # made from every document: they change with any
    assert {k for k in changed if not k.startswith(assembled)} == {
        "captions/step-1.vtt",
        "captions/step-1.srt",
        "captions/step-1.chapters.vtt",
        "captions/step-1.quality.json",
        ".records/step-1.json",
    }
    assert {k for k in before.keys() - after.keys()} == {
        "report/docs/step-2.html",
        "captions/step-2.vtt",
        "captions/step-2.srt",
        "captions/step-2.chapters.vtt",
        "captions/step-2.quality.json",
        ".records/step-2.json",
    }
    assert {k for k in after.keys() - before.keys()} == {
        "report/docs/step-9.html",
        "captions/step-9.vtt",
        "captions/step-9.srt",
        "captions/step-9.chapters.vtt",
        "captions/step-9.quality.json",
        ".records/step-9.json",
    }
    report = json.loads((out / "run-report.json").read_text())
    statuses = {d["doc_id"]: d["status"] for d in report["documents"]}
    assert statuses == {
        "step-0": "unchanged",
        "step-1": "done",
        "step-2": "removed",
        "step-3": "unchanged",
        "step-9": "done",
    }
    # The same files a clean run over the final inputs makes.
    clean = tmp_path / "clean"
    run(str(inputs), "--out", str(clean), "--no-tags", "--jobs", "1")
    assert tree(clean) == after


def test_a_no_op_rerun_redoes_nothing_and_loads_no_model(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 2)
    run(str(inputs), "--out", str(out), "--jobs", "1")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name not in VOLATILE}
    script = (
        "import sys\n"
        "from pipeline.cli import app\n"
        f"try:\n    app(['run', {str(inputs)!r}, '--out', {str(out)!r}, '--quiet'])\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = [m for m in ('spacy', 'pyarrow', 'pocketsphinx', 'av') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "none", done.stdout + done.stderr
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.name not in VOLATILE}
    assert after == before


def test_force_redoes_every_document_with_the_same_bytes(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 2)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    before = tree(out)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1", "--force")
    report = json.loads((out / "run-report.json").read_text())
    assert report["totals"]["done"] == 2 and report["totals"]["unchanged"] == 0
    assert tree(out) == before


def test_a_global_option_redoes_the_documents_it_shapes(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 2)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1", "--profile", "bbc")
    report = json.loads((out / "run-report.json").read_text())
    assert report["totals"]["done"] == 2
    vtt = (out / "captions" / "step-0.vtt").read_text()
    assert "profile: bbc" in vtt


def test_jobs_two_gives_the_files_of_jobs_one(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    corpus = ROOT / "tests" / "corpus"
    run(str(corpus), "--out", str(one), "--jobs", "1")
    run(str(corpus), "--out", str(two), "--jobs", "2")
    assert tree(one) == tree(two)
    assert len([k for k in tree(one) if k.endswith(".vtt")]) == 12


def test_jobs_one_in_a_worker_process_gives_the_files_of_jobs_one_in_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.run import executors

    here, spawned = tmp_path / "here", tmp_path / "spawned"
    corpus = ROOT / "tests" / "corpus"
    run(str(corpus), "--out", str(here), "--jobs", "1")
    # From OWN_PROCESS_FROM documents to do, --jobs 1 runs them in one worker process.
    started: list[int] = []
    real = executors.ProcessPoolExecutor

    def counted(*args: object, **kwargs: object) -> object:
        started.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(executors, "OWN_PROCESS_FROM", 2)
    monkeypatch.setattr(executors, "ProcessPoolExecutor", counted)
    run(str(corpus), "--out", str(spawned), "--jobs", "1")
    assert started == [1]
    assert tree(here) == tree(spawned)


def test_numpys_openblas_runs_on_one_thread_unless_the_user_says_otherwise() -> None:
    code = "import pipeline, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert default.stdout.strip() == "1", default.stderr
    env["OPENBLAS_NUM_THREADS"] = "4"
    chosen = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert chosen.stdout.strip() == "4", chosen.stderr


def test_a_worker_process_leaves_at_once_with_its_output_flushed() -> None:
    # Workers skip tearing the model down at exit (executors._exit_quickly); what they
    # printed still comes out, and they end with status 0.
    code = (
        "from pipeline.run.executors import _exit_quickly; import atexit, sys;"
        " atexit.register(lambda: print('torn down', file=sys.stderr));"
        " _exit_quickly(); print('done', end='')"
    )
    ended = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (ended.returncode, ended.stdout, ended.stderr) == (0, "done", "")


def test_arrows_memory_comes_from_malloc_unless_the_user_says_otherwise() -> None:
    # The variable, for the C++ pool the Parquet writer takes its buffers from; the
    # pool pyarrow's own calls use.
    code = (
        "import pipeline, os, pipeline.index.tables, pyarrow as pa;"
        " print(os.environ['ARROW_DEFAULT_MEMORY_POOL'], pa.default_memory_pool().backend_name)"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert default.stdout.split() == ["system", "system"], default.stderr
    env["ARROW_DEFAULT_MEMORY_POOL"] = "jemalloc"
    chosen = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert chosen.stdout.split() == ["jemalloc", "jemalloc"], chosen.stderr


def test_the_dask_executor_on_a_local_cluster_gives_the_files_of_a_local_run(
    tmp_path: Path,
) -> None:
    pytest.importorskip("distributed", reason="dask[distributed] is installed by make install")
    local, dask = tmp_path / "local", tmp_path / "dask"
    corpus = ROOT / "tests" / "corpus"
    run(str(corpus), "--out", str(local), "--jobs", "1", "--no-tags")
    run(str(corpus), "--out", str(dask), "--executor", "dask", "--jobs", "2", "--no-tags")
    assert tree(local) == tree(dask)


def test_a_second_run_into_the_same_folder_is_refused(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 1)
    out.mkdir()
    with (out / ".lock").open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags"])
    assert result.exit_code == 1
    assert "another run is writing to this output folder" in result.stderr
    assert not (out / "captions").exists()


def test_a_run_killed_part_way_then_rerun_leaves_the_files_of_a_clean_run(
    tmp_path: Path,
) -> None:
    inputs, out, clean = tmp_path / "in", tmp_path / "out", tmp_path / "clean"
    write_corpus(inputs, 24, words=300)
    command = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        str(inputs),
        "--out",
        str(out),
        "--no-tags",
        "--jobs",
        "2",
        "--quiet",
    ]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    records = out / ".records"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if records.is_dir() and sum(1 for _ in records.rglob("*.json")) >= 5:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert sum(1 for _ in records.rglob("*.json")) < 24, "the run finished before the kill"
    subprocess.run([*command[:-1], "--quiet"], cwd=ROOT, check=True)
    subprocess.run([*command[:6], str(clean), *command[7:]], cwd=ROOT, check=True)
    assert tree(out) == tree(clean)
    assert not [p for p in out.rglob("*.tmp")]


def test_document_ids_do_not_depend_on_how_the_path_is_given(tmp_path: Path) -> None:
    out_folder, out_file = tmp_path / "folder", tmp_path / "file"
    sample = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
    run(str(ROOT / "transcripts"), "--out", str(out_folder), "--no-tags")
    run(str(sample.relative_to(ROOT)), "--out", str(out_file), "--no-tags")
    assert tree(out_folder) == tree(out_file)
    assert (
        out_file / "captions" / "babies-in-mind" / "methods-of-working-first-year.vtt"
    ).is_file()


def test_a_run_over_part_of_the_inputs_keeps_the_rest(tmp_path: Path, pool: list[str]) -> None:
    import pyarrow.parquet as pq

    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 3)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    run(str(inputs / "step-1.txt"), "--out", str(out), "--no-tags", "--jobs", "1")
    documents = pq.read_table(out / "index" / "documents.parquet").column("doc_id").to_pylist()
    assert documents == ["step-0", "step-1", "step-2"]


def test_a_failed_document_keeps_its_previous_outputs(tmp_path: Path, pool: list[str]) -> None:
    import pyarrow.parquet as pq

    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 2)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    vtt = (out / "captions" / "step-1.vtt").read_bytes()
    (inputs / "step-1.txt").write_text("no markers here at all\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags", "-q"])
    assert result.exit_code == 1
    assert "no timing marker found" in result.stderr
    assert (out / "captions" / "step-1.vtt").read_bytes() == vtt
    documents = pq.read_table(out / "index" / "documents.parquet").column("doc_id").to_pylist()
    assert documents == ["step-0", "step-1"]
    report = json.loads((out / "run-report.json").read_text())
    assert {d["doc_id"]: d["status"] for d in report["documents"]} == {
        "step-0": "unchanged",
        "step-1": "failed",
    }


def test_the_output_folder_is_never_read_back_as_input(tmp_path: Path, pool: list[str]) -> None:
    make_corpus(tmp_path, pool, 1)
    out = tmp_path / "outputs"
    run(str(tmp_path), "--out", str(out), "--no-tags")
    run(str(tmp_path), "--out", str(out), "--no-tags")
    report = json.loads((out / "run-report.json").read_text())
    assert [d["doc_id"] for d in report["documents"]] == ["step-0"]


def test_run_json_prints_the_run_report(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 1)
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (document_,) = report["documents"]
    assert document_["status"] == "done"
    assert set(document_["stage_seconds"]) >= {"ingest", "timing", "captions"}
    assert document_["quality"]["timed_by_estimate"] == 1.0


def test_usage_errors_exit_2_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    for args in (
        ["--executor", "nope"],
        ["--scheduler", "tcp://x:1"],
        ["--chunk-seconds", "a,b"],
        ["--no-tags", "--model", "x"],
    ):
        result = runner.invoke(app, ["run", str(ROOT / "transcripts"), "--out", str(out), *args])
        assert result.exit_code == 2, (args, result.output)
    assert not out.exists()


def test_manifest_rows_that_match_no_input_are_warned_with_their_line(
    tmp_path: Path, pool: list[str]
) -> None:
    inputs, out = tmp_path / "transcripts", tmp_path / "out"
    make_corpus(inputs, pool, 1)
    (inputs / "manifest.csv").write_text(
        "path,duration\nstep-0.txt,9:00\nstep-0.txt,9:30\nmissing.txt,1:00\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out), "--no-tags", "-q"])
    assert result.exit_code == 0, result.output
    assert "manifest.csv:3: a second row for document 'step-0'" in result.stderr
    assert "manifest.csv:4:" in result.stderr and "missing.txt" in result.stderr
    report = json.loads((out / "run-report.json").read_text())
    assert len(report["warnings"]) == 2


def test_a_caption_file_deleted_by_hand_is_made_again(tmp_path: Path, pool: list[str]) -> None:
    inputs, out = tmp_path / "in", tmp_path / "out"
    make_corpus(inputs, pool, 2)
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    before = tree(out)
    (out / "captions" / "step-1.srt").unlink()
    run(str(inputs), "--out", str(out), "--no-tags", "--jobs", "1")
    report = json.loads((out / "run-report.json").read_text())
    assert {d["doc_id"]: d["status"] for d in report["documents"]} == {
        "step-0": "unchanged",
        "step-1": "done",
    }
    assert tree(out) == before


def test_the_state_and_stored_rows_are_sorted_compact_json_and_older_files_still_read(
    tmp_path: Path, pool: list[str]
) -> None:
    """The large files every run rewrites are encoded by msgspec: keys sorted at every
    level, compact, text as UTF-8; ``load`` reads them, and ``json.dumps``'s output too
    (the files of earlier versions), NaN and Infinity included."""
    from pipeline.run.codec import dump_sorted, load

    data = {"b": [1, 2.5, None], "a": {"z": "Zoë", "m": True}, "é": 0}
    encoded = dump_sorted(data)
    assert (
        encoded
        == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert load(encoded) == data
    assert load(json.dumps({"x": float("inf")}).encode()) == {"x": float("inf")}
    inputs, out = tmp_path / "in", tmp_path / "out"
    write_corpus(inputs, 2, words=120)
    result = runner.invoke(
        app, ["run", str(inputs), "--out", str(out), "--no-tags", "--jobs", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    for name in (".state.json", "report/.rows.json"):
        raw = (out / name).read_bytes()
        assert raw == dump_sorted(json.loads(raw))
