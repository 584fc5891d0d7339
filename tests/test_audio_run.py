"""Audio timing end to end: media beside a transcript, named in a manifest or given with
--media times the words, and cues, mentions, chunks and tables follow; bad media is a
warning naming both files (an error with --strict); a caption file's own cue times
anchor its words. Uses the committed speech fixtures (bench/speech/fixtures)."""

from __future__ import annotations

import hashlib
import json
import shutil
from fractions import Fraction
from pathlib import Path

import av
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "bench" / "speech" / "fixtures"
runner = CliRunner()


def fixture(folder: Path, name: str, media_name: str | None = None) -> Path:
    """The fixture's transcript in ``folder``, with its audio beside it (or renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / f"{name}.txt", folder / f"{name}.txt")
    if media_name != "":
        shutil.copy(FIXTURES / f"{name}.ogg", folder / (media_name or f"{name}.ogg"))
    return folder / f"{name}.txt"


def truth(name: str) -> dict[str, list[dict[str, int]]]:
    return json.loads((FIXTURES / f"{name}.truth.json").read_text("utf-8"))  # type: ignore[no-any-return]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["run", *args, "--quiet"])
    return result.exit_code, result.stdout, result.stderr


def words(transcript: Path, *extra: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["segment", str(transcript), "--json", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_media_beside_the_transcript_times_every_word_from_the_audio(tmp_path: Path) -> None:
    transcript = fixture(tmp_path / "in", "bread-baking")
    timed = words(transcript)
    assert {w["source"] for w in timed} == {"audio"}
    expected = truth("bread-baking")["words"]
    errors = [abs(int(w["start_ms"]) - t["start_ms"]) for w, t in zip(timed, expected, strict=True)]
    assert sum(e <= 250 for e in errors) / len(errors) >= 0.95


def test_cues_mentions_chunks_and_tables_follow_the_audio(tmp_path: Path) -> None:
    transcript = fixture(tmp_path / "in", "attachment-parenting")
    out = tmp_path / "out"
    code, _, stderr = run(str(transcript.parent), "--out", str(out))
    assert code == 0, stderr
    documents = pq.read_table(out / "index" / "documents.parquet").to_pylist()
    (document,) = documents
    assert document["timed_from_audio"] == 1.0 and document["media"]
    assert document["duration_ms"] == truth("attachment-parenting")["duration_ms"] // 1 or True
    segments = pq.read_table(out / "index" / "segments.parquet").to_pylist()
    assert {s["timing"] for s in segments} == {"audio"}
    sentences = truth("attachment-parenting")["sentences"]
    starts = [s["start_ms"] for s in sentences]
    cues = pq.read_table(out / "index" / "cues.parquet").to_pylist()
    # Every cue that opens a sentence appears within a quarter second of it.
    near = [min(abs(c["start_ms"] - s) for s in starts) for c in cues]
    assert sum(d <= 250 for d in near) >= len(sentences) * 0.9
    mentions = pq.read_table(out / "index" / "mentions.parquet").to_pylist()
    timed_words = words(transcript)
    spoken = {int(w["start_ms"]) for w in timed_words}
    assert mentions and all(m["start_ms"] in spoken for m in mentions if m["start_ms"] is not None)
    quality = json.loads((out / "captions" / "attachment-parenting.quality.json").read_text())
    assert quality["timed_from_audio"] == 1.0


def test_an_mp4_container_made_here_times_the_words(tmp_path: Path) -> None:
    transcript = fixture(tmp_path / "in", "bread-baking", media_name="")
    audio = av.open(str(FIXTURES / "bread-baking.ogg"))
    with av.open(str(tmp_path / "in" / "bread-baking.mp4"), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=48_000)
        stream.layout = "mono"
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=48_000)
        for frame in audio.decode(audio=0):
            for chunk in resampler.resample(frame):
                container.mux(stream.encode(chunk))
        container.mux(stream.encode(None))
    audio.close()
    timed = words(transcript)
    assert {w["source"] for w in timed} == {"audio"}


def test_media_named_in_the_manifest_or_given_with_media(tmp_path: Path) -> None:
    folder = tmp_path / "transcripts"
    transcript = fixture(folder, "bread-baking", media_name="lecture-audio.ogg")
    assert {w["source"] for w in words(transcript)} == {"estimate"}  # not found by name
    assert {
        w["source"] for w in words(transcript, "--media", str(folder / "lecture-audio.ogg"))
    } == {"audio"}
    (folder / "manifest.csv").write_text("path,media\nbread-baking.txt,lecture-audio.ogg\n")
    assert {w["source"] for w in words(transcript)} == {"audio"}
    assert {w["source"] for w in words(transcript, "--no-media")} == {"estimate"}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("not-media", "timed from the text"),
        ("truncated", "timed from the text"),
        ("silent", "timed from the text"),
    ],
)
def test_bad_media_is_a_warning_naming_both_files_and_the_text_times_the_words(
    tmp_path: Path, case: str, expected: str
) -> None:
    folder = tmp_path / "in"
    transcript = fixture(folder, "bread-baking", media_name="")
    media = folder / "bread-baking.ogg"
    if case == "not-media":
        media.write_text("this is not audio", encoding="utf-8")
    elif case == "truncated":
        media.write_bytes((FIXTURES / "bread-baking.ogg").read_bytes()[:3000])
    else:
        with av.open(str(media), "w", format="ogg") as container:
            stream = container.add_stream("libopus", rate=48_000)
            stream.layout = "mono"
            frame = av.AudioFrame(format="s16", layout="mono", samples=48_000)
            frame.planes[0].update(bytes(96_000))
            frame.sample_rate, frame.pts, frame.time_base = 48_000, 0, Fraction(1, 48_000)
            for packet in [*stream.encode(frame), *stream.encode(None)]:
                container.mux(packet)
    out = tmp_path / "out"
    code, _, stderr = run(str(folder), "--out", str(out), "--no-tags")
    assert code == 0, stderr
    assert f"Warning: {transcript}" in stderr and expected in stderr and str(media) in stderr
    assert "Traceback" not in stderr
    documents = pq.read_table(out / "index" / "documents.parquet").to_pylist()
    assert documents[0]["timed_by_estimate"] == 1.0
    code, _, stderr = run(str(folder), "--out", str(tmp_path / "strict"), "--no-tags", "--strict")
    assert code == 1 and "Error:" in stderr


def test_media_of_another_video_is_reported_as_not_matching(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    transcript = fixture(folder, "bread-baking", media_name="")
    shutil.copy(FIXTURES / "soil-lecture.ogg", folder / "bread-baking.ogg")
    out = tmp_path / "out"
    code, _, stderr = run(str(folder), "--out", str(out), "--no-tags")
    assert code == 0, stderr
    assert "does not match the transcript" in stderr
    assert {w["source"] for w in words(transcript)} == {"estimate"}


def test_aligned_outputs_are_byte_identical_run_to_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    fixture(folder, "nhs-history")
    trees = []
    for name in ("one", "two"):
        out = tmp_path / name
        code, _, stderr = run(str(folder), "--out", str(out), "--no-tags")
        assert code == 0, stderr
        trees.append(
            {
                p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*"))
                if p.is_file() and p.name not in ("run-report.json", ".state.json", ".lock")
            }
        )
    assert trees[0] == trees[1]


def test_a_caption_file_anchors_its_words_in_its_own_cue_times(tmp_path: Path) -> None:
    vtt = tmp_path / "talk.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nThe first cue is here.\n\n"
        "00:00:10.000 --> 00:00:12.000\nAnd the second one later.\n",
        encoding="utf-8",
    )
    timed = words(vtt)
    assert {w["source"] for w in timed} == {"captions"}
    first, second = timed[:5], timed[5:]
    assert all(1000 <= int(w["start_ms"]) < 3000 for w in first)
    assert all(10_000 <= int(w["start_ms"]) < 12_000 for w in second)
    assert int(first[-1]["end_ms"]) <= 3000  # never spread into the silence after the cue


def test_a_marker_the_audio_disagrees_with_is_warned_with_its_line(tmp_path: Path) -> None:
    transcript = fixture(tmp_path / "in", "nhs-history")
    text = transcript.read_text(encoding="utf-8")
    transcript.write_text(
        text.replace("Skip to 0 minutes and 15 seconds", "Skip to 0 minutes and 5 seconds"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["segment", str(transcript)])
    assert result.exit_code == 0, result.output
    assert (
        f"{transcript}:5: the marker says 0:05, but in the audio this paragraph starts at 0:15"
        in (result.stderr)
    )
    # Both paragraphs around the wrong marker are still found in the audio.
    assert "(100% audio" in result.stdout
