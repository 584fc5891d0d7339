"""The stage commands end to end through the CLI: files written, errors, exit codes."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
runner = CliRunner()


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "course").mkdir(parents=True)
    shutil.copy(SAMPLE, folder / "course" / "step.txt")
    (folder / "bad.txt").write_text("Skip to 0 minutes and 5 seconds\n\n")
    return folder


def test_segment_prints_chunks_as_json(inputs: Path) -> None:
    result = runner.invoke(app, ["segment", str(inputs / "course"), "--json", "--chunks"])
    assert result.exit_code == 0, result.output
    chunks = [json.loads(line) for line in result.stdout.splitlines()]
    assert chunks[0]["chunk_id"] == "step#c0" and chunks[0]["start_ms"] == 7000


def test_segment_prints_every_timed_word_with_its_source(inputs: Path) -> None:
    result = runner.invoke(app, ["segment", str(inputs / "course"), "--json"])
    assert result.exit_code == 0, result.output
    words = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(words[0]) == {"doc_id", "paragraph", "word", "text", "start_ms", "end_ms", "source"}
    assert [w["word"] for w in words] == list(range(len(words)))
    assert {w["source"] for w in words} == {"estimate"}
    assert words[0]["start_ms"] == 7000
    assert all(a["start_ms"] <= b["start_ms"] for a, b in itertools.pairwise(words))


def test_captions_writes_files_and_reports_the_bad_one(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["captions", str(inputs), "--out", str(out), "--no-tags"])
    assert result.exit_code == 1
    assert f"Error: {inputs / 'bad.txt'}:1: the paragraph at 0:05" in result.stderr
    base = out / "captions" / "course" / "step"
    for suffix in (".vtt", ".srt", ".chapters.vtt", ".quality.json"):
        assert base.with_name("step" + suffix).is_file()
    quality = json.loads(base.with_name("step.quality.json").read_text())
    assert quality["overlaps"] == 0 and quality["share_within_max"] >= 0.98
    assert result.stdout.startswith("course/step: ")
    assert not list(out.rglob("*.tmp"))


def test_captions_lint_compares_profiles(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner.invoke(app, ["captions", str(inputs / "course"), "--out", str(out), "--no-tags"])
    vtt = out / "captions" / "step.vtt"
    result = runner.invoke(
        app, ["captions", "--lint", str(vtt), "--profile", "default", "--profile", "dcmp"]
    )
    assert result.exit_code == 0, result.output
    assert "default (cps)" in result.stdout and "dcmp (wpm)" in result.stdout
    strict = runner.invoke(app, ["captions", "--lint", str(vtt), "--profile", "dcmp", "--strict"])
    assert strict.exit_code == 1  # 32-character lines: the default layout breaks dcmp's rules


def test_conflicting_options_are_rejected_before_work(inputs: Path) -> None:
    result = runner.invoke(
        app, ["captions", str(inputs), "--profile", "bbc", "--profile", "dcmp", "--no-tags"]
    )
    assert result.exit_code == 2
    assert "repeat --profile only with --lint" in result.output
    result = runner.invoke(app, ["segment", str(inputs), "--duration", "5:00"])
    assert result.exit_code == 2
    assert "applies to one input file" in result.output


def test_manifest_gives_duration_and_deep_links(inputs: Path, tmp_path: Path) -> None:
    course = inputs / "course"
    (course / "manifest.csv").write_text(
        "path,duration,video_url\nstep.txt,6:50,https://example.org/v.mp4\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["index", str(course), "--out", str(out), "--no-tags"])
    assert result.exit_code == 0, result.output
    chunks = pq.read_table(out / "index" / "chunks.parquet").to_pylist()
    assert chunks[0]["deep_link"] == "https://example.org/v.mp4#t=7"
    documents = pq.read_table(out / "index" / "documents.parquet").to_pylist()
    assert documents[0]["duration_ms"] == 410_000


@pytest.mark.model
def test_run_end_to_end_and_search(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(inputs), "--out", str(out)])
    assert result.exit_code == 1  # bad.txt failed; the good file has all its outputs
    assert (out / "captions" / "course" / "step.vtt").is_file()
    assert (out / "index" / "search.sqlite").is_file()
    review = (out / "review" / "candidates.csv").read_text().splitlines()
    assert review[0] == "doc_id,part,paragraph,time,start_ms,text,context"
    first = (out / "index" / "chunks.parquet").read_bytes()
    again = runner.invoke(app, ["run", str(inputs), "--out", str(out)])
    assert again.exit_code == 1
    assert (out / "index" / "chunks.parquet").read_bytes() == first
    hits = runner.invoke(app, ["search", "Mellow Babies", "--index", str(out), "--json"])
    records = json.loads(hits.stdout)
    assert 136_000 <= records[0]["start_ms"] <= 185_000
    by_id = runner.invoke(
        app, ["search", "--intervention", "mellow-babies", "--index", str(out), "--json"]
    )
    assert [r["chunk_id"] for r in json.loads(by_id.stdout)]


def test_nonsense_profiles_are_refused_before_any_work(inputs: Path, tmp_path: Path) -> None:
    for body in ("min_duration_ms = 9000\nmax_duration_ms = 1000\n", "max_speed = -1\n"):
        profile = tmp_path / "odd.toml"
        profile.write_text(body, encoding="utf-8")
        out = tmp_path / "out"
        result = runner.invoke(
            app, ["captions", str(inputs), "--out", str(out), "--profile", str(profile)]
        )
        assert result.exit_code == 2, result.output
        assert "odd.toml" in result.output
        assert not out.exists()


def test_options_lint_would_ignore_are_refused(inputs: Path, tmp_path: Path) -> None:
    vtt = tmp_path / "talk.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello.\n", encoding="utf-8")
    for extra in (["--manifest", "missing.csv"], ["--duration", "5:00"], ["--no-tags"]):
        result = runner.invoke(app, ["captions", "--lint", str(vtt), *extra])
        assert result.exit_code == 2, (extra, result.output)
        assert "has no effect with --lint" in result.output


def test_help_shows_no_type_names_for_flags() -> None:
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output
    assert "--json" in result.output


def test_a_one_paragraph_transcript_keeps_its_cues_within_the_speed_limit(tmp_path: Path) -> None:
    from pipeline.captions import PROFILES, build_cues, measure
    from pipeline.ingest import parse_transcript
    from pipeline.timing import segment

    texts = [
        "Parent-infant psychotherapy, interpersonal psychotherapy, cognitive-behavioural"
        " approaches, mentalization-based interventions and psychoeducational programmes"
        " are increasingly recommended internationally.",
        "Hello.",
        "So. Yes. Right, OK, well, I think that's it, thank you all very much for coming.",
        "The NHS, the WHO, UNICEF and the NSPCC published 12 reports in 2019 and 2020.",
    ]
    for text in texts:
        transcript = parse_transcript(f"Skip to 0 minutes and 4 seconds {text}\n")
        timeline = segment(transcript).timeline
        assert timeline.end_estimated
        quality = measure(build_cues(transcript, timeline), PROFILES["default"])
        assert quality.over_max_speed == 0, (text, quality)


def test_inputs_from_two_roots_with_the_same_layout_name_the_way_out(tmp_path: Path) -> None:
    sample = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
    for root in ("one", "two"):
        folder = tmp_path / root / "course"
        folder.mkdir(parents=True)
        (folder / "step.txt").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path / "one"), str(tmp_path / "two")])
    assert result.exit_code == 1
    assert "its document id 'course/step' is already used by" in result.stderr
    assert "separate --out folders" in result.stderr


def test_moving_the_input_folder_changes_no_output_byte(tmp_path: Path) -> None:
    sample = ROOT / "transcripts" / "babies-in-mind" / "methods-of-working-first-year.txt"
    outputs = []
    for place in ("here", "there/deeper"):
        folder = tmp_path / place / "transcripts" / "course"
        folder.mkdir(parents=True)
        (folder / "step.txt").write_text(sample.read_text(encoding="utf-8"), encoding="utf-8")
        out = tmp_path / f"out-{len(outputs)}"
        result = runner.invoke(
            app, ["captions", str(folder.parent), "--out", str(out), "--no-tags", "-q"]
        )
        assert result.exit_code == 0, result.output
        outputs.append((out / "captions" / "course" / "step.vtt").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"source: course/step.txt" in outputs[0]
